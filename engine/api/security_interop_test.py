"""Security between zlab and libzmq 4.3.4 (PLAIN and CURVE): one peer is pyzmq on zlab's libzmq.so.5, the other
pyzmq on the system's libzmq, each in its own process, over tcp. The server side authenticates
with pyzmq's own zmq.auth.thread.ThreadAuthenticator (a ZAP handler at inproc://zeromq.zap.01,
unmodified) whichever library it runs on, so the same run also checks Debian's pyzmq
authenticator on zlab. Both directions, right and wrong credentials, the monitor's AUTH event.
"""

import pytest

from pyzmq_harness import (WorkerError, libzmq, libzmq_module_worker, zlab,
                           zlab_module_worker)

EAGAIN = 11
ZMTP_UNEXPECTED_COMMAND = 0x10000001
ZMTP_CRYPTOGRAPHIC = 0x11000001


SERVER_PUBLIC = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SECRET = b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"


def start_server(worker, mechanism, kind="PULL", authenticator=True, curve_allow_any=True):
    """A bound server socket `s` (and its monitor `mon`) with a ThreadAuthenticator `auth`
    (PLAIN: admin/secret; CURVE: any client key, or none when not curve_allow_any); returns
    its endpoint."""
    return worker("""
import tempfile
import zmq.auth
import zmq.auth.thread
ctx = zmq.Context()
auth = None
if authenticator:
    auth = zmq.auth.thread.ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_plain(domain='*', passwords={'admin': 'secret'})
    if curve_allow_any:
        auth.configure_curve(domain='*', location=zmq.auth.CURVE_ALLOW_ANY)
    else:
        auth.configure_curve(domain='*', location=tempfile.mkdtemp())  # no allowed keys
s = with_timeouts(ctx.socket(getattr(zmq, kind)), 1500)
mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
                           | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
                           | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
if mechanism == 'PLAIN':
    s.plain_server = True
if mechanism == 'CURVE':
    s.curve_secretkey = server_secret
    s.curve_publickey = server_public
    s.curve_server = True
s.bind('tcp://127.0.0.1:*')
s.last_endpoint.decode()
""", mechanism=mechanism, kind=kind, authenticator=authenticator,
                  curve_allow_any=curve_allow_any, server_public=SERVER_PUBLIC,
                  server_secret=SERVER_SECRET)


def stop_server(worker):
    worker("""
s.disable_monitor()
mon.close(0)
s.close(0)
if auth is not None:
    auth.stop()
ctx.term()
True
""")


def start_client(worker, endpoint, mechanism, password, kind="PUSH", server_key=SERVER_PUBLIC):
    """A connected client `c` (monitor `cmon`) that sends b'hello'. CURVE: a fresh key pair
    (its public key in `client_public`) and `server_key`."""
    worker("""
cctx = zmq.Context()
c = with_timeouts(cctx.socket(getattr(zmq, kind)), 1500)
cmon = c.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
                            | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
if mechanism == 'PLAIN':
    c.plain_username = b'admin'
    c.plain_password = password
if mechanism == 'CURVE':
    client_public, client_secret = zmq.curve_keypair()
    c.curve_publickey = client_public
    c.curve_secretkey = client_secret
    c.curve_serverkey = server_key
c.connect(endpoint)
if kind == 'PUSH':
    # A handshake that fails with a protocol error ends the connect's session (libzmq's
    # session_base: no reconnect, the pipe goes): if that happened already, there is no peer
    # to queue for. A handshake that succeeds has the peer from connect() on.
    try:
        c.send(b'hello', zmq.DONTWAIT)
    except zmq.Again:
        pass
True
""", endpoint=endpoint, mechanism=mechanism, password=password, kind=kind,
           server_key=server_key)


def stop_client(worker):
    worker("""
c.disable_monitor()
cmon.close(0)
c.close(0)
cctx.term()
True
""")


def first_event(worker, monitor, wanted):
    """The value of the first `wanted` event on the worker's `monitor` socket, or None."""
    return worker("""
from zmq.utils.monitor import recv_monitor_message
sock = globals()[monitor]
found = None
while found is None and sock.poll(2000):
    ev = recv_monitor_message(sock)
    if ev['event'] == getattr(zmq, wanted):
        found = int(ev['value'])
found
""", monitor=monitor, wanted=wanted)


# zlab with zlab runs both ends in one worker (their variables differ): ThreadAuthenticator
# wholly on zlab.
PAIRS = [("zlab", "libzmq"), ("libzmq", "zlab"), ("zlab", "zlab")]


def workers(request, server_name, client_name):
    return request.getfixturevalue(server_name), request.getfixturevalue(client_name)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_plain_right_password(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "PLAIN")
    try:
        start_client(client, endpoint, "PLAIN", b"secret")
        got = server("m = s.recv(copy=False); (m.bytes, m.get('User-Id'))")
        assert got == (b"hello", "admin")
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_plain_wrong_password(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "PLAIN")
    try:
        start_client(client, endpoint, "PLAIN", b"guess")
        assert first_event(server, "mon", "EVENT_HANDSHAKE_FAILED_AUTH") == 400
        if client_name == "libzmq":
            # libzmq's PLAIN client knows only its own misspelt ERROR (5e 'RROR'), not rfc 23's
            # that zlab sends: div/plain/error-command-prefix. It is refused all the same.
            assert first_event(client, "cmon", "EVENT_HANDSHAKE_FAILED_PROTOCOL") == \
                ZMTP_UNEXPECTED_COMMAND
        else:
            assert first_event(client, "cmon", "EVENT_HANDSHAKE_FAILED_AUTH") == 400
        with pytest.raises(WorkerError) as e:
            server("s.recv()")
        assert e.value.errno == EAGAIN
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_plain_server_without_zap_handler_refuses(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "PLAIN", authenticator=False)
    try:
        start_client(client, endpoint, "PLAIN", b"secret")
        assert first_event(server, "mon", "EVENT_HANDSHAKE_FAILED_NO_DETAIL") == 14  # EFAULT
        with pytest.raises(WorkerError) as e:
            server("s.recv()")
        assert e.value.errno == EAGAIN
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_null_client_to_plain_server_never_connects(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "PLAIN")
    try:
        start_client(client, endpoint, "NULL", b"")
        with pytest.raises(WorkerError) as e:
            server("s.recv()")
        assert e.value.errno == EAGAIN
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_curve_with_authenticator(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "CURVE")
    try:
        start_client(client, endpoint, "CURVE", b"")
        client_public = client("client_public")
        got = server("m = s.recv(copy=False); (m.bytes, m.get('User-Id'))")
        # pyzmq's authenticator names a CURVE client by its Z85 public key.
        assert got == (b"hello", client_public.decode())
        client("c.send(b'x' * 100000)")
        assert server("len(s.recv())") == 100000
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_curve_wrong_server_key(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "CURVE")
    try:
        wrong = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
        start_client(client, endpoint, "CURVE", b"", server_key=wrong)
        # HELLO's box does not open with the server's key.
        assert first_event(server, "mon", "EVENT_HANDSHAKE_FAILED_PROTOCOL") == ZMTP_CRYPTOGRAPHIC
        with pytest.raises(WorkerError) as e:
            server("s.recv()")
        assert e.value.errno == EAGAIN
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_curve_unknown_client_denied(request, server_name, client_name):
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "CURVE", curve_allow_any=False)
    try:
        start_client(client, endpoint, "CURVE", b"")
        assert first_event(server, "mon", "EVENT_HANDSHAKE_FAILED_AUTH") == 400
        assert first_event(client, "cmon", "EVENT_HANDSHAKE_FAILED_AUTH") == 400
        with pytest.raises(WorkerError) as e:
            server("s.recv()")
        assert e.value.errno == EAGAIN
        stop_client(client)
    finally:
        stop_server(server)


@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_curve_server_without_zap_handler_admits(request, server_name, client_name):
    """No handler bound: a CURVE server lets any client with good crypto in (libzmq's rule
    without ZMQ_ZAP_ENFORCE_DOMAIN); no User-Id then."""
    server, client = workers(request, server_name, client_name)
    endpoint = start_server(server, "CURVE", authenticator=False)
    try:
        start_client(client, endpoint, "CURVE", b"")
        got = server("""
m = s.recv(copy=False)
try:
    user_id = m.get('User-Id')
except zmq.ZMQError:
    user_id = None
(m.bytes, user_id)
""")
        assert got == (b"hello", None)
        stop_client(client)
    finally:
        stop_server(server)
