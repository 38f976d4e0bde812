#!/usr/bin/python3
"""Small, named experiments against the installed reference libzmq (through pyzmq).

The divergence register (conformance/spec/divergences.json) cites these by name as evidence for
what libzmq 4.3.4 actually does. Each probe builds its own sockets on inproc:// or loopback TCP,
observes one behaviour, and reports the observations plus whether they confirm the register's
claim. Nothing here is used by the engine; libzmq is a reference peer only.

    /usr/bin/python3 conformance/tools/libzmq_probes.py --list
    /usr/bin/python3 conformance/tools/libzmq_probes.py router-unroutable
    /usr/bin/python3 conformance/tools/libzmq_probes.py --all

Exit status: 0 every probe run confirmed its claim, 1 some did not, 2 pyzmq is not importable.
"""

import argparse
import json
import socket
import struct
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

try:
    import zmq
except ImportError:  # pragma: no cover - reported by main() and by the tests (skip)
    zmq = None

REFERENCE_VERSION = "4.3.4"


@dataclass(frozen=True)
class Probe:
    name: str
    claim: str
    run: Callable[[], tuple]  # -> (observations: dict, confirmed: bool)


PROBES: dict = {}


def probe(name: str, claim: str):
    def register(fn):
        PROBES[name] = Probe(name, claim, fn)
        return fn
    return register


# ---------------------------------------------------------------------------------------------
# helpers

def _ctx():
    return zmq.Context.instance()


def _inproc() -> str:
    return "inproc://probe-" + uuid.uuid4().hex


def _sock(kind, **opts):
    s = _ctx().socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    for k, v in opts.items():
        s.setsockopt(getattr(zmq, k), v)
    return s


def _close(*socks):
    for s in socks:
        s.close(linger=0)


def _recv_within(s, timeout_ms=1000, multipart=True):
    """One message, or None if nothing arrives within timeout_ms."""
    if s.poll(timeout_ms, zmq.POLLIN) == 0:
        return None
    return s.recv_multipart() if multipart else s.recv()


def _recv_nowait(s):
    try:
        return s.recv_multipart(zmq.DONTWAIT)
    except zmq.Again:
        return None


def _drain(s, quiet_ms=200):
    """Every message that arrives until the socket stays quiet for quiet_ms."""
    got = []
    while s.poll(quiet_ms, zmq.POLLIN):
        got.append(s.recv_multipart())
    return got


def _errno_of(fn):
    """None if fn() succeeds, else the symbolic errno name of the zmq.ZMQError it raised."""
    try:
        fn()
        return None
    except zmq.ZMQError as e:
        for name in ("EAGAIN", "EHOSTUNREACH", "EFSM", "ENOTSUP", "EPROTONOSUPPORT"):
            if e.errno == getattr(zmq, name):
                return name
        return str(e.errno)


def _wait_until(pred, timeout_s=2.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


# ZMTP bytes for the probes that must see the wire (a raw TCP peer): the project's one Python
# builder and parser, engine/wire/zmtp_bytes.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "engine" / "wire"))
import zmtp_bytes  # noqa: E402


def _read_until_eof(s: socket.socket, timeout_s: float) -> tuple:
    """(bytes, saw_eof) read from s until EOF or timeout_s of silence."""
    s.settimeout(timeout_s)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


# ---------------------------------------------------------------------------------------------
# probes

@probe("reserved-flags-frame-delivered",
       "libzmq 4.3.4 does not check a frame's reserved flag bits (0xF8): a raw peer that completes "
       "the NULL handshake with a bound PULL and sends a frame with flags 0x10 sees its body "
       "delivered to the application and the connection stay open (found by ./zlab fuzz)")
def _reserved_flags_delivered():
    pull = _sock(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.null_handshake(b"PUSH"))
    time.sleep(0.2)
    raw.sendall(zmtp_bytes.raw_frame(0x10, b"flagged") + zmtp_bytes.frame(b"after"))
    got = [_recv_within(pull, 1000, multipart=False) for _ in range(2)]
    _, eof = _read_until_eof(raw, 0.3)
    raw.close()
    _close(pull)
    obs = {"delivered": [g.decode() if isinstance(g, bytes) else g for g in got],
           "connection closed": eof}
    return obs, obs == {"delivered": ["flagged", "after"], "connection closed": False}


def _raw_session(kind, first, then=b"", wait_s=0.5):
    """A raw peer's bytes to a bound libzmq socket: `first`, then (after the reply) `then`;
    returns (what libzmq sent, whether it closed)."""
    s = _sock(kind)
    port = s.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(first)
    data, eof = _read_until_eof(raw, wait_s)
    if then and not eof:
        raw.sendall(then)
        more, eof = _read_until_eof(raw, wait_s)
        data += more
    raw.close()
    _close(s)
    return data, eof


@probe("ping-with-ready-closes",
       "libzmq 4.3.4 drops a connection whose PING arrives in the same read as the peer's READY "
       "(the NULL mechanism still handles it as a handshake command), while the same PING sent "
       "once libzmq's READY has come back is answered with PONG (found by ./zlab fuzz)")
def _ping_with_ready():
    obs = {}
    data, eof = _raw_session(zmq.PUB, zmtp_bytes.null_handshake(b"SUB") + zmtp_bytes.ping(0, b"c"))
    obs["PING with READY"] = {"closed": eof,
                              "PONG": zmtp_bytes.parse_stream(data).has_command("PONG")}
    data, eof = _raw_session(zmq.PUB, zmtp_bytes.null_handshake(b"SUB"), zmtp_bytes.ping(0, b"c"))
    obs["PING after libzmq's READY"] = {"closed": eof,
                                        "PONG": zmtp_bytes.parse_stream(data).has_command("PONG")}
    return obs, obs == {"PING with READY": {"closed": True, "PONG": False},
                        "PING after libzmq's READY": {"closed": False, "PONG": True}}


@probe("message-with-greeting-and-ready-closes",
       "libzmq 4.3.4 drops a connection whose greeting, READY and a data message arrive in one "
       "read, as it does for a PING (ping-with-ready-closes); the same bytes with the greeting "
       "alone first (READY and the message then in one read) keep the connection (found by "
       "./zlab fuzz --against libzmq,zlab: raw/bytes cases, a whole conversation in one write)")
def _message_with_greeting_and_ready():
    hello = zmtp_bytes.null_handshake(b"PUSH")
    message = zmtp_bytes.frame(b"m")
    obs = {}
    _, eof = _raw_session(zmq.PULL, hello + message)
    obs["greeting, READY and message in one read"] = {"closed": eof}
    _, eof = _raw_session(zmq.PULL, hello[:64], hello[64:] + message)
    obs["greeting, then READY and message"] = {"closed": eof}
    return obs, obs == {"greeting, READY and message in one read": {"closed": True},
                        "greeting, then READY and message": {"closed": False}}


@probe("unexpected-commands-kept",
       "libzmq 4.3.4 keeps a connection (no ERROR, no close) after an unknown command, a command "
       "frame with the MORE bit set, a command between the frames of a message and a PING cut "
       "short (one byte of its TTL), each sent once its READY came back (found by ./zlab fuzz "
       "--against libzmq,zlab: traffic/unknown-command, more-on-command, command-in-multipart, "
       "heartbeat/ping-truncated, where zlab sends ERROR and closes)")
def _unexpected_commands_kept():
    hello = zmtp_bytes.null_handshake(b"PUSH")
    inputs = {"unknown command": zmtp_bytes.command(b"FOOBAR", b"zz"),
              "MORE on a command": zmtp_bytes.raw_frame(0x05, b"\x04PING\x00\x00"),
              "command inside a message": zmtp_bytes.frame(b"a", more=True)
              + zmtp_bytes.ping(0, b"c") + zmtp_bytes.frame(b"b"),
              "PING cut short": zmtp_bytes.command(b"PING", b"\x00")}  # 1 of 2 TTL bytes
    obs = {}
    for name, data in inputs.items():
        got, eof = _raw_session(zmq.PULL, hello, data)
        obs[name] = {"closed": eof, "ERROR": zmtp_bytes.parse_stream(got).has_command("ERROR")}
    return obs, all(v == {"closed": False, "ERROR": False} for v in obs.values())


@probe("malformed-handshake-closed-without-error",
       "libzmq 4.3.4 closes a connection whose NULL handshake is broken (a data frame where READY "
       "belongs, or another command, HELLO, instead of READY) without sending an ERROR command "
       "(found by ./zlab fuzz --against libzmq,zlab: handshake/data-before-ready and the like, "
       "where zlab sends ERROR, then closes)")
def _malformed_handshake_closed():
    g = zmtp_bytes.greeting()
    inputs = {"data before READY": g + zmtp_bytes.frame(b"early"),
              "HELLO instead of READY": g + zmtp_bytes.command(b"HELLO", b"x")}
    obs = {}
    for name, data in inputs.items():
        got, eof = _raw_session(zmq.PULL, data)
        obs[name] = {"closed": eof, "ERROR": zmtp_bytes.parse_stream(got).has_command("ERROR")}
    return obs, all(v == {"closed": True, "ERROR": False} for v in obs.values())


def _plain_session(first, then=b"", wait_s=0.5):
    """A raw PLAIN client's bytes to a bound libzmq DEALER that is a PLAIN server (a ZAP
    handler in this process knows admin/secret): `first`, then (after the reply) `then`;
    returns (what libzmq sent, whether it closed)."""
    from zmq.auth.thread import ThreadAuthenticator
    auth = ThreadAuthenticator(_ctx())
    auth.start()
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    try:
        s = _sock(zmq.DEALER, PLAIN_SERVER=1)
        port = s.bind_to_random_port("tcp://127.0.0.1")
        raw = socket.create_connection(("127.0.0.1", port))
        raw.sendall(first)
        data, eof = _read_until_eof(raw, wait_s)
        if then and not eof:
            raw.sendall(then)
            more, eof = _read_until_eof(raw, wait_s)
            data += more
        raw.close()
        _close(s)
    finally:
        auth.stop()
    return data, eof


def _plain_hello(user, password):
    return zmtp_bytes.command(b"HELLO", bytes([len(user)]) + user + bytes([len(password)])
                              + password)


@probe("plain-initiate-without-socket-type-accepted",
       "libzmq 4.3.4's PLAIN server accepts an INITIATE with no Socket-Type property and answers "
       "READY (RFC 23 makes Socket-Type part of every handshake's metadata; found by ./zlab fuzz "
       "--mechanism PLAIN)")
def _plain_initiate_no_type():
    data, eof = _plain_session(zmtp_bytes.greeting(b"PLAIN") + _plain_hello(b"admin", b"secret"),
                               zmtp_bytes.command(b"INITIATE"))
    obs = {"closed": eof, "READY back": zmtp_bytes.parse_stream(data).has_command("READY")}
    return obs, obs == {"closed": False, "READY back": True}


@probe("curve-vouch-server-key-unchecked",
       "libzmq 4.3.4's CURVE server accepts an INITIATE whose vouch names another server's "
       "long-term key (it compares only the client's transient key in the vouch) and answers "
       "READY (found by ./zlab fuzz --mechanism CURVE, curve-initiate/vouch-wrong-server)")
def _curve_vouch_server_key():
    import random
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
    import curve_client
    from zmq.utils import z85
    cl = curve_client.CurveClient(random.Random(1))
    s = _sock(zmq.DEALER, CURVE_SERVER=1,
              CURVE_SECRETKEY=z85.encode(curve_client.SERVER_SECRET))
    port = s.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.greeting(b"CURVE") + cl.hello())
    data, eof = _read_until_eof(raw, 0.5)
    obs = {"WELCOME opened": cl.take_welcome(data)}
    if obs["WELCOME opened"]:
        raw.sendall(cl.initiate(zmtp_bytes.properties([(b"Socket-Type", b"ROUTER")]),
                                vouch_server=bytes(32)))
        more, eof = _read_until_eof(raw, 0.5)
        obs.update({"closed": eof, "READY back": zmtp_bytes.parse_stream(data + more)
                    .has_command("READY")})
    raw.close()
    _close(s)
    return obs, obs == {"WELCOME opened": True, "closed": False, "READY back": True}


@probe("curve-hello-fields-unchecked",
       "libzmq 4.3.4's CURVE server answers WELCOME to a HELLO whose 72 padding octets are not "
       "zero, and to one whose signature box seals 64 octets that are not zero (RFC 26: both "
       "SHALL be zero and the server SHALL validate all fields)")
def _curve_hello_fields():
    import random
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
    import curve_client
    from zmq.utils import z85
    obs = {}
    for name, kwargs in (("padding", {"padding": bytes([0x5a]) * 72}),
                         ("signature", {"signature": bytes([1]) * 64})):
        cl = curve_client.CurveClient(random.Random(2))
        s = _sock(zmq.DEALER, CURVE_SERVER=1,
                  CURVE_SECRETKEY=z85.encode(curve_client.SERVER_SECRET))
        port = s.bind_to_random_port("tcp://127.0.0.1")
        raw = socket.create_connection(("127.0.0.1", port))
        raw.sendall(zmtp_bytes.greeting(b"CURVE") + cl.hello(**kwargs))
        data, eof = _read_until_eof(raw, 0.5)
        obs[f"non-zero {name}"] = {"WELCOME opened": cl.take_welcome(data), "closed": eof}
        raw.close()
        _close(s)
    want = {"WELCOME opened": True, "closed": False}
    return obs, obs == {"non-zero padding": want, "non-zero signature": want}


@probe("metadata-empty-name-accepted",
       "libzmq 4.3.4 accepts a READY whose metadata has a property with an empty name (RFC 23: "
       "a name is 1..255 characters) and completes the handshake (found by ./zlab fuzz)")
def _metadata_empty_name():
    ready = zmtp_bytes.command(b"READY", zmtp_bytes.prop(b"", b"x")
                               + zmtp_bytes.prop(b"Socket-Type", b"SUB"))
    data, eof = _raw_session(zmq.PUB, zmtp_bytes.greeting() + ready)
    obs = {"closed": eof, "READY back": zmtp_bytes.parse_stream(data).has_command("READY")}
    return obs, obs == {"closed": False, "READY back": True}


@probe("subscribe-command-delivered-to-pull",
       "libzmq 4.3.4 hands a SUBSCRIBE or CANCEL command that reaches a socket with no "
       "subscriptions (a bound PULL) to the application as a data message: the command frame's "
       "body, name included (found by ./zlab fuzz)")
def _subscribe_to_pull():
    pull = _sock(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.null_handshake(b"PUSH"))
    time.sleep(0.2)
    raw.sendall(zmtp_bytes.subscribe(b"topic") + zmtp_bytes.frame(b"data"))
    got = [_recv_within(pull, 1000, multipart=False) for _ in range(2)]
    raw.close()
    _close(pull)
    obs = {"delivered": [g.hex() if isinstance(g, bytes) else g for g in got]}
    return obs, obs == {"delivered": [b"\x09SUBSCRIBEtopic".hex(), b"data".hex()]}


@probe("error-command-not-fatal",
       "libzmq 4.3.4 does not always treat an ERROR command as fatal: one that comes after the "
       "NULL handshake is dropped, the connection stays open and the message behind it reaches a "
       "bound PULL's application; one that arrives in the same read as the greeting (before "
       "libzmq sent its READY) leaves the connection open, half-handshaken; only an ERROR read "
       "after libzmq's READY went out closes it (rule/wire/error-closes)")
def _error_not_fatal():
    pull = _sock(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.null_handshake(b"PUSH"))
    time.sleep(0.2)
    raw.sendall(zmtp_bytes.error(b"going away") + zmtp_bytes.frame(b"after"))
    got = _recv_within(pull, 1000, multipart=False)
    _, eof = _read_until_eof(raw, 0.3)
    raw.close()
    _close(pull)
    _, eof_with_greeting = _raw_session(zmq.PULL, zmtp_bytes.greeting() + zmtp_bytes.error(b"no"),
                                        wait_s=1.0)
    _, eof_later = _raw_session(zmq.PULL, zmtp_bytes.greeting(), zmtp_bytes.error(b"no"))
    obs = {"after the handshake": {"delivered": got.decode() if got else None, "closed": eof},
           "in the greeting's read": {"closed": eof_with_greeting},
           "after libzmq's READY": {"closed": eof_later}}
    return obs, obs == {"after the handshake": {"delivered": "after", "closed": False},
                        "in the greeting's read": {"closed": False},
                        "after libzmq's READY": {"closed": True}}


@probe("ping-ttl-wraps-at-16-bits",
       "libzmq 4.3.4 turns a peer's PING TTL into milliseconds in a 16-bit integer: a TTL of "
       "656 deciseconds (65.6 s) becomes 64 ms, so a peer silent after such a PING is cut off "
       "at once, while 655 ds (65.5 s) still holds for the second watched "
       "(rule/wire/heartbeat-timeout)")
def _ping_ttl_wraps():
    obs = {}
    for ttl in (655, 656):
        _, eof = _raw_session(zmq.PULL, zmtp_bytes.null_handshake(b"PUSH"),
                              zmtp_bytes.ping(ttl), wait_s=1.0)
        obs[f"TTL {ttl} ds, silent 1 s"] = "closed" if eof else "open"
    return obs, obs == {"TTL 655 ds, silent 1 s": "open", "TTL 656 ds, silent 1 s": "closed"}


@probe("subscription-after-connect-as-message",
       "libzmq 4.3.4's XSUB sends its subscriptions to a ZMTP 3.1 peer as SUBSCRIBE commands "
       "when the connection is made, but one the application sends later as the 0x01 data "
       "message it was given, the ZMTP 3.0 form (RFC 37: a SUBSCRIBE command); a SUB sends "
       "both as commands (rule/wire/version-negotiation)")
def _subscription_after_connect():
    obs = {}
    for kind, name in ((zmq.SUB, "SUB"), (zmq.XSUB, "XSUB")):
        s = _sock(kind)
        subscribe = ((lambda t: s.setsockopt(zmq.SUBSCRIBE, t)) if kind == zmq.SUB
                     else (lambda t: s.send(b"\x01" + t)))
        subscribe(b"before")
        port = s.bind_to_random_port("tcp://127.0.0.1")
        raw = socket.create_connection(("127.0.0.1", port))
        raw.sendall(zmtp_bytes.null_handshake(b"PUB", minor=1))
        time.sleep(0.2)
        s.poll(100)  # libzmq attaches the connection inside an API call
        subscribe(b"later")
        s.poll(100)
        data, _ = _read_until_eof(raw, 0.5)
        frames = zmtp_bytes.parse_stream(data).frames
        form = {}
        for f in frames:
            body = bytes(f.body)
            if f.command and body.startswith(b"\x09SUBSCRIBE"):
                form[body[10:].decode()] = "command"
            elif not f.command and body[:1] == b"\x01":
                form[body[1:].decode()] = "message"
        obs[name] = form
        raw.close()
        _close(s)
    return obs, obs == {"SUB": {"before": "command", "later": "command"},
                        "XSUB": {"before": "command", "later": "message"}}


@probe("incompatible-peer-closed-without-error",
       "libzmq closes a ZMTP 3.0 connection whose READY announces an incompatible Socket-Type "
       "without sending an ERROR command; a compatible Socket-Type gets a READY back")
def _incompatible_peer():
    obs = {f"REP<-{a}": _handshake_verdict(zmq.REP, a.encode()) for a in ("REQ", "PUB")}
    return obs, obs == {"REP<-REQ": "accepted", "REP<-PUB": "rejected"}


def _handshake_verdict(bound_type: int, announced: bytes) -> str:
    """'accepted' if libzmq answers a READY announcing `announced` with READY and keeps the
    connection, 'rejected' if it closes it ('rejected with ERROR' if it sent ERROR first)."""
    s = _sock(bound_type)
    port = s.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.null_handshake(announced, minor=0))
    raw.settimeout(1.0)
    data, verdict = b"", "no answer"
    try:
        while True:
            chunk = raw.recv(4096)
            names = zmtp_bytes.parse_stream(data).command_names
            if not chunk:
                verdict = "rejected" + (" with ERROR" if "ERROR" in names else "")
                break
            data += chunk
            names = zmtp_bytes.parse_stream(data).command_names
            if "READY" in names:
                # a READY back means libzmq accepted ours; give it a moment to change its mind
                _, eof = _read_until_eof(raw, 0.1)
                verdict = "rejected" if eof else "accepted"
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        verdict = "rejected"
    raw.close()
    _close(s)
    return verdict


_DRAFT_PAIR_OVER_TCP = """
import zmq
ctx = zmq.Context.instance()
s = ctx.socket(zmq.SCATTER); s.linger = 0; s.bind("tcp://127.0.0.1:*")
g = ctx.socket(zmq.GATHER); g.linger = 0; g.connect(s.last_endpoint)
s.send(b"x")
g.rcvtimeo = 1000
print(g.recv())
"""


@probe("draft-types-unusable-over-zmtp",
       "the reference libzmq 4.3.4 as Debian builds it (without the draft API) creates the draft "
       "socket types but cannot complete a ZMTP handshake with them: a bound SCATTER or GATHER "
       "rejects a peer announcing either SCATTER or GATHER, and a SCATTER-GATHER pair over tcp "
       "aborts the process (assertion in src/mechanism.cpp); so libzmq cannot witness which draft "
       "pairs are compatible")
def _draft_types():
    import subprocess
    obs = {}
    for bound in ("SCATTER", "GATHER"):
        for announced in ("SCATTER", "GATHER"):
            obs[f"{bound}<-{announced}"] = _handshake_verdict(getattr(zmq, bound),
                                                              announced.encode())
    proc = subprocess.run([sys.executable, "-c", _DRAFT_PAIR_OVER_TCP], capture_output=True,
                          text=True, timeout=30)
    obs["SCATTER->GATHER over tcp: exit status"] = proc.returncode
    obs["stderr"] = proc.stderr.strip().splitlines()[-1:] if proc.stderr else []
    ok = (all(v == "rejected" for k, v in obs.items() if "<-" in k) and proc.returncode != 0 and
          any("mechanism.cpp" in line for line in obs["stderr"]))
    return obs, ok


@probe("classic-compatibility-matrix",
       "for the twelve classic types, the peers libzmq accepts in the ZMTP handshake are exactly "
       "the 4.3 page's 'Compatible peer sockets' (STREAM speaks raw TCP and is not tested)")
def _classic_matrix():
    page = {"PAIR": {"PAIR"}, "PUB": {"SUB", "XSUB"}, "SUB": {"PUB", "XPUB"},
            "REQ": {"REP", "ROUTER"}, "REP": {"REQ", "DEALER"},
            "DEALER": {"ROUTER", "REP", "DEALER"}, "ROUTER": {"DEALER", "REQ", "ROUTER"},
            "PULL": {"PUSH"}, "PUSH": {"PULL"}, "XPUB": {"SUB", "XSUB"}, "XSUB": {"PUB", "XPUB"}}
    accepted = {}
    for bound in page:
        accepted[bound] = sorted(a for a in page if _handshake_verdict(
            getattr(zmq, bound), a.encode()) == "accepted")
    ok = all(set(accepted[b]) == page[b] for b in page)
    return {"accepted": accepted}, ok


@probe("subscription-wire-form",
       "libzmq SUB sends SUBSCRIBE/CANCEL commands to a peer that greets with ZMTP 3.1, and the "
       "0x01/0x00-prefixed message form to a ZMTP 3.0 peer")
def _subscription_wire_form():
    obs = {}
    for minor in (1, 0):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        sub = _sock(zmq.SUB)
        sub.connect("tcp://127.0.0.1:%d" % srv.getsockname()[1])
        conn, _ = srv.accept()
        conn.sendall(zmtp_bytes.null_handshake(b"PUB", minor=minor))
        time.sleep(0.2)
        sub.setsockopt(zmq.SUBSCRIBE, b"A")
        time.sleep(0.2)
        data, _ = _read_until_eof(conn, 0.5)
        conn.close()
        srv.close()
        _close(sub)
        frames = zmtp_bytes.parse_stream(data).frames
        after_ready = [f for f in frames if f.command_name != "READY"]
        obs[f"peer ZMTP 3.{minor}"] = [
            ("command " + f.command_name) if f.command else ("message " + f.body.hex())
            for f in after_ready]
    ok = (obs["peer ZMTP 3.1"][:1] == ["command SUBSCRIBE"] and
          obs["peer ZMTP 3.0"][:1] == ["message 0141"])
    return obs, ok


@probe("xpub-receives-unprefixed",
       "an XPUB receives a message without the 0x01/0x00 prefix that an XSUB sends")
def _xpub_unprefixed():
    ep = _inproc()
    xpub = _sock(zmq.XPUB)
    xpub.bind(ep)
    xsub = _sock(zmq.XSUB)
    xsub.connect(ep)
    xsub.send(b"\x01A")
    xsub.send(b"hello")
    got = [_recv_within(xpub, 1000, multipart=False) for _ in range(2)]
    _close(xsub, xpub)
    return {"xpub_received": [g.hex() if g is not None else None for g in got]}, \
        got == [b"\x01A", b"hello"]


@probe("xpub-duplicate-subscriptions-filtered",
       "with ZMQ_XPUB_VERBOSE off (the default) an XPUB passes a subscription to the application "
       "only once even when two subscribers subscribe to the same topic; with it on, twice")
def _xpub_dedup():
    obs = {}
    for verbose in (0, 1):
        ep = _inproc()
        xpub = _sock(zmq.XPUB, XPUB_VERBOSE=verbose)
        xpub.bind(ep)
        subs = []
        for _ in range(2):
            s = _sock(zmq.SUB)
            s.connect(ep)
            s.setsockopt(zmq.SUBSCRIBE, b"A")
            subs.append(s)
        got = _drain(xpub, 300)
        _close(*subs, xpub)
        obs[f"XPUB_VERBOSE={verbose}"] = sum(1 for m in got if m == [b"\x01A"])
    return obs, obs == {"XPUB_VERBOSE=0": 1, "XPUB_VERBOSE=1": 2}


def _stream_with_raw_peer(**opts):
    stream = _sock(zmq.STREAM, **opts)
    port = stream.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    return stream, raw


@probe("stream-connect-disconnect-notify",
       "a STREAM socket delivers [routing id, empty frame] when a TCP peer connects and again "
       "when it disconnects")
def _stream_notify():
    stream, raw = _stream_with_raw_peer()
    first = _recv_within(stream)
    raw.close()
    second = _recv_within(stream)
    _close(stream)
    obs = {"on_connect": [len(p) for p in first] if first else None,
           "on_disconnect": [len(p) for p in second] if second else None,
           "same_routing_id": bool(first and second and first[0] == second[0])}
    ok = (first is not None and second is not None and first[1] == b"" and second[1] == b"" and
          obs["same_routing_id"])
    return obs, ok


@probe("stream-data-frame-without-sndmore",
       "a STREAM socket sends a data frame given without ZMQ_SNDMORE and keeps sending afterwards "
       "(the 4.0 page said omitting the flag prevents further sends)")
def _stream_sndmore():
    stream, raw = _stream_with_raw_peer()
    rid = _recv_within(stream)[0]
    stream.send(rid, zmq.SNDMORE)
    stream.send(b"one")  # no SNDMORE on the data frame
    stream.send(rid, zmq.SNDMORE)
    stream.send(b"two")
    raw.settimeout(1.0)
    data = b""
    try:
        while len(data) < 6:
            chunk = raw.recv(64)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    raw.close()
    _close(stream)
    return {"tcp_peer_received": data.decode("latin-1")}, data == b"onetwo"


@probe("stream-close-by-empty-frame",
       "after a STREAM socket sends [routing id, empty frame] the routing id is gone at once "
       "(a later send to it fails with EHOSTUNREACH), but libzmq closes the TCP connection only "
       "when that connection next has inbound traffic: a silent peer sees no EOF")
def _stream_close():
    stream, raw = _stream_with_raw_peer()
    rid = _recv_within(stream)[0]
    stream.send_multipart([rid, b""])
    _, eof_while_silent = _read_until_eof(raw, 1.0)
    after = _errno_of(lambda: stream.send(rid, zmq.SNDMORE | zmq.DONTWAIT))
    eof_after_peer_sends = False
    try:
        raw.sendall(b"ping")
        data, eof_after_peer_sends = _read_until_eof(raw, 3.0)
    except (BrokenPipeError, ConnectionResetError):
        eof_after_peer_sends = True
    raw.close()
    _close(stream)
    obs = {"send_to_closed_id": after, "peer_saw_eof_while_silent": eof_while_silent,
           "peer_saw_eof_after_sending": eof_after_peer_sends}
    return obs, after == "EHOSTUNREACH" and not eof_while_silent and eof_after_peer_sends


@probe("stream-own-close-silent",
       "a connection the STREAM application closes with [routing id, empty frame] ends without a "
       "disconnect notification, even once the peer has sent more and gone, and a connection the "
       "STREAM socket made is not made again")
def _stream_own_close():
    stream, raw = _stream_with_raw_peer()
    rid = _recv_within(stream)[0]
    stream.send_multipart([rid, b""])
    try:
        raw.sendall(b"ping")  # libzmq closes lazily, on the peer's next bytes
    except OSError:
        pass
    time.sleep(0.3)
    raw.close()
    inbound_after_close = _recv_within(stream, 500)
    _close(stream)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    client = _sock(zmq.STREAM)
    client.connect("tcp://127.0.0.1:%d" % srv.getsockname()[1])
    first, _ = srv.accept()
    rid = _recv_within(client)[0]
    client.send_multipart([rid, b""])
    first.sendall(b"ping")
    srv.settimeout(1.5)
    try:
        again, _ = srv.accept()
        again.close()
        reconnected = True
    except socket.timeout:
        reconnected = False
    outbound_after_close = _recv_within(client, 300)
    first.close()
    srv.close()
    _close(client)
    obs = {"accepted: message after own close": inbound_after_close,
           "connected: message after own close": outbound_after_close,
           "connected: made again": reconnected}
    return obs, inbound_after_close is None and outbound_after_close is None and not reconnected


@probe("stream-connect-routing-id-option",
       "after zmq_connect to a TCP server, a STREAM socket's ZMQ_ROUTING_ID reads the routing id "
       "of that connection (the one in its connect notification), and sending to it reaches the "
       "server")
def _stream_connect_rid():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    client = _sock(zmq.STREAM)
    before = client.getsockopt(zmq.ROUTING_ID)
    client.connect("tcp://127.0.0.1:%d" % srv.getsockname()[1])
    conn, _ = srv.accept()
    note = _recv_within(client)
    option = client.getsockopt(zmq.ROUTING_ID)
    client.send_multipart([option, b"hi"])
    conn.settimeout(1.0)
    try:
        got = conn.recv(16)
    except socket.timeout:
        got = b""
    conn.close()
    srv.close()
    _close(client)
    obs = {"before_connect": before.hex(), "option_is_notification_id": bool(note) and
           note[0] == option, "server_got": got.decode("latin-1")}
    return obs, obs["option_is_notification_id"] and got == b"hi"


@probe("stream-unknown-id-ehostunreach",
       "a STREAM socket fails a send to an unknown routing id with EHOSTUNREACH (it behaves like "
       "a ROUTER with ZMQ_ROUTER_MANDATORY always on)")
def _stream_unknown():
    stream = _sock(zmq.STREAM)
    stream.bind_to_random_port("tcp://127.0.0.1")
    err = _errno_of(lambda: stream.send(b"\x00nobody", zmq.SNDMORE | zmq.DONTWAIT))
    _close(stream)
    return {"errno": err}, err == "EHOSTUNREACH"


@probe("stream-full-eagain",
       "a STREAM socket whose pipe to a TCP peer is full fails a non-blocking send with EAGAIN "
       "rather than dropping")
def _stream_full():
    stream, raw = _stream_with_raw_peer(SNDHWM=1)
    rid = _recv_within(stream)[0]
    blob = b"x" * 65536
    err, sent = None, 0
    deadline = time.monotonic() + 10
    while err is None and time.monotonic() < deadline and sent < 5000:
        err = _errno_of(lambda: stream.send(rid, zmq.SNDMORE | zmq.DONTWAIT))
        if err is None:
            stream.send(blob, zmq.DONTWAIT)
            sent += 1
    raw.close()
    _close(stream)
    return {"messages_accepted_before_error": sent, "errno": err}, err == "EAGAIN"


@probe("xsub-drops-when-mute",
       "an XSUB never blocks on send: messages for a publisher whose pipe is full are dropped "
       "without error")
def _xsub_mute():
    ep = _inproc()
    xpub = _sock(zmq.XPUB, RCVHWM=1)
    xpub.bind(ep)
    xsub = _sock(zmq.XSUB, SNDHWM=1)
    xsub.connect(ep)
    _wait_until(lambda: bool(xsub.getsockopt(zmq.EVENTS) & zmq.POLLOUT))
    errors = [e for e in (_errno_of(lambda: xsub.send(b"m%d" % i, zmq.DONTWAIT))
                          for i in range(20)) if e]
    got = len(_drain(xpub, 200))
    _close(xsub, xpub)
    return {"send_errors": errors, "xpub_received": got}, not errors and got < 20


@probe("router-unroutable",
       "a ROUTER silently drops a message for an unknown routing id; with ZMQ_ROUTER_MANDATORY=1 "
       "the send fails with EHOSTUNREACH")
def _router_unroutable():
    obs = {}
    for mandatory in (0, 1):
        r = _sock(zmq.ROUTER, ROUTER_MANDATORY=mandatory)
        r.bind(_inproc())
        obs[f"mandatory={mandatory}"] = _errno_of(
            lambda: r.send_multipart([b"nobody", b"x"], zmq.DONTWAIT))
        _close(r)
    return obs, obs == {"mandatory=0": None, "mandatory=1": "EHOSTUNREACH"}


@probe("router-mute-drop-vs-eagain",
       "a ROUTER whose pipe to a peer is full drops further messages for it without error; with "
       "ZMQ_ROUTER_MANDATORY=1 a non-blocking send fails with EAGAIN instead")
def _router_mute():
    obs = {}
    for mandatory in (0, 1):
        ep = _inproc()
        r = _sock(zmq.ROUTER, ROUTER_MANDATORY=mandatory, SNDHWM=2)
        r.bind(ep)
        d = _sock(zmq.DEALER, ROUTING_ID=b"D", RCVHWM=2)
        d.connect(ep)
        d.send(b"hello")
        _recv_within(r)
        errors, sent = [], 0
        for i in range(50):
            e = _errno_of(lambda: r.send_multipart([b"D", b"%d" % i], zmq.DONTWAIT))
            if e:
                errors.append(e)
            else:
                sent += 1
        delivered = len(_drain(d, 200))
        _close(d, r)
        obs[f"mandatory={mandatory}"] = {"accepted": sent, "errors": sorted(set(errors)),
                                         "delivered": delivered}
    m0, m1 = obs["mandatory=0"], obs["mandatory=1"]
    ok = (m0["accepted"] == 50 and not m0["errors"] and m0["delivered"] < 50 and
          m1["errors"] == ["EAGAIN"] and m1["delivered"] == m1["accepted"])
    return obs, ok


@probe("router-mandatory-pollout",
       "a ROUTER without ZMQ_ROUTER_MANDATORY always reports POLLOUT; with it and no peer it does "
       "not, and does once a peer can take a message")
def _router_pollout():
    obs = {}
    for mandatory in (0, 1):
        ep = _inproc()
        r = _sock(zmq.ROUTER, ROUTER_MANDATORY=mandatory)
        r.bind(ep)
        alone = bool(r.getsockopt(zmq.EVENTS) & zmq.POLLOUT)
        d = _sock(zmq.DEALER, ROUTING_ID=b"D")
        d.connect(ep)
        d.send(b"hi")
        _recv_within(r)
        with_peer = bool(r.getsockopt(zmq.EVENTS) & zmq.POLLOUT)
        _close(d, r)
        obs[f"mandatory={mandatory}"] = {"no_peer": alone, "with_peer": with_peer}
    ok = obs == {"mandatory=0": {"no_peer": True, "with_peer": True},
                 "mandatory=1": {"no_peer": False, "with_peer": True}}
    return obs, ok


@probe("router-generated-routing-id",
       "a ROUTER gives an anonymous peer a 5-byte routing id: a zero byte then a 32-bit counter "
       "that increases by one per connection (random only in its starting value)")
def _router_ids():
    ep = _inproc()
    r = _sock(zmq.ROUTER)
    r.bind(ep)
    ids = []
    dealers = []
    for _ in range(3):
        d = _sock(zmq.DEALER)
        d.connect(ep)
        d.send(b"x")
        ids.append(_recv_within(r)[0])
        dealers.append(d)
    _close(*dealers, r)
    counters = [struct.unpack(">I", i[1:])[0] if len(i) == 5 else None for i in ids]
    obs = {"ids": [i.hex() for i in ids]}
    ok = (all(len(i) == 5 and i[0] == 0 for i in ids) and None not in counters and
          counters[1] == counters[0] + 1 and counters[2] == counters[1] + 1)
    return obs, ok


@probe("connect-queues-before-peer",
       "REQ, DEALER, PUSH and PAIR accept a send right after zmq_connect to an endpoint nobody "
       "listens on (the pipe exists at once); with ZMQ_IMMEDIATE=1, or with no endpoint at all, "
       "the non-blocking send fails with EAGAIN")
def _connect_queues():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    dead = "tcp://127.0.0.1:%d" % srv.getsockname()[1]
    srv.close()  # nobody listens there now
    obs = {}
    for name in ("REQ", "DEALER", "PUSH", "PAIR"):
        row = {}
        for case in ("connect", "connect+IMMEDIATE", "no endpoint"):
            s = _sock(getattr(zmq, name), IMMEDIATE=1 if case == "connect+IMMEDIATE" else 0)
            if case != "no endpoint":
                s.connect(dead)
            row[case] = _errno_of(lambda: s.send(b"x", zmq.DONTWAIT)) or "accepted"
            _close(s)
        obs[name] = row
    expected = {"connect": "accepted", "connect+IMMEDIATE": "EAGAIN", "no endpoint": "EAGAIN"}
    return obs, all(row == expected for row in obs.values())


@probe("hwm-set-after-connect",
       "ZMQ_SNDHWM set after zmq_connect bounds the pipe that connect made: a PUSH connected to "
       "an endpoint nobody listens on queues exactly the new SNDHWM, then nothing more once it "
       "is lowered below what is queued; the queued messages all arrive when a PULL binds")
def _hwm_after_connect():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    srv.close()  # nobody listens there now
    push = _sock(zmq.PUSH)  # its pipe is made with the default SNDHWM (1000)
    push.connect("tcp://127.0.0.1:%d" % port)

    def fill():
        n = 0
        while n < 5000 and _errno_of(lambda: push.send(b"m", zmq.DONTWAIT)) is None:
            n += 1
        return n

    push.setsockopt(zmq.SNDHWM, 7)
    queued = fill()
    push.setsockopt(zmq.SNDHWM, 3)
    after_lowering = fill()
    pull = _sock(zmq.PULL)
    pull.bind("tcp://127.0.0.1:%d" % port)
    got = _drain(pull, 500)
    _close(push, pull)
    obs = {"SNDHWM 7 after connect: queued": queued, "then SNDHWM 3: queued": after_lowering,
           "received": len(got)}
    return obs, queued == 7 and after_lowering == 0 and len(got) == 7


@probe("inproc-hwm-is-sum",
       "over inproc the number of messages a PUSH can queue to one PULL before EAGAIN is the "
       "sender's SNDHWM plus the receiver's RCVHWM")
def _inproc_hwm():
    ep = _inproc()
    pull = _sock(zmq.PULL, RCVHWM=3)
    pull.bind(ep)
    push = _sock(zmq.PUSH, SNDHWM=5)
    push.connect(ep)
    n = 0
    while n < 1000 and _errno_of(lambda: push.send(b"m", zmq.DONTWAIT)) is None:
        n += 1
    _close(push, pull)
    return {"SNDHWM": 5, "RCVHWM": 3, "queued_before_EAGAIN": n}, n == 8


@probe("inproc-skips-socket-type-check",
       "over inproc libzmq checks no socket types: a PAIR connected to a bound PULL delivers its "
       "message (over tcp the same pair is refused at the handshake)")
def _inproc_type_check():
    obs = {}
    for transport in ("inproc", "tcp"):
        pull = _sock(zmq.PULL)
        if transport == "inproc":
            ep = _inproc()
            pull.bind(ep)
        else:
            ep = "tcp://127.0.0.1:%d" % pull.bind_to_random_port("tcp://127.0.0.1")
        pair = _sock(zmq.PAIR)
        pair.connect(ep)
        pair.send(b"m")
        got = _recv_within(pull, 500)
        obs[f"PAIR to PULL over {transport}"] = "delivered" if got else "nothing"
        _close(pair, pull)
    return obs, obs == {"PAIR to PULL over inproc": "delivered",
                        "PAIR to PULL over tcp": "nothing"}


@probe("multipart-counts-as-one",
       "the HWM counts messages, not frames: with SNDHWM+RCVHWM = 2 a PUSH queues two 3-frame "
       "messages over inproc before EAGAIN")
def _multipart_hwm():
    ep = _inproc()
    pull = _sock(zmq.PULL, RCVHWM=1)
    pull.bind(ep)
    push = _sock(zmq.PUSH, SNDHWM=1)
    push.connect(ep)
    n = 0
    while n < 100 and _errno_of(lambda: push.send_multipart([b"a", b"b", b"c"],
                                                             zmq.DONTWAIT)) is None:
        n += 1
    got = _drain(pull, 200)
    _close(push, pull)
    return {"messages_queued": n, "received": [len(m) for m in got]}, \
        n == 2 and [len(m) for m in got] == [3, 3]


@probe("rep-reply-dropped-at-hwm",
       "a REP whose pipe back to the requester is full drops the reply without error (the pages "
       "give REP no mute row)")
def _rep_mute():
    ep = _inproc()
    rep = _sock(zmq.REP, SNDHWM=1)
    rep.bind(ep)
    dealer = _sock(zmq.DEALER, RCVHWM=1)
    dealer.connect(ep)
    for i in range(10):
        dealer.send_multipart([b"", b"q%d" % i])
    errors = []
    for _ in range(10):
        if _recv_within(rep, 1000) is None:
            break
        e = _errno_of(lambda: rep.send(b"r", zmq.DONTWAIT))
        if e:
            errors.append(e)
    replies = len(_drain(dealer, 200))
    _close(dealer, rep)
    return {"requests": 10, "send_errors": errors, "replies_delivered": replies}, \
        not errors and replies < 10


@probe("req-rep-efsm",
       "REQ refuses a second send before a receive and REP refuses a send before a receive, with "
       "EFSM")
def _efsm():
    ep = _inproc()
    rep = _sock(zmq.REP)
    rep.bind(ep)
    req = _sock(zmq.REQ)
    req.connect(ep)
    req.send(b"one")
    obs = {"REQ second send": _errno_of(lambda: req.send(b"two", zmq.DONTWAIT)),
           "REQ recv before send (fresh)": None,
           "REP send before recv": None}
    fresh_rep = _sock(zmq.REP)
    fresh_rep.bind(_inproc())
    obs["REP send before recv"] = _errno_of(lambda: fresh_rep.send(b"x", zmq.DONTWAIT))
    fresh_req = _sock(zmq.REQ)
    obs["REQ recv before send (fresh)"] = _errno_of(lambda: fresh_req.recv(zmq.DONTWAIT))
    _close(req, rep, fresh_rep, fresh_req)
    return obs, all(v == "EFSM" for v in obs.values())


@probe("rep-drops-message-without-delimiter",
       "a REP discards a request from a DEALER that lacks the empty delimiter frame, and "
       "delivers one that has it")
def _rep_delimiter():
    ep = _inproc()
    rep = _sock(zmq.REP)
    rep.bind(ep)
    dealer = _sock(zmq.DEALER)
    dealer.connect(ep)
    dealer.send(b"no-delimiter")
    time.sleep(0.2)
    # REP's POLLIN reflects its inner queue, so poll can fire for a request REP then discards:
    # read without blocking instead.
    first = _recv_nowait(rep)
    dealer.send_multipart([b"", b"with-delimiter"])
    second = None
    deadline = time.monotonic() + 2.0
    while second is None and time.monotonic() < deadline:
        second = _recv_nowait(rep)
        time.sleep(0.01)
    _close(dealer, rep)
    obs = {"without": first, "with": second}
    obs = {k: [p.decode() for p in v] if v else None for k, v in obs.items()}
    return obs, first is None and second == [b"with-delimiter"]


@probe("pub-never-blocks-drops-per-subscriber",
       "a PUB never blocks or fails a send; a subscriber whose pipe is full loses messages while a "
       "subscriber that keeps up gets all of them")
def _pub_drop():
    ep = _inproc()
    pub = _sock(zmq.PUB, SNDHWM=2)
    pub.bind(ep)
    slow = _sock(zmq.SUB, RCVHWM=2)
    fast = _sock(zmq.SUB, RCVHWM=1000)
    for s in (slow, fast):
        s.connect(ep)
        s.setsockopt(zmq.SUBSCRIBE, b"")
    _wait_until(lambda: bool(pub.getsockopt(zmq.EVENTS) & zmq.POLLOUT))
    time.sleep(0.1)  # let both subscriptions reach the PUB
    errors = [e for e in (_errno_of(lambda: pub.send(b"%d" % i, zmq.DONTWAIT))
                          for i in range(100)) if e]
    slow_n, fast_n = len(_drain(slow, 200)), len(_drain(fast, 200))
    _close(slow, fast, pub)
    obs = {"send_errors": errors, "slow_received": slow_n, "fast_received": fast_n}
    return obs, not errors and slow_n < 100 and fast_n == 100


@probe("pull-send-enotsup",
       "the socket types with a one-way pattern reject the other direction with ENOTSUP")
def _enotsup():
    obs = {}
    for name, op in (("PUB", "recv"), ("SUB", "send"), ("PUSH", "recv"), ("PULL", "send")):
        s = _sock(getattr(zmq, name))
        fn = (lambda: s.recv(zmq.DONTWAIT)) if op == "recv" else (
            lambda: s.send(b"x", zmq.DONTWAIT))
        obs[f"{name} {op}"] = _errno_of(fn)
        _close(s)
    return obs, all(v == "ENOTSUP" for v in obs.values())


@probe("zmq-has-ws-spelling",
       "libzmq 4.3.4 (src/zmq.cpp) compares zmq_has's argument with \"WS\" in capitals: "
       "zmq_has(\"ws\") is 0 and zmq_has(\"WS\") is 1, while a REQ-REP round trip over "
       "ws:// works")
def _has_ws():
    obs = {"has('ws')": bool(zmq.has("ws")), "has('WS')": bool(zmq.has("WS"))}
    rep, req = _sock(zmq.REP, RCVTIMEO=2000), _sock(zmq.REQ, RCVTIMEO=2000)
    try:
        rep.bind("ws://127.0.0.1:*/probe")
        req.connect(rep.getsockopt(zmq.LAST_ENDPOINT).decode())
        req.send(b"ping")
        rep.send(rep.recv())
        obs["ws round trip"] = req.recv() == b"ping"
    except zmq.ZMQError as e:
        obs["ws round trip"] = zmq.strerror(e.errno)
    finally:
        _close(req, rep)
    return obs, obs == {"has('ws')": False, "has('WS')": True, "ws round trip": True}


def _filter_admits(filter_: bytes, ipv6_before: bool, ipv6_after: bool, bind: str) -> bool:
    """Whether a PAIR with TCP_ACCEPT_FILTER `filter_` (set while IPV6 is `ipv6_before`, then
    IPV6 set to `ipv6_after`), bound at `bind`, gets a message from an IPv4 peer on 127.0.0.1."""
    server = _sock(zmq.PAIR, IPV6=int(ipv6_before))
    server.setsockopt(zmq.TCP_ACCEPT_FILTER, filter_)
    server.setsockopt(zmq.IPV6, int(ipv6_after))
    server.bind(bind)
    port = server.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1]
    client = _sock(zmq.PAIR, SNDTIMEO=300)
    client.connect(f"tcp://127.0.0.1:{port}")
    _errno_of(lambda: client.send(b"hello"))
    got = _recv_within(server, 500)
    _close(client, server)
    return got is not None


@probe("tcp-accept-filter-family",
       "ZMQ_TCP_ACCEPT_FILTER compares a peer only with filters of the listener's address family "
       "as the filter was read: with ZMQ_IPV6 on, an IPv4 filter becomes ::ffff:a.b.c.d and its "
       "prefix counts IPv6 bits (10.0.0.0/8 admits 127.0.0.1); an IPv4 filter set before "
       "ZMQ_IPV6 never matches the IPv4 peers of a dual-stack listener")
def _tcp_accept_filter_family():
    obs = {
        "IPV6 on, filter 10.0.0.0/8, peer 127.0.0.1":
            _filter_admits(b"10.0.0.0/8", True, True, "tcp://127.0.0.1:*"),
        "IPV6 off, filter 10.0.0.0/8, peer 127.0.0.1":
            _filter_admits(b"10.0.0.0/8", False, False, "tcp://127.0.0.1:*"),
        "filter 127.0.0.1 then IPV6 on, bound tcp://*, peer 127.0.0.1":
            _filter_admits(b"127.0.0.1", False, True, "tcp://*:*"),
        "IPV6 on then filter 127.0.0.1, bound tcp://*, peer 127.0.0.1":
            _filter_admits(b"127.0.0.1", True, True, "tcp://*:*"),
    }
    want = [True, False, False, True]
    return obs, list(obs.values()) == want


@probe("reference-build-capabilities",
       "Debian's libzmq 4.3.4 answers zmq_has yes for ipc, pgm, norm, tipc, gssapi and curve")
def _reference_capabilities():
    obs = {name: bool(zmq.has(name)) for name in ("ipc", "pgm", "norm", "tipc", "gssapi", "curve")}
    return obs, all(obs.values())


@probe("capabilities-are-build-options",
       "the same reference build leaves vmci and the draft API out though its header defines "
       "their constants: zmq_has answers no and a vmci:// bind is EPROTONOSUPPORT, so zmq_has "
       "reports build choices")
def _capabilities_optional():
    obs = {name: bool(zmq.has(name)) for name in ("vmci", "draft")}
    obs["header knows ZMQ_VMCI_BUFFER_SIZE"] = hasattr(zmq, "VMCI_BUFFER_SIZE")
    s = _sock(zmq.PAIR)
    obs["bind vmci://*:*"] = _errno_of(lambda: s.bind("vmci://*:*"))
    _close(s)
    absent = not obs["vmci"] and not obs["draft"]
    return obs, (absent and obs["header knows ZMQ_VMCI_BUFFER_SIZE"]
                 and obs["bind vmci://*:*"] == "EPROTONOSUPPORT")


# ---------------------------------------------------------------------------------------------

@probe("router-duplicate-id",
       "Without ZMQ_ROUTER_HANDOVER a ROUTER ignores a second DEALER announcing a routing id in "
       "use (its message never arrives, replies still go to the first); with it the second "
       "takes the id (its message arrives under it, replies go to it)")
def _router_duplicate_id():
    obs = {}
    for handover in (0, 1):
        ep = _inproc()
        r = _sock(zmq.ROUTER, ROUTER_HANDOVER=handover)
        r.bind(ep)
        first = _sock(zmq.DEALER, ROUTING_ID=b"X")
        first.connect(ep)
        first.send(b"first")
        hello = _recv_within(r)
        second = _sock(zmq.DEALER, ROUTING_ID=b"X")
        second.connect(ep)
        second.send(b"second")
        heard = _drain(r)
        r.send_multipart([b"X", b"reply"])
        obs[f"handover={handover}"] = {
            "first hello": hello and [f.decode() for f in hello],
            "then heard": [[f.decode() for f in m] for m in heard],
            "reply reached": [n for n, d in (("first", first), ("second", second))
                              if _recv_within(d, 300) is not None]}
        _close(first, second, r)
    ok = (obs["handover=0"] == {"first hello": ["X", "first"], "then heard": [],
                                "reply reached": ["first"]} and
          obs["handover=1"] == {"first hello": ["X", "first"], "then heard": [["X", "second"]],
                                "reply reached": ["second"]})
    return obs, ok


@probe("probe-router-empty-message",
       "A REQ, DEALER or ROUTER with ZMQ_PROBE_ROUTER sends an empty message on connect: the "
       "ROUTER it connects to first receives [routing id, empty frame] from it")
def _probe_router():
    obs = {}
    for name in ("REQ", "DEALER", "ROUTER"):
        ep = _inproc()
        r = _sock(zmq.ROUTER)
        r.bind(ep)
        s = _sock(getattr(zmq, name), PROBE_ROUTER=1, ROUTING_ID=b"P")
        s.connect(ep)
        got = _recv_within(r)
        obs[name] = got and [f.decode() for f in got]
        _close(s, r)
    return obs, all(v == ["P", ""] for v in obs.values())


def _conflate_run(transport: str, pull_binds: bool, rcvhwm: int) -> list:
    """What a PULL with ZMQ_CONFLATE (and RCVHWM if > 0) reads after a PUSH sent 0..4."""
    if transport == "tcp":
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        ep = "tcp://127.0.0.1:%d" % srv.getsockname()[1]
        srv.close()
    else:
        ep = _inproc()
    pull = _sock(zmq.PULL, CONFLATE=1, **({"RCVHWM": rcvhwm} if rcvhwm else {}))
    push = _sock(zmq.PUSH)
    (pull.bind if pull_binds else push.bind)(ep)
    (push.connect if pull_binds else pull.connect)(ep)
    time.sleep(0.3)
    for i in range(5):
        push.send(str(i).encode())
    time.sleep(0.3)
    got = [m[0].decode() for m in _drain(pull)]
    _close(push, pull)
    return got


@probe("conflate-ignores-rcvhwm",
       "Over tcp, a PULL with ZMQ_CONFLATE (RCVHWM 1 or the default; binding or connecting) "
       "that five messages reached reads the last one only")
def _conflate_rcvhwm():
    obs = {f"pull {'binds' if b else 'connects'}, rcvhwm {h or 'default'}": _conflate_run("tcp", b, h)
           for b in (True, False) for h in (0, 1)}
    return obs, all(v == ["4"] for v in obs.values())


@probe("conflate-inproc-binder-ignored",
       "Over inproc, libzmq takes ZMQ_CONFLATE from the connecting socket: a conflating PULL "
       "that binds (its PUSH connects) reads all five messages; one that connects reads the last")
def _conflate_inproc():
    obs = {"pull binds": _conflate_run("inproc", True, 0),
           "pull connects": _conflate_run("inproc", False, 0)}
    return obs, obs == {"pull binds": ["0", "1", "2", "3", "4"], "pull connects": ["4"]}


@probe("hwm-stale-credit-drops",
       "over tcp, a PUB (and a ROUTER) with SNDHWM 1 drops messages for a peer with RCVHWM 1 "
       "that reads every message before the next is sent: the sender learns of the room only "
       "when it next processes its commands (throttled), so it treats a peer that keeps up as "
       "mute (about every other message is lost); a ROUTER with ZMQ_ROUTER_MANDATORY refuses "
       "those sends with EAGAIN instead")
def _stale_credit():
    obs = {}
    for kind in ("PUB", "ROUTER", "ROUTER_MANDATORY"):
        router = kind != "PUB"
        tx = _sock(zmq.ROUTER if router else zmq.PUB, SNDHWM=1)
        if kind == "ROUTER_MANDATORY":
            tx.setsockopt(zmq.ROUTER_MANDATORY, 1)
        port = tx.bind_to_random_port("tcp://127.0.0.1")
        rx = _sock(zmq.DEALER if router else zmq.SUB, RCVHWM=1)
        if router:
            rx.setsockopt(zmq.ROUTING_ID, b"s0")
        else:
            rx.setsockopt(zmq.SUBSCRIBE, b"")
        rx.connect(f"tcp://127.0.0.1:{port}")
        time.sleep(0.3)  # the connection and the subscription are through
        missed, refused, n = 0, 0, 60
        for j in range(n):
            msg = [b"%d" % j, b"p" * 1000]
            try:
                tx.send_multipart(([b"s0"] if router else []) + msg, zmq.DONTWAIT)
            except zmq.Again:  # only with ROUTER_MANDATORY: "full", though the peer read all
                refused += 1
                time.sleep(0.05)  # as long as a message that went through gets to be read
                continue
            if _recv_within(rx, 50) is None:  # read before the next send, or it is lost
                missed += 1
        obs[kind] = {"sent": n, "missed_by_a_peer_that_keeps_up": missed}
        if kind == "ROUTER_MANDATORY":
            obs[kind]["eagain_for_a_peer_that_keeps_up"] = refused
        _close(rx, tx)
    held = (obs["PUB"]["missed_by_a_peer_that_keeps_up"] > 0
            and obs["ROUTER"]["missed_by_a_peer_that_keeps_up"] > 0
            and obs["ROUTER_MANDATORY"]["eagain_for_a_peer_that_keeps_up"] > 0)
    return obs, held


@probe("req-malformed-reply-drops-connection",
       "a REQ given a reply without the empty delimiter (a single frame, [x, \"\", y], or a lone "
       "empty frame; with ZMQ_REQ_CORRELATE, a request id not followed by the delimiter) treats it as "
       "a protocol error: its session closes the connection "
       "(DISCONNECTED on the REQ's monitor), and the well-formed reply sent right after it is "
       "never delivered")
def _req_malformed_reply():
    obs = {}
    for label, malformed in (("single-frame", [b"no-delimiter"]), ("no-leading-delimiter", [b"x", b"", b"y"]),
                             ("lone-empty-frame", [b""]), ("correlate-id-without-delimiter", None)):
        router = _sock(zmq.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        req = _sock(zmq.REQ)
        if malformed is None:  # ZMQ_REQ_CORRELATE: [request id, body], the delimiter missing
            req.setsockopt(zmq.REQ_CORRELATE, 1)
        mon_ep = _inproc()
        req.monitor(mon_ep, zmq.EVENT_DISCONNECTED)
        mon = _ctx().socket(zmq.PAIR)
        mon.connect(mon_ep)
        req.connect(f"tcp://127.0.0.1:{port}")
        req.send(b"q")
        request = _recv_within(router, 2000)
        rid = request[0]
        prefix = [rid] if malformed is not None else [rid, request[1]]
        router.send_multipart(prefix + (malformed if malformed is not None else [b"decoy"]))
        router.send_multipart(prefix + [b"", b"r"])
        reply = _recv_within(req, 1000)
        disconnected = mon.poll(1000) != 0
        req.disable_monitor()
        _close(mon, req, router)
        obs[label] = {"reply_delivered": reply is not None, "req_disconnected": disconnected}
    return obs, all(not v["reply_delivered"] and v["req_disconnected"] for v in obs.values())


@probe("pair-second-peer-kept-open",
       "a bound PAIR that has a peer does not terminate a second PAIR's tcp connection: the "
       "second one completes its handshake and sees no DISCONNECTED, and what it sends is "
       "never delivered (its pipe is dropped on the bound side, the connection stays)")
def _pair_second_peer():
    bound = _sock(zmq.PAIR)
    port = bound.bind_to_random_port("tcp://127.0.0.1")
    first = _sock(zmq.PAIR)
    first.connect(f"tcp://127.0.0.1:{port}")
    first.send(b"first")
    got_first = _recv_within(bound, 2000)
    second = _sock(zmq.PAIR)
    mon_ep = _inproc()
    second.monitor(mon_ep, zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    mon = _ctx().socket(zmq.PAIR)
    mon.connect(mon_ep)
    second.connect(f"tcp://127.0.0.1:{port}")
    events = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        if mon.poll(100):
            frames = mon.recv_multipart()
            events.append(struct.unpack("<H", frames[0][:2])[0])
    sent = _errno_of(lambda: second.send(b"second", zmq.DONTWAIT))
    got_second = _recv_within(bound, 500)
    second.disable_monitor()
    _close(mon, second, first, bound)
    obs = {"first_delivered": got_first is not None,
           "second_handshakes": events.count(zmq.EVENT_HANDSHAKE_SUCCEEDED),
           "second_disconnects": events.count(zmq.EVENT_DISCONNECTED),
           "second_send_error": sent, "second_delivered": got_second is not None}
    return obs, (obs["first_delivered"] and obs["second_handshakes"] >= 1 and
                 obs["second_disconnects"] == 0 and not obs["second_delivered"])


def _monitored(sock, events):
    ep = _inproc()
    sock.monitor(ep, events)
    mon = _ctx().socket(zmq.PAIR)
    mon.connect(ep)
    return mon


def _events_within(mon, seconds):
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if mon.poll(50):
            seen.append(struct.unpack("<H", mon.recv_multipart()[0][:2])[0])
    return seen


@probe("disconnect-is-lazy",
       "zmq_disconnect on a tcp endpoint closes the connection only when the disconnecting "
       "socket next runs its commands (its next call): a REQ that disconnects and is then left "
       "alone keeps the connection, the bound REP sees no DISCONNECTED for a second; after one "
       "more call on the REQ (getsockopt ZMQ_EVENTS) the REP sees it at once")
def _disconnect_lazy():
    rep = _sock(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    mon = _monitored(rep, zmq.EVENT_DISCONNECTED)
    req = _sock(zmq.REQ)
    ep = f"tcp://127.0.0.1:{port}"
    req.connect(ep)
    req.send(b"q")
    asked = _recv_within(rep, 2000)
    req.disconnect(ep)
    idle = _events_within(mon, 1.0)
    req.getsockopt(zmq.EVENTS)  # the REQ runs its commands
    after_call = _events_within(mon, 1.0)
    rep.disable_monitor()
    _close(mon, req, rep)
    obs = {"request_arrived": asked is not None,
           "rep_disconnects_while_req_idle_1s": len(idle),
           "rep_disconnects_after_one_req_call": len(after_call)}
    return obs, asked is not None and not idle and len(after_call) >= 1


@probe("router-handover-keeps-old-connection",
       "with ZMQ_ROUTER_HANDOVER, a newcomer that announces a routing id in use takes it over, "
       "but the previous holder's tcp connection is not closed: the holder sees no "
       "DISCONNECTED, and what it sends next is not delivered")
def _handover_old_connection():
    router = _sock(zmq.ROUTER, ROUTER_HANDOVER=1)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    holder = _sock(zmq.DEALER, ROUTING_ID=b"X")
    mon = _monitored(holder, zmq.EVENT_DISCONNECTED)
    holder.connect(f"tcp://127.0.0.1:{port}")
    holder.send(b"old")
    first = _recv_within(router, 2000)
    newcomer = _sock(zmq.DEALER, ROUTING_ID=b"X")
    newcomer.connect(f"tcp://127.0.0.1:{port}")
    newcomer.send(b"new")
    second = _recv_within(router, 2000)
    router.send_multipart([b"X", b"to-x"])
    to_new = _recv_within(newcomer, 1000)
    holder_events = _events_within(mon, 1.0)
    holder.send(b"old-again")
    late = _recv_within(router, 500)
    holder.disable_monitor()
    _close(mon, newcomer, holder, router)
    obs = {"holder_delivered": first == [b"X", b"old"], "newcomer_delivered": second == [b"X", b"new"],
           "newcomer_gets_x_traffic": to_new == [b"to-x"],
           "holder_disconnects": len(holder_events), "holder_later_delivered": late is not None}
    return obs, (obs["holder_delivered"] and obs["newcomer_delivered"] and
                 obs["newcomer_gets_x_traffic"] and not holder_events and late is None)


def _late_taker(between: str) -> dict:
    """A DEALER with routing id X is heard, then closes; the ROUTER reports DISCONNECTED. Then,
    before a second DEALER with id X connects, the ROUTER's application does `between`:
    "nothing" (it is left alone until the newcomer has finished its handshake), "sends" (five
    messages to X, 20 ms apart: all dropped, X names nobody usable) or "polls" (getsockopt
    ZMQ_EVENTS twice, 50 ms apart). Then the ROUTER reads for 2 s while the newcomer says hello
    every 100 ms, and sends one message to X."""
    router = _sock(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    ep = f"tcp://127.0.0.1:{port}"
    router_mon = _monitored(router, zmq.EVENT_DISCONNECTED)
    gone = _sock(zmq.DEALER, ROUTING_ID=b"X")
    gone.connect(ep)
    gone.send(b"first")
    first = _recv_within(router, 2000)
    _close(gone)
    router_saw_disconnect = bool(_events_within(router_mon, 1.0))
    for i in range(5 if between == "sends" else 2 if between == "polls" else 0):
        if between == "sends":
            router.send_multipart([b"X", b"sent after it left %d" % i])
            time.sleep(0.02)
        else:
            router.getsockopt(zmq.EVENTS)
            time.sleep(0.05)
    late = _sock(zmq.DEALER, ROUTING_ID=b"X")
    late_mon = _monitored(late, zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    late.connect(ep)
    late_handshakes = _events_within(late_mon, 0.3).count(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    heard = 0
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        late.send(b"late hello")
        while _recv_nowait(router) == [b"X", b"late hello"]:
            heard += 1
        time.sleep(0.1)
    router.send_multipart([b"X", b"for X"])
    reached_late = _recv_within(late, 500) == [b"for X"]
    late_disconnects = _events_within(late_mon, 0.2).count(zmq.EVENT_DISCONNECTED)
    router.disable_monitor()
    late.disable_monitor()
    _close(router_mon, late_mon, late, router)
    return {"gone_heard": first == [b"X", b"first"],
            "router_saw_disconnect": router_saw_disconnect,
            "late_handshakes": late_handshakes, "late_hellos_heard": heard,
            "send_to_id_reached_late": reached_late, "late_disconnects": late_disconnects}


@probe("router-gone-id-held-until-read",
       "a ROUTER keeps a departed peer's routing id in use until its application next reads or "
       "polls it (sending does not release it): a DEALER announcing that id meanwhile, after the "
       "ROUTER reported DISCONNECTED, completes its handshake, yet nothing it sends is ever "
       "delivered and nothing sent to the id reaches it, though the ROUTER reads on for 2 s and "
       "the connection stays up; had the ROUTER's application polled it in between, the "
       "newcomer takes the id")
def _router_gone_id_held():
    obs = {f"router {b} in between": _late_taker(b) for b in ("nothing", "sends", "polls")}

    def shut_out(o):
        return (o["gone_heard"] and o["router_saw_disconnect"] and o["late_handshakes"] == 1
                and o["late_hellos_heard"] == 0 and not o["send_to_id_reached_late"]
                and o["late_disconnects"] == 0)
    polled = obs["router polls in between"]
    ok = (shut_out(obs["router nothing in between"]) and shut_out(obs["router sends in between"])
          and polled["late_hellos_heard"] > 0 and polled["send_to_id_reached_late"])
    return obs, ok


@probe("pubsub-later-frames-subscribe",
       "without the draft option ZMQ_ONLY_FIRST_SUBSCRIBE (off by default), an XSUB's and an "
       "XPUB's every frame of a multipart message that starts with byte 1 or 0 is taken as a "
       "(un)subscription, not only the first: an XSUB that sends [\"a\", \"\\x01\"] "
       "(an unprefixed first frame) is subscribed to everything and receives what the XPUB "
       "publishes")
def _later_frames_subscribe():
    xpub = _sock(zmq.XPUB)
    port = xpub.bind_to_random_port("tcp://127.0.0.1")
    control = _sock(zmq.XSUB)  # sends an unprefixed message with no command-like frame
    control.connect(f"tcp://127.0.0.1:{port}")
    xsub = _sock(zmq.XSUB)
    xsub.connect(f"tcp://127.0.0.1:{port}")
    time.sleep(0.3)
    control.send_multipart([b"a", b"b"])
    xsub.send_multipart([b"a", b"\x01"])
    _recv_within(xpub, 1000)
    at_xpub = _recv_within(xpub, 1000)
    time.sleep(0.2)
    xpub.send(b"published")
    at_xsub = _recv_within(xsub, 1000)
    at_control = _recv_within(control, 300)
    _close(control, xsub, xpub)
    obs = {"xpub_received": [f.hex() for f in at_xpub] if at_xpub else None,
           "xsub_received_publication": at_xsub == [b"published"],
           "control_received_publication": at_control is not None}
    return obs, obs["xsub_received_publication"] and not obs["control_received_publication"]


@probe("pipe-removal-lags-disconnect-event",
       "a PUSH's monitor reports DISCONNECTED for a PULL that closed before the PUSH itself drops "
       "that peer's pipe (it does so when the pipe's termination reaches the socket and the "
       "socket next processes its commands): messages sent right after the event can still be "
       "round-robined to the gone peer and are lost (a race: some tries lose none)")
def _pipe_removal_lag():
    lost_runs = []  # a race with the I/O thread: tried until it shows, at most 80 times
    while len(lost_runs) < 80 and not any(lost_runs):
        push = _sock(zmq.PUSH)
        port = push.bind_to_random_port("tcp://127.0.0.1")
        mon = _monitored(push, zmq.EVENT_DISCONNECTED)
        pulls = [_sock(zmq.PULL) for _ in range(2)]
        for p in pulls:
            p.connect(f"tcp://127.0.0.1:{port}")
        _wait_until(lambda: bool(push.getsockopt(zmq.EVENTS) & zmq.POLLOUT))
        time.sleep(0.1)  # both connections are up
        pulls[1].close(linger=0)
        mon.poll(2000)  # the PUSH's monitor says the peer has gone
        n = 6
        for j in range(n):
            push.send(b"%d" % j, zmq.DONTWAIT)
        got = len(_drain(pulls[0], 200))
        push.disable_monitor()
        _close(mon, pulls[0], push)
        lost_runs.append(n - got)
    return ({"tries": len(lost_runs), "lost_per_try_of_6": lost_runs},
            any(lost > 0 for lost in lost_runs))


def _plain_greeting() -> bytes:
    return (b"\xff" + b"\x00" * 7 + b"\x01\x7f" + bytes([3, 1]) + b"PLAIN".ljust(20, b"\x00") +
            b"\x00" + b"\x00" * 31)


def _plain_server_error_body() -> str:
    """The body of the ERROR a libzmq PLAIN server sends when its ZAP handler answers 400."""
    ctx = zmq.Context()
    zap = ctx.socket(zmq.REP)
    zap.linger = 0
    zap.bind("inproc://zeromq.zap.01")
    srv = ctx.socket(zmq.PULL)
    srv.linger = 0
    srv.plain_server = True
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    hello = b"\x05HELLO\x05admin\x05guess"
    raw.sendall(_plain_greeting() + bytes([0x04, len(hello)]) + hello)
    request = zap.recv_multipart() if zap.poll(2000) else []
    if request:
        zap.send_multipart([request[0], request[1], b"400", b"no", b"", b""])
    data, _ = _read_until_eof(raw, 1.0)
    raw.close()
    srv.close()
    zap.close()
    ctx.term()
    frames = zmtp_bytes.parse_frames(data[64:]).frames if len(data) >= 64 else []
    return frames[0].body.hex() if frames else "none"


def _plain_client_verdict(error_body: bytes) -> str:
    """What a libzmq PLAIN client's monitor reports when its server answers HELLO with this
    ERROR body."""
    ctx = zmq.Context()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = ctx.socket(zmq.PUSH)
    cli.linger = 0
    mon = cli.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH |
                                 zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
    cli.plain_username = b"admin"
    cli.plain_password = b"guess"
    cli.connect("tcp://127.0.0.1:%d" % srv.getsockname()[1])
    conn, _ = srv.accept()
    conn.sendall(_plain_greeting())
    conn.settimeout(1.0)
    got = b""
    while len(got) < 64 + 2:
        got += conn.recv(4096)
    conn.sendall(bytes([0x04, len(error_body)]) + error_body)
    verdict = "nothing"
    if mon.poll(2000):
        ev = zmq.utils.monitor.recv_monitor_message(mon)
        verdict = "%s %d" % (zmq.Event(ev["event"]).name, ev["value"])
    conn.close()
    srv.close()
    cli.disable_monitor()
    mon.close(0)
    cli.close()
    ctx.term()
    return verdict


@probe("plain-error-command-prefix",
       "libzmq 4.3.4's PLAIN writes its ERROR command's name as the C literal \"\\x05ERROR\", "
       "which C reads as 0x5E 'RROR': a PLAIN server's ERROR is the bytes 5e 'RROR' 03 '400', and "
       "a PLAIN client takes only that form as ERROR (rfc 23's 05 'ERROR' is an unexpected "
       "command to it)")
def _plain_error_prefix():
    import zmq.utils.monitor  # noqa: F401  (the submodule, for recv_monitor_message)
    obs = {"server ERROR body": _plain_server_error_body(),
           "client given rfc ERROR": _plain_client_verdict(b"\x05ERROR\x03400"),
           "client given libzmq ERROR": _plain_client_verdict(b"\x5eRROR\x03400")}
    return obs, obs == {"server ERROR body": "5e52524f5203343030",
                        "client given rfc ERROR": "HANDSHAKE_FAILED_PROTOCOL 268435457",
                        "client given libzmq ERROR": "HANDSHAKE_FAILED_AUTH 400"}


def run_probe(name: str) -> dict:
    p = PROBES[name]
    observations, confirmed = p.run()
    return {"probe": name, "claim": p.claim, "libzmq": zmq.zmq_version(),
            "observations": observations, "confirmed": bool(confirmed)}


@probe("zmtp10-peer-served",
       "libzmq 4.3.4 still speaks ZMTP 1.0 (rfc 13): a raw peer that sends a 1.0 identity frame "
       "(length 1, flags 0) and then a 1.0 frame 'hello' to a bound PULL has the message "
       "delivered (zmtp_engine.cpp handshake_v1_0_unversioned)")
def _zmtp10_served():
    pull = _sock(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(zmtp_bytes.frame_v1(b"") + zmtp_bytes.frame_v1(b"hello"))
    got = _recv_within(pull, 1000, multipart=False)
    raw.close()
    _close(pull)
    obs = {"delivered": got.decode() if isinstance(got, bytes) else got}
    return obs, obs == {"delivered": "hello"}


@probe("zmtp20-socket-type-unchecked",
       "libzmq 4.3.4 does not check a ZMTP 2.0 peer's socket type byte (rfc 15 says it SHOULD): "
       "a raw 2.0 peer announcing PUB (0x01) to a bound PULL has its message delivered, while "
       "a raw 2.0 PUSH peer's message is delivered the same way")
def _zmtp20_type_unchecked():
    obs = {}
    for name, type_byte in (("PUB", 0x01), ("PUSH", 0x08)):
        pull = _sock(zmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        raw = socket.create_connection(("127.0.0.1", port))
        raw.sendall(zmtp_bytes.greeting_v2(type_byte) + zmtp_bytes.frame(b"")
                    + zmtp_bytes.frame(b"hello"))
        got = _recv_within(pull, 1000, multipart=False)
        raw.close()
        _close(pull)
        obs[name] = got.decode() if isinstance(got, bytes) else got
    return obs, obs == {"PUB": "hello", "PUSH": "hello"}


@probe("zmtp20-peer-of-plain-server-disconnected",
       "libzmq 4.3.4 refuses a ZMTP 2.0 peer of a socket with security (a PLAIN server) with "
       "ZMQ_EVENT_DISCONNECTED and no HANDSHAKE_FAILED_* event, and delivers nothing; with NULL "
       "the same peer's message is delivered and no HANDSHAKE_SUCCEEDED is reported")
def _zmtp20_plain_server():
    obs = {}
    names = {zmq.EVENT_ACCEPTED: "ACCEPTED", zmq.EVENT_DISCONNECTED: "DISCONNECTED",
             zmq.EVENT_HANDSHAKE_SUCCEEDED: "HANDSHAKE_SUCCEEDED",
             zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "HANDSHAKE_FAILED_PROTOCOL",
             zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "HANDSHAKE_FAILED_NO_DETAIL"}
    for name, plain_server in (("NULL", False), ("PLAIN server", True)):
        ctx = zmq.Context()  # its own: a PLAIN server's context is not shared with other probes
        pull = ctx.socket(zmq.PULL)
        pull.setsockopt(zmq.LINGER, 0)
        if plain_server:
            pull.setsockopt(zmq.PLAIN_SERVER, 1)
        ep = _inproc()
        pull.monitor(ep, zmq.EVENT_ALL)
        mon = ctx.socket(zmq.PAIR)
        mon.connect(ep)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        raw = socket.create_connection(("127.0.0.1", port))
        raw.sendall(zmtp_bytes.greeting_v2(0x08) + zmtp_bytes.frame(b"")
                    + zmtp_bytes.frame(b"hello"))
        got = _recv_within(pull, 1000, multipart=False)
        events = _events_within(mon, 0.5)
        raw.close()
        obs[name] = {"delivered": got.decode() if isinstance(got, bytes) else got,
                     "events": [names[e] for e in events if e in names]}
        ctx.destroy(linger=0)
    return obs, obs == {"PLAIN server": {"delivered": None, "events": ["ACCEPTED", "DISCONNECTED"]},
                        "NULL": {"delivered": "hello", "events": ["ACCEPTED"]}}


_DRAFT_SCATTER_GATHER_PEERS = r"""
import ctypes, json, struct
from draft_ctypes import lib, sock, opt, bind_any, GATHER, SCATTER, PAIR, RCVTIMEO
T = {"GATHER": GATHER, "SCATTER": SCATTER}
out = {}
n = 0
for binder, connecter in (("SCATTER", "GATHER"), ("GATHER", "SCATTER"), ("SCATTER", "SCATTER"), ("GATHER", "GATHER")):
    n += 1
    b, c = sock(T[binder]), sock(T[connecter])
    lib.zmq_socket_monitor(c, b"inproc://mon%d" % n, 0xFFFF)
    mon = sock(PAIR)
    opt(mon, RCVTIMEO, 1500)
    lib.zmq_connect(mon, b"inproc://mon%d" % n)
    lib.zmq_connect(c, bind_any(b))
    events, buf = [], ctypes.create_string_buffer(256)
    while True:
        size = lib.zmq_recv(mon, buf, 256, 0)
        if size < 0:
            break
        ev = struct.unpack("<H", buf.raw[:2])[0]
        lib.zmq_recv(mon, buf, 256, 0)
        events.append(ev)
        if ev in (0x1000, 0x200) or ev >= 0x800 and ev != 0x1000 and len(events) > 3:
            break
    delivered = None
    if "SCATTER" in (binder, connecter) and binder != connecter:
        scatter, gather = (b, c) if binder == "SCATTER" else (c, b)
        lib.zmq_send(scatter, b"x", 1, 0)
        opt(gather, RCVTIMEO, 1000)
        delivered = lib.zmq_recv(gather, buf, 256, 0) == 1
    out[binder + "<-" + connecter] = {"handshake": 0x1000 in events, "events": events, "delivered": delivered}
    for s in (mon, b, c):
        lib.zmq_close(s)
print(json.dumps(out))
"""


def _draft_libzmq():
    """The draft-enabled libzmq 4.3.4 that setup builds (engine/api/libzmq_suite/draft_libzmq.py),
    or the newest one in its cache; None when there is none."""
    import glob
    import subprocess
    tool = Path(__file__).resolve().parents[2] / "engine/api/libzmq_suite/draft_libzmq.py"
    if tool.exists():
        prefix = subprocess.run([sys.executable, str(tool), "--print-prefix", "--quiet"],
                                capture_output=True, text=True, timeout=3600).stdout.strip()
        if prefix:
            return Path(prefix) / "lib" / "libzmq.so.5"
    found = sorted(glob.glob(str(Path.home() / ".cache/zlab/libzmq-draft/*/lib/libzmq.so.5")))
    return Path(found[-1]) if found else None


def _draft_env(lib):
    """The environment of a draft probe's process: draft_ctypes (beside this file) loads the
    library named in ZLAB_DRAFT_LIBZMQ; zmtp_bytes comes from engine/wire."""
    import os
    here = Path(__file__).resolve().parent
    path = [str(here), str(here.parents[1] / "engine" / "wire"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "ZLAB_DRAFT_LIBZMQ": str(lib), "PYTHONPATH": os.pathsep.join(p for p in path if p)}


def _on_draft_libzmq(script, timeout_s=60):
    """Runs a draft probe's script (which imports draft_ctypes) on the draft-enabled libzmq in a
    process of its own (Debian's pyzmq has no draft API): (observation, the JSON it printed) or
    (observation with why, None)."""
    import subprocess
    lib = _draft_libzmq()
    if lib is None or not lib.exists():
        return {"library": None, "note": "no draft-enabled libzmq (./zlab setup builds it)"}, None
    proc = subprocess.run([sys.executable, "-c", script], env=_draft_env(lib),
                          capture_output=True, text=True, timeout=timeout_s)
    try:
        return {"library": str(lib)}, json.loads(proc.stdout)
    except ValueError:
        return {"library": str(lib), "exit status": proc.returncode,
                "stderr": proc.stderr[-400:]}, None


def _judged_on_draft_libzmq(script, confirmed):
    """A draft probe whose script prints its whole observation: (observation, confirmed(it))."""
    obs, got = _on_draft_libzmq(script)
    if got is None:
        return obs, False
    obs.update(got)
    return obs, confirmed(got)


@probe("draft-scatter-gather-peers",
       "libzmq 4.3.4 built with drafts pairs SCATTER with GATHER over tcp (handshake succeeds "
       "and a message arrives, whichever binds) and refuses SCATTER with SCATTER and GATHER "
       "with GATHER (no handshake), as RFC 49/37 have it and unlike the 4.3 page's tables")
def _draft_scatter_gather_peers():
    obs, pairs = _on_draft_libzmq(_DRAFT_SCATTER_GATHER_PEERS)
    if pairs is None:
        return obs, False
    obs["pairs"] = pairs
    ok = (pairs["SCATTER<-GATHER"]["handshake"] and pairs["SCATTER<-GATHER"]["delivered"]
          and pairs["GATHER<-SCATTER"]["handshake"] and pairs["GATHER<-SCATTER"]["delivered"]
          and not pairs["SCATTER<-SCATTER"]["handshake"]
          and not pairs["GATHER<-GATHER"]["handshake"])
    return obs, ok
# A DISH's ZMQ_EVENTS and send on the draft-enabled libzmq, alone and with a RADIO connected,
# in a process of its own (ctypes: Debian's pyzmq has no draft API).
_DRAFT_DISH_POLLOUT = r"""
import json, time
from draft_ctypes import lib, sock, bind_any, get_int, DISH, RADIO, EVENTS, DONTWAIT
def send(s):
    rc = lib.zmq_send(s, b"x", 1, DONTWAIT)
    return [rc, lib.zmq_errno()]
dish = sock(DISH)
out = {"alone": {"pollout": bool(get_int(dish, EVENTS) & 2), "send": send(dish)}}
lib.zmq_join(dish, b"g")
radio = sock(RADIO)
lib.zmq_connect(radio, bind_any(dish))
time.sleep(0.5)
out["with_radio"] = {"pollout": bool(get_int(dish, EVENTS) & 2), "send": send(dish)}
out["enotsup"] = 95
for s in (radio, dish):
    lib.zmq_close(s)
print(json.dumps(out))
"""


@probe("draft-dish-pollout",
       "libzmq 4.3.4 built with drafts: a DISH, which cannot send (zmq_send fails with ENOTSUP), "
       "still reports ZMQ_POLLOUT in ZMQ_EVENTS, alone and with a RADIO connected")
def _draft_dish_pollout():
    return _judged_on_draft_libzmq(_DRAFT_DISH_POLLOUT, lambda got: all(
        got[k]["pollout"] and got[k]["send"] == [-1, got["enotsup"]]
        for k in ("alone", "with_radio")))


def _free_port() -> int:
    with socket.socket() as free:  # a port nobody holds now
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


def _jeromq_agent():
    """The JeroMQ agent (conformance/agents), started; returns (process, req, free port) or
    (None, the build error, None)."""
    import subprocess
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))
    import impls
    try:
        spec = impls.agent_spec("jeromq")
    except impls.AgentBuildError as e:
        return None, str(e), None
    agent = subprocess.Popen(spec.split("=", 1)[1], shell=True, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

    def req(line):
        agent.stdin.write(line + "\n")
        agent.stdin.flush()
        return agent.stdout.readline().split()

    return agent, req, _free_port()


def _bursts_until_drop(req, send_burst, rx, hwm, max_bursts):
    """Bursts of `hwm` messages (`send_burst(k)` sends burst k back to back, in one request),
    each read from agent socket `rx` before the next is sent, until a message is missing at
    the end of a burst and has not come 2 s later (a drop), or `max_bursts` have gone through
    whole. A drop needs the sender to start a burst before its own I/O thread has returned the
    credit for the last one: with the burst in one request (no round trip per message) that
    is most bursts, but it stays a race, so it is tried until it shows, bounded.
    Returns {"bursts", "sent", "received", "late"}."""
    sent, received, late, bursts = 0, 0, 0, 0
    while bursts < max_bursts and received == sent:
        bursts += 1
        answer = send_burst(bursts)
        assert answer[:2] == ["ok", str(hwm)], answer  # a drop is silent: every send is taken
        sent += hwm
        for _ in range(hwm):
            if req(f"recv {rx} 2000")[0] != "ok":
                break
            received += 1
        while received < sent and req(f"recv {rx} 2000")[0] == "ok":  # late is not dropped
            received += 1
            late += 1
    return {"bursts": bursts, "sent": sent, "received": received, "late": late}


def _numbered(k):
    """A message of burst k: a 6-byte number, then a 1000-byte body."""
    return (b"%05d:" % k + b"p" * 1000).hex()


def _jeromq_stale_credit_run(router, hwm, max_bursts):
    """Over tcp, a JeroMQ PUB (ROUTER, without ZMQ_ROUTER_MANDATORY) with SNDHWM `hwm` sends
    bursts of `hwm` to a SUB (DEALER) with RCVHWM `hwm` that reads each burst before the next
    is sent. Returns the observation, and whether a message never arrived."""
    agent, req, port = _jeromq_agent()
    if agent is None:
        return {"agent": None, "note": req}, False
    peer = b"fast".hex()
    route = f"{peer} " if router else ""
    try:
        hello = req("hello")
        tx = req("socket ROUTER" if router else "socket PUB")[1]
        req(f"setint {tx} 23 {hwm}")  # ZMQ_SNDHWM
        req(f"bind {tx} tcp://127.0.0.1:{port}")
        rx = req("socket DEALER" if router else "socket SUB")[1]
        req(f"setint {rx} 24 {hwm}")  # ZMQ_RCVHWM
        req(f"setbytes {rx} 5 {peer}" if router else f"setbytes {rx} 6 -")  # ROUTING_ID, SUBSCRIBE
        req(f"connect {rx} tcp://127.0.0.1:{port}")
        through = False
        for _ in range(100):  # until the peer is routable (subscribed): a probe comes through
            req(f"send {tx} - {route}{b'probe'.hex()}")
            if req(f"recv {rx} 100")[0] == "ok":
                through = True
                break
        while req(f"recv {rx} 500")[0] == "ok":  # the probes still on their way
            pass
        run = _bursts_until_drop(req, lambda k: req(f"sendn {tx} - {hwm} {route}{_numbered(k)}"),
                                 rx, hwm, max_bursts)
        req("term")
    finally:
        agent.kill()
        agent.wait()
    obs = {"agent": " ".join(hello[1:3]), "peer reachable": through, "hwm": hwm,
           "bursts": run["bursts"], "sent": run["sent"],
           "received by the peer that reads each burst": run["received"],
           "of them late": run["late"]}
    return obs, through and run["received"] < run["sent"]


@probe("jeromq-stale-credit-drops",
       "JeroMQ 0.3.6 (Debian libjeromq-java, driven through conformance/agents' Java agent): "
       "over tcp a PUB with SNDHWM 4 drops messages for a SUB with RCVHWM 4 that reads each "
       "burst of 4 (sent back to back) before the next is sent (they never arrive, not even "
       "seconds later), as libzmq 4.3.4 does (hwm-stale-credit-drops)")
def _jeromq_stale_credit():
    return _jeromq_stale_credit_run(router=False, hwm=4, max_bursts=200)


@probe("jeromq-router-stale-credit-drops",
       "JeroMQ 0.3.6 (Debian libjeromq-java, driven through conformance/agents' Java agent): "
       "over tcp a ROUTER with SNDHWM 7 (no ZMQ_ROUTER_MANDATORY) drops messages for a DEALER "
       "that reads each burst of 7 (sent back to back) before the next is sent (they never "
       "arrive, not even seconds later), as libzmq 4.3.4 does (hwm-stale-credit-drops)")
def _jeromq_router_stale_credit():
    return _jeromq_stale_credit_run(router=True, hwm=7, max_bursts=200)


@probe("jeromq-nodrop-hwm-one",
       "JeroMQ 0.3.6 (Debian libjeromq-java, driven through conformance/agents' Java agent): "
       "an XPUB with ZMQ_XPUB_NODROP and SNDHWM 1 refuses every send with EAGAIN though its one "
       "subscriber (connected over tcp, its subscription read from the XPUB) has nothing queued, "
       "and ZMQ_EVENTS reports POLLOUT all the while; with SNDHWM 2, or without NODROP, the same "
       "sends are taken and arrive")
def _jeromq_nodrop_hwm_one():
    agent, req, port = _jeromq_agent()
    if agent is None:
        return {"agent": None, "note": req}, False

    def run(hwm, nodrop, ep):
        xpub = req("socket XPUB")[1]
        req(f"setint {xpub} 69 {nodrop}")  # ZMQ_XPUB_NODROP
        req(f"setint {xpub} 23 {hwm}")  # ZMQ_SNDHWM
        req(f"bind {xpub} {ep}")
        sub = req("socket SUB")[1]
        req(f"setbytes {sub} 6 -")  # ZMQ_SUBSCRIBE ""
        req(f"connect {sub} {ep}")
        subscribed = req(f"recv {xpub} 5000")[0] == "ok"  # the subscription is in
        refused, arrived, pollout = 0, 0, 0
        for j in range(5):  # each message read before the next is sent
            if req(f"send {xpub} d {(b'm%d' % j).hex()}")[0] != "ok":
                refused += 1
            if req(f"recv {sub} 1000")[0] == "ok":
                arrived += 1
            pollout += int(req(f"getint {xpub} 15")[1]) & 2 != 0  # ZMQ_EVENTS
        req("reset")
        return {"subscribed": subscribed, "refused": refused, "arrived": arrived,
                "pollout": pollout}

    try:
        hello = req("hello")
        ep = f"tcp://127.0.0.1:{port}"
        obs = {"agent": " ".join(hello[1:3]), "sends": 5,
               "nodrop hwm 1": run(1, 1, ep), "nodrop hwm 2": run(2, 1, ep),
               "hwm 1 without nodrop": run(1, 0, ep)}
        req("term")
    finally:
        agent.kill()
        agent.wait()
    one, two, lossy = obs["nodrop hwm 1"], obs["nodrop hwm 2"], obs["hwm 1 without nodrop"]
    ok = (all(r["subscribed"] for r in (one, two, lossy)) and one["refused"] == 5
          and one["arrived"] == 0 and one["pollout"] == 5 and two["arrived"] == 5
          and lossy["arrived"] == 5)
    return obs, ok


@probe("jeromq-req-takes-any-peers-reply",
       "JeroMQ 0.3.6 (Debian libjeromq-java, driven through conformance/agents' Java agent): "
       "a REQ connected to two ROUTERs over tcp hands its application a reply-shaped message "
       "from the ROUTER its request did not go to (sent before the real answer, once the REQ "
       "shows POLLIN); libzmq 4.3.4's REQ discards it (EAGAIN) and takes the real answer")
def _jeromq_req_takes_any_peers_reply():
    agent, req, port = _jeromq_agent()
    if agent is None:
        return {"agent": None, "note": req}, False
    port2 = _free_port()  # a second port

    def await_pollin(s):  # ZMQ_EVENTS has POLLIN within 5 s
        for _ in range(500):
            if int(req(f"getint {s} 15")[1]) & 1:
                return True
            time.sleep(0.01)
        return False

    try:
        hello = req("hello")
        rq = req("socket REQ")[1]
        req(f"setbytes {rq} 5 {b'req'.hex()}")  # ZMQ_ROUTING_ID
        routers = []
        for p in (port, port2):
            r = req("socket ROUTER")[1]
            req(f"bind {r} tcp://127.0.0.1:{p}")
            req(f"connect {rq} tcp://127.0.0.1:{p}")
            routers.append(r)
        time.sleep(0.5)  # both connections up
        req(f"send {rq} - {b'q'.hex()}")
        deadline = time.time() + 5
        target = None
        while target is None and time.time() < deadline:  # the ROUTER the request went to
            target = next((i for i, r in enumerate(routers)
                           if int(req(f"getint {r} 15")[1]) & 1), None)
        obs = {"agent": " ".join(hello[1:3]), "request seen": target is not None}
        if target is not None:
            while req(f"recv {routers[target]} 0")[1] == "1":  # the request, all its parts
                pass
            req(f"send {routers[1 - target]} - {b'req'.hex()} - {b'fake'.hex()}")
            obs["REQ POLLIN after the fake"] = await_pollin(rq)
            early = req(f"recv {rq} 0")
            obs["read before the answer was sent"] = (bytes.fromhex(early[2]).decode()
                                                      if early[0] == "ok" else early[1])
        req("term")
    finally:
        agent.kill()
        agent.wait()
    ok = obs.get("REQ POLLIN after the fake") and obs["read before the answer was sent"] == "fake"
    return obs, bool(ok)


def _jeromq_push_trial(req, k=3, n=6):
    """A JeroMQ PUSH connected to k PULLs (each has had one message: all connections up)
    disconnects from the last and sends n; returns how many reached the k-1 others, or None
    when the connections did not come up."""
    push = req("socket PUSH")[1]
    pulls, eps = [], []
    for _ in range(k):
        pull = req("socket PULL")[1]
        ep = f"tcp://127.0.0.1:{_free_port()}"
        req(f"bind {pull} {ep}")
        req(f"connect {push} {ep}")
        pulls.append(pull)
        eps.append(ep)
    for _ in range(k):
        req(f"send {push} - {b'w'.hex()}")
    up = all(req(f"recv {pull} 5000")[0] == "ok" for pull in pulls)
    req(f"disconnect {push} {eps[-1]}")
    for j in range(n):
        req(f"send {push} - {(b'%d' % j).hex()}")
    got = 0
    for pull in pulls[:-1]:
        while req(f"recv {pull} 500")[0] == "ok":
            got += 1
    req("reset")
    return got if up else None


def _libzmq_push_trial(k=3, n=6):
    """_jeromq_push_trial's steps on the installed libzmq (the control)."""
    push = _sock(zmq.PUSH)
    pulls = [_sock(zmq.PULL) for _ in range(k)]
    eps = [f"tcp://127.0.0.1:{p.bind_to_random_port('tcp://127.0.0.1')}" for p in pulls]
    for ep in eps:
        push.connect(ep)
    for _ in range(k):
        push.send(b"w")
    up = all(_recv_within(p, 5000) is not None for p in pulls)
    push.disconnect(eps[-1])
    for j in range(n):
        push.send(b"%d" % j, zmq.DONTWAIT)
    got = sum(len(_drain(p, 500)) for p in pulls[:-1])
    _close(*pulls, push)
    return got if up else None


@probe("jeromq-push-disconnect-lags",
       "JeroMQ 0.3.6 (Debian libjeromq-java, driven through conformance/agents' Java agent): a "
       "PUSH connected over tcp to 3 PULLs that disconnect()s from one and then sends 6 "
       "messages can still round-robin some of them to the node it disconnected, lost (a race: "
       "tried until a trial loses one); libzmq 4.3.4's PUSH, the same steps, loses none")
def _jeromq_push_disconnect_lags():
    agent, req, _ = _jeromq_agent()
    if agent is None:
        return {"agent": None, "note": req}, False
    arrived = []  # of 6, per trial: about one trial in two or three loses on a quiet machine
    try:
        hello = req("hello")
        while len(arrived) < 40 and all(a == 6 for a in arrived):
            arrived.append(_jeromq_push_trial(req))
        req("term")
    finally:
        agent.kill()
        agent.wait()
    control = [_libzmq_push_trial() for _ in range(5)]
    obs = {"agent": " ".join(hello[1:3]), "trials": len(arrived),
           "arrived of 6 at the 2 PULLs left, per trial": arrived,
           "libzmq 4.3.4, the same steps": control}
    ok = (None not in arrived and min(arrived) < 6
          and control == [6] * len(control))
    return obs, ok


# A raw ZMTP 3.1 peer (engine/wire/zmtp_bytes.py) to a bound DISH and,
# as the control, to a bound RADIO of the draft-enabled libzmq: after the handshake it sends a
# PING (the socket should answer PONG and carry on), or answers the socket's own PING (the
# socket has ZMQ_HEARTBEAT_IVL 100 ms) with a PONG. Reports, per case, whether a PONG came
# back and whether the socket closed the connection within 1 s.
_DRAFT_DISH_HEARTBEAT = r"""
import ctypes, json, socket, time
import zmtp_bytes
from draft_ctypes import lib, sock, opt, bind_any, port_of, DISH, RADIO, HEARTBEAT_IVL, HEARTBEAT_TIMEOUT
def read_for(raw, seconds):
    raw.settimeout(0.05)
    data, end = b"", time.time() + seconds
    while time.time() < end:
        try:
            chunk = raw.recv(4096)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False
def session(kind, peer, answer_pings):
    s = sock(kind, linger_ms=-1)
    if answer_pings:  # PINGs every 100 ms; one PONG keeps the connection for 5 s
        opt(s, HEARTBEAT_IVL, 100)
        opt(s, HEARTBEAT_TIMEOUT, 5000)
    if kind == DISH:
        lib.zmq_join(s, b"g")
    raw = socket.create_connection(("127.0.0.1", port_of(bind_any(s))))
    raw.sendall(zmtp_bytes.null_handshake(peer))
    data, closed = read_for(raw, 0.3)
    if answer_pings:  # the socket's first PING, answered with its context
        end = time.time() + 2
        while not closed and not zmtp_bytes.parse_stream(data).has_command("PING") and time.time() < end:
            more, closed = read_for(raw, 0.1)
            data += more
        pinged = zmtp_bytes.parse_stream(data).has_command("PING")
        if not closed:
            raw.sendall(zmtp_bytes.pong())
    else:
        raw.sendall(zmtp_bytes.ping(0, b"c"))
    more, closed2 = read_for(raw, 1.0)
    raw.close()
    lib.zmq_close(s)
    if answer_pings:  # did the socket PING (its heartbeat is on), and did it close?
        return {"PINGed": pinged, "closed": closed or closed2}
    return {"PONG": zmtp_bytes.parse_stream(data + more).has_command("PONG"), "closed": closed or closed2}
out = {
    "DISH gets a PING": session(DISH, b"RADIO", False),
    "DISH gets a PONG to its PING": session(DISH, b"RADIO", True),
    "RADIO gets a PING": session(RADIO, b"DISH", False),
    "RADIO gets a PONG to its PING": session(RADIO, b"DISH", True),
}
print(json.dumps(out))
"""


@probe("draft-dish-closes-on-heartbeat",
       "libzmq 4.3.4 built with drafts: a DISH closes the connection when a PING or a PONG "
       "arrives (its session takes every incoming frame for a group frame and fails on a "
       "command without MORE), so heartbeats end a RADIO-DISH connection; a RADIO answers the "
       "same PING with PONG and keeps the connection")
def _draft_dish_heartbeat():
    obs, got = _on_draft_libzmq(_DRAFT_DISH_HEARTBEAT)
    if got is None:
        return obs, False
    obs.update(got)
    ok = (got["DISH gets a PING"]["closed"]
          and got["DISH gets a PONG to its PING"] == {"PINGed": True, "closed": True}
          and got["RADIO gets a PING"] == {"PONG": True, "closed": False}
          and got["RADIO gets a PONG to its PING"] == {"PINGed": True, "closed": False})
    return obs, ok


# RADIO to DISH over tcp on the draft-enabled libzmq, SNDHWM 1 and RCVHWM 1, the DISH reading
# each message before the next is sent (ctypes: Debian's pyzmq has no draft API).
_DRAFT_RADIO_STALE_CREDIT = r"""
import ctypes, json, time
from draft_ctypes import lib, sock, opt, bind_any, RADIO, DISH, SNDHWM, RCVHWM, RCVTIMEO, DONTWAIT
radio, dish = sock(RADIO), sock(DISH)
opt(radio, SNDHWM, 1)
opt(dish, RCVHWM, 1)
opt(dish, RCVTIMEO, 50)  # read before the next send, or it is lost
lib.zmq_join(dish, b"g")
lib.zmq_connect(radio, bind_any(dish))
time.sleep(0.3)  # the connection and the JOIN are through
buf = ctypes.create_string_buffer(2048)
def send(body):
    msg = ctypes.create_string_buffer(64)
    lib.zmq_msg_init_size(msg, len(body))
    ctypes.memmove(lib.zmq_msg_data(msg), body, len(body))
    lib.zmq_msg_set_group(msg, b"g")
    return lib.zmq_msg_send(msg, radio, DONTWAIT)  # a RADIO never blocks
missed, n = 0, 60
for j in range(n):
    send(b"%d:" % j + b"p" * 1000)
    if lib.zmq_recv(dish, buf, 2048, 0) < 0:
        missed += 1
lib.zmq_close(radio); lib.zmq_close(dish)
print(json.dumps({"sent": n, "missed_by_a_dish_that_keeps_up": missed}))
"""


@probe("draft-radio-stale-credit-drops",
       "libzmq 4.3.4 built with drafts: over tcp a RADIO with SNDHWM 1 drops messages for a DISH "
       "with RCVHWM 1 that reads every message before the next is sent, as a PUB does for such a "
       "SUB (hwm-stale-credit-drops)")
def _draft_radio_stale_credit():
    obs, got = _on_draft_libzmq(_DRAFT_RADIO_STALE_CREDIT)
    if got is None:
        return obs, False
    return {**obs, **got}, got["missed_by_a_dish_that_keeps_up"] > 0


# zmq_msg_set_group on the draft-enabled libzmq (engine/api/libzmq_suite/draft_libzmq.py), in a
# process of its own: through ctypes, as Debian's pyzmq has no draft API.
_DRAFT_MSG_GROUP = r"""
import ctypes, json
from draft_ctypes import lib
msg = ctypes.create_string_buffer(64)
assert lib.zmq_msg_init(msg) == 0
kept = {}
for n in (255, 256, 300):
    rc = lib.zmq_msg_set_group(msg, b"g" * n)
    kept[str(n)] = [rc, len(lib.zmq_msg_group(msg))]
print(json.dumps(kept))
"""


@probe("draft-msg-group-truncated",
       "libzmq 4.3.4 built with drafts: zmq_msg_set_group takes a group of 256 or 300 bytes "
       "(returns 0) and keeps its first 255 (ZMQ_GROUP_MAX_LENGTH), with no error")
def _draft_msg_group_truncated():
    obs, kept = _on_draft_libzmq(_DRAFT_MSG_GROUP, timeout_s=30)
    if kept is None:
        return obs, False
    obs["set_group(n bytes) -> rc, length kept"] = kept
    return obs, kept == {"255": [0, 255], "256": [0, 255], "300": [0, 255]}


# RADIO/DISH over udp:// at their edges on the draft-enabled libzmq, in a process of its own
# (ctypes: Debian's pyzmq has no draft API). Three observations: a DISH's udp bind on a port
# another socket holds; the datagram a RADIO sends for a 9000-byte body (libzmq's buffer is
# 8192 bytes); what a DISH delivers of a 9000-byte datagram.
_UDP_EDGES = r"""
import ctypes, json, socket, time
from draft_ctypes import lib, sock, opt, free_udp_port, RADIO, DISH, RCVTIMEO
def udp_sock(t):
    s = sock(t)
    opt(s, RCVTIMEO, 1000)
    return s
out = {}
# 1. a DISH's udp bind on a port another socket holds (no SO_REUSEADDR there)
holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); holder.bind(("127.0.0.1", 0))
p = holder.getsockname()[1]
dish = udp_sock(DISH)
rc = lib.zmq_bind(dish, b"udp://127.0.0.1:%d" % p)
lib.zmq_join(dish, b"g")
out["bind_taken_port"] = {"zmq_bind rc": rc}
lib.zmq_close(dish); holder.close()
# 2. a RADIO's message larger than one 8192-byte datagram, to a raw receiver
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx.bind(("127.0.0.1", 0)); rx.settimeout(1.5)
radio = udp_sock(RADIO)
lib.zmq_connect(radio, b"udp://127.0.0.1:%d" % rx.getsockname()[1])
time.sleep(0.3)
msg = ctypes.create_string_buffer(64)
lib.zmq_msg_init_size(msg, 9000)
ctypes.memset(lib.zmq_msg_data(msg), ord("x"), 9000)
lib.zmq_msg_set_group(msg, b"g")
rc = lib.zmq_msg_send(msg, radio, 0)
try:
    got = len(rx.recv(65536))
except socket.timeout:
    got = None
out["radio_9000_byte_body"] = {"zmq_msg_send rc": rc, "datagram bytes on the wire": got}
lib.zmq_close(radio); rx.close()
# 3. a 9000-byte datagram (group "g", 8998-byte body) to a DISH joined to "g"
p = free_udp_port()
dish = udp_sock(DISH)
assert lib.zmq_bind(dish, b"udp://127.0.0.1:%d" % p) == 0, "bind"
lib.zmq_join(dish, b"g")
time.sleep(0.3)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.sendto(b"\x01g" + b"y" * 8998, ("127.0.0.1", p))
msg = ctypes.create_string_buffer(64)
lib.zmq_msg_init(msg)
rc = lib.zmq_msg_recv(msg, dish, 0)
out["dish_9000_byte_datagram"] = {"zmq_msg_recv rc": rc,
                                  "body bytes delivered": lib.zmq_msg_size(msg) if rc >= 0 else None}
lib.zmq_close(dish); tx.close()
print(json.dumps(out))
"""
_udp_edges_seen = {}


def _udp_edges():
    """The _UDP_EDGES observations (run once per process), or ({...reason}, None)."""
    if "obs" not in _udp_edges_seen:
        obs, got = _on_draft_libzmq(_UDP_EDGES)
        _udp_edges_seen["obs"] = ({**obs, **got}, True) if got is not None else (obs, None)
    return _udp_edges_seen["obs"]


@probe("udp-bind-error-unreported",
       "libzmq 4.3.4 built with drafts: zmq_bind of a DISH to udp://127.0.0.1:P returns 0 while "
       "another socket holds P (the udp socket is bound later on the I/O thread, and its failure "
       "is not reported)")
def _udp_bind_error_unreported():
    obs, ran = _udp_edges()
    return obs, bool(ran) and obs["bind_taken_port"]["zmq_bind rc"] == 0


@probe("udp-oversized-message-sent",
       "libzmq 4.3.4 built with drafts: a RADIO's message with a 9000-byte body over udp is "
       "accepted (zmq_msg_send 9000) and goes out as one 9002-byte datagram, copied through its "
       "8192-byte buffer and past its end")
def _udp_oversized_message_sent():
    obs, ran = _udp_edges()
    seen = obs.get("radio_9000_byte_body", {})
    return obs, bool(ran) and seen == {"zmq_msg_send rc": 9000, "datagram bytes on the wire": 9002}


@probe("udp-long-datagram-truncated",
       "libzmq 4.3.4 built with drafts: a DISH receiving a 9000-byte datagram (group 'g', 8998-"
       "byte body) delivers a message of 8190 bytes: the datagram cut to its 8192-byte buffer")
def _udp_long_datagram_truncated():
    obs, ran = _udp_edges()
    seen = obs.get("dish_9000_byte_datagram", {})
    return obs, bool(ran) and seen == {"zmq_msg_recv rc": 8190, "body bytes delivered": 8190}


# zmq_socket_monitor_versioned with an event version the page does not define (3) and with 2,
# on the draft-enabled libzmq: what the call returns, and the events the monitor socket then
# gets while the socket binds and a peer connects (ctypes: Debian's pyzmq has no draft API).
_DRAFT_MONITOR_UNKNOWN_VERSION = r"""
import ctypes, json, time
from draft_ctypes import lib, sock, opt, bind_any, DEALER, PAIR, RCVTIMEO
out = {}
for version in (3, 2):
    s = sock(DEALER)
    ep = b"inproc://mon-v%d" % version
    rc = lib.zmq_socket_monitor_versioned(s, ep, 0xFFFF, version, 0)  # all v1 events, ZMQ_PAIR
    row = {"rc": rc, "errno": lib.zmq_errno() if rc != 0 else 0, "frames": 0}
    if rc == 0:
        mon = sock(PAIR)
        opt(mon, RCVTIMEO, 1000)
        lib.zmq_connect(mon, ep)
        peer = sock(DEALER)
        lib.zmq_connect(peer, bind_any(s))
        time.sleep(0.3)
        buf = ctypes.create_string_buffer(256)
        while lib.zmq_recv(mon, buf, 256, 0) >= 0:
            row["frames"] += 1
        for x in (peer, mon):
            lib.zmq_close(x)
    lib.zmq_close(s)
    out["version %d" % version] = row
print(json.dumps(out))
"""


@probe("draft-monitor-unknown-version-silent",
       "libzmq 4.3.4 built with drafts: zmq_socket_monitor_versioned with event_version 3 (the "
       "page defines 1 and 2) returns 0, and its monitor socket then gets nothing while the "
       "socket binds and a peer connects over tcp (with version 2 the same steps give events)")
def _draft_monitor_unknown_version_silent():
    obs, got = _on_draft_libzmq(_DRAFT_MONITOR_UNKNOWN_VERSION)
    if got is None:
        return obs, False
    obs.update(got)
    ok = (got["version 3"]["rc"] == 0 and got["version 3"]["frames"] == 0
          and got["version 2"]["rc"] == 0 and got["version 2"]["frames"] > 0)
    return obs, ok


# A draft socket served by the draft-enabled libzmq in a process of its own (ctypes: Debian's
# pyzmq has no draft API): argv socket type number, group to join ("" for none). It binds
# tcp://127.0.0.1:* (a free port the kernel picks, never a fixed one; the bind is checked) and
# prints "ready PORT"; its application reads (so that libzmq attaches new connections and a DISH
# sends them its JOINs) until its stdin closes.
_DRAFT_SERVE = r"""
import ctypes, sys, threading, time
from draft_ctypes import lib, sock, bind_any, port_of, DONTWAIT
s = sock(int(sys.argv[1]), linger_ms=-1)
if sys.argv[2]:
    lib.zmq_join(s, sys.argv[2].encode())
print("ready", port_of(bind_any(s)), flush=True)
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
buf = ctypes.create_string_buffer(256)
while not done.is_set():
    lib.zmq_recv(s, buf, 256, DONTWAIT)  # a RADIO's fails: it has no input
    time.sleep(0.01)
lib.zmq_close(s)
"""


def _serve_draft(lib, socket_type_number, group=""):
    """(process, port) of a _DRAFT_SERVE process, or (process, None) when its bind failed."""
    import subprocess
    proc = subprocess.Popen([sys.executable, "-c", _DRAFT_SERVE, str(socket_type_number), group],
                            env=_draft_env(lib), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    return proc, (int(line[1]) if line[:1] == ["ready"] else None)


@probe("draft-dish-closes-on-ping-pong",
       "libzmq 4.3.4 built with drafts: a DISH closes a RADIO's connection when a PING or a PONG "
       "arrives after the handshake (its session takes every frame for a group frame, commands "
       "included: dish_session_t::push_msg), while a RADIO message keeps it open (found by "
       "./zlab fuzz --against libzmq-draft --socket-type DISH)")
def _draft_dish_ping_pong():
    lib = _draft_libzmq()
    if lib is None or not lib.exists():
        return {"library": None, "note": "no draft-enabled libzmq (./zlab setup builds it)"}, False
    proc, port = _serve_draft(lib, 15, "g")  # ZMQ_DISH, joined to g
    obs = {"library": str(lib)}
    try:
        if port is None:
            return {**obs, "note": "the DISH did not bind"}, False
        for name, after in (("RADIO message to g", zmtp_bytes.radio_message(b"g", b"m")),
                            ("PING", zmtp_bytes.ping(0, b"c")),
                            ("PONG", zmtp_bytes.pong(b"c"))):
            raw = socket.create_connection(("127.0.0.1", port))
            raw.sendall(zmtp_bytes.null_handshake(b"RADIO"))
            seen, _ = _read_until_eof(raw, 0.3)  # its greeting, READY and JOIN g
            raw.sendall(after)
            data, eof = _read_until_eof(raw, 0.5)
            raw.close()
            obs[name] = {"joined": zmtp_bytes.parse_stream(seen).has_command("JOIN"),
                         "closed": eof, "PONG": zmtp_bytes.parse_stream(data).has_command("PONG")}
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    ok = (obs["RADIO message to g"] == {"joined": True, "closed": False, "PONG": False}
          and obs["PING"]["joined"] and obs["PING"]["closed"]
          and obs["PONG"] == {"joined": True, "closed": True, "PONG": False})
    return obs, ok


@probe("draft-radio-join-long-group-aborts",
       "libzmq 4.3.4 built with drafts: a JOIN command naming a group longer than 255 bytes, "
       "sent by any peer to a RADIO, aborts the RADIO's process (radio_session_t::push_msg: "
       "set_group fails with EINVAL under errno_assert, 'Invalid argument (src/radio.cpp:244)'); "
       "a JOIN of 255 bytes is taken (found by ./zlab fuzz --against libzmq-draft --socket-type "
       "RADIO, subscription/join-long-group)")
def _draft_radio_join_long_group():
    import subprocess
    lib = _draft_libzmq()
    if lib is None or not lib.exists():
        return {"library": None, "note": "no draft-enabled libzmq (./zlab setup builds it)"}, False
    obs = {"library": str(lib)}
    for length in (255, 256):
        proc, port = _serve_draft(lib, 14)  # ZMQ_RADIO
        try:
            if port is None:
                return {**obs, "note": "the RADIO did not bind"}, False
            raw = socket.create_connection(("127.0.0.1", port))
            raw.sendall(zmtp_bytes.null_handshake(b"DISH"))
            _read_until_eof(raw, 0.3)  # its greeting and READY
            raw.sendall(zmtp_bytes.join(b"G" * length))
            # A process that aborts closes its connection and exits: give both time (the
            # machine may be loaded); the 255-byte RADIO must still be there after it.
            _, closed = _read_until_eof(raw, 2.0)
            raw.close()
            try:
                proc.wait(timeout=2)
                alive = False
            except subprocess.TimeoutExpired:
                alive = True
        finally:
            if proc.poll() is None:
                proc.stdin.close()
            proc.wait(timeout=10)
            stderr = proc.stderr.read()
        obs[f"JOIN of {length} bytes"] = {"closed": closed, "process alive": alive,
                                          "exit status": proc.returncode,
                                          "stderr": stderr.strip()[-200:]}
    ok = (obs["JOIN of 255 bytes"]["process alive"]
          and not obs["JOIN of 255 bytes"]["closed"]
          and not obs["JOIN of 256 bytes"]["process alive"]
          and obs["JOIN of 256 bytes"]["exit status"] == -6
          and "radio.cpp" in obs["JOIN of 256 bytes"]["stderr"])
    return obs, ok


_DRAFT_DISH_LONE_FRAME = r"""
import ctypes, json, socket, time
from draft_ctypes import lib, sock, bind_any, port_of, DONTWAIT, DISH
import zmtp_bytes as z
buf = ctypes.create_string_buffer(256)


def pump(d, raw, seconds, state, until=None):
    # the DISH's application reads (DONTWAIT) while the raw RADIO reads what comes back
    end = time.time() + seconds
    while time.time() < end and not (until and until()):
        n = lib.zmq_recv(d, buf, 256, DONTWAIT)
        if n >= 0:
            state["delivered"].append(buf.raw[:n].decode())
        try:
            chunk = raw.recv(65536)
            state["closed"] |= chunk == b""
            state["got"] += chunk
        except BlockingIOError:
            pass
        except ConnectionResetError:
            state["closed"] = True
        time.sleep(0.005)


def run(lone, split):
    d = sock(DISH)
    lib.zmq_join(d, b"g")
    raw = socket.create_connection(("127.0.0.1", port_of(bind_any(d))))
    raw.setblocking(False)
    raw.sendall(z.null_handshake(b"RADIO"))
    state = {"delivered": [], "closed": False, "got": b""}
    pump(d, raw, 2.0, state, lambda: z.parse_stream(state["got"]).has_command("JOIN"))
    joined = z.parse_stream(state["got"]).has_command("JOIN")
    first = z.radio_message(b"g", b"m0")
    rest = z.frame(lone) + z.radio_message(b"g", b"m1") + z.radio_message(b"g", b"m2")
    if split:  # m0 read first; the lone frame and what follows in a later write
        raw.sendall(first)
        pump(d, raw, 0.3, state)
        raw.sendall(rest)
    else:
        raw.sendall(first + rest)
    pump(d, raw, 1.0, state)
    raw.close()
    lib.zmq_close(d)
    return {"joined": joined, "delivered": state["delivered"], "closed": state["closed"]}


print(json.dumps({f"lone {lone!r}, {'later write' if split else 'one write'}":
                  run(lone.encode(), split) for lone in ("bad:lone", "") for split in (False, True)}))
"""


@probe("draft-dish-lone-frame-drops-what-follows",
       "libzmq 4.3.4 built with drafts: a DISH that meets a lone frame (no MORE) where a RADIO's "
       "group part is due closes the connection and delivers none of the well-formed RADIO "
       "messages that followed it on that connection, whether they came in the same write or "
       "later; the message before it is delivered (found by ./zlab fuzz --against "
       "libzmq-draft,zlab --socket-type DISH, traffic/lone-frame)")
def _draft_dish_lone_frame():
    return _judged_on_draft_libzmq(_DRAFT_DISH_LONE_FRAME, lambda got: all(
        v == {"joined": True, "delivered": ["m0"], "closed": True} for v in got.values()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="probes to run")
    ap.add_argument("--list", action="store_true", help="list the probes and their claims")
    ap.add_argument("--all", action="store_true", help="run every probe")
    args = ap.parse_args(argv)
    if args.list:
        for p in PROBES.values():
            print(f"{p.name}: {p.claim}")
        return 0
    if zmq is None:
        print("pyzmq is not importable on this interpreter (Debian: python3-zmq)", file=sys.stderr)
        return 2
    names = list(PROBES) if args.all or not args.names else args.names
    unknown = [n for n in names if n not in PROBES]
    if unknown:
        print("unknown probe(s): " + ", ".join(unknown), file=sys.stderr)
        return 2
    ok = True
    for n in names:
        result = run_probe(n)
        ok &= result["confirmed"]
        print(json.dumps(result, indent=1))
    if zmq.zmq_version() != REFERENCE_VERSION:
        print(f"note: installed libzmq is {zmq.zmq_version()}, the register describes "
              f"{REFERENCE_VERSION}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
