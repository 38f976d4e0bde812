#!/usr/bin/env bash
# CURVE through zmq.h, zlab against libzmq 4.3.4 in one run: the same binary (built against
# Debian's libzmq) on both libraries, zlab's picked up through LD_LIBRARY_PATH; rounds
# interleaved, medians printed with the ratio zlab/libzmq (higher is better for both measures).
# usage: bazel run --config=bench //bench:curve -- ZLAB_LIB_DIR [rounds]   (or ./zlab bench)
set -euo pipefail
lib=$(cd "$1" && pwd)
rounds=${2:-3}
peer="${RUNFILES_DIR:-$0.runfiles}/zlab/bench/peers/curve_libzmq"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# measure label, then the peer's arguments
measures=(
  "CURVE 64 B msg/s|throughput 64 200000"
  "CURVE 1 KiB msg/s|throughput 1024 100000"
  "CURVE 64 KiB msg/s|throughput 65536 5000"
  "CURVE handshakes/s|handshakes 500"
)
printf '%-22s %12s %12s %7s\n' measure libzmq zlab ratio
for m in "${measures[@]}"; do
  label=${m%%|*}
  read -r -a args <<<"${m#*|}"
  ref=() ours=()
  for ((r = 0; r < rounds; ++r)); do
    ref+=("$("$peer" "${args[@]}")")
    ours+=("$(LD_LIBRARY_PATH="$lib" "$peer" "${args[@]}")")
  done
  a=$(printf '%s\n' "${ref[@]}" | median)
  b=$(printf '%s\n' "${ours[@]}" | median)
  printf '%-22s %12s %12s %7.2f   (libzmq %s; zlab %s)\n' "$label" "$a" "$b" \
    "$(awk "BEGIN{print $b/$a}")" "${ref[*]}" "${ours[*]}"
done
echo "rounds: $rounds, medians; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
