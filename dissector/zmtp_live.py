"""Test support: real libzmq peers (python3-zmq) talking on loopback while dumpcap captures.

Every server binds to a dynamic port first; dumpcap then captures exactly those ports; the
scenarios run one after another, each bounded by socket timeouts.
"""

import select
import signal
import subprocess
import time

import pytest

try:
    import zmq
except ImportError:  # the live tests skip; the rest of the suite still runs
    zmq = None

TIMEOUT_MS = 5000
MULTIPART = [b"", b"a" * 255, b"b" * 256, b"c" * 70000]
HEARTBEAT_TTL_MS = 2000


def _socket(ctx, kind, **opts):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    for k, v in opts.items():
        s.setsockopt(getattr(zmq, k), v)
    return s


def _bind(ctx, kind):
    s = _socket(ctx, kind)
    s.bind("tcp://127.0.0.1:*")
    return s, int(s.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])


def _connect(ctx, kind, port, **opts):
    s = _socket(ctx, kind, **opts)
    s.connect(f"tcp://127.0.0.1:{port}")
    return s


def req_rep(ctx, server, port):
    req = _connect(ctx, zmq.REQ, port)
    for i in range(2):
        req.send(b"hello %d" % i)
        assert server.recv() == b"hello %d" % i
        server.send(b"world %d" % i)
        assert req.recv() == b"world %d" % i
    return [req]


def pub_sub(ctx, server, port):
    sub = _connect(ctx, zmq.SUB, port)
    sub.setsockopt(zmq.SUBSCRIBE, b"weather")
    sub.setsockopt(zmq.SUBSCRIBE, b"news")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # until the subscriptions have reached the publisher
        server.send(b"weather sunny")
        if sub.poll(50):
            break
        assert time.monotonic() < deadline, "subscription never arrived"
    sub.recv()
    sub.setsockopt(zmq.UNSUBSCRIBE, b"news")
    time.sleep(0.1)
    return [sub]


def xpub_xsub(ctx, server, port):
    """XSUB sends subscriptions as ZMTP 3.0-style messages (0x01 / 0x00 and the topic)."""
    xsub = _connect(ctx, zmq.XSUB, port)
    xsub.send(b"\x01weather")
    assert server.recv() == b"\x01weather"
    xsub.send(b"\x00weather")
    assert server.recv() == b"\x00weather"
    return [xsub]


def dealer_router(ctx, server, port):
    dealer = _connect(ctx, zmq.DEALER, port, IDENTITY=b"client-7")
    dealer.send(b"ask")
    assert server.recv_multipart() == [b"client-7", b"ask"]
    server.send_multipart([b"client-7", b"answer"])
    assert dealer.recv() == b"answer"
    return [dealer]


def push_pull(ctx, server, port):
    push = _connect(ctx, zmq.PUSH, port)
    push.send_multipart(MULTIPART)
    assert server.recv_multipart() == MULTIPART
    return [push]


def heartbeat(ctx, server, port):
    client = _connect(ctx, zmq.PAIR, port, HEARTBEAT_IVL=100, HEARTBEAT_TTL=HEARTBEAT_TTL_MS,
                      HEARTBEAT_TIMEOUT=1000)
    client.send(b"ping me")
    assert server.recv() == b"ping me"
    time.sleep(0.45)
    return [client]


SCENARIOS = {  # name -> (server socket type, client side)
    "req_rep": ("REP", req_rep),
    "pub_sub": ("PUB", pub_sub),
    "xpub_xsub": ("XPUB", xpub_xsub),
    "dealer_router": ("ROUTER", dealer_router),
    "push_pull": ("PULL", push_pull),
    "heartbeat": ("PAIR", heartbeat),
}


def _start_dumpcap(path, ports):
    flt = " or ".join(f"tcp port {p}" for p in ports)
    try:
        cap = subprocess.Popen(["dumpcap", "-q", "-i", "lo", "-f", flt, "-w", str(path)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    except OSError as e:
        pytest.skip(f"dumpcap unavailable: {e}")
    deadline = time.monotonic() + 10
    seen = b""
    while b"Capturing on" not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or cap.poll() is not None:
            cap.kill()
            pytest.skip(f"dumpcap cannot capture on lo: {seen.decode(errors='replace')[-300:]}")
        if select.select([cap.stderr], [], [], left)[0]:
            chunk = cap.stderr.read1(4096)
            if not chunk:
                continue
            seen += chunk
    time.sleep(0.5)  # "Capturing on" is printed just before the capture is live
    return cap


def _stop(cap):
    cap.send_signal(signal.SIGINT)
    try:
        cap.wait(10)
    except subprocess.TimeoutExpired:
        cap.kill()
        cap.wait(5)


def _syn_ports(env, path):
    r = env.tshark(["-r", str(path), "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T",
                    "fields", "-e", "tcp.dstport"])
    return {int(x) for x in r.stdout.split()}


def capture(env, attempts=2):
    """Runs every scenario under dumpcap; returns (pcap, {scenario: server port})."""
    if zmq is None:
        pytest.skip("python3-zmq is not installed for this interpreter (use /usr/bin/python3)")
    path = env.path("live.pcapng")
    for attempt in range(attempts):
        ctx = zmq.Context()
        servers = {name: _bind(ctx, getattr(zmq, kind)) for name, (kind, _) in SCENARIOS.items()}
        ports = {name: port for name, (_, port) in servers.items()}
        cap = _start_dumpcap(path, ports.values())
        sockets = []
        try:
            for name, (_, run) in SCENARIOS.items():
                server, port = servers[name]
                sockets += run(ctx, server, port)
            time.sleep(0.2)
        finally:
            for s in sockets + [s for s, _ in servers.values()]:
                s.close(0)
            time.sleep(0.2)
            _stop(cap)
            ctx.term()
        env.publish(path)
        if set(ports.values()) <= _syn_ports(env, path) or attempt == attempts - 1:
            return path, ports
    raise AssertionError("unreachable")
