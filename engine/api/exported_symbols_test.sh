#!/bin/bash
# The API built as a shared library exports exactly the implemented zmq_* functions (each as a
# function with default visibility), and none of the helpers behind them.
set -euo pipefail
so="$1"
expected="$2"

exported=$(nm -D --defined-only "$so" | awk '{print $2, $3}')
actual_zmq=$(awk '$2 ~ /^zmq_/ {print $2}' <<<"$exported" | sort)
want=$(grep -v '^#' "$expected" | sort)

status=0
if [[ "$actual_zmq" != "$want" ]]; then
  echo "exported zmq_* symbols differ from $expected (< expected, > exported):"
  diff <(echo "$want") <(echo "$actual_zmq") || true
  status=1
fi
not_functions=$(awk '$2 ~ /^zmq_/ && $1 != "T" {print}' <<<"$exported")
if [[ -n "$not_functions" ]]; then
  echo "zmq_* symbols that are not plain exported functions:"
  echo "$not_functions"
  status=1
fi
# Our own C++ helpers must stay hidden. (Instantiations of standard-library templates keep the
# default visibility libstdc++ gives them; they are weak and harmless.)
leaked=$(awk '$2 ~ /^_Z/ {print $2}' <<<"$exported" | c++filt | grep -Ev 'std::|__gnu_cxx::' || true)
if [[ -n "$leaked" ]]; then
  echo "internal C++ symbols exported:"
  echo "$leaked"
  status=1
fi
count=$(wc -l <<<"$actual_zmq")
echo "exported zmq_* functions: $count"
exit $status
