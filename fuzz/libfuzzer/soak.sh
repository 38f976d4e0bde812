#!/bin/bash
# The 10-million-execution soak (fuzz/README.md): runs the five slow libFuzzer targets one at a time, in chunks,
# each on its persistent corpus, until each has 10M executions logged in runs.log.
# STOP file: touch ~/.cache/zlab/fuzz-corpus/STOP to end after the current chunk (or kill -INT the
# running fuzzer: it prints its executions, which count, and the soak ends); DEADLINE (epoch
# seconds) shortens the last chunk so the soak ends by then. Every chunk is a line of runs.log:
# time, target, executions, seconds, exec/s, load before..after, commit, exit status.
# Usage: nohup nice -n 19 fuzz/libfuzzer/soak.sh &   (builds the *_fuzzer binaries first: they are
# tagged manual, so //fuzz/libfuzzer:all does not build them)
C=${ZLAB_FUZZ_CORPUS:-~/.cache/zlab/fuzz-corpus}; mkdir -p $C/bin
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(cd "$REPO" && bazel info output_path 2>/dev/null)/k8-fastbuildlibfuzzer/bin/fuzz/libfuzzer  # after bazel build --config=libfuzzer
CHUNK=${CHUNK:-900}
TARGETS=${TARGETS:-frame_decoder socket_options zmtp_connection plain_mechanism curve_mechanism}
(cd "$REPO" && bazel build --config=libfuzzer $(for t in $TARGETS; do echo //fuzz/libfuzzer:${t}_fuzzer; done)) || exit 1
for t in $TARGETS; do
  while :; do
    [ -e $C/STOP ] && exit 0
    total=$(awk -v t=$t '$2==t && ($8=="status=0" || $8=="status=72") {s+=$3} END {print s+0}' $C/runs.log 2>/dev/null)
    total=${total:-0}  # no runs.log yet
    [ "$total" -ge 10000000 ] && break
    left=$((10000000 - total))
    chunk=$CHUNK
    if [ -n "$DEADLINE" ]; then
      left_s=$((DEADLINE - $(date +%s)))
      [ $left_s -lt 30 ] && exit 0
      [ $left_s -lt $chunk ] && chunk=$left_s
    fi
    mkdir -p $C/$t/corpus $C/$t/artifacts
    cp -f $OUT/${t}_fuzzer $C/bin/${t}_fuzzer
    maxlen=4096; [ $t = socket_options ] && maxlen=1024
    dict=""; case $t in frame_decoder|command|zmtp_connection|greeting) dict=-dict=$REPO/fuzz/libfuzzer/zmtp.dict;; esac
    start=$(date +%s.%N); load0=$(cut -d' ' -f1 /proc/loadavg)
    nice -n 19 $C/bin/${t}_fuzzer $C/$t/corpus $REPO/fuzz/libfuzzer/corpus/$t -artifact_prefix=$C/$t/artifacts/ \
      -print_final_stats=1 -max_len=$maxlen $dict -max_total_time=$chunk -runs=$left > $C/$t/last.log 2>&1
    st=$?
    end=$(date +%s.%N); load1=$(cut -d' ' -f1 /proc/loadavg)
    ex=$(grep -o 'stat::number_of_executed_units: *[0-9]*' $C/$t/last.log | grep -o '[0-9]*$')
    ex=${ex:-0}
    secs=$(echo "$end - $start" | bc)
    rate=$(echo "scale=0; $ex / $secs" | bc)
    commit=$(git -C $REPO rev-parse --short HEAD)
    echo "$(date -u +%FT%TZ) $t $ex $secs exec/s=$rate load=$load0..$load1 commit=$commit status=$st" >> $C/runs.log
    cat $C/$t/last.log >> $C/$t/all.log
    # 72: libFuzzer's exit status when interrupted (SIGINT): its executions count, the soak stops.
    [ $st -eq 72 ] && exit 0
    if [ $st -ne 0 ]; then echo "FAILED $t, see $C/$t/last.log" >> $C/runs.log; exit 1; fi
  done
done
