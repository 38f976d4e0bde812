#!/usr/bin/python3
"""A fuzz target process: one ZMQ socket through pyzmq, on Debian's libzmq 4.3.4 or, with
LD_LIBRARY_PATH at another libzmq.so.5, on zlab or the draft-enabled libzmq (the draft types;
a DISH joins group "g"). It binds (or connects to) an endpoint, logs
every message the application receives (one JSON line of hex frames) and, for types that can,
echoes it; a PUB publishes a tick now and then so subscriptions have traffic to filter, and a
RADIO publishes one to group "g" (which the fuzzer's DISH joins) and one to "other".

    target.py --socket-type PAIR --bind tcp://127.0.0.1:0 --log FILE [--mechanism PLAIN]
Prints "ready ENDPOINT" once bound.
"""

import argparse
import json
import sys
import time

import zmq

ECHO = {"PAIR", "DEALER", "ROUTER", "REP"}


DISH_GROUP = b"g"  # live.DISH_GROUP: the group the fuzzer's RADIO messages may name


def join(socket, group):
    """zmq_join through the loaded libzmq: Debian's pyzmq is built without the draft API, so
    Socket.join is not there, but the library (the draft libzmq or zlab's draft build) has it."""
    import ctypes
    lib = ctypes.CDLL("libzmq.so.5")  # the copy pyzmq loaded (LD_LIBRARY_PATH)
    lib.zmq_join.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    if lib.zmq_join(ctypes.c_void_p(socket.underlying), group) != 0:
        raise SystemExit(f"target: zmq_join failed (errno {lib.zmq_errno()})")


RADIO_GROUPS = (DISH_GROUP, b"other")  # the fuzzer's DISH joins g only: "other" must not reach it


def radio_publisher(socket):
    """publish(group, body) through zmq_msg_set_group and zmq_msg_send by ctypes (Debian's pyzmq
    has no draft API); a message the RADIO cannot take now is dropped, as a RADIO does."""
    import ctypes

    class Msg(ctypes.Structure):
        _fields_ = [("_", ctypes.c_ubyte * 64)]  # zmq_msg_t

    lib = ctypes.CDLL("libzmq.so.5")  # the copy pyzmq loaded (LD_LIBRARY_PATH)
    ref = ctypes.POINTER(Msg)
    lib.zmq_msg_init_size.argtypes = [ref, ctypes.c_size_t]
    lib.zmq_msg_data.argtypes = [ref]
    lib.zmq_msg_data.restype = ctypes.c_void_p
    lib.zmq_msg_set_group.argtypes = [ref, ctypes.c_char_p]
    lib.zmq_msg_send.argtypes = [ref, ctypes.c_void_p, ctypes.c_int]
    lib.zmq_msg_close.argtypes = [ref]

    def publish(group, body):
        m = Msg()
        if lib.zmq_msg_init_size(ctypes.byref(m), len(body)) != 0:
            raise SystemExit("target: zmq_msg_init_size failed")
        ctypes.memmove(lib.zmq_msg_data(ctypes.byref(m)), body, len(body))
        if lib.zmq_msg_set_group(ctypes.byref(m), group) != 0:
            raise SystemExit("target: zmq_msg_set_group failed")
        if lib.zmq_msg_send(ctypes.byref(m), ctypes.c_void_p(socket.underlying), 1) < 0:
            lib.zmq_msg_close(ctypes.byref(m))  # ZMQ_DONTWAIT: not taken now

    return publish


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket-type", required=True)
    p.add_argument("--bind")
    p.add_argument("--connect")
    p.add_argument("--log", required=True)
    p.add_argument("--mechanism", default="NULL", choices=["NULL", "PLAIN", "CURVE"],
                   help="PLAIN: a PLAIN server whose ZAP handler knows admin/secret; CURVE: a "
                        "CURVE server (curve_client.SERVER_SECRET) letting any client key in")
    args = p.parse_args()
    ctx = zmq.Context()
    if args.mechanism != "NULL":
        # pyzmq's ZAP handler, a REP at inproc://zeromq.zap.01 in a thread of this process.
        from zmq.auth import CURVE_ALLOW_ANY
        from zmq.auth.thread import ThreadAuthenticator
        auth = ThreadAuthenticator(ctx)
        auth.start()
        if args.mechanism == "PLAIN":
            auth.configure_plain(domain="*", passwords={"admin": "secret"})
        else:
            auth.configure_curve(domain="*", location=CURVE_ALLOW_ANY)
    s = ctx.socket(getattr(zmq, args.socket_type))
    s.linger = 0
    if args.mechanism == "PLAIN":
        s.plain_server = True
    elif args.mechanism == "CURVE":
        import os
        from zmq.utils import z85
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                        "engine", "wire"))
        from curve_client import SERVER_SECRET
        s.curve_server = True
        s.curve_secretkey = z85.encode(SERVER_SECRET)
    if args.socket_type == "DISH":
        join(s, DISH_GROUP)
    if args.socket_type in ("SUB", "XSUB"):
        if args.socket_type == "SUB":
            s.setsockopt(zmq.SUBSCRIBE, b"")
    if args.bind:
        s.bind(args.bind)
        endpoint = s.getsockopt(zmq.LAST_ENDPOINT).decode()
    else:
        s.connect(args.connect)
        endpoint = args.connect
    print("ready", endpoint, flush=True)
    can_recv = args.socket_type not in ("PUB", "PUSH", "RADIO")
    publish = radio_publisher(s) if args.socket_type == "RADIO" else None
    last_tick = 0.0
    with open(args.log, "a") as log:
        while True:
            if can_recv and s.poll(50):
                frames = s.recv_multipart()
                log.write(json.dumps([f.hex() for f in frames]) + "\n")
                log.flush()
                if args.socket_type in ECHO:
                    try:
                        s.send_multipart(frames, zmq.NOBLOCK)
                    except zmq.ZMQError:
                        pass
            elif not can_recv:
                time.sleep(0.05)
            if publish and time.monotonic() - last_tick > 0.1:
                last_tick = time.monotonic()  # a RADIO publishes to a joined and a foreign group
                for group in RADIO_GROUPS:
                    publish(group, b"tick")
            if args.socket_type in ("PUB", "XPUB", "PUSH") and time.monotonic() - last_tick > 0.1:
                last_tick = time.monotonic()
                try:
                    s.send(b"tick", zmq.NOBLOCK)
                except zmq.ZMQError:
                    pass


if __name__ == "__main__":
    sys.exit(main())
