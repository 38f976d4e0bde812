"""PLAIN handshake cases for the live fuzzer (`./zlab fuzz --mechanism PLAIN`, rfc 24 and 27).

The target is a PLAIN server whose ZAP handler knows one user (USER, PASSWORD); the fuzzer is
the client. Every case carries its own handshake (no NULL prefix): the greeting, HELLO, a
pause for the target's WELCOME, INITIATE, and the states walked are the server's:
`hello` (waiting for HELLO: credentials right and wrong, malformed, repeated, the wrong
command, a NULL or as-server greeting), `initiate` (waiting for INITIATE after WELCOME:
wrong or missing Socket-Type, lying metadata, READY or data instead, INITIATE sent early or
twice) and `plain-traffic` (after READY: a message and a PING).

`--mechanism CURVE` (make_curve) does the same for CURVE with a CurveZMQ client
(curve_client.py, PyNaCl): `curve-hello` (version, size, box, padding, server key, order),
`curve-initiate` (cookie, vouch, box, nonce, metadata, order) and `curve-traffic` (a sealed
message, a replay, a tampered box, a nonce going back, a frame in the clear, a sealed PING).
Segments that depend on the target's WELCOME are functions of the bytes received so far.
"""

import struct

import zmtp_bytes as z

USER, PASSWORD = b"admin", b"secret"
OPEN, CLOSE, CLOSE_ERROR = "open", "close", "close+ERROR"
ANY_CLOSE = {CLOSE, CLOSE_ERROR}
EVERYTHING = {OPEN, CLOSE, CLOSE_ERROR}
STATES = ["hello", "initiate", "plain-traffic"]
WELCOME_WAIT_S = 0.3  # the pause after HELLO: the target asks ZAP, then sends WELCOME


def hello(user=USER, password=PASSWORD):
    return z.command(b"HELLO", bytes([len(user)]) + user + bytes([len(password)]) + password)


def initiate(socket_type, extra=b""):
    return z.command(b"INITIATE", z.properties([(b"Socket-Type", socket_type)]) + extra)


def greeting():
    return z.greeting(b"PLAIN")


def handshake(claim):
    """A client's whole PLAIN handshake, as segments (bytes, pause after)."""
    return [(greeting() + hello(), WELCOME_WAIT_S), (initiate(claim), WELCOME_WAIT_S)]


def make(c, rng, claim, wrong, ok, bad):
    """Fills Case c (its number and rng given) with a PLAIN case."""
    c.prefix = False
    c.state = STATES[rng.randrange(len(STATES))]
    if c.state == "hello":
        return _hello(c, rng, claim)
    if c.state == "initiate":
        return _initiate(c, rng, claim, wrong, bad)
    return _traffic(c, rng, claim, ok)


def _hello(c, rng, claim):
    m = rng.choice(["ok", "bad-password", "unknown-user", "empty-credentials", "lying-length",
                    "truncated", "extra-bytes", "hello-twice", "welcome-instead",
                    "initiate-first", "null-greeting", "as-server"])
    c.mutation = m
    after = [(initiate(claim), WELCOME_WAIT_S)]
    c.expect = ANY_CLOSE
    if m == "ok":
        c.segments, c.expect = handshake(claim), {OPEN}
        c.why = "rfc 24: the right credentials, then INITIATE: the server answers READY"
    elif m in ("bad-password", "unknown-user", "empty-credentials"):
        user, password = {"bad-password": (USER, b"wrong"), "unknown-user": (b"mallory", PASSWORD),
                          "empty-credentials": (b"", b"")}[m]
        c.segments = [(greeting() + hello(user, password), WELCOME_WAIT_S)] + after
        c.why = "rfc 27: the ZAP handler refuses (400); the server does not go on"
    elif m == "lying-length":
        body = bytes([200]) + USER + bytes([len(PASSWORD)]) + PASSWORD
        c.segments = [(greeting() + z.command(b"HELLO", body), WELCOME_WAIT_S)]
        c.why = "rfc 24: a username longer than the command is a malformed HELLO"
    elif m == "truncated":
        h = z.command(b"HELLO", bytes([len(USER)]) + USER)
        c.segments = [(greeting() + h, WELCOME_WAIT_S)]
        c.why = "rfc 24: HELLO without a password field is malformed"
    elif m == "extra-bytes":
        h = z.command(b"HELLO", hello()[8:] + bytes(rng.randint(1, 8)))
        c.segments = [(greeting() + h, WELCOME_WAIT_S)] + after
        c.why = "rfc 24: bytes after the password make HELLO malformed"
    elif m == "hello-twice":
        c.segments = [(greeting() + hello(), WELCOME_WAIT_S), (hello(), WELCOME_WAIT_S)]
        c.why = "rfc 24: after WELCOME the server waits for INITIATE; a second HELLO is wrong"
    elif m == "welcome-instead":
        c.segments = [(greeting() + z.command(b"WELCOME"), WELCOME_WAIT_S)]
        c.why = "rfc 24: WELCOME is the server's command"
    elif m == "initiate-first":
        c.segments = [(greeting() + initiate(claim), WELCOME_WAIT_S)]
        c.why = "rfc 24: INITIATE before HELLO"
    elif m == "null-greeting":
        c.segments = [(z.greeting(b"NULL") + z.ready(claim), WELCOME_WAIT_S)]
        c.why = "rfc 23: the mechanisms of both greetings must match"
    else:
        c.segments = [(z.greeting(b"PLAIN", as_server=1) + hello(), WELCOME_WAIT_S)] + after
        c.expect = EVERYTHING
        c.why = ("rfc 23: both peers claim the server role; rfc 24 names one server, but what "
                 "a server does with a peer's as-server flag is not said")
    return c


def _initiate(c, rng, claim, wrong, bad):
    m = rng.choice(["wrong-type", "no-type", "lying-metadata", "ready-instead",
                    "data-before-initiate", "initiate-early", "initiate-twice",
                    "initiate-split"])
    c.mutation = m
    first = [(greeting() + hello(), WELCOME_WAIT_S)]
    c.expect = ANY_CLOSE
    if m == "wrong-type":
        c.segments = first + [(initiate(wrong), WELCOME_WAIT_S)]
        c.why = "rfc 23/24: an incompatible Socket-Type in INITIATE is refused"
    elif m == "no-type":
        c.segments = first + [(z.command(b"INITIATE"), WELCOME_WAIT_S)]
        c.expect = EVERYTHING
        c.why = ("rfc 23: 'The sender SHOULD specify the Socket-Type': refusing or accepting an "
                 "INITIATE without it both conform (div/security/plain-initiate-without-socket-type)")
    elif m == "lying-metadata":
        lie = z.raw_property(b"Identity", rng.choice([100, 2**31, 2**32 - 1]), b"abc")
        body = z.properties([(b"Socket-Type", claim)]) + lie
        c.segments = first + [(z.command(b"INITIATE", body), WELCOME_WAIT_S)]
        c.why = "rfc 23: a property value longer than the command is malformed metadata"
    elif m == "ready-instead":
        c.segments = first + [(z.ready(claim), WELCOME_WAIT_S)]
        c.why = "rfc 24: the client answers WELCOME with INITIATE, not READY"
    elif m == "data-before-initiate":
        c.segments = first + [(z.frame(bad), WELCOME_WAIT_S)]
        c.why = "rfc 23: no message before the handshake is done"
    elif m == "initiate-early":
        c.segments = [(greeting() + hello() + initiate(claim), WELCOME_WAIT_S)]
        c.expect = EVERYTHING
        c.why = ("rfc 24: the client sends INITIATE after WELCOME; a server may take an early "
                 "one once it has answered HELLO, or refuse it")
    elif m == "initiate-twice":
        c.segments = first + [(initiate(claim) + initiate(claim), WELCOME_WAIT_S)]
        c.expect = EVERYTHING
        c.why = ("after READY a second INITIATE is an unknown command: ignoring it or closing "
                 "both conform to rfc 23")
    else:
        i = initiate(claim)
        cut = rng.randrange(1, len(i))
        c.segments = first + [(i[:cut], 0.1), (i[cut:], WELCOME_WAIT_S)]
        c.expect = {OPEN}
        c.why = "rfc 23: a command may arrive in any number of pieces"
    return c


def _traffic(c, rng, claim, ok):
    c.mutation = rng.choice(["message", "ping"])
    if c.mutation == "message":
        c.segments = handshake(claim) + [(z.frame(ok), 0)]
        c.why = "rfc 24: after READY, messages travel in the clear"
    else:
        context = bytes(rng.randrange(256) for _ in range(rng.randint(0, 16)))
        c.segments = handshake(claim) + [(z.ping(0, context), 0)]
        c.pong = context
        c.why = "rfc 23: a PING after a PLAIN handshake is answered with its context"
    c.expect = {OPEN}
    return c


# --- CURVE (rfc 25/26; the target is a CURVE server that lets any client key in) ---------------

CURVE_STATES = ["curve-hello", "curve-initiate", "curve-traffic"]


def curve_flow(cl, claim, initiate=None, after=(), hello=None):
    """HELLO, then (once the target's WELCOME opened) INITIATE, then `after`: segments whose
    bytes are computed from what the target sent (callables of the received bytes)."""
    initiate = initiate or (lambda: cl.initiate(z.properties([(b"Socket-Type", claim)])))

    def second(received):
        return initiate() if cl.take_welcome(received) else b""
    return [(z.greeting(b"CURVE") + (hello or cl.hello()), WELCOME_WAIT_S),
            (second, WELCOME_WAIT_S)] + list(after)


def make_curve(c, rng, claim, wrong, ok, bad):
    import curve_client
    c.prefix = False
    c.state = CURVE_STATES[rng.randrange(len(CURVE_STATES))]
    cl = curve_client.CurveClient(rng)
    c.expect = ANY_CLOSE
    if c.state == "curve-hello":
        m = rng.choice(["ok", "bad-version", "short-hello", "bad-box", "nonzero-padding",
                        "wrong-server-key", "hello-twice", "initiate-first", "null-greeting"])
        c.mutation = m
        g = z.greeting(b"CURVE")
        if m == "ok":
            c.segments, c.expect = curve_flow(cl, claim), {OPEN}
            c.why = "rfc 26: HELLO, WELCOME, INITIATE, READY with valid boxes: the target is ready"
        elif m == "bad-version":
            c.segments = [(g + cl.hello(version=b"\x02\x00"), WELCOME_WAIT_S)]
            c.why = "rfc 26: HELLO's version is 1.0"
        elif m == "short-hello":
            h = cl.hello()
            c.segments = [(g + z.command(b"HELLO", h[8:-1]), WELCOME_WAIT_S)]
            c.why = "rfc 26: HELLO is 200 bytes"
        elif m == "bad-box":
            h = bytearray(cl.hello())
            h[rng.randrange(len(h) - 80, len(h))] ^= 1 << rng.randrange(8)
            c.segments = [(g + bytes(h), WELCOME_WAIT_S)]
            c.why = "rfc 26: a HELLO box that does not open (tampered) is refused"
        elif m == "nonzero-padding":
            pad = bytes(rng.randrange(256) for _ in range(72))
            c.segments = curve_flow(cl, claim, hello=cl.hello(padding=pad))
            c.expect = EVERYTHING
            c.why = ("rfc 26: the padding SHALL be zero and the server SHALL validate all fields: "
                     "zlab refuses it, libzmq 4.3.4 does not look (div/curve/hello-fields-unchecked)")
        elif m == "wrong-server-key":
            other = curve_client.CurveClient(rng, server_key=bytes(rng.randrange(256)
                                                                   for _ in range(32)))
            c.segments = [(g + other.hello(), WELCOME_WAIT_S)]
            c.why = "rfc 26: a HELLO boxed for another server key does not open"
        elif m == "hello-twice":
            c.segments = [(g + cl.hello(), WELCOME_WAIT_S), (cl.hello(), WELCOME_WAIT_S)]
            c.why = "rfc 26: after WELCOME the server waits for INITIATE"
        elif m == "initiate-first":
            c.segments = [(g + z.command(b"INITIATE", bytes(rng.randrange(256)
                                                             for _ in range(248))),
                           WELCOME_WAIT_S)]
            c.why = "rfc 26: INITIATE before HELLO"
        else:
            c.segments = [(z.greeting(b"NULL") + z.ready(claim), WELCOME_WAIT_S)]
            c.why = "rfc 23: the mechanisms of both greetings must match"
        return c
    if c.state == "curve-initiate":
        m = rng.choice(["bad-cookie", "bad-vouch-key", "vouch-wrong-server", "bad-box",
                        "nonce-not-growing", "wrong-type", "no-type", "lying-metadata",
                        "ready-instead", "data-before-initiate"])
        c.mutation = m
        meta = z.properties([(b"Socket-Type", claim)])
        junk = bytes(rng.randrange(256) for _ in range(32))
        if m == "bad-cookie":
            def init():
                cookie = bytearray(cl.cookie)
                cookie[rng.randrange(96)] ^= 1
                return cl.initiate(meta, cookie=bytes(cookie))
            c.why = "rfc 26: the cookie must come back unchanged"
        elif m == "bad-vouch-key":
            def init():
                return cl.initiate(meta, vouch_key=junk)
            c.why = "rfc 26: the vouch must be boxed with the client's long-term key"
        elif m == "vouch-wrong-server":
            def init():
                return cl.initiate(meta, vouch_server=junk)
            c.why = "rfc 26: the vouch names this server's long-term key"
        elif m == "bad-box":
            def init():
                i = bytearray(cl.initiate(meta))
                i[rng.randrange(len(i) - 40, len(i))] ^= 1
                return bytes(i)
            c.why = "rfc 26: an INITIATE box that does not open is refused"
        elif m == "nonce-not-growing":
            def init():
                return cl.initiate(meta, nonce=struct.pack("!Q", 1))  # HELLO's nonce again
            c.expect = EVERYTHING
            c.why = ("rfc 26: short nonces are not reused; whether a server checks INITIATE's "
                     "against HELLO's is not said")
        elif m == "wrong-type":
            def init():
                return cl.initiate(z.properties([(b"Socket-Type", wrong)]))
            c.why = "rfc 23: an incompatible Socket-Type is refused"
        elif m == "no-type":
            def init():
                return cl.initiate(b"")
            c.expect = EVERYTHING
            c.why = "rfc 23: 'The sender SHOULD specify the Socket-Type'"
        elif m == "lying-metadata":
            lie = z.raw_property(b"Identity", rng.choice([100, 2**31]), b"abc")

            def init():
                return cl.initiate(meta + lie)
            c.why = "rfc 23: a property value longer than the command is malformed metadata"
        elif m == "ready-instead":
            def init():
                return z.ready(claim)
            c.why = "rfc 26: the client answers WELCOME with INITIATE"
        else:
            def init():
                return z.frame(bad)
            c.why = "rfc 23: no message before the handshake is done"
        c.segments = curve_flow(cl, claim, init)
        return c
    m = rng.choice(["message", "replayed", "bad-box", "nonce-backwards", "plaintext-frame",
                    "ping"])
    c.mutation = m
    c.expect = ANY_CLOSE
    keep = {}

    def first_message(received):
        keep["nonce"] = struct.pack("!Q", cl.nonce)
        return cl.message(ok)
    if m == "message":
        after = [(first_message, 0)]
        c.expect = {OPEN}
        c.why = "rfc 26: a sealed MESSAGE after READY is delivered"
    elif m == "replayed":
        # A valid box under a nonce already used: never delivered (the `bad` marker).
        after = [(first_message, 0.1),
                 (lambda r: cl.message(bad, nonce=keep["nonce"]) if keep else b"", 0)]
        c.why = "rfc 26: a MESSAGE whose nonce does not grow (a replay) is refused"
    elif m == "bad-box":
        def tampered(received):
            b = bytearray(cl.message(bad))
            b[-1] ^= 1
            return bytes(b)
        after = [(tampered, 0)]
        c.why = "rfc 26: a MESSAGE box that does not open is refused"
    elif m == "nonce-backwards":
        after = [(lambda r: cl.message(ok), 0.1),
                 (lambda r: cl.message(bad, nonce=struct.pack("!Q", 2)), 0)]
        c.why = "rfc 26: a MESSAGE nonce lower than the last one is refused"
    elif m == "plaintext-frame":
        after = [(lambda r: z.frame(bad), 0)]
        c.why = "rfc 26: after READY everything travels in MESSAGE boxes"
    else:
        context = bytes(rng.randrange(256) for _ in range(rng.randint(0, 16)))
        after = [(lambda r: cl.ping(context), 0.5)]
        c.expect = {OPEN}
        c.curve_pong = (cl, context)
        c.why = "rfc 23/26: a sealed PING is answered with a sealed PONG"
    c.segments = curve_flow(cl, claim, after=after)
    return c
