#!/usr/bin/env bash
# PUSH->PULL throughput, zlab and libzmq 4.3.4 side by side in one run, as a ratio.
# usage: bazel run --config=bench //bench:throughput -- [count] [size]
set -euo pipefail
count=${1:-1000000}
size=${2:-16}
here="${RUNFILES_DIR:-$0.runfiles}/zlab/bench"
printf '%-8s %-6s %14s %14s %8s\n' transport size zlab_msg/s libzmq_msg/s ratio
for ep in "tcp://127.0.0.1:*" "ipc://*" "inproc://bench"; do
  z=$("$here/throughput_zlab" "$ep" "$count" "$size" | cut -d' ' -f1)
  l=$("$here/peers/throughput_libzmq" "$ep" "$count" "$size" | cut -d' ' -f1)
  printf '%-8s %-6s %14s %14s %8s\n' "${ep%%:*}" "$size" "$z" "$l" "$(awk "BEGIN{printf \"%.2f\", $z/$l}")"
done
