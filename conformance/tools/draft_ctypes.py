"""The draft-enabled libzmq through ctypes, for the draft probes of libzmq_probes.py.

Debian's pyzmq has no draft API, so each draft probe runs a short script in a process of its own
(libzmq_probes._on_draft_libzmq). This module is what every such script shares: the library
(the path in ZLAB_DRAFT_LIBZMQ) with its functions typed once, one context, and helpers that bind
to a port the kernel picks, so that no probe races another for a fixed port.

    from draft_ctypes import lib, ctx, sock, opt, bind_any, recv_timeout
"""
import ctypes
import os
import socket

vp, cp, sz, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int

lib = ctypes.CDLL(os.environ["ZLAB_DRAFT_LIBZMQ"])

# argument and result types of every function a draft probe calls (ctypes defaults to int,
# which truncates pointers on 64-bit)
_SIGNATURES = {
    "zmq_ctx_new": ([], vp),
    "zmq_socket": ([vp, ci], vp),
    "zmq_close": ([vp], ci),
    "zmq_bind": ([vp, cp], ci),
    "zmq_connect": ([vp, cp], ci),
    "zmq_join": ([vp, cp], ci),
    "zmq_socket_monitor": ([vp, cp, ci], ci),
    "zmq_socket_monitor_versioned": ([vp, cp, ctypes.c_uint64, ci, ci], ci),
    "zmq_setsockopt": ([vp, ci, vp, sz], ci),
    "zmq_getsockopt": ([vp, ci, vp, ctypes.POINTER(sz)], ci),
    "zmq_send": ([vp, cp, sz, ci], ci),
    "zmq_recv": ([vp, vp, sz, ci], ci),
    "zmq_errno": ([], ci),
    "zmq_msg_init": ([vp], ci),
    "zmq_msg_init_size": ([vp, sz], ci),
    "zmq_msg_data": ([vp], vp),
    "zmq_msg_size": ([vp], sz),
    "zmq_msg_set_group": ([vp, cp], ci),
    "zmq_msg_group": ([vp], cp),
    "zmq_msg_send": ([vp, vp, ci], ci),
    "zmq_msg_recv": ([vp, vp, ci], ci),
    "zmq_msg_close": ([vp], ci),
}
for _name, (_args, _result) in _SIGNATURES.items():
    _f = getattr(lib, _name)
    _f.argtypes, _f.restype = _args, _result

# socket types and options by number (zmq.h, draft section included)
PAIR, DEALER, RADIO, DISH, GATHER, SCATTER = 0, 5, 14, 15, 16, 17
SNDHWM, RCVHWM, LINGER, RCVTIMEO, LAST_ENDPOINT, EVENTS = 23, 24, 17, 27, 32, 15
HEARTBEAT_IVL, HEARTBEAT_TIMEOUT = 75, 77
DONTWAIT = 1

ctx = lib.zmq_ctx_new()


def opt(s, option, value):
    """zmq_setsockopt of an int option; raises if libzmq refuses it."""
    x = ctypes.c_int(value)
    if lib.zmq_setsockopt(s, option, ctypes.byref(x), ctypes.sizeof(x)) != 0:
        raise OSError(lib.zmq_errno(), f"zmq_setsockopt({option}, {value})")


def get_int(s, option):
    v, n = ctypes.c_int(0), sz(ctypes.sizeof(ctypes.c_int))
    if lib.zmq_getsockopt(s, option, ctypes.byref(v), ctypes.byref(n)) != 0:
        raise OSError(lib.zmq_errno(), f"zmq_getsockopt({option})")
    return v.value


def sock(kind, linger_ms=0):
    """A socket of the given type number, with ZMQ_LINGER set (0: closing never waits)."""
    s = lib.zmq_socket(ctx, kind)
    if not s:
        raise OSError(lib.zmq_errno(), f"zmq_socket({kind})")
    opt(s, LINGER, linger_ms)
    return s


def bind_any(s, base=b"tcp://127.0.0.1"):
    """Binds s to base:* (the kernel picks a free port) and returns the endpoint it got, for the
    peer to connect to. Raises if the bind fails: a probe must not observe a socket that never
    listened."""
    if lib.zmq_bind(s, base + b":*") != 0:
        raise OSError(lib.zmq_errno(), f"zmq_bind({base!r}:*)")
    buf, n = ctypes.create_string_buffer(256), sz(256)
    if lib.zmq_getsockopt(s, LAST_ENDPOINT, buf, ctypes.byref(n)) != 0:
        raise OSError(lib.zmq_errno(), "zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
    return buf.value


def port_of(endpoint):
    return int(endpoint.rsplit(b":", 1)[1])


def free_udp_port():
    """A udp port free a moment ago (udp:// has no ':*' bind in libzmq 4.3.4)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.bind(("127.0.0.1", 0))
        return u.getsockname()[1]


def recv_timeout(s, timeout_ms):
    opt(s, RCVTIMEO, timeout_ms)
