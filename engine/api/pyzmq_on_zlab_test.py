"""Debian's pyzmq, unmodified, on zlab's libzmq.so.5: every classic pattern, options, polling,
proxies, monitor events, messages and errors, through pyzmq's own API.

Each test drives a pyzmq process started with LD_LIBRARY_PATH set to a folder holding zlab's
libzmq.so.5 (see pyzmq_harness.py); the first tests prove that process really runs on zlab.
"""

import errno
import subprocess

import pytest

from pyzmq_harness import (PYTHON, SYSTEM_LIBZMQ, WorkerError, zlab, zlab_env, zlab_lib_dir,
                           zlab_module_worker)

TRANSPORTS = ["tcp://127.0.0.1:*", "ipc://*", "inproc://pattern"]

# Binds `a` on the transport under test and connects `b` to it.
CONNECT = """
a.bind(transport)
b.connect(a.getsockopt(zmq.LAST_ENDPOINT).decode())
"""


def test_plain_pyzmq_import_runs_on_zlab():
    """The command from the README: Debian's pyzmq prints 4.3.4, served by zlab's library."""
    code = ("import zmq; print(zmq.zmq_version()); "
            "print([l.split()[-1] for l in open('/proc/self/maps') if 'libzmq' in l][0])")
    out = subprocess.run([PYTHON, "-c", code], env=zlab_env(), capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["4.3.4", str(zlab_lib_dir() / "libzmq.so.5")]


def test_worker_runs_on_zlab_only(zlab):
    assert zlab("libzmq_paths()") == [str(zlab_lib_dir() / "libzmq.so.5")]
    assert SYSTEM_LIBZMQ not in zlab("libzmq_paths()")
    assert zlab("zmq.zmq_version()") == "4.3.4"
    assert zlab("zmq.pyzmq_version()") == "24.0.1"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_push_pull(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.PULL)); "
         "b = with_timeouts(ctx.socket(zmq.PUSH))")
    zlab(CONNECT, transport=transport)
    zlab("for i in range(200): b.send(b'm%d' % i)")
    assert zlab("[a.recv() for i in range(200)]") == [b"m%d" % i for i in range(200)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_req_rep(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.REP)); "
         "b = with_timeouts(ctx.socket(zmq.REQ))")
    zlab(CONNECT, transport=transport)
    for i in range(3):
        zlab("b.send_string('ping %d' % i)", i=i)
        assert zlab("a.recv_string()") == f"ping {i}"
        zlab("a.send_string('pong')")
        assert zlab("b.recv_string()") == "pong"
    with pytest.raises(WorkerError) as err:
        zlab("b.send(b'1'); b.send(b'2')")
    assert err.value.errno == zlab("zmq.EFSM")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dealer_router(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.ROUTER)); "
         "b = with_timeouts(ctx.socket(zmq.DEALER)); b.setsockopt(zmq.IDENTITY, b'dealer-1')")
    zlab(CONNECT, transport=transport)
    zlab("b.send_multipart([b'hello', b'', b'world'])")
    assert zlab("a.recv_multipart()") == [b"dealer-1", b"hello", b"", b"world"]
    zlab("a.send_multipart([b'dealer-1', b'reply'])")
    assert zlab("b.recv_multipart()") == [b"reply"]
    # Unroutable with ROUTER_MANDATORY: EHOSTUNREACH.
    zlab("a.setsockopt(zmq.ROUTER_MANDATORY, 1)")
    with pytest.raises(WorkerError) as err:
        zlab("a.send_multipart([b'nobody', b'x'])")
    assert err.value.errno == zlab("zmq.EHOSTUNREACH")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pub_sub(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.PUB)); "
         "b = with_timeouts(ctx.socket(zmq.SUB)); b.setsockopt(zmq.SUBSCRIBE, b'weather')")
    zlab(CONNECT, transport=transport)
    # Subscriptions reach the publisher asynchronously: publish until one arrives.
    got = zlab("""
def publish_and_look():
    a.send(b'sports: none')
    a.send(b'weather: sunny')
    return b.poll(10) and b.recv()
until(publish_and_look)
""")
    assert got == b"weather: sunny"
    zlab("b.setsockopt(zmq.UNSUBSCRIBE, b'weather'); time.sleep(0.05); "
         "[b.recv() for _ in range(200) if b.poll(0)]")
    zlab("a.send(b'weather: rain')")
    assert zlab("b.poll(100)") == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_xpub_xsub(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.XPUB)); "
         "b = with_timeouts(ctx.socket(zmq.XSUB))")
    zlab(CONNECT, transport=transport)
    zlab("b.send(b'\\x01news')")
    assert zlab("a.recv()") == b"\x01news"
    zlab("a.send(b'news: flash')")
    assert zlab("b.recv()") == b"news: flash"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pair(zlab, transport):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.PAIR)); "
         "b = with_timeouts(ctx.socket(zmq.PAIR))")
    zlab(CONNECT, transport=transport)
    zlab("b.send_json({'to': 'a'})")
    assert zlab("a.recv_json()") == {"to": "a"}
    zlab("a.send_pyobj(('to', 'b', 1))")
    assert zlab("b.recv_pyobj()") == ("to", "b", 1)


def test_stream_with_a_plain_tcp_client(zlab):
    zlab("""
ctx = zmq.Context()
s = with_timeouts(ctx.socket(zmq.STREAM))
port = s.bind_to_random_port('tcp://127.0.0.1')
client = socket.create_connection(('127.0.0.1', port))
client.settimeout(5)
connect_id, empty = s.recv_multipart()   # the connection notice
client.sendall(b'raw bytes')
ident, data = s.recv_multipart()
s.send_multipart([ident, b'raw reply'])
""")
    assert zlab("client.recv(100)") == b"raw reply"
    assert zlab("data") == b"raw bytes"
    assert zlab("empty") == b""
    zlab("client.close()")


def test_large_zero_copy_and_tracked_messages(zlab):
    """copy=False sends hand pyzmq's buffer over (zmq_msg_init_data); pyzmq's garbage collector
    thread is told through its free callback, which runs on zlab's I/O thread."""
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.PULL)); "
         "b = with_timeouts(ctx.socket(zmq.PUSH))")
    zlab(CONNECT, transport="tcp://127.0.0.1:*")
    result = zlab("""
big = os.urandom(1 << 20)
tracker = b.send(big, copy=False, track=True)
frame = a.recv(copy=False)
tracker.wait(5)
(frame.bytes == big, tracker.done, len(frame), frame.more)
""")
    assert result == (True, True, 1 << 20, False)
    # Many zero-copy sends: every buffer is released again.
    assert zlab("""
for i in range(300):
    b.send(os.urandom(70000), copy=False)
sum(len(a.recv(copy=False)) for i in range(300))
""") == 300 * 70000


def test_frame_properties(zlab):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.ROUTER)); "
         "b = with_timeouts(ctx.socket(zmq.DEALER))")
    zlab(CONNECT, transport="tcp://127.0.0.1:*")
    zlab("b.send_multipart([b'one', b'two'])")
    assert zlab("""
parts = a.recv_multipart(copy=False)
[(p.more, p.get('Socket-Type'), p['Peer-Address']) for p in parts[1:]]
""") == [(True, "DEALER", "127.0.0.1"), (False, "DEALER", "127.0.0.1")]
    with pytest.raises(WorkerError) as err:
        zlab("parts[1].get('No-Such-Property')")
    assert err.value.errno == zlab("zmq.EINVAL")


def test_options(zlab):
    zlab("ctx = zmq.Context(); s = ctx.socket(zmq.DEALER)")
    assert zlab("(s.type, s.linger, s.sndhwm, s.rcvhwm, s.rcvtimeo, s.getsockopt(zmq.EVENTS))") \
        == (zlab("zmq.DEALER"), -1, 1000, 1000, -1, 0)
    zlab("s.hwm = 50; s.linger = 0; s.identity = b'me'; s.rcvtimeo = 30; s.ipv6 = True")
    assert zlab("(s.sndhwm, s.rcvhwm, s.linger, s.identity, s.rcvtimeo, s.ipv6)") == \
        (50, 50, 0, b"me", 30, True)
    assert zlab("s.getsockopt(zmq.MAXMSGSIZE), s.getsockopt(zmq.AFFINITY)") == (-1, 0)
    assert zlab("isinstance(s.getsockopt(zmq.FD), int) and s.getsockopt(zmq.FD) > 2") is True
    assert zlab("s.getsockopt(zmq.RCVMORE)") == 0
    zlab("s.bind('tcp://127.0.0.1:*')")
    assert zlab("s.last_endpoint.startswith(b'tcp://127.0.0.1:')") is True
    # rcvtimeo: Again after the timeout.
    assert zlab("""
t = time.monotonic()
try:
    s.recv()
    raised = False
except zmq.Again:
    raised = True
(raised, time.monotonic() - t >= 0.03)
""") == (True, True)
    for bad in ["s.setsockopt(9999, 1)", "s.setsockopt(zmq.SUBSCRIBE, b'x')",
                "s.setsockopt(zmq.LINGER, -5)", "s.getsockopt(9999)",
                "s.setsockopt(zmq.CURVE_SERVER, 2)", "s.setsockopt(zmq.GSSAPI_SERVER, 1)"]:
        with pytest.raises(WorkerError) as err:
            zlab(bad)
        assert err.value.errno == zlab("zmq.EINVAL"), bad


def test_context_options_and_destroy(zlab):
    assert zlab("""
ctx = zmq.Context(io_threads=2)
ctx.set(zmq.MAX_SOCKETS, 5)
(ctx.get(zmq.IO_THREADS), ctx.get(zmq.MAX_SOCKETS), ctx.get(zmq.SOCKET_LIMIT),
 ctx.get(zmq.MSG_T_SIZE), ctx.get(zmq.BLOCKY))
""") == (2, 5, 65535, 64, 1)
    with pytest.raises(WorkerError) as err:
        zlab("[ctx.socket(zmq.PAIR) for i in range(6)]")
    assert err.value.errno == errno.EMFILE
    zlab("s = ctx.socket(zmq.PUSH); s.connect('tcp://127.0.0.1:1'); s.send(b'x')")
    # destroy(linger=0): closes every socket without waiting, then terminates.
    assert zlab("t = time.monotonic(); ctx.destroy(linger=0); (ctx.closed, s.closed, "
                "time.monotonic() - t < 2)") == (True, True, True)


def test_errors_closed_socket_and_eterm(zlab):
    zlab("ctx = zmq.Context(); s = ctx.socket(zmq.PAIR); s.close()")
    with pytest.raises(WorkerError) as err:
        zlab("s.send(b'x')")
    assert err.value.errno == zlab("zmq.ENOTSOCK")
    # A recv blocked in another thread ends with ETERM when the context terminates.
    assert zlab("""
pull = ctx.socket(zmq.PULL)
pull.bind('inproc://blocked')
seen = []
def blocked():
    try:
        pull.recv()
    except zmq.ContextTerminated:
        seen.append('ETERM')
    pull.close()
t = threading.Thread(target=blocked)
t.start()
time.sleep(0.05)
ctx.term()
t.join(5)
seen
""") == ["ETERM"]


def test_poller_sockets_fds_and_timeouts(zlab):
    zlab("ctx = zmq.Context(); a = with_timeouts(ctx.socket(zmq.PULL)); "
         "b = with_timeouts(ctx.socket(zmq.PUSH))")
    zlab(CONNECT, transport="inproc://poller")
    assert zlab("""
r, w = socket.socketpair()
poller = zmq.Poller()
poller.register(a, zmq.POLLIN)
poller.register(r, zmq.POLLIN)
t = time.monotonic()
first = poller.poll(100)
waited = time.monotonic() - t
b.send(b'x')
w.send(b'!')
got = {}
until(lambda: got.update(dict(poller.poll(1000))) or len(got) == 2)
(first, waited >= 0.1, waited < 1.0, sorted(v for v in got.values()),
 a in got, r.fileno() in got or r in got)
""") == ([], True, True, [1, 1], True, True)
    # zmq.select, and POLLOUT.
    assert zlab("zmq.select([a], [b], [], 1)[1] == [b]") is True
    assert zlab("zmq.Poller().poll(10)") == []  # nothing registered: sleeps, then nothing


def test_poll_ends_with_eterm(zlab):
    assert zlab("""
ctx = zmq.Context()
s = ctx.socket(zmq.PULL)
s.bind('inproc://poll-term')
seen = []
def wait():
    try:
        zmq.Poller().register(s, zmq.POLLIN)
        p = zmq.Poller(); p.register(s, zmq.POLLIN); p.poll()
    except zmq.ContextTerminated:
        seen.append('ETERM')
    s.close()
t = threading.Thread(target=wait); t.start(); time.sleep(0.05)
ctx.term(); t.join(5)
seen
""") == ["ETERM"]


def test_asyncio_round_trip(zlab):
    """zmq.asyncio watches ZMQ_FD (edge-triggered) and reads ZMQ_EVENTS, as with libzmq."""
    assert zlab("""
import asyncio
import zmq.asyncio

async def main():
    ctx = zmq.asyncio.Context()
    rep = ctx.socket(zmq.REP)
    req = ctx.socket(zmq.REQ)
    port = rep.bind_to_random_port('tcp://127.0.0.1')
    req.connect('tcp://127.0.0.1:%d' % port)
    async def server():
        for _ in range(20):
            msg = await rep.recv()
            await rep.send(msg.upper())
    task = asyncio.ensure_future(server())
    replies = []
    for i in range(20):
        await req.send(b'hello %d' % i)
        replies.append(await asyncio.wait_for(req.recv(), 5))
    await task
    ctx.destroy(linger=0)
    return replies

asyncio.run(main())
""") == [b"HELLO %d" % i for i in range(20)]


def test_proxy_between_router_and_dealer(zlab):
    assert zlab("""
ctx = zmq.Context()
frontend = ctx.socket(zmq.ROUTER); frontend.bind('inproc://frontend')
backend = ctx.socket(zmq.DEALER); backend.bind('inproc://backend')
capture = ctx.socket(zmq.PUSH); capture.bind('inproc://capture')
captured = with_timeouts(ctx.socket(zmq.PULL)); captured.connect('inproc://capture')
ended = []
def run_proxy():
    try:
        zmq.proxy(frontend, backend, capture)
    except zmq.ContextTerminated:
        ended.append('ETERM')
t = threading.Thread(target=run_proxy); t.start()
workers = [with_timeouts(ctx.socket(zmq.REP)) for i in range(2)]
for w in workers: w.connect('inproc://backend')
clients = [with_timeouts(ctx.socket(zmq.REQ)) for i in range(4)]
for c in clients: c.connect('inproc://frontend')
replies = []
for i, c in enumerate(clients):
    c.send(b'request %d' % i)
    for w in workers:
        if w.poll(2000):
            w.send(b'reply to ' + w.recv())
            break
    replies.append(c.recv())
n_captured = 0
while captured.poll(100):
    captured.recv(); n_captured += 1
# Terminating the context ends the proxy with ETERM; then its sockets can be closed.
terminator = threading.Thread(target=ctx.term); terminator.start()
t.join(5)
for s in [frontend, backend, capture, captured] + workers + clients:
    s.close(linger=0)
terminator.join(5)
(replies, n_captured, ended)
""") == ([b"reply to request %d" % i for i in range(4)], 4 * 2 * 3, ["ETERM"])


def test_proxy_steerable(zlab):
    assert zlab("""
ctx = zmq.Context()
frontend = ctx.socket(zmq.PULL); frontend.bind('inproc://in')
backend = ctx.socket(zmq.PUSH); backend.bind('inproc://out')
control = ctx.socket(zmq.PAIR); control.bind('inproc://control')
steer = with_timeouts(ctx.socket(zmq.PAIR)); steer.connect('inproc://control')
result = []
t = threading.Thread(target=lambda: result.append(
    zmq.proxy_steerable(frontend, backend, None, control)))
t.start()
src = with_timeouts(ctx.socket(zmq.PUSH)); src.connect('inproc://in')
dst = with_timeouts(ctx.socket(zmq.PULL)); dst.connect('inproc://out')
src.send(b'one')
first = dst.recv()
steer.send(b'PAUSE')
steer.send(b'STATISTICS')
stats = [struct.unpack('=Q', p)[0] for p in steer.recv_multipart()]
src.send(b'two')
paused = dst.poll(100)
steer.send(b'RESUME')
second = dst.recv()
steer.send(b'TERMINATE')
t.join(5)
for s in [frontend, backend, control, steer, src, dst]:
    s.close(linger=0)
(first, stats, paused, second, result, t.is_alive())
""") == (b"one", [1, 3, 0, 0, 0, 0, 1, 3], 0, b"two", [0], False)


def test_monitor_events(zlab):
    events = zlab("""
ctx = zmq.Context()
server = with_timeouts(ctx.socket(zmq.REP))
client = with_timeouts(ctx.socket(zmq.REQ))
server_mon = with_timeouts(server.get_monitor_socket())
client_mon = with_timeouts(client.get_monitor_socket())
server.bind('tcp://127.0.0.1:*')
endpoint = server.last_endpoint.decode()
client.connect(endpoint)
client.send(b'hi'); server.recv(); server.send(b'ho'); client.recv()
def take(mon, n):
    out = []
    while len(out) < n:
        e = monitor.recv_monitor_message(mon)
        if e['event'] not in (zmq.EVENT_CONNECT_DELAYED, zmq.EVENT_CONNECT_RETRIED):
            out.append((e['event'], e['endpoint'].decode()))
    return out
server_events = take(server_mon, 3)
client_events = take(client_mon, 2)
server.disable_monitor()
stopped = monitor.recv_monitor_message(server_mon)['event']
client.close(linger=0)
after_close = take(client_mon, 1)
(server_events, client_events, stopped, after_close, endpoint)
""")
    server_events, client_events, stopped, after_close, endpoint = events
    assert server_events == [(0x8, endpoint), (0x20, endpoint), (0x1000, endpoint)]
    assert client_events == [(0x1, endpoint), (0x1000, endpoint)]
    assert stopped == 0x400
    assert after_close == [(0x400, "")]


def test_a_signal_interrupts_a_blocked_recv_and_poll(zlab):
    """Ctrl-C (here SIGALRM) reaches a Python program blocked in recv() or poll(), as with
    libzmq: the blocked call returns EINTR and pyzmq runs the signal handler."""
    assert zlab("""
import signal
class Interrupted(Exception):
    pass
def on_alarm(signum, frame):
    raise Interrupted()
previous = signal.signal(signal.SIGALRM, on_alarm)
ctx = zmq.Context()
s = ctx.socket(zmq.PULL)
s.bind('inproc://signal')
poller = zmq.Poller()
poller.register(s, zmq.POLLIN)
outcomes = []
for blocked in (s.recv, poller.poll, lambda: zmq.select([s], [], [])):
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        blocked()
        outcomes.append('returned')
    except Interrupted:
        outcomes.append('interrupted')
signal.signal(signal.SIGALRM, previous)
outcomes
""", timeout=20) == ["interrupted"] * 3
