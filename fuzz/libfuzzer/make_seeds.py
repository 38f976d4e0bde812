#!/usr/bin/python3
"""Writes the committed seed corpora (corpus/TARGET/NAME) from the project's ZMTP byte builder.

Seeds are small valid and near-valid inputs that start libFuzzer deep in each parser; the
corpus replay tests run every file. Files written by a fuzzing run that found a defect are
added by hand next to these (named crash-*), each with a regression test beside the fix.

    /usr/bin/python3 fuzz/libfuzzer/make_seeds.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "engine" / "wire"))
import zmtp_bytes as z  # noqa: E402

TRAFFIC = (z.message(b"", b"hello") + z.ping(10, b"ctx") + z.pong(b"ctx") + z.subscribe(b"news")
           + z.cancel(b"news") + z.frame(b"x" * 300) + z.error(b"bye"))


def frame_decoder():
    # option bytes: max-size flag (+u16), batch, chunk
    yield "short", b"\x00\x00\x05" + z.frame(b"hi") + z.frame(b"there", more=True)
    yield "long", b"\x00\x00\x1f" + z.frame(b"y" * 1200) + z.raw_frame(0, b"ab", long_form=True)
    yield "commands", b"\x00\x10\x03" + TRAFFIC
    yield "limit", b"\x01\x00\x10\x00\x00" + z.frame(b"z" * 20)
    yield "reserved", b"\x00\x00\x01" + z.raw_frame(0x10, b"x")
    yield "lying", b"\x00\x00\x02" + z.raw_frame_header(0, 1 << 62, True) + b"abc"


def greeting():
    yield "null", b"\x05" + z.greeting()
    yield "plain-server", b"\x20" + z.greeting(b"PLAIN", as_server=1, minor=0)
    yield "v2", b"\x0b" + z.greeting_v2(5) + b"\x00\x00"
    yield "http", b"\x03GET / HTTP/1.1\r\n"
    yield "bad-mechanism", b"\x40" + z.greeting(b"NU L")


def command():
    yield "ready", z.ready(b"DEALER", b"id")[2:]
    yield "ping", z.ping(100, b"ctx")[2:]
    yield "error", z.error(b"reason")[2:]
    yield "metadata-lies", z.command(b"READY", z.raw_property(b"Identity", 100, b"abc"))[2:]
    yield "subscribe", z.subscribe(b"topic")[2:]


def zmtp_connection():
    # option bytes: socket type (+0x80 as-server), limits (+u16 when bit 0), chunk
    peers = {0: b"PAIR", 1: b"SUB", 2: b"PUB", 3: b"REP", 5: b"ROUTER", 6: b"DEALER",
             7: b"PUSH", 9: b"XSUB"}
    for t, peer in peers.items():
        yield f"type{t}", bytes([t, 0x00, 40]) + z.null_handshake(peer) + TRAFFIC
    # the draft types (fuzz_types.h numbers them after the classic twelve, DGRAM left out):
    # single-part traffic, RADIO taking JOIN/LEAVE, DISH taking group messages
    single = z.frame(b"one") + z.ping(10, b"ctx") + z.pong(b"ctx") + z.frame(b"x" * 300)
    drafts = {12: b"CLIENT", 13: b"SERVER", 16: b"SCATTER", 17: b"GATHER", 18: b"PEER",
              19: b"CHANNEL"}
    for t, peer in drafts.items():
        yield f"type{t}", bytes([t, 0x00, 40]) + z.null_handshake(peer) + single
    yield "type14-join-leave", bytes([14, 0x00, 40]) + z.null_handshake(b"DISH") + z.join(
        b"weather") + z.leave(b"weather") + z.join(b"") + z.join(b"g" * 15) + single
    yield "type15-groups", bytes([15, 0x00, 40]) + z.null_handshake(b"RADIO") + z.radio_message(
        b"weather", b"sunny") + z.radio_message(b"", b"no group") + single
    yield "type14-bytewise", bytes([14, 0x00, 0]) + z.null_handshake(b"DISH") + z.join(b"ab")
    yield "bytewise-hb", bytes([0, 0x06, 0]) + z.null_handshake(b"PAIR") + z.ping(5, b"c")
    yield "maxmsg", bytes([7, 0x01, 0x00, 0x10, 96]) + z.null_handshake(b"PUSH") + z.frame(b"q" * 40)
    yield "v30-sub", bytes([1, 0, 50]) + z.null_handshake(b"SUB", minor=0) + z.subscribe_v30(b"a")
    yield "early-data", bytes([0, 0, 64]) + z.greeting() + z.frame(b"early")
    yield "bad-ready", bytes([0, 0, 64]) + z.greeting() + z.command(b"READY", b"\x00")


def z85():
    yield "hello", b"HelloWorld"
    yield "key", b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    yield "bad", b"Hello World"


def endpoint():
    for i, text in enumerate([b"tcp://127.0.0.1:5555", b"tcp://[::1]:*", b"ipc:///tmp/x",
                              b"inproc://name", b"ws://host:80/path", b"tcp://eth0;10.0.0.1:5",
                              b"10.0.0.0/8", b"[fe80::1%eth0]/64", b"udp://x"]):
        yield f"e{i}", text


def socket_options():
    yield "hwm", b"\x07" + bytes([23, 4]) + (5).to_bytes(4, "little") + bytes([68, 0, 1])
    yield "subscribe", b"\x02" + bytes([6, 3]) + b"abc" + bytes([7, 3]) + b"abc"
    yield "routing-id", b"\x06" + bytes([5, 2]) + b"id" + bytes([38, 9]) + b"127.0.0.1"
    yield "metadata", b"\x00" + bytes([95, 8]) + b"X-a:b\0\0\0"
    # draft types (fuzz_types.h): RADIO, DISH, SERVER, PEER
    yield "radio", bytes([14, 23, 4]) + (5).to_bytes(4, "little") + bytes([17, 0, 1])
    yield "dish", bytes([15, 24, 4]) + (7).to_bytes(4, "little") + bytes([5, 2]) + b"id"
    yield "server", bytes([12, 5, 2]) + b"id" + bytes([77, 4]) + (1).to_bytes(4, "little")
    yield "peer", bytes([18, 42, 4]) + (100).to_bytes(4, "little")


SEED = bytes(range(1, 9))  # the 8 bytes that seed keys, transient keys, cookies and nonces


def mechanism_seeds(mechanism):
    # mode (bit 0 raw, bit 1 server side when raw), ZAP mode (0 allow, 1 deny, 2 no handler,
    # 3 try later, 4 malformed reply), 8 seed bytes, then tamperings (conversation) or the
    # chunk size and the peer's bytes after its greeting (raw)
    for zap in range(5):
        yield f"clean-zap{zap}", bytes([0, zap]) + SEED
    kinds = {"flip": 0, "truncate": 1, "extend": 2, "replace": 3, "drop": 4, "duplicate": 5}
    for step in range(6):  # HELLO, WELCOME, INITIATE, READY, then MESSAGEs
        for kind, k in kinds.items():
            extra = b"\x04abcd" if k in (2, 3) else b""
            yield f"step{step}-{kind}", bytes([0, 0]) + SEED + bytes([step, k, 0, 9 + step]) + extra
    if mechanism == b"PLAIN":
        hello = z.command(b"HELLO", b"\x05admin\x06secret")
        initiate = z.command(b"INITIATE", z.properties([(b"Socket-Type", b"DEALER")]))
        yield "raw-server", bytes([3, 0]) + SEED + b"\x10" + hello + initiate + TRAFFIC
        yield "raw-server-deny", bytes([3, 1]) + SEED + b"\x05" + hello + initiate
        yield "raw-client", bytes([1, 0]) + SEED + b"\x08" + z.command(b"WELCOME") + z.ready(
            b"ROUTER") + TRAFFIC
        yield "raw-client-error", bytes([1, 0]) + SEED + b"\x3f" + z.error(b"400")
    else:
        hello = z.command(b"HELLO", b"\x01\x00" + bytes(72) + bytes(range(120)))
        yield "raw-server", bytes([3, 0]) + SEED + b"\x20" + hello
        yield "raw-server-short", bytes([3, 0]) + SEED + b"\x3f" + z.command(b"HELLO", b"\x01")
        yield "raw-client", bytes([1, 0]) + SEED + b"\x20" + z.command(b"WELCOME", bytes(160))
        yield "raw-client-message", bytes([1, 0]) + SEED + b"\x20" + z.command(
            b"MESSAGE", bytes(40))
        yield "raw-client-error", bytes([1, 0]) + SEED + b"\x3f" + z.error(b"400")


def plain_mechanism():
    yield from mechanism_seeds(b"PLAIN")


def curve_mechanism():
    yield from mechanism_seeds(b"CURVE")


def main():
    for target in (frame_decoder, greeting, command, zmtp_connection, z85, endpoint,
                   socket_options, plain_mechanism, curve_mechanism):
        d = HERE / "corpus" / target.__name__
        d.mkdir(parents=True, exist_ok=True)
        for name, data in target():
            (d / name).write_bytes(data)


if __name__ == "__main__":
    main()
