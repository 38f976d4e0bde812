"""PLAIN handshake cases for the live fuzzer (`./zlab fuzz --mechanism PLAIN`, rfc 24 and 27).

The target is a PLAIN server whose ZAP handler knows one user (USER, PASSWORD); the fuzzer is
the client. Every case carries its own handshake (no NULL prefix): the greeting, HELLO, a
pause for the target's WELCOME, INITIATE, and the states walked are the server's:
`hello` (waiting for HELLO: credentials right and wrong, malformed, repeated, the wrong
command, a NULL or as-server greeting), `initiate` (waiting for INITIATE after WELCOME:
wrong or missing Socket-Type, lying metadata, READY or data instead, INITIATE sent early or
twice) and `plain-traffic` (after READY: a message and a PING).

CURVE cases need a CurveZMQ client in Python (crypto_box), which the project does not carry
yet; CURVE is fuzzed by the libFuzzer target curve_mechanism (fuzz/README.md).
"""

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
