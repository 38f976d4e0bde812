"""zlab and libzmq 4.3.4 talking to each other: one peer is pyzmq on zlab's libzmq.so.5, the
other pyzmq on the system's libzmq, each in its own process. Every compatible pair of classic
socket types, with zlab on either side, either side binding, over tcp, ipc and ws (ZMTP over
WebSocket: libzmq 4.3.4's ZWS2.0, so the HTTP upgrade, the masking and the framing are checked
against libzmq's both ways).
"""

import itertools

import pytest

from pyzmq_harness import (WorkerError, libzmq, libzmq_module_worker, zlab,
                           zlab_module_worker)


def open_socket(worker, kind, options, bind, endpoint):
    """Makes the worker's socket `s`; returns the endpoint it bound (or the one it connected)."""
    return worker("""
ctx = zmq.Context()
s = with_timeouts(ctx.socket(getattr(zmq, kind)))
for name, value in options:
    s.setsockopt(getattr(zmq, name), value)
if bind:
    s.bind(endpoint)
    endpoint = s.last_endpoint.decode()
else:
    s.connect(endpoint)
endpoint
""", kind=kind, options=options, bind=bind, endpoint=endpoint)


def send(worker, parts):
    worker("s.send_multipart(parts)", parts=parts)


def recv(worker):
    return worker("s.recv_multipart()")


def send_when_routable(worker, parts):
    """A ROUTER with ROUTER_MANDATORY: retries while the peer's handshake is still under way."""
    worker("""
def attempt():
    try:
        s.send_multipart(parts)
        return True
    except zmq.ZMQError as e:
        if e.errno != zmq.EHOSTUNREACH:
            raise
        return False
assert until(attempt), 'peer never became routable'
""", parts=parts)


def publish_until_received(pub, sub, topic_message):
    """Subscriptions travel asynchronously: publish until the subscriber gets one."""
    for _ in range(250):
        send(pub, [b"other: filtered out"])
        send(pub, topic_message)
        got = sub("s.poll(20) and s.recv_multipart()")
        if got:
            return got
    return None


# --- what each pair does, with `a` and `b` the two workers (types as in the pair's name) ---

def push_pull(a, b):
    for i in range(20):
        send(a, [b"part one %d" % i, b"part two"])
    for i in range(20):
        assert recv(b) == [b"part one %d" % i, b"part two"]


def pair_pair(a, b):
    send(a, [b"to b"])
    assert recv(b) == [b"to b"]
    send(b, [b"to a", b""])
    assert recv(a) == [b"to a", b""]


def req_rep(a, b):
    for i in range(3):
        send(a, [b"request %d" % i])
        assert recv(b) == [b"request %d" % i]
        send(b, [b"reply %d" % i])
        assert recv(a) == [b"reply %d" % i]


def req_router(a, b):
    send(a, [b"request"])
    assert recv(b) == [b"req-id", b"", b"request"]
    send(b, [b"req-id", b"", b"reply"])
    assert recv(a) == [b"reply"]


def dealer_rep(a, b):
    send(a, [b"", b"request"])
    assert recv(b) == [b"request"]
    send(b, [b"reply"])
    assert recv(a) == [b"", b"reply"]


def dealer_router(a, b):
    send(a, [b"hello", b"world"])
    assert recv(b) == [b"dealer-id", b"hello", b"world"]
    send(b, [b"dealer-id", b"back"])
    assert recv(a) == [b"back"]


def dealer_dealer(a, b):
    send(a, [b"one"])
    assert recv(b) == [b"one"]
    send(b, [b"two"])
    assert recv(a) == [b"two"]


def router_router(a, b):
    send_when_routable(a, [b"rb", b"hello"])
    assert recv(b) == [b"ra", b"hello"]
    send(b, [b"ra", b"back"])
    assert recv(a) == [b"rb", b"back"]


def pub_sub(a, b):
    if b("s.type") == b("zmq.XSUB"):
        send(b, [b"\x01t"])
    assert publish_until_received(a, b, [b"t-data", b"second part"]) == [b"t-data",
                                                                          b"second part"]


def xpub_sub(a, b):
    if b("s.type") == b("zmq.XSUB"):
        send(b, [b"\x01t"])
    # libzmq attaches a bound socket's new connections only when its application thread calls
    # into it: poll the subscriber meanwhile, so that its subscription goes out.
    subscription = None
    for _ in range(250):
        subscription = a("s.poll(20) and s.recv_multipart()")
        if subscription:
            break
        b("s.poll(1)")
    assert subscription == [b"\x01t"]  # the subscription, as XPUB sees it
    assert publish_until_received(a, b, [b"t-data"]) == [b"t-data"]


PAIRS = {
    "PUSH-PULL": ("PUSH", "PULL", [], [], push_pull),
    "PAIR-PAIR": ("PAIR", "PAIR", [], [], pair_pair),
    "REQ-REP": ("REQ", "REP", [], [], req_rep),
    "REQ-ROUTER": ("REQ", "ROUTER", [("ROUTING_ID", b"req-id")], [], req_router),
    "DEALER-REP": ("DEALER", "REP", [], [], dealer_rep),
    "DEALER-ROUTER": ("DEALER", "ROUTER", [("ROUTING_ID", b"dealer-id")], [], dealer_router),
    "DEALER-DEALER": ("DEALER", "DEALER", [], [], dealer_dealer),
    "ROUTER-ROUTER": ("ROUTER", "ROUTER", [("ROUTING_ID", b"ra"), ("ROUTER_MANDATORY", 1)],
                      [("ROUTING_ID", b"rb"), ("ROUTER_MANDATORY", 1)], router_router),
    "PUB-SUB": ("PUB", "SUB", [], [("SUBSCRIBE", b"t")], pub_sub),
    "PUB-XSUB": ("PUB", "XSUB", [], [], pub_sub),
    "XPUB-SUB": ("XPUB", "SUB", [], [("SUBSCRIBE", b"t")], xpub_sub),
    "XPUB-XSUB": ("XPUB", "XSUB", [], [], xpub_sub),
}

CASES = list(itertools.product(PAIRS, ["zlab-is-a", "zlab-is-b"], ["a-binds", "b-binds"],
                               ["tcp", "ipc", "ws"]))

WILDCARDS = {"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*", "ws": "ws://127.0.0.1:*/mixed"}


@pytest.mark.parametrize("pair,zlab_side,binder,transport", CASES,
                         ids=["-".join(c) for c in CASES])
def test_pair_across_libraries(zlab, libzmq, pair, zlab_side, binder, transport):
    type_a, type_b, options_a, options_b, scenario = PAIRS[pair]
    a, b = (zlab, libzmq) if zlab_side == "zlab-is-a" else (libzmq, zlab)
    wildcard = WILDCARDS[transport]
    if binder == "a-binds":
        endpoint = open_socket(a, type_a, options_a, True, wildcard)
        open_socket(b, type_b, options_b, False, endpoint)
    else:
        endpoint = open_socket(b, type_b, options_b, True, wildcard)
        open_socket(a, type_a, options_a, False, endpoint)
    assert zlab("zmq.zmq_version(), any('zlab-libzmq' in p for p in libzmq_paths())") == \
        ("4.3.4", True)
    assert libzmq("any('zlab-libzmq' in p for p in libzmq_paths())") is False
    scenario(a, b)


@pytest.mark.parametrize("pinger", ["zlab-pings", "libzmq-pings"])
def test_ws_heartbeats_across_libraries(zlab, libzmq, pinger):
    """Over ws a heartbeat is a WebSocket ping answered by a pong (libzmq's ws engine ignores
    ZMTP PING commands): the pinging side, with a short timeout and no reconnect, would lose an
    unanswered connection long before the request goes out."""
    client, server = (zlab, libzmq) if pinger == "zlab-pings" else (libzmq, zlab)
    endpoint = open_socket(server, "REP", [], True, WILDCARDS["ws"])
    open_socket(client, "REQ", [("HEARTBEAT_IVL", 10), ("HEARTBEAT_TIMEOUT", 50),
                                ("RECONNECT_IVL", -1)], False, endpoint)
    client("time.sleep(0.5)")
    send(client, [b"still there?"])
    assert recv(server) == [b"still there?"]
    send(server, [b"yes"])
    assert recv(client) == [b"yes"]
