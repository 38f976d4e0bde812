#!/bin/bash
# libzmq.so.5 is a drop-in libzmq: its soname is libzmq.so.5, and it exports exactly the stable
# zmq_* functions of libzmq 4.3.4 (exported_symbols.txt), each as a plain function, and nothing
# else: no engine internals, no C++ runtime instances. The list is also checked against the
# installed libzmq.so.5 (Debian's 4.3.4), restricted to its stable API.
#
# Usage: exported_symbols_test.sh LIB STABLE_LIST [DRAFT_LIST]. With a DRAFT_LIST (the draft
# build), LIB exports both lists, and every name in DRAFT_LIST is one of libzmq's draft functions.
set -euo pipefail
so="$1"
expected="$2"
draft_list="${3:-}"
reference="${ZLAB_REFERENCE_LIBZMQ:-/usr/lib/x86_64-linux-gnu/libzmq.so.5}"

status=0
stable_want=$(grep -v '^#' "$expected" | sort)
draft_want=""
[[ -n "$draft_list" ]] && draft_want=$(grep -v '^#' "$draft_list" | sort)
want=$(printf '%s\n%s\n' "$stable_want" "$draft_want" | sed '/^$/d' | sort)
exported=$(nm -D --defined-only "$so" | awk '{print $2, $3}')

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [[ "$soname" != "libzmq.so.5" ]]; then
  echo "soname is '$soname', not libzmq.so.5"
  status=1
fi

actual_zmq=$(awk '$2 ~ /^zmq_/ {print $2}' <<<"$exported" | sort)
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
others=$(awk '$2 !~ /^zmq_/ {print $2}' <<<"$exported")
if [[ -n "$others" ]]; then
  echo "symbols exported besides the zmq_* API:"
  echo "$others" | c++filt | head -50
  status=1
fi

# libzmq's draft functions (only exported by a libzmq built with the draft API).
draft='^zmq_(poller_.*|ctx_set_ext|ctx_get_ext|join|leave|connect_peer|msg_init_buffer|msg_set_routing_id|msg_routing_id|msg_set_group|msg_group|socket_get_peer_state|socket_monitor_versioned|socket_monitor_pipes_stats)$'
not_draft=$(grep -Ev "$draft" <<<"$draft_want" | sed '/^$/d' || true)
if [[ -n "$not_draft" ]]; then
  echo "names in $draft_list that are not libzmq 4.3.4 draft functions:"
  echo "$not_draft"
  status=1
fi
if [[ -r "$reference" ]]; then
  stable=$(nm -D --defined-only "$reference" | awk '$3 ~ /^zmq_/ {print $3}' | grep -Ev "$draft" | sort)
  if [[ "$stable" != "$stable_want" ]]; then
    echo "the stable API of $reference differs from $expected (< $reference, > expected):"
    diff <(echo "$stable") <(echo "$stable_want") || true
    status=1
  fi
else
  echo "note: $reference not found; compared with $expected only"
fi

echo "exported zmq_* functions: $(wc -l <<<"$actual_zmq")"
exit $status
