"""The live fuzzing peer: walks the ZMTP state machine against any endpoint and, at each state,
sends a structure-aware or raw mutation; judges the target's reaction against what a conforming
endpoint does (fuzz/README.md).

Every case is a pure function of (seed, case number), so `--seed S --case K` replays it. A case
is a list of segments (bytes, then a pause) sent after an optional valid prefix (greeting and
READY, once the target's own READY has arrived), and an expectation: the reactions a
conforming endpoint may show (open, close, close after ERROR), a PONG it must send, data it
must never deliver. A second, well-behaved connection holds a sanity conversation (NULL
handshake, PING, PONG) before the first case and after every --sanity-every cases.
"""

import copy
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine" / "wire"))
sys.path.insert(0, str(ROOT / "dissector"))
import zmtp_bytes as z  # noqa: E402

sys.path.insert(0, str(ROOT / "fuzz"))
import mechanism_cases  # noqa: E402

# The peer the fuzzer claims for each target type, and a type the target must refuse.
PEER = {"PAIR": b"PAIR", "PUB": b"SUB", "SUB": b"PUB", "REQ": b"REP", "REP": b"REQ",
        "DEALER": b"ROUTER", "ROUTER": b"DEALER", "PULL": b"PUSH", "PUSH": b"PULL",
        "XPUB": b"SUB", "XSUB": b"PUB",
        # draft types (rfc 41, 48, 49, 51, 52): single-part; RADIO takes JOIN/LEAVE
        "SERVER": b"CLIENT", "CLIENT": b"SERVER", "RADIO": b"DISH", "DISH": b"RADIO",
        "GATHER": b"SCATTER", "SCATTER": b"GATHER", "PEER": b"PEER", "CHANNEL": b"CHANNEL"}
DISH_GROUP = b"g"  # the group the simulator's DISH joins (sim_fuzz_main.cc)
WRONG = {"PULL": b"PUB", "PUB": b"PUSH"}
OPEN, CLOSE, CLOSE_ERROR = "open", "close", "close+ERROR"
ANY_CLOSE = {CLOSE, CLOSE_ERROR}
EVERYTHING = {OPEN, CLOSE, CLOSE_ERROR}
GONE = ("unreachable", "no-handshake")  # no conversation: a replay can learn nothing
STATES = ["greeting", "handshake", "traffic", "subscription", "heartbeat", "close", "raw"]


@dataclass
class Case:
    number: int
    state: str
    mutation: str
    segments: list                  # [(bytes, pause_s)]
    expect: set                     # allowed reactions
    prefix: bool = True             # send a valid greeting + READY first, wait for the target's
    pong: bytes = None              # a PONG with this context must come back
    radio: bool = False             # a RADIO target: the prefix joins DISH_GROUP, and what it
                                    # publishes must be of groups the fuzzer joined (_radio_reasons)
    why: str = ""                   # the rule the expectation comes from


@dataclass
class Outcome:
    reaction: str = OPEN
    got: bytes = b""
    conversation: list = field(default_factory=list)  # [(0 = fuzzer / 1 = target, bytes)]
    reached: set = field(default_factory=set)
    note: str = ""


# --- case generation -----------------------------------------------------------------------------

def _marker(kind, number):
    return f"{kind}:{number}:".encode()


def _splits(data, rng):
    """data cut at 1..4 random places, each piece sent with a short pause."""
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(1, 4))))
    pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
    return [(p, 0.01) for p in pieces]


def make_case(seed, number, socket_type, mechanism="NULL"):
    rng = random.Random(seed * 1_000_003 + number)
    state = STATES[rng.randrange(len(STATES))]
    claim = PEER[socket_type]
    wrong = WRONG.get(socket_type, b"PULL")
    ok, bad = _marker("ok", number), _marker("bad", number)
    valid_first = z.null_handshake(claim)
    c = Case(number, state, "", [], {OPEN}, radio=socket_type == "RADIO")
    if mechanism == "PLAIN":  # the target is a PLAIN server: its handshake states
        return mechanism_cases.make(c, rng, claim, wrong, ok, bad)
    if mechanism == "CURVE":
        return mechanism_cases.make_curve(c, rng, claim, wrong, ok, bad)
    if state == "greeting":
        c.prefix = False
        m = rng.choice(["split", "v30", "future-minor", "as-server", "padding", "signature",
                        "v20", "mechanism-plain", "mechanism-garbage", "truncated-stall"])
        c.mutation = m
        if m == "split":
            c.segments = _splits(valid_first, rng)
            c.why = "rfc 23: a greeting may arrive in any number of pieces"
        elif m in ("v30", "future-minor"):
            c.segments = [(z.greeting(minor=0 if m == "v30" else 9) + z.ready(claim), 0)]
            c.why = "rfc 23: a 3.x peer with another minor version is accepted"
        elif m == "as-server":
            c.segments = [(z.greeting(as_server=1) + z.ready(claim), 0)]
            c.why = "rfc 23: NULL ignores as-server"
        elif m == "padding":
            c.segments = [(z.greeting(padding=bytes(rng.randrange(256) for _ in range(8)))
                           + z.ready(claim), 0)]
            c.why = "rfc 23: the signature padding is not significant"
        elif m == "signature":
            g = bytearray(z.greeting())
            if rng.randrange(2):
                g[9] = rng.randrange(0, 256, 2)  # bit 0 clear: not a ZMTP 3 signature
                c.expect = ANY_CLOSE
                c.why = "rfc 23: signature byte 9 is 0x7F; with bit 0 clear it is no ZMTP 3 peer"
            else:
                g[0] = rng.randrange(0, 255)  # a ZMTP 1.0 length byte: libzmq may speak 1.0
                c.expect = EVERYTHING
                c.why = "byte 0 is not 0xFF: a ZMTP 1.0 peer, which an endpoint may refuse or serve"
            c.segments = [(bytes(g), 0)]
        elif m == "v20":
            c.segments, c.expect = [(z.greeting_v2(5), 0)], ANY_CLOSE
            c.why = "ZMTP 2.0 peer: zlab and libzmq 4.3 without ZMTP 2 compatibility close"
            c.expect = EVERYTHING  # libzmq speaks ZMTP 2.0 back: either is conforming
        elif m == "mechanism-plain":
            c.segments, c.expect = [(z.greeting(b"PLAIN") + z.ready(claim), 0)], ANY_CLOSE
            c.why = "rfc 23: mechanisms must match"
        elif m == "mechanism-garbage":
            c.segments, c.expect = [(z.greeting(bytes([rng.randrange(1, 256)]) * 4), 0)], ANY_CLOSE
            c.why = "rfc 23: the mechanism is printable ASCII, NUL-padded"
        else:
            c.segments = [(valid_first[:rng.randrange(1, 64)], 0.3)]
            c.why = "an incomplete greeting keeps the connection waiting (handshake timer aside)"
        return c
    if state == "handshake":
        c.prefix = False
        g = z.greeting()
        m = rng.choice(["wrong-type", "no-type", "metadata-lies", "metadata-empty-name",
                        "extra-properties", "big-property", "data-before-ready",
                        "unknown-before-ready", "ready-twice", "ready-split",
                        "ready-then-ping"])
        c.mutation = m
        if m == "wrong-type":
            c.segments, c.expect = [(g + z.ready(wrong), 0)], ANY_CLOSE
            c.why = "rfc 23: an incompatible Socket-Type is refused"
        elif m == "no-type":
            c.segments, c.expect = [(g + z.command(b"READY"), 0)], ANY_CLOSE
            c.why = "rfc 23: READY carries Socket-Type"
        elif m == "metadata-lies":
            lie = z.raw_property(b"Identity", rng.choice([100, 2**31, 2**32 - 1]), b"abc")
            c.segments, c.expect = [(g + z.command(b"READY", z.prop(b"Socket-Type", claim)
                                                   + lie), 0)], ANY_CLOSE
            c.why = "rfc 23: a property longer than the command is malformed"
        elif m == "metadata-empty-name":
            c.segments, c.expect = [(g + z.command(b"READY", z.prop(b"", b"x")
                                                   + z.prop(b"Socket-Type", claim)), 0)], ANY_CLOSE
            c.why = "rfc 23: a property name has 1..255 characters"
        elif m == "extra-properties":
            props = [(b"X-" + bytes(rng.choice(b"abcdef") for _ in range(rng.randint(1, 30))),
                      os.urandom(0) + bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))))
                     for _ in range(rng.randint(1, 5))]
            c.segments = [(g + z.command(b"READY", z.properties([(b"Socket-Type", claim)] + props)),
                           0)]
            c.why = "rfc 23: unknown properties are allowed"
        elif m == "big-property":
            c.segments = [(g + z.command(b"READY", z.prop(b"Socket-Type", claim)
                                         + z.prop(b"X-Big", b"v" * rng.choice([300, 5000]))), 0)]
            c.why = "rfc 23: a long READY uses the long frame form"
        elif m == "data-before-ready":
            c.segments, c.expect = [(g + z.frame(bad + b"early"), 0)], ANY_CLOSE
            c.why = "rfc 23: the handshake comes before any message"
        elif m == "unknown-before-ready":
            c.segments, c.expect = [(g + z.command(b"HELLO", b"x"), 0)], ANY_CLOSE
            c.why = "rfc 23: NULL expects READY"
        elif m == "ready-twice":
            c.segments, c.expect = [(g + z.ready(claim) + z.ready(claim), 0)], EVERYTHING
            c.why = "a second READY: rfc 23 says nothing; closing or ignoring both conform"
        elif m == "ready-then-ping":
            ctx = b"p%d" % number
            c.segments, c.pong = [(g + z.ready(claim) + z.ping(0, ctx), 0)], ctx
            c.why = "rfc 37: a PING right after READY (one segment) is answered with PONG"
        else:
            c.segments = _splits(g + z.ready(claim), rng)
            c.why = "rfc 23: bytes may arrive split anywhere"
        return c
    if state == "traffic":
        m = rng.choice(["message", "multipart", "long-form-small", "reserved-flags",
                        "more-on-command", "unknown-command", "truncated-stall", "empty-frames",
                        "lying-long-size", "command-in-multipart"])
        c.mutation = m
        if socket_type == "REQ":  # the messages below lack the empty delimiter: malformed replies
            ok = bad
        if m == "message" and socket_type == "DISH":
            body = ok + bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
            c.segments = [(z.radio_message(rng.choice([DISH_GROUP, b"other"]), body), 0)]
            c.why = "rfc 48: a RADIO message (group, then body) to a DISH"
        elif m == "message":
            c.segments = [(z.frame(ok + bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))), 0)]
            c.why = "a valid message"
        elif m == "multipart" and socket_type == "DISH":
            # rfc 37/48: a RADIO message is a group part, then one body part; with more parts
            # it is malformed: never delivered, closing or dropping both conform (as lone-frame)
            n = rng.randint(2, 6)
            mark = ok if n == 2 else bad
            c.segments = [(z.message(DISH_GROUP, *[mark + b"%d" % i for i in range(1, n)]), 0)]
            c.why = "rfc 48: a RADIO message (group, then body) to a DISH"
            if n > 2:
                c.expect = EVERYTHING
                c.why = ("rfc 37/48: a RADIO message of more than a group part and a body part "
                         "is malformed: never delivered; closing or dropping it both conform")
        elif m == "multipart":
            c.segments = [(z.message(*[ok + b"%d" % i for i in range(rng.randint(2, 6))]), 0)]
            c.why = "a valid multipart message"
        elif m == "long-form-small" and socket_type == "DISH":  # a RADIO message: group, body
            c.segments = [(z.raw_frame(1, DISH_GROUP, long_form=True)
                           + z.raw_frame(0, ok + b"long", long_form=True), 0)]
            c.why = "rfc 23/48: a small frame may use the long size form (a RADIO message)"
        elif m == "long-form-small":
            c.segments = [(z.raw_frame(0, ok + b"long", long_form=True), 0)]
            c.why = "rfc 23: a small frame may use the long size form"
        elif m == "reserved-flags":
            flag = rng.choice([0x08, 0x10, 0x20, 0x40, 0x80])
            c.segments = [(z.raw_frame(flag, bad + b"flags"), 0)]
            c.expect = EVERYTHING
            c.why = "rfc 23: reserved bits 'shall be zero'; the receiver's reaction is not said"
        elif m == "more-on-command":
            c.segments, c.expect = [(z.raw_frame(0x05, b"\x04PING\x00\x00"), 0)], EVERYTHING
            c.why = "rfc 23: a command is one frame; the reaction to MORE on it is not said"
        elif m == "unknown-command":
            c.segments, c.expect = [(z.command(b"FOOBAR", b"zz"), 0)], EVERYTHING
            c.why = "an unknown command: ignoring it or closing both conform to rfc 23"
        elif m == "truncated-stall":
            f = z.frame(bad + b"x" * rng.randint(1, 200))
            c.segments = [(f[:rng.randrange(1, len(f))], 0.3)]
            c.why = "a frame cut short is never delivered and keeps the connection waiting"
        elif m == "empty-frames" and socket_type == "DISH":
            # A RADIO message with an empty group and body (valid), then a lone frame where a
            # group frame is due: not a radio-dish-message (rfc 37: group-part with MORE, then
            # body-part), and it has no group to attach (rfc 48: a DISH "SHALL attach the group
            # to the message"), so it is never delivered; rfc 37 lets a peer close on malformed
            # input and has thread-safe sockets discard bad messages: closing (libzmq's DISH
            # session fails the connection, EFAULT) or dropping it both conform.
            c.mutation = "lone-frame"
            c.segments = [(z.radio_message(b"", b"") + z.frame(bad + b"lone"), 0)]
            c.expect = EVERYTHING
            c.why = ("rfc 37/48: a lone frame where a RADIO's group frame is due is malformed: "
                     "never delivered; closing or dropping it both conform")
        elif m == "empty-frames":  # (to a REQ a reply: the empty delimiter, then two parts)
            c.segments = [(z.message(b"", b"", _marker("ok", number)), 0)]
            c.why = "empty frames are valid"
        elif m == "lying-long-size":
            c.segments = [(z.raw_frame_header(0, rng.choice([2**40, 2**62, 2**63 - 1]), True)
                           + bad, 0.3)]
            c.expect = EVERYTHING
            c.why = "a huge announced size: wait or refuse (ZMQ_MAXMSGSIZE -1), never deliver"
        else:
            c.segments = [(z.frame(ok + b"a", more=True) + z.ping(0, b"c") + z.frame(ok + b"b"), 0)]
            c.expect = EVERYTHING
            c.why = "rfc 37 is silent on a command between the frames of a message"
        if socket_type == "REQ" and m in ("message", "multipart", "long-form-small"):
            c.expect = EVERYTHING
            c.why = ("rfc 28: a reply without the empty delimiter is malformed for a REQ: never "
                     "delivered; closing or dropping it both conform "
                     "(div/REQ/malformed-reply-drops-connection)")
        return c
    if state == "subscription" and socket_type == "RADIO":
        group = bytes(rng.randrange(256) for _ in range(rng.randint(0, 15)))
        m = rng.choice(["join", "join-leave", "leave-unknown", "join-twice", "join-long-group"])
        c.mutation = m
        c.segments = [({"join": z.join(group), "join-leave": z.join(group) + z.leave(group),
                        "leave-unknown": z.leave(group), "join-twice": z.join(group) * 2,
                        "join-long-group": z.join(b"G" * rng.randint(256, 300))}[m], 0.05)]
        c.expect = EVERYTHING if m == "join-long-group" else {OPEN}
        c.why = ("rfc 48: a group has at most 255 bytes; refusing or ignoring a longer one "
                 "both conform" if m == "join-long-group" else "rfc 48: JOIN/LEAVE to a RADIO")
        return c
    if state == "subscription":
        topic = bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
        m = rng.choice(["subscribe", "cancel", "cancel-unknown", "subscribe-v30", "empty-topic"])
        c.mutation = m
        seg = {"subscribe": z.subscribe(topic), "cancel": z.subscribe(topic) + z.cancel(topic),
               "cancel-unknown": z.cancel(topic), "subscribe-v30": z.subscribe_v30(topic),
               "empty-topic": z.subscribe(b"")}[m]
        c.segments = [(seg, 0.05)]
        c.expect = {OPEN} if socket_type in ("PUB", "XPUB") else EVERYTHING
        c.why = "rfc 29/37: subscriptions to a publisher are valid"
        return c
    if state == "heartbeat":
        m = rng.choice(["ping", "ping-long-context", "ping-truncated", "pong-unsolicited",
                        "ping-ttl"])
        c.mutation = m
        ctx = bytes(rng.randrange(256) for _ in range(rng.randint(0, 16)))
        if m == "ping":
            c.segments, c.pong = [(z.ping(0, ctx), 0)], ctx
            c.why = "rfc 37: PING is answered with PONG and its context"
        elif m == "ping-ttl":
            # A TTL (tenths of a second) longer than any case's watch (3 s in the simulator
            # under faults): within it the target may close a silent peer, as rfc 37 allows.
            c.segments, c.pong = [(z.ping(rng.randint(40, 600), ctx), 0)], ctx
            c.why = "rfc 37: PING is answered with PONG and its context"
        elif m == "ping-long-context":
            long_ctx = ctx + b"L" * (17 - len(ctx) + rng.randint(0, 20))
            c.segments, c.expect = [(z.ping(0, long_ctx), 0)], EVERYTHING
            c.why = "rfc 37 allows 16 context bytes: answering or closing both conform"
        elif m == "ping-truncated":
            c.segments, c.expect = [(z.command(b"PING", b"\x00"), 0)], EVERYTHING
            c.why = "a PING without its TTL is malformed"
        else:
            c.segments = [(z.pong(ctx), 0)]
            c.why = "rfc 37: an unsolicited PONG is harmless"
        return c
    if state == "close":
        m = rng.choice(["close-mid-frame", "close-after-message", "close-mid-greeting"])
        c.mutation = m
        if m == "close-mid-greeting":
            c.prefix = False
            c.segments = [(valid_first[:rng.randrange(1, 64)], 0)]
        elif m == "close-mid-frame":
            f = z.frame(bad + b"y" * 50)
            c.segments = [(f[:rng.randrange(1, len(f))], 0)]
        else:  # to a REQ a reply without its delimiter: malformed, never delivered
            c.segments = [(z.frame((bad if socket_type == "REQ" else ok) + b"bye"), 0)]
        c.expect = EVERYTHING
        c.why = "the peer closes: a partial frame is never delivered"
        return c
    # raw byte mutation of a whole valid conversation
    c.prefix = False
    data = bytearray(valid_first + z.frame(_marker("raw", number) + b"m") + z.ping(0, b"r"))
    for _ in range(rng.randint(1, 4)):
        op, at = rng.randrange(3), rng.randrange(len(data))
        if op == 0:
            data[at] = rng.randrange(256)
        elif op == 1:
            data.insert(at, rng.randrange(256))
        else:
            del data[at]
    c.mutation, c.segments, c.expect = "bytes", [(bytes(data), 0.1)], EVERYTHING
    c.why = "raw mutation: only the crash, hang and delivery oracles apply"
    return c


# --- running a case ------------------------------------------------------------------------------

class Peer:
    """How the fuzzer reaches the target: connect to it, or accept its connections."""

    def __init__(self, endpoint, listen):
        self.endpoint, self.listen = endpoint, listen
        self.server = None
        if endpoint.startswith("tcp://"):
            host, port = endpoint[6:].rsplit(":", 1)
            self.family, self.addr = socket.AF_INET, (host.strip("[]"), int(port))
        elif endpoint.startswith("ipc://"):
            self.family, self.addr = socket.AF_UNIX, endpoint[6:]
        else:
            raise SystemExit(f"zlab fuzz: unsupported endpoint '{endpoint}' (tcp:// or ipc://)")
        if listen:
            self.server = socket.socket(self.family, socket.SOCK_STREAM)
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.server.bind(self.addr)
            self.server.listen(8)

    def open(self, timeout_s=5.0):
        if self.server:
            self.server.settimeout(timeout_s)
            s, _ = self.server.accept()
        else:
            s = socket.socket(self.family, socket.SOCK_STREAM)
            s.settimeout(timeout_s)
            s.connect(self.addr)
        if self.family == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s


def _read(s, until, window_s, out):
    """Reads into out (a list of (1, bytes)) until EOF, until(data) or window_s; True on EOF."""
    deadline = time.monotonic() + window_s
    data = b"".join(b for _, b in out)
    while time.monotonic() < deadline:
        s.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not chunk:
            return True
        out.append((1, chunk))
        data += chunk
        if until and until(data):
            return False
    return False


def _ready_seen(data):
    return z.parse_stream(data).has_command("READY")


WINDOW_S = 0.3  # how long a case watches for the target's reaction (--window-ms)


def run_case(peer, case, socket_type, segments=None):
    """Plays one case; returns its Outcome. `segments` overrides the case's (minimising)."""
    o = Outcome()
    segments = case.segments if segments is None else segments
    try:
        s = peer.open()
    except OSError as e:
        o.reaction, o.note = "unreachable", (
            f"the target did not connect again within 5 s ({e})" if peer.listen else str(e))
        return o
    received = []
    eof = False
    try:
        if case.prefix:
            first = z.null_handshake(PEER[socket_type])
            s.sendall(first)
            o.conversation.append((0, first))
            eof = _read(s, _ready_seen, 3.0, received)
            if not _ready_seen(b"".join(b for _, b in received)):
                o.reaction, o.note = "no-handshake", "the target never sent READY to a valid peer"
                return o
            if case.radio:  # after its READY: libzmq closes at a command in READY's read
                s.sendall(z.join(DISH_GROUP))  # the target publishes to it (target.py)
                o.conversation.append((0, z.join(DISH_GROUP)))
        for data, pause in segments:
            if eof:
                break
            if callable(data):  # bytes that depend on what the target sent (CURVE's WELCOME)
                data = data(b"".join(b for _, b in received))
            if not data:
                continue
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                eof = True
                break
            o.conversation.append((0, data))
            if pause:
                eof = _read(s, None, pause, received) or eof
        if not eof:
            want_pong = (lambda d: _pong_seen(d, case.pong)) if case.pong is not None else None
            window = 1.0 if case.expect == ANY_CLOSE else WINDOW_S
            if case.pong is not None:
                window = max(window, 2.0)  # returns as soon as the PONG is in
            eof = _read(s, want_pong, window, received)
            if not eof and case.expect == ANY_CLOSE:
                eof = _read(s, None, 1.0, received)
    finally:
        s.close()
    o.conversation += received
    o.got = b"".join(b for _, b in received)
    o.reached = _reached(case, o.got)
    refused = z.parse_stream(o.got).has_command("ERROR")
    o.reaction = (CLOSE_ERROR if refused else CLOSE) if eof else OPEN
    return o


def _reached(case, got):
    """The milestones the target's bytes `got` show (the report's "reached" counts)."""
    stream = z.parse_stream(got)
    return {name for name, seen in (
        ("target-greeting", bool(stream.greeting)),
        ("target-ready", stream.has_command("READY")),
        ("pong", stream.has_command("PONG")),
        ("radio-message", case.radio and any(
            g == DISH_GROUP for g, _ in _radio_messages(stream.frames)[0]))) if seen}


def _curve_sanity(s, socket_type, received):
    """A CURVE handshake and a sealed PING on socket s; True when the sealed PONG came."""
    import curve_client
    cl = curve_client.CurveClient(random.Random(0))
    flow = mechanism_cases.curve_flow(cl, PEER[socket_type])
    s.sendall(flow[0][0])
    _read(s, lambda d: z.parse_stream(d).has_command("WELCOME"), 3.0, received)
    s.sendall(flow[1][0](b"".join(b for _, b in received)) or b"")
    _read(s, _ready_seen, 3.0, received)  # CURVE's READY is a command named READY too
    s.sendall(cl.ping(b"sanity"))
    _read(s, lambda d: cl.pong_seen(d, b"sanity"), 3.0, received)
    return cl.pong_seen(b"".join(b for _, b in received), b"sanity")


def _pong_seen(data, context):
    return any(f.command_name == "PONG" and f.command_data == context
               for f in z.parse_stream(data).frames)


def sanity(peer, socket_type, attempts=5, mechanism="NULL"):
    """A well-behaved conversation: NULL (or PLAIN) handshake, PING, PONG. None when it worked."""
    why = ""
    for _ in range(attempts):
        try:
            s = peer.open(timeout_s=3.0)
        except OSError as e:
            why = f"cannot connect: {e}"
            time.sleep(0.2)
            continue
        received = []
        try:
            # The PING waits for the target's READY: libzmq 4.3.4 drops a connection whose
            # PING arrives in the same read as its READY (see the "ready-then-ping" case).
            if mechanism == "PLAIN":
                first, then = mechanism_cases.handshake(PEER[socket_type])
                s.sendall(first[0])
                _read(s, lambda d: z.parse_stream(d).has_command("WELCOME"), 3.0, received)
                s.sendall(then[0])
            elif mechanism == "CURVE":
                if _curve_sanity(s, socket_type, received):
                    return None
                why = "no sealed PONG to a well-behaved CURVE peer's PING"
                continue
            else:
                s.sendall(z.null_handshake(PEER[socket_type]))
            _read(s, _ready_seen, 3.0, received)
            s.sendall(z.ping(0, b"sanity"))
            _read(s, lambda d: _pong_seen(d, b"sanity"), 3.0, received)
        except OSError:
            pass
        finally:
            s.close()
        if _pong_seen(b"".join(b for _, b in received), b"sanity"):
            return None
        why = "no PONG to a well-behaved peer's PING"
        time.sleep(0.2)  # a PAIR may still hold the previous connection
    return why


# --- findings, minimising, captures ----------------------------------------------------------------

def judge(case, o, delivered):
    """The reasons this outcome deviates from a conforming endpoint's (empty: none)."""
    reasons = []
    if o.reaction in GONE:
        return [f"{o.reaction}: {o.note}"]
    if o.reaction not in case.expect:
        reasons.append(f"reaction {o.reaction}, expected {' or '.join(sorted(case.expect))}")
    if case.pong is not None and o.reaction == OPEN and not _pong_seen(o.got, case.pong):
        reasons.append("no PONG with the PING's context")
    curve_pong = getattr(case, "curve_pong", None)
    if curve_pong and o.reaction == OPEN and not curve_pong[0].pong_seen(o.got, curve_pong[1]):
        reasons.append("no sealed PONG with the PING's context")
    bad = [m for m in delivered if any(b"bad:" in bytes.fromhex(f) for f in m)]
    if bad:
        reasons.append(f"delivered a malformed message to the application: {bad[0]}")
    if case.radio:
        reasons += _radio_reasons(o)
    commands = _command_bodies(o.conversation)
    leaked = [m for m in delivered if any(bytes.fromhex(f) in commands for f in m)]
    if leaked:
        reasons.append(f"delivered a command to the application as a message: {leaked[0]}")
    return reasons


def _radio_messages(frames):
    """([(group, body)], broken) from a RADIO's frames after its READY: rfc 37's
    radio-dish-message is a group part (MORE) then a body part; `broken` counts the others."""
    messages, broken, i = [], 0, 0
    frames = [f for f in frames if not f.command]
    while i < len(frames):
        if frames[i].more and i + 1 < len(frames) and not frames[i + 1].more:
            messages.append((frames[i].body, frames[i + 1].body))
            i += 2
        elif frames[i].more and i + 1 == len(frames):
            break  # its body is still on the way (the case ended first)
        else:
            broken += 1
            i += 1
    return messages, broken


def _joined_groups(sent):
    """The groups of every JOIN command in the bytes the fuzzer sent (short or long form)."""
    groups, i = set(), sent.find(b"\x04JOIN")
    while i >= 0:
        if i >= 2 and sent[i - 2] == 0x04:
            groups.add(sent[i + 5:i + sent[i - 1]])
        elif i >= 9 and sent[i - 9] == 0x06:
            groups.add(sent[i + 5:i + struct.unpack("!Q", sent[i - 8:i])[0]])
        i = sent.find(b"\x04JOIN", i + 1)
    return groups


def _radio_reasons(o):
    """rfc 48/37: a RADIO sends a message only to a peer that joined its group (group matching
    at the RADIO over ZMTP), as a group part then a body part."""
    sent = b"".join(b for side, b in o.conversation if side == 0)
    joined = _joined_groups(sent)
    messages, broken = _radio_messages(z.parse_stream(o.got).frames)
    reasons = [f"a RADIO message of group {g!r}, which this peer never joined"
               for g in sorted({g for g, _ in messages} - joined)]
    if broken:
        reasons.append(f"{broken} RADIO frame(s) not in a group part then body part (rfc 37)")
    return reasons


def _command_bodies(conversation):
    """The bodies of the command frames the fuzzer sent (never application data)."""
    sent = b"".join(d for who, d in conversation if who == 0)
    stream = z.parse_stream(sent) if sent[:1] == b"\xff" else z.parse_frames(sent)
    return {f.body for f in stream.frames if f.command}


def ddmin(data, test):
    """Delta debugging (Zeller's ddmin, complements only): removes ever smaller chunks of data
    while test(smaller) holds; the result is 1-minimal when the tests ran out at chunk size 1."""
    n = 2
    while len(data) >= 2:
        chunk = -(-len(data) // n)
        for start in range(0, len(data), chunk):
            candidate = data[:start] + data[start + chunk:]
            if candidate and test(candidate):
                data, n = candidate, max(n - 1, 2)
                break
        else:
            if n >= len(data):
                break
            n = min(len(data), n * 2)
    return data


def _reason_kind(reason):
    """A finding's reason without its particulars ("delivered a malformed message ...: BYTES"
    stays the same reason when fewer bytes show it)."""
    return reason.split(":")[0].split(",")[0]


MINIMISE_BUDGET = 96  # replays a finding's minimising may spend (a 40-byte segment: ~70)


class Masked:
    """A segment computed from the target's replies (CURVE: INITIATE from its WELCOME, sealed
    MESSAGEs) with only some of its byte positions kept: every replay is a fresh handshake with
    fresh keys, so minimising removes positions of what the segment computes, not bytes."""

    def __init__(self, compute, kept=None):
        self.compute, self.kept, self.size = compute, kept, None

    def __call__(self, received):
        data = self.compute(received) or b""
        self.size = len(data)
        if self.kept is None:
            return data
        return bytes(data[i] for i in self.kept if i < len(data))


def minimise(peer, case, socket_type, reasons, budget=MINIMISE_BUDGET, target=None,
             reached=None):
    """A live finding minimised (minimise_by) by replays against the endpoint; `target` gives
    what the application received (for delivery findings)."""
    def replay(segments):
        o = run_case(peer, case, socket_type, segments)
        if target and o.reaction not in GONE:
            time.sleep(0.05)  # the target logs what its application received a little later
        return o, judge(case, o, target.delivered() if target else [])
    prefix = z.null_handshake(PEER[socket_type]) if case.prefix else b""
    return minimise_by(replay, case, reasons, prefix, budget, reached)[0]


def minimise_by(replay, case, reasons, prefix, budget=MINIMISE_BUDGET, reached=None):
    """Drops whole segments, then delta-debugs the bytes inside each remaining segment, while
    the same first reason still shows; at most `budget` replays. replay(segments) plays the
    case with those segments: (Outcome, reasons). A computed segment (CURVE) is minimised by
    the positions of its bytes it keeps (Masked); the result is then the bytes the last replay
    that still showed the finding sent (a fresh handshake's: the replay command reproduces).
    A replay counts only if it reached what the finding's run reached (`reached`: the target's
    greeting, READY): else a handshake cut to one byte "shows" a finding of reaction open.
    Returns (the minimised bytes, prefix included; the segments kept)."""
    segs = [(Masked(d) if callable(d) else d, pause) for d, pause in case.segments]
    computed = any(isinstance(d, Masked) for d, _ in segs)
    key = _reason_kind(reasons[0])
    left = [budget]
    shown = [None]  # what the fuzzer sent in the last replay that showed the finding

    def still(candidate):
        if left[0] <= 0:
            return False
        left[0] -= 1
        o, r = replay(candidate)
        if o.reaction in GONE:
            left[0] = 0  # the target serves no one now: nothing more to learn
            return False
        if reached and not set(reached) <= o.reached:
            return False
        if bool(r) and _reason_kind(r[0]) == key:
            shown[0] = b"".join(b for side, b in o.conversation if side == 0)
            return True
        return False
    if computed and not still(segs):
        return b"", segs  # not shown again: the replay command is the reproduction
    for i in range(len(segs) - 1, -1, -1):
        if len(segs) == 1:
            break
        trial = segs[:i] + segs[i + 1:]
        if still(trial):
            segs = trial
    for i, (data, pause) in enumerate(segs):
        if isinstance(data, Masked):
            if data.size is None and not still(segs):
                continue  # not computed yet, and the finding no longer shows
            if data.size is None:
                continue
            rebuilt = lambda kept: segs[:i] + [(Masked(data.compute, kept), pause)] + segs[i + 1:]
            kept = ddmin(list(range(data.size)), lambda k: still(rebuilt(k)))
            segs[i] = (Masked(data.compute, kept), pause)
        else:
            data = ddmin(data, lambda d: still(segs[:i] + [(d, pause)] + segs[i + 1:]))
            segs[i] = (data, pause)
    if computed:
        return shown[0] or b"", segs
    return prefix + b"".join(d for d, _ in segs), segs


class PcapngWriter:
    """pcapng: a section, one Ethernet interface, enhanced packets (microsecond stamps)."""

    def __init__(self):
        self.blocks = []
        self.t = 1_700_000_000_000_000

    @staticmethod
    def _block(kind, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", kind, n) + body + struct.pack("<I", n)

    def add(self, frame):
        self.t += 1000
        body = struct.pack("<IIIII", 0, self.t >> 32, self.t & 0xFFFFFFFF, len(frame),
                           len(frame)) + frame
        self.blocks.append(self._block(6, body))

    def write(self, path):
        shb = self._block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        idb = self._block(1, struct.pack("<HHI", 1, 0, 65535))
        Path(path).write_bytes(shb + idb + b"".join(self.blocks))


def write_pcapng(path, conversation, port):
    from zmtp_pcap import TcpStream
    w = PcapngWriter()
    tcp = TcpStream(w, 40000, port)
    for direction, data in conversation:
        tcp.send(TcpStream.CLIENT if direction == 0 else TcpStream.SERVER, data)
    tcp.close()
    w.write(path)


# --- a run ----------------------------------------------------------------------------------------

# The draft socket types: Debian's libzmq and zlab's stable build refuse them (EINVAL).
DRAFT_TYPES = {"SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "PEER", "CHANNEL"}


def target_library(impl, socket_type):
    """The folder whose libzmq.so.5 the target loads (None: Debian's libzmq): zlab's build (its
    draft build for a draft type) or the draft-enabled libzmq that setup builds."""
    draft = socket_type in DRAFT_TYPES
    if impl == "libzmq":
        if draft:
            raise SystemExit(f"zlab fuzz: {socket_type} is a draft type, which Debian's libzmq "
                             "is built without: use --against libzmq-draft")
        return None
    if impl == "libzmq-draft":
        # Its own process: the tool imports a module named `run`, as fuzz/libfuzzer has one.
        tool = ROOT / "engine" / "api" / "libzmq_suite" / "draft_libzmq.py"
        prefix = subprocess.run([sys.executable, str(tool), "--print-prefix"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip()
        return Path(prefix) / "lib"  # built into ~/.cache/zlab/libzmq-draft/ when missing
    if impl == "zlab":
        package = "engine/api/draft" if draft else "engine/api"
        lib = ROOT / "bazel-bin" / package
        if not (lib / "libzmq.so.5").exists():
            subprocess.run(["bazel", "build", f"//{package}:libzmq.so.5"], cwd=ROOT, check=True)
        return lib
    raise SystemExit(f"zlab fuzz: unknown implementation '{impl}' for --against "
                     "(libzmq, libzmq-draft, zlab)")


class Target:
    """A managed target process (target.py) on libzmq, the draft libzmq or zlab."""

    def __init__(self, impl, socket_type, workdir, mechanism="NULL"):
        self.impl = impl
        self.log = Path(workdir) / f"delivered-{impl}.jsonl"
        self.log.write_text("")
        env = dict(os.environ)
        lib = target_library(impl, socket_type)
        if lib is not None:
            env["LD_LIBRARY_PATH"] = str(lib)
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "fuzz" / "target.py"), "--socket-type", socket_type,
             "--bind", "tcp://127.0.0.1:*", "--log", str(self.log), "--mechanism", mechanism],
            stdout=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline().split()
        if len(line) != 2:
            raise SystemExit(f"zlab fuzz: the {impl} target did not start")
        self.endpoint = line[1]
        self.seen = 0

    def delivered(self):
        lines = self.log.read_text().splitlines()
        new, self.seen = lines[self.seen:], len(lines)
        return [json.loads(x) for x in new]

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def fuzz_one(args, endpoint, target=None, label=None):
    """Runs the cases against one endpoint; returns the run's record."""
    peer = Peer(endpoint, args.listen)
    socket_type = args.socket_type.upper()
    if socket_type not in PEER:
        raise SystemExit(f"zlab fuzz: --socket-type must be one of {', '.join(PEER)}")
    global WINDOW_S
    WINDOW_S = getattr(args, "window_ms", 300) / 1000
    label = label or args.name or endpoint
    out_dir = Path(args.out or ROOT / "out" / "fuzz") / "live" / label.replace("/", "_").replace(
        ":", "_")
    out_dir.mkdir(parents=True, exist_ok=True)
    numbers = [args.case] if args.case is not None else None
    budget = args.cases if args.cases is not None else (None if args.seconds else 200)
    start = time.monotonic()
    run = {"target": label, "endpoint": endpoint, "socket_type": socket_type, "seed": args.seed,
           "cases": [], "findings": [], "states": {}, "reached": {}}
    mechanism = getattr(args, "mechanism", "NULL")
    first_sanity = sanity(peer, socket_type, mechanism=mechanism)
    if first_sanity:
        run["findings"].append({"case": None, "reasons": [f"sanity before the run: {first_sanity}"]})
        return run
    n = 0
    while True:
        if numbers is not None:
            if n >= len(numbers):
                break
            number = numbers[n]
        else:
            if budget is not None and n >= budget:
                break
            if args.seconds and time.monotonic() - start > args.seconds:
                break
            number = n
        n += 1
        case = make_case(args.seed, number, socket_type, mechanism)
        o = run_case(peer, case, socket_type)
        delivered = target.delivered() if target else []
        if target and not target.alive():
            o.note = "the target process died"
        reasons = judge(case, o, delivered)
        if target and not target.alive():
            reasons.append(f"the target process exited ({target.proc.returncode})")
        key = f"{case.state}/{case.mutation}"
        run["states"][case.state] = run["states"].get(case.state, 0) + 1
        for r in o.reached:
            run["reached"][r] = run["reached"].get(r, 0) + 1
        run["cases"].append({"case": number, "state": case.state, "mutation": case.mutation,
                             "reaction": o.reaction, "expected": sorted(case.expect)})
        if (n % args.sanity_every == 0) and not reasons:
            why = sanity(peer, socket_type, mechanism=mechanism)
            if why:
                reasons.append(f"sanity after case {number}: {why}")
        if reasons:
            finding = record_finding(args, peer, case, o, reasons, socket_type, out_dir, label,
                                     endpoint, target)
            run["findings"].append(finding)
            if not args.quiet:
                print(f"zlab fuzz: FINDING case {number} {key}: {'; '.join(reasons)}\n"
                      f"  replay: {finding['replay']}", file=sys.stderr)
            if target and not target.alive():
                break
            if getattr(args, "stop_after", None) and len(run["findings"]) >= args.stop_after:
                break
            if o.reaction == "unreachable":
                break  # nothing more can be learnt from a target that is gone
        if not args.quiet and n % 25 == 0:
            print(f"zlab fuzz: {label}: {n} cases, {len(run['findings'])} findings, "
                  f"{time.monotonic() - start:.0f} s", file=sys.stderr)
    run["duration_s"] = round(time.monotonic() - start, 2)
    return run


def record_finding(args, peer, case, o, reasons, socket_type, out_dir, label, endpoint,
                   target=None):
    if args.against:
        replay = (f"./zlab fuzz --against {label} --socket-type {socket_type} --seed {args.seed} "
                  f"--case {case.number}")
    else:
        replay = (f"./zlab fuzz --target {endpoint}{' --listen' if args.listen else ''} "
                  f"--socket-type {socket_type} --seed {args.seed} --case {case.number}")
    if getattr(args, "mechanism", "NULL") != "NULL":
        replay += f" --mechanism {args.mechanism}"
    minimal = b""
    if o.reaction not in GONE and "sanity" not in reasons[0]:
        minimal = minimise(peer, case, socket_type, reasons, target=target, reached=o.reached)
    pcap = out_dir / f"case-{case.number}.pcapng"
    write_pcapng(pcap, o.conversation, 5555)
    return {"case": case.number, "state": case.state, "mutation": case.mutation,
            "reasons": reasons, "why_expected": case.why, "reaction": o.reaction,
            "expected": sorted(case.expect), "replay": replay, "minimised_hex": minimal.hex(),
            "pcapng": str(pcap)}


def differences(runs):
    """Cases whose reaction differs between the runs (same seed, same cases)."""
    if len(runs) < 2:
        return []
    by = [{c["case"]: c for c in r["cases"]} for r in runs]
    out = []
    for number in sorted(set(by[0]) & set(by[1])):
        a, b = by[0][number], by[1][number]
        if a["reaction"] != b["reaction"]:
            out.append({"case": number, "state": a["state"], "mutation": a["mutation"],
                        runs[0]["target"]: a["reaction"], runs[1]["target"]: b["reaction"],
                        "registered": _error_only(a["mutation"], a["reaction"], b["reaction"])})
    return out


def _error_only(mutation, a, b):
    """The divergence a difference that is only the ERROR before a close is registered as
    ("": another kind of difference, judged by reading the case)."""
    if {a, b} != {"close", "close+ERROR"}:
        return ""
    if mutation == "wrong-type":  # rfc 37's one SHOULD for ERROR
        return "div/general/incompatible-peer-no-error"
    return "div/general/malformed-input-closed-without-error"


def write_reports(args, runs, diffs):
    import report
    out = Path(args.out or ROOT / "out" / "fuzz")
    out.mkdir(parents=True, exist_ok=True)
    return report.write(out, runs, diffs)


def main(args):
    runs = []
    targets = []
    try:
        if args.against:
            workdir = Path(args.out or ROOT / "out" / "fuzz")
            workdir.mkdir(parents=True, exist_ok=True)
            for impl in args.against.split(","):
                t = Target(impl, args.socket_type.upper(), workdir,
                           getattr(args, "mechanism", "NULL"))
                targets.append(t)
                runs.append(fuzz_one(args, t.endpoint, t, label=impl))
        else:
            runs.append(fuzz_one(args, args.target))
    finally:
        for t in targets:
            t.stop()
    diffs = differences(runs)
    paths = write_reports(args, runs, diffs)
    for r in runs:
        print(f"zlab fuzz: {r['target']}: {len(r['cases'])} cases in {r.get('duration_s', 0)} s, "
              f"{len(r['findings'])} findings; states {r['states']}; reached {r['reached']}")
    for d in diffs:
        print(f"zlab fuzz: difference case {d['case']} {d['state']}/{d['mutation']}: "
              + ", ".join(f"{k} {v}" for k, v in d.items()
                          if k not in ("case", "state", "mutation") and v))
    print(f"zlab fuzz: reports: {', '.join(str(p) for p in paths)}")
    return 1 if any(r["findings"] for r in runs) else 0


# --- the simulator mode ---------------------------------------------------------------------------

def sim_binary():
    out = subprocess.run(["bazel", "build", "//fuzz/sim:sim_fuzz"], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("zlab fuzz: building //fuzz/sim:sim_fuzz failed:\n" + out.stderr[-2000:])
    return ROOT / "bazel-bin" / "fuzz" / "sim" / "sim_fuzz"


def _sim_play(command, cases, env=None):
    """Plays the cases in sim_fuzz; its output lines. Cases whose bytes are fixed go as one
    line each; a case with bytes computed from what the socket sent (CURVE's boxes) is played
    step by step, each segment made from the bytes the socket had sent by then."""
    if not any(callable(d) for c in cases for d, _ in c.segments):
        lines = "".join(f"{c.number} {int(c.prefix)} " + " ".join(
            f"{int(p * 1000)}:{d.hex()}" for d, p in c.segments) + "\n" for c in cases)
        return subprocess.run(command, input=lines, capture_output=True, text=True,
                              check=True, env=env).stdout
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env)

    def ask(line):
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        answer = proc.stdout.readline()
        if not answer:
            raise SystemExit(f"zlab fuzz: sim_fuzz stopped at '{line[:60]}'")
        return answer.split()

    out = []
    try:
        for c in cases:
            _, got, eof = ask(f"open {c.number} {int(c.prefix)}")
            for data, pause in c.segments:
                if eof == "1":
                    break
                received = b"" if got == "-" else bytes.fromhex(got)
                if callable(data):
                    data = data(received)
                _, got, eof = ask(f"seg {int(pause * 1000)} {data.hex() if data else '-'}")
                c.sent = getattr(c, "sent", []) + ([data] if data else [])
            out.append(" ".join(ask("close")))
    finally:
        proc.stdin.close()
        proc.wait()
    return "".join(line + "\n" for line in out)


def run_sim(args, binary=None):
    """The same cases against a zlab socket in the simulator: deterministic per seed, and so
    is the minimising of its findings (each replay is the case's own world, same seed)."""
    socket_type = args.socket_type.upper()
    if socket_type not in PEER:
        raise SystemExit(f"zlab fuzz: --socket-type must be one of {', '.join(PEER)}")
    mechanism = getattr(args, "mechanism", "NULL")
    numbers = [args.case] if args.case is not None else range(args.cases or 200)
    cases = [make_case(args.seed, n, socket_type, mechanism) for n in numbers]
    faults = getattr(args, "faults", None)
    sim = _Sim(binary or sim_binary(), socket_type, args.seed, mechanism, faults,
               getattr(args, "sim_plant", None))
    start = time.monotonic()
    out = sim.play(cases)
    elapsed = time.monotonic() - start
    calm = None
    if faults:  # the same cases without faults: a reaction must not depend on them
        calm = sim.play([make_case(args.seed, n, socket_type, mechanism) for n in numbers],
                        calm=True).splitlines()
    label = f"sim-{socket_type}" + (f"-{mechanism}" if mechanism != "NULL" else "") + (
        f"-{faults.replace(',', '+')}" if faults else "")
    out_dir = Path(args.out or ROOT / "out" / "fuzz") / "live" / label
    out_dir.mkdir(parents=True, exist_ok=True)
    run = {"target": label, "endpoint": "sim", "socket_type": socket_type, "seed": args.seed,
           "cases": [], "findings": [], "states": {}, "reached": {},
           "duration_s": round(elapsed, 3), "cases_per_second": round(len(cases) / elapsed, 1),
           "raw": out}
    for i, (c, line) in enumerate(zip(cases, out.splitlines())):
        o, reasons = sim.judge(c, line, calm[i] if calm else None)
        for name in o.reached:
            run["reached"][name] = run["reached"].get(name, 0) + 1
        run["states"][c.state] = run["states"].get(c.state, 0) + 1
        run["cases"].append({"case": c.number, "state": c.state, "mutation": c.mutation,
                             "reaction": o.reaction, "expected": sorted(c.expect)})
        if reasons:
            pcap = out_dir / f"case-{c.number}.pcapng"
            write_pcapng(pcap, o.conversation, 5555)
            fresh = make_case(args.seed, c.number, socket_type, mechanism)  # unplayed boxes
            minimal, _ = minimise_by(sim.replay(fresh), fresh, reasons, sim.prefix(c),
                                     reached=o.reached)
            run["findings"].append({
                "case": c.number, "state": c.state, "mutation": c.mutation, "reasons": reasons,
                "why_expected": c.why, "reaction": o.reaction, "expected": sorted(c.expect),
                "replay": f"./zlab fuzz --sim --socket-type {socket_type} --seed {args.seed} "
                          f"--case {c.number}" + (f" --faults {faults}" if faults else "")
                          + (f" --mechanism {mechanism}" if mechanism != "NULL" else ""),
                "whole_hex": b"".join(d for side, d in o.conversation if side == 0).hex(),
                "minimised_hex": minimal.hex(), "pcapng": str(pcap)})
    return run


class _Sim:
    """sim_fuzz for one socket type, seed, mechanism and faults: plays cases, judges a case's
    output line with the live oracles, and replays a case with other segments (minimising)."""

    def __init__(self, binary, socket_type, seed, mechanism, faults, plant):
        lossy = {"reset", "partition", "one_way_partition", "crash", "slow_consumer",
                 "late_bind"}
        if faults and set(faults.split(",")) & lossy:
            raise SystemExit("zlab fuzz: --faults takes faults that keep a connection up: "
                             "latency, bandwidth, small_buffers, split_io, loss, clock_drift")
        self.socket_type, self.faults = socket_type, faults
        self.command = [str(binary), socket_type, PEER[socket_type].decode(), str(seed)]
        arg = mechanism
        if mechanism == "CURVE":  # the server's secret is the one the fuzzer's client knows
            import curve_client
            arg = "CURVE:" + curve_client.SERVER_SECRET.hex()
        self.extra = ["-", arg] if mechanism != "NULL" else []  # faults, then the mechanism
        # plant (tests only): a defect planted in the simulated target (sim_fuzz_main.cc)
        self.env = dict(os.environ, ZLAB_SIM_FUZZ_PLANT=plant) if plant else None

    def play(self, cases, calm=False):
        if self.faults and not calm:
            return _sim_play(self.command + [self.faults] + self.extra[1:], cases, self.env)
        return _sim_play(self.command + self.extra, cases, self.env)

    def prefix(self, c, ready_seen=True):
        """What sim_fuzz sends before the case's segments (a RADIO's peer joins after READY)."""
        prefix = z.null_handshake(PEER[self.socket_type]) if c.prefix else b""
        return prefix + z.join(DISH_GROUP) if prefix and c.radio and ready_seen else prefix

    def judge(self, c, line, calm_line=None):
        """(Outcome, reasons) of a sim_fuzz output line; calm_line: the same case without
        faults, whose reaction must be the same."""
        _, reaction, got_hex, delivered = line.split(" ")
        o = Outcome(reaction=reaction, got=bytes.fromhex(got_hex))
        prefix = self.prefix(c, ready_seen=reaction != "no-handshake")
        sent = getattr(c, "sent", None) or [d for d, _ in c.segments if not callable(d)]
        o.conversation = ([(0, prefix)] if prefix else []) + [(0, d) for d in sent] + [
            (1, o.got)]
        o.reached = _reached(c, o.got)
        msgs = [] if delivered == "-" else [m.split(",") for m in delivered.split(";")]
        reasons = judge(c, o, msgs)
        if calm_line is not None and calm_line.split(" ")[1] != reaction:
            reasons.append(f"reaction {reaction} under faults {self.faults}, "
                           f"{calm_line.split(' ')[1]} without")
        return o, reasons

    def replay(self, case):
        """replay(segments) for minimise_by: the case in its own world with these segments
        (and, under faults, without them too)."""
        def run(segments):
            trials = []
            for calm in ([False, True] if self.faults else [False]):
                trial = copy.copy(case)  # keeps what a case carries beyond its fields
                trial.segments = segments
                trial.__dict__.pop("sent", None)
                trials.append((trial, self.play([trial], calm).splitlines()[0]))
            calm_line = trials[1][1] if self.faults else None
            return self.judge(trials[0][0], trials[0][1], calm_line)
        return run


def main_sim(args):
    runs = [run_sim(args)]
    paths = write_reports(args, [dict(r, raw=None) for r in runs], [])
    for r in runs:
        print(f"zlab fuzz: {r['target']}: {len(r['cases'])} cases in {r['duration_s']} s "
              f"({r['cases_per_second']} cases/s), {len(r['findings'])} findings; "
              f"states {r['states']}; reached {r['reached']}")
        for f in r["findings"]:
            print(f"zlab fuzz: FINDING case {f['case']} {f['state']}/{f['mutation']}: "
                  f"{'; '.join(f['reasons'])}\n  replay: {f['replay']}\n  minimised: "
                  f"{len(f['minimised_hex']) // 2} of {len(f['whole_hex']) // 2} bytes: "
                  f"{f['minimised_hex'][:160]}")
    print(f"zlab fuzz: reports: {', '.join(str(p) for p in paths)}")
    return 1 if any(r["findings"] for r in runs) else 0
