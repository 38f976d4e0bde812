#!/usr/bin/env bash
# inproc through zmq.h, zlab against libzmq 4.3.4: the same binaries (built against Debian's
# libzmq) run on both libraries, zlab's picked up through LD_LIBRARY_PATH; rounds interleaved,
# medians printed with the ratio (throughput: higher is better; latency: lower is better).
# usage: bazel run --config=bench //bench:zmq_h -- ZLAB_LIB_DIR [rounds] [endpoint]
# (ZLAB_LIB_DIR: a folder holding zlab's libzmq.so.5, e.g. bazel-bin/engine/api built with
# --config=bench.)
set -euo pipefail
lib=$(cd "$1" && pwd)
rounds=${2:-5}
endpoint=${3:-inproc://bench}
here="${RUNFILES_DIR:-$0.runfiles}/zlab/bench/peers"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -a lt zt ll zl
for ((r = 0; r < rounds; ++r)); do
  lt+=("$("$here/throughput_libzmq" "$endpoint" 1000000 64 | cut -d' ' -f1)")
  zt+=("$(LD_LIBRARY_PATH="$lib" "$here/throughput_libzmq" "$endpoint" 1000000 64 | cut -d' ' -f1)")
  ll+=("$("$here/latency_libzmq" "$endpoint" 20000 1)")
  zl+=("$(LD_LIBRARY_PATH="$lib" "$here/latency_libzmq" "$endpoint" 20000 1)")
done
mlt=$(printf '%s\n' "${lt[@]}" | median); mzt=$(printf '%s\n' "${zt[@]}" | median)
mll=$(printf '%s\n' "${ll[@]}" | median); mzl=$(printf '%s\n' "${zl[@]}" | median)
printf '%-28s %12s %12s %7s\n' measure libzmq zlab ratio
printf '%-28s %12s %12s %7.2f\n' "64 B PUSH->PULL msg/s" "$mlt" "$mzt" "$(awk "BEGIN{print $mzt/$mlt}")"
printf '%-28s %12s %12s %7.2f\n' "1 B REQ/REP one-way us" "$mll" "$mzl" "$(awk "BEGIN{print $mzl/$mll}")"
echo "rounds: $rounds; throughput libzmq ${lt[*]} zlab ${zt[*]}; latency libzmq ${ll[*]} zlab ${zl[*]}"
