"""Security between zlab and libzmq 4.3.4 (NULL with ZAP, PLAIN, CURVE): one peer is pyzmq on
zlab's libzmq.so.5, the other pyzmq on the system's libzmq, each in its own process, over tcp.

The server side authenticates with pyzmq's own zmq.auth.thread.ThreadAuthenticator (a ZAP
handler at inproc://zeromq.zap.01, unmodified) whichever library it runs on, so the ZAP handler
sits on zlab's side in one direction and on libzmq's in the other, and the same run checks
Debian's pyzmq authenticator on zlab: PLAIN passwords, CURVE with any key, and CURVE from a
certificate directory made by zmq.auth.create_certificates (the server's own key pair and the
allowed client's public key read back with zmq.auth.load_certificate and
configure_curve(location=DIR)).

One table, CASES: each row is a server configuration, a client, and what must happen: the
message delivered with its User-Id, or refused with the monitor events on both sides and nothing
reaching the server's application. Each row runs for every pair of libraries in PAIRS.
"""

from dataclasses import dataclass, field

import pytest

from pyzmq_harness import (WorkerError, libzmq, libzmq_module_worker, zlab,
                           zlab_module_worker)

EAGAIN = 11
EFAULT = 14
zmq_pollout = 2
EPIPE = 32
ZMTP_UNEXPECTED_COMMAND = 0x10000001
ZMTP_CRYPTOGRAPHIC = 0x11000001
ZMTP_MECHANISM_MISMATCH = 0x11000002

# A syntactically valid CURVE public key that is not the server's.
WRONG_SERVER_KEY = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_KEY = "client-key"  # user_id: the client's Z85 public key (pyzmq's CURVE User-Id)


@dataclass(frozen=True)
class Case:
    name: str
    mechanism: str  # the client's: NULL, PLAIN or CURVE
    server_mechanism: str = ""  # the server's, when it differs
    handler: bool = True  # a ThreadAuthenticator on the server's context
    zap_domain: str = ""  # the server's ZMQ_ZAP_DOMAIN (NULL asks ZAP only with one)
    deny_address: bool = False  # the authenticator blacklists 127.0.0.1
    password: bytes = b"secret"  # PLAIN client; the authenticator knows admin/secret
    curve_clients: str = "any"  # the authenticator's CURVE policy: any, certs, none
    server_key_right: bool = True  # the CURVE client's ZMQ_CURVE_SERVERKEY
    server_binds: bool = True  # False: the client binds and the server connects
    transport: str = "tcp"  # or "ws": the subprotocol names the mechanism (ZWS2.0/PLAIN...)
    big_message: bool = False  # also send 100 kB once connected
    # Delivered: the User-Id the server reads (None: no User-Id property).
    delivered: bool = True
    user_id: object = None
    # Refused: the server's monitor event (name, value), unless server_event_for names another
    # for a "server-client" pair of libraries; the client's per client library, unless
    # client_event_for names another for the pair (a library missing from client_event: the
    # client's events are not checked).
    server_event: tuple = ()
    server_event_for: dict = field(default_factory=dict)
    client_event: dict = field(default_factory=dict)
    client_event_for: dict = field(default_factory=dict)


def auth_failed(value):
    return ("EVENT_HANDSHAKE_FAILED_AUTH", value)


def protocol_failed(value):
    return ("EVENT_HANDSHAKE_FAILED_PROTOCOL", value)


CASES = [
    # NULL: ZAP is asked only when the server has a ZAP domain.
    Case("null-zap-allowed", "NULL", zap_domain="global", user_id="anonymous"),
    Case("null-zap-allowed-server-connects", "NULL", zap_domain="global", user_id="anonymous",
         server_binds=False),
    Case("null-zap-denied", "NULL", zap_domain="global", deny_address=True, delivered=False,
         server_event=auth_failed(400),
         client_event={"zlab": auth_failed(400), "libzmq": auth_failed(400)}),
    Case("null-domain-without-handler-admits", "NULL", zap_domain="global", handler=False),
    # PLAIN: a server needs a handler (libzmq refuses every client without one).
    Case("plain-right-password", "PLAIN", user_id="admin"),
    Case("plain-right-password-server-connects", "PLAIN", user_id="admin", server_binds=False),
    Case("plain-wrong-password", "PLAIN", password=b"guess", delivered=False,
         server_event=auth_failed(400),
         # libzmq's PLAIN client knows only its own misspelt ERROR (5e 'RROR'), not rfc 23's
         # that zlab sends (div/plain/error-command-prefix); it is refused all the same.
         client_event={"zlab": auth_failed(400),
                       "libzmq": protocol_failed(ZMTP_UNEXPECTED_COMMAND)}),
    Case("plain-denied-address", "PLAIN", deny_address=True, delivered=False,
         server_event=auth_failed(400)),
    Case("plain-server-without-handler-refuses", "PLAIN", handler=False, delivered=False,
         server_event=("EVENT_HANDSHAKE_FAILED_NO_DETAIL", EFAULT)),
    # A mismatch between a zlab and a libzmq side is a race: each sends the rest of its
    # greeting (the mechanism) once it has the peer's first bytes, and whichever reads the
    # other's mechanism first reports the mismatch and leaves; the other then reports either
    # the mismatch too or the peer gone mid-greeting (NO_DETAIL, EPIPE, as libzmq reports a
    # peer leaving). Both are refusals; which one is timing.
    Case("null-client-to-plain-server", "NULL", server_mechanism="PLAIN", delivered=False,
         server_event=protocol_failed(ZMTP_MECHANISM_MISMATCH),
         server_event_for={"zlab-libzmq": [protocol_failed(ZMTP_MECHANISM_MISMATCH),
                                           ("EVENT_HANDSHAKE_FAILED_NO_DETAIL", EPIPE)]},
         client_event={"zlab": protocol_failed(ZMTP_MECHANISM_MISMATCH),
                       "libzmq": protocol_failed(ZMTP_MECHANISM_MISMATCH)},
         client_event_for={"libzmq-zlab": [protocol_failed(ZMTP_MECHANISM_MISMATCH),
                                           ("EVENT_HANDSHAKE_FAILED_NO_DETAIL", EPIPE)]}),
    # CURVE: a handler decides on the client's key; without one any good crypto is let in.
    Case("curve-any-client", "CURVE", user_id=CLIENT_KEY, big_message=True),
    Case("curve-any-client-server-connects", "CURVE", user_id=CLIENT_KEY, server_binds=False),
    Case("curve-certificate-directory", "CURVE", curve_clients="certs", user_id=CLIENT_KEY),
    Case("curve-unknown-client", "CURVE", curve_clients="none", delivered=False,
         server_event=auth_failed(400),
         client_event={"zlab": auth_failed(400), "libzmq": auth_failed(400)}),
    Case("curve-wrong-server-key", "CURVE", server_key_right=False, delivered=False,
         # HELLO's box does not open with the server's key.
         server_event=protocol_failed(ZMTP_CRYPTOGRAPHIC)),
    Case("curve-server-without-handler-admits", "CURVE", handler=False),
    Case("null-client-to-curve-server", "NULL", server_mechanism="CURVE", delivered=False,
         server_event=protocol_failed(ZMTP_MECHANISM_MISMATCH),
         server_event_for={"zlab-libzmq": [protocol_failed(ZMTP_MECHANISM_MISMATCH),
                                           ("EVENT_HANDSHAKE_FAILED_NO_DETAIL", EPIPE)]}),
    # Over ws:// (libzmq 4.3.4 has it although its zmq_has("ws") says 0).
    Case("ws-plain-right-password", "PLAIN", transport="ws", user_id="admin"),
    Case("ws-plain-wrong-password", "PLAIN", transport="ws", password=b"guess", delivered=False,
         server_event=auth_failed(400)),
    Case("ws-curve-certificate-directory", "CURVE", transport="ws", curve_clients="certs",
         user_id=CLIENT_KEY, big_message=True),
    Case("ws-curve-unknown-client", "CURVE", transport="ws", curve_clients="none",
         delivered=False, server_event=auth_failed(400),
         client_event={"zlab": auth_failed(400), "libzmq": auth_failed(400)}),
]

# zlab with zlab runs both ends in one worker (their variables differ): ThreadAuthenticator
# wholly on zlab.
PAIRS = [("zlab", "libzmq"), ("libzmq", "zlab"), ("zlab", "zlab")]

MAKE_KEYS = """
import os
import shutil
import tempfile
import zmq.auth
keys = tempfile.mkdtemp(prefix='zlab-curve-')
zmq.auth.create_certificates(keys, 'server')
zmq.auth.create_certificates(keys, 'client')
os.mkdir(os.path.join(keys, 'allowed'))
shutil.copy(os.path.join(keys, 'client.key'), os.path.join(keys, 'allowed'))
keys
"""

SERVER = """
import os
import tempfile
import zmq.auth
import zmq.auth.thread
ctx = zmq.Context()
auth = None
if handler:
    auth = zmq.auth.thread.ThreadAuthenticator(ctx)
    auth.start()
    if deny_address:
        auth.deny('127.0.0.1')
    auth.configure_plain(domain='*', passwords={'admin': 'secret'})
    if curve_clients == 'any':
        auth.configure_curve(domain='*', location=zmq.auth.CURVE_ALLOW_ANY)
    elif curve_clients == 'certs':
        auth.configure_curve(domain='*', location=os.path.join(keys, 'allowed'))
    else:
        auth.configure_curve(domain='*', location=tempfile.mkdtemp())  # no key allowed
s = with_timeouts(ctx.socket(zmq.PULL), 1500)
mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
                           | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
                           | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
if zap_domain:
    s.zap_domain = zap_domain.encode()
if mechanism == 'PLAIN':
    s.plain_server = True
if mechanism == 'CURVE':
    s.curve_publickey, s.curve_secretkey = zmq.auth.load_certificate(
        os.path.join(keys, 'server.key_secret'))
    s.curve_server = True
endpoint = None
if binds:
    s.bind(transport + '://127.0.0.1:*')
    endpoint = s.last_endpoint.decode()
endpoint
"""

CLIENT = """
import os
import zmq.auth
cctx = zmq.Context()
c = with_timeouts(cctx.socket(zmq.PUSH), 1500)
cmon = c.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
                            | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
                            | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
client_public = None
if mechanism == 'PLAIN':
    c.plain_username = b'admin'
    c.plain_password = password
if mechanism == 'CURVE':
    client_public, c.curve_secretkey = zmq.auth.load_certificate(
        os.path.join(keys, 'client.key_secret'))
    c.curve_publickey = client_public
    server_public, _ = zmq.auth.load_certificate(os.path.join(keys, 'server.key'))
    c.curve_serverkey = server_public if server_key_right else wrong_server_key
if endpoint:
    c.connect(endpoint)
    own_endpoint = None
else:
    c.bind(transport + '://127.0.0.1:*')
    own_endpoint = c.last_endpoint.decode()
own_endpoint
"""

STOP_SERVER = """
s.disable_monitor()
mon.close(0)
s.close(0)
if auth is not None:
    auth.stop()
ctx.term()
True
"""

STOP_CLIENT = """
c.disable_monitor()
cmon.close(0)
c.close(0)
cctx.term()
True
"""

RECEIVE = """
m = s.recv(copy=False)
try:
    user_id = m.get('User-Id')
except zmq.ZMQError:
    user_id = None
(m.bytes, user_id)
"""


def first_event(worker, monitor, wanted):
    """The value of the first `wanted` event on the worker's `monitor` socket, or None."""
    got = first_of(worker, monitor, [wanted])
    return got[1] if got else None


def first_of(worker, monitor, names):
    """(name, value) of the first event named in `names` on the worker's `monitor`, or None."""
    return worker("""
from zmq.utils.monitor import recv_monitor_message
sock = globals()[monitor]
found = None
while found is None and sock.poll(2000):
    ev = recv_monitor_message(sock)
    for name in names:
        if ev['event'] == getattr(zmq, name):
            found = (name, int(ev['value']))
found
""", monitor=monitor, names=names)


def expect_event(worker, monitor, expected):
    """`expected`: one (name, value), or a list of them when timing decides which comes."""
    if isinstance(expected, list):
        got = first_of(worker, monitor, sorted({name for name, _ in expected}))
        assert got is not None and tuple(got) in [tuple(e) for e in expected], got
    else:
        assert first_event(worker, monitor, expected[0]) == expected[1]


def expect_delivered(server, client, case):
    got = server(RECEIVE)
    user_id = case.user_id
    if user_id == CLIENT_KEY:
        user_id = client("client_public").decode()
    assert got == (b"hello", user_id)
    if case.big_message:
        client("c.send(b'x' * 100000)")
        assert server("len(s.recv())") == 100000


def expect_refused(server, server_name, client, client_name, case):
    server_event = case.server_event_for.get(f"{server_name}-{client_name}", case.server_event)
    if server_event:
        expect_event(server, "mon", server_event)
    client_event = case.client_event_for.get(f"{server_name}-{client_name}",
                                             case.client_event.get(client_name))
    if client_event:
        expect_event(client, "cmon", client_event)
    with pytest.raises(WorkerError) as e:
        server("s.recv()")
    assert e.value.errno == EAGAIN


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("server_name,client_name", PAIRS)
def test_security_case(request, server_name, client_name, case):
    server = request.getfixturevalue(server_name)
    client = request.getfixturevalue(client_name)
    keys = server(MAKE_KEYS) if "CURVE" in (case.mechanism, case.server_mechanism) else ""
    endpoint = server(SERVER, mechanism=case.server_mechanism or case.mechanism,
                      handler=case.handler, deny_address=case.deny_address,
                      curve_clients=case.curve_clients, zap_domain=case.zap_domain,
                      binds=case.server_binds, keys=keys, transport=case.transport)
    try:
        client_endpoint = client(CLIENT, mechanism=case.mechanism, password=case.password,
                                 keys=keys, server_key_right=case.server_key_right,
                                 wrong_server_key=WRONG_SERVER_KEY, endpoint=endpoint,
                                 transport=case.transport)
        try:
            if not case.server_binds:
                server("s.connect(endpoint)", endpoint=client_endpoint)
            if case.delivered:
                # A bound PUSH has a peer to send to once the handshake is done.
                assert client("c.poll(3000, zmq.POLLOUT)") == zmq_pollout
                client("c.send(b'hello')")
                expect_delivered(server, client, case)
            else:
                # Queued for the connection being made, unless the refusal came first: the
                # session of a refused connect ends, as in libzmq, leaving nowhere to send.
                client("""
try:
    c.send(b'hello', zmq.DONTWAIT)
except zmq.Again:
    pass
True
""")
                expect_refused(server, server_name, client, client_name, case)
        finally:
            client(STOP_CLIENT)
    finally:
        server(STOP_SERVER)
