"""A CurveZMQ client (rfc 25/26 as libzmq 4.3.4 speaks it) for the live fuzzer's CURVE cases:
HELLO, WELCOME opened, INITIATE with the cookie and the vouch, READY opened, MESSAGE sealed.
Every byte it draws (keys, nonces) comes from the case's seeded random generator, so a case
replays the same bytes up to what the target's WELCOME brings. Needs PyNaCl (python3-nacl).
"""

import struct

import zmtp_bytes as z

try:
    from nacl import bindings as nb
except ImportError:  # ./zlab install brings python3-nacl; without it CURVE cases cannot run
    nb = None

# The target's long-term key pair (target.py --mechanism CURVE uses the same secret).
SERVER_SECRET = b"zlab fuzz: CURVE server secret!!"
assert len(SERVER_SECRET) == 32


def server_public():
    return nb.crypto_scalarmult_base(SERVER_SECRET)


def _box(plain, prefix, tail, pk, sk):
    return nb.crypto_box(plain, prefix + tail, pk, sk)


def _open(cipher, prefix, tail, pk, sk):
    return nb.crypto_box_open(cipher, prefix + tail, pk, sk)


class CurveClient:
    """One connection's client state; rng is the case's random.Random."""

    def __init__(self, rng, server_key=None):
        if nb is None:
            raise SystemExit("zlab fuzz: --mechanism CURVE needs PyNaCl (apt-get install "
                             "python3-nacl, or ./zlab install)")
        draw = lambda: bytes(rng.randrange(256) for _ in range(32))  # noqa: E731
        self.c_sec = draw()
        self.c_pub = nb.crypto_scalarmult_base(self.c_sec)
        self.t_sec = draw()                        # transient c'
        self.t_pub = nb.crypto_scalarmult_base(self.t_sec)
        self.server_key = server_key or server_public()
        self.vouch_tail = bytes(rng.randrange(256) for _ in range(16))
        self.nonce = 1
        self.server_transient = None
        self.cookie = None

    def _next(self):
        n = struct.pack("!Q", self.nonce)
        self.nonce += 1
        return n

    def hello(self, version=b"\x01\x00", padding=bytes(72), signature=bytes(64)):
        n = self._next()
        box = _box(signature, b"CurveZMQHELLO---", n, self.server_key, self.t_sec)
        return z.command(b"HELLO", version + padding + self.t_pub + n + box)

    def take_welcome(self, received):
        """Opens the target's WELCOME in `received` (the raw stream); False if there is none."""
        for f in z.parse_stream(received).frames:
            if f.command and f.command_name == "WELCOME" and len(f.body) == 168:
                try:
                    plain = _open(f.body[24:], b"WELCOME-", f.body[8:24], self.server_key,
                                  self.t_sec)
                except Exception:  # noqa: BLE001 - a WELCOME that does not open
                    return False
                self.server_transient, self.cookie = plain[:32], plain[32:128]
                return True
        return False

    def initiate(self, metadata, cookie=None, vouch_server=None, vouch_key=None, nonce=None):
        """INITIATE after take_welcome: the cookie back, our long-term key, the vouch (C' and
        S boxed from C to S'), the metadata; the arguments corrupt one part each."""
        vouch = self.vouch_tail + _box(self.t_pub + (vouch_server or self.server_key),
                                       b"VOUCH---", self.vouch_tail, self.server_transient,
                                       vouch_key or self.c_sec)
        n = nonce if nonce is not None else self._next()
        box = _box(self.c_pub + vouch + metadata, b"CurveZMQINITIATE", n, self.server_transient,
                   self.t_sec)
        return z.command(b"INITIATE", (cookie or self.cookie) + n + box)

    def message(self, body, more=False, nonce=None):
        """A MESSAGE (as libzmq sends it: a data frame) carrying one sealed frame."""
        n = nonce if nonce is not None else self._next()
        box = _box(bytes([1 if more else 0]) + body, b"CurveZMQMESSAGEC", n,
                   self.server_transient, self.t_sec)
        return z.frame(b"\x07MESSAGE" + n + box)

    def open_messages(self, received):
        """The target's MESSAGEs in `received` that open: [(flags, body)]."""
        out = []
        for f in z.parse_stream(received).frames:
            if len(f.body) < 33 or not f.body.startswith(b"\x07MESSAGE"):
                continue
            try:
                plain = _open(f.body[16:], b"CurveZMQMESSAGES", f.body[8:16],
                              self.server_transient, self.t_sec)
            except Exception:  # noqa: BLE001 - not ours, or tampered
                continue
            out.append((plain[0], plain[1:]))
        return out

    def ping(self, context):
        """A PING command sealed in a MESSAGE (flags: command)."""
        n = self._next()
        body = b"\x04PING" + b"\x00\x00" + context
        box = _box(bytes([2]) + body, b"CurveZMQMESSAGEC", n, self.server_transient, self.t_sec)
        return z.frame(b"\x07MESSAGE" + n + box)

    def pong_seen(self, received, context):
        return any(flags & 2 and body == b"\x04PONG" + context
                   for flags, body in self.open_messages(received))
