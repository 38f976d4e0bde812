"""draft_ctypes, the draft probes' shared ctypes layer, on the draft-enabled libzmq: a bind picks
a free port and says which, and a refused option or bind raises instead of going unnoticed (a
probe once set ZMQ_HEARTBEAT_IVL by the wrong number, unchecked, and observed a socket that never
sent a heartbeat)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import libzmq_probes  # noqa: E402

_SCRIPT = r"""
import errno, json
from draft_ctypes import lib, sock, opt, bind_any, port_of, DISH, RADIO, HEARTBEAT_IVL
out = {}
a, b = sock(DISH), sock(DISH)
ea, eb = bind_any(a), bind_any(b)
out["endpoints"] = [ea.decode(), eb.decode()]
out["ports"] = [port_of(ea), port_of(eb)]
opt(a, HEARTBEAT_IVL, 100)  # a real option: no error
for name, call in (("unknown option", lambda: opt(a, 9999, 1)),
                   ("bad endpoint", lambda: bind_any(b, b"tcp://no-such-interface-zlab"))):
    try:
        call()
        out[name] = "accepted"
    except OSError as e:
        out[name] = e.errno
radio = sock(RADIO)
out["connect"] = lib.zmq_connect(radio, ea)
for s in (radio, a, b):
    lib.zmq_close(s)
print(json.dumps(out))
"""


def test_binds_free_ports_and_refusals_raise():
    obs, got = libzmq_probes._on_draft_libzmq(_SCRIPT, timeout_s=30)
    if obs.get("library") is None:
        pytest.skip(obs["note"])
    assert got is not None, obs
    assert all(e.startswith("tcp://127.0.0.1:") for e in got["endpoints"]), got
    assert got["ports"][0] > 0 and got["ports"][0] != got["ports"][1], got
    assert got["unknown option"] == 22, got  # EINVAL
    assert got["bad endpoint"] != "accepted", got
    assert got["connect"] == 0, got
