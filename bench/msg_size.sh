#!/usr/bin/env bash
# What Msg's inline body costs at its edge: zlab keeps a body of up to 40 bytes inline (32
# from session 6's group to session 8), libzmq 4.3.4 up to 33 (max_vsm_size on 64-bit); a
# longer body is allocated. Instructions (callgrind, whole program: load-independent) for
# 100 k PUSH->PULL messages over inproc of 32, 33 and 40 bytes, through zmq.h: the same binary
# (peers/throughput_libzmq, built against Debian's libzmq) on both libraries, zlab's through
# LD_LIBRARY_PATH. Per message: Ir / messages.
# usage: bazel run --config=bench //bench:msg_size -- ZLAB_LIB_DIR [messages] [sizes...]
set -euo pipefail
lib=$(cd "$1" && pwd)
count=${2:-100000}
shift $(($# < 2 ? $# : 2))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(32 33 40)
here="${RUNFILES_DIR:-$0.runfiles}/zlab/bench/peers"
command -v valgrind >/dev/null || { echo "msg_size: valgrind is not installed" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Ir of one run: callgrind's "Collected" line (instructions of every thread).
instructions() {
  local log="$out/log"
  env "$@" valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
    "$here/throughput_libzmq" inproc://msg-size "$count" "$size" >/dev/null 2>"$log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log"
}
printf '%-6s %16s %16s %12s %12s %7s\n' bytes "libzmq Ir" "zlab Ir" "libzmq /msg" "zlab /msg" ratio
for size in "${sizes[@]}"; do
  l=$(instructions LD_LIBRARY_PATH=)
  z=$(instructions LD_LIBRARY_PATH="$lib")
  awk -v s="$size" -v l="$l" -v z="$z" -v n="$count" \
    'BEGIN { printf "%-6s %16d %16d %12.0f %12.0f %7.2f\n", s, l, z, l / n, z / n, z / l }'
done
