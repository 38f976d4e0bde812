#!/usr/bin/env bash
# Many peers through zmq.h, zlab against libzmq 4.3.4: a ROUTER with N DEALERs and a PUB with N
# SUBs (one active peer, the rest idle), messages/s at a few and at many peers on each library
# (the same binary; zlab's through LD_LIBRARY_PATH), rounds interleaved, medians. The goal is a
# per-message cost that does not grow with the peer count: "many/few" near 1.
# usage: bazel run --config=bench //bench:many_peers -- ZLAB_LIB_DIR [rounds]   (or ./zlab bench)
set -euo pipefail
lib=$(cd "$1" && pwd)
rounds=${2:-3}
peer="${RUNFILES_DIR:-$0.runfiles}/zlab/bench/peers/many_peers_libzmq"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# label|mode endpoint few many count
measures=(
  "ROUTER, DEALERs, inproc|router inproc://many 10 10000 20000"
  "PUB, SUBs, inproc|pub inproc://many 10 1000 20000"
  "PUB, SUBs, tcp|pub tcp://127.0.0.1:* 10 1000 20000"
)
printf '%-24s %6s %12s %12s %7s\n' measure peers libzmq zlab ratio
for m in "${measures[@]}"; do
  label=${m%%|*}
  read -r mode endpoint few many count <<<"${m#*|}"
  for n in "$few" "$many"; do
    ref=() ours=()
    for ((r = 0; r < rounds; ++r)); do
      ref+=("$("$peer" "$mode" "$endpoint" "$n" "$count")")
      ours+=("$(LD_LIBRARY_PATH="$lib" "$peer" "$mode" "$endpoint" "$n" "$count")")
    done
    a=$(printf '%s\n' "${ref[@]}" | median)
    b=$(printf '%s\n' "${ours[@]}" | median)
    printf '%-24s %6s %12s %12s %7.2f   (libzmq %s; zlab %s)\n' "$label" "$n" "$a" "$b" \
      "$(awk "BEGIN{print $b/$a}")" "${ref[*]}" "${ours[*]}"
  done
done
echo "rounds: $rounds, medians, msg/s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
