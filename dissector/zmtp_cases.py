"""Crafted ZMTP streams: one TCP connection per case, all in one capture.

Each case writes one conversation; MALFORMED maps a case to the expert info it must raise,
the other cases are well-formed and must raise no warning or error.
"""

from zmtp_pcap import PcapWriter, TcpStream, handshake  # also puts zmtp_bytes on sys.path
from zmtp_bytes import (MORE, cancel, command, error, frame, frame_v1, greeting,
                        greeting_v2, ping, pong, prop, raw_frame_header, raw_property, ready,
                        signature, subscribe, subscribe_v30, cancel_v30)

C, S = TcpStream.CLIENT, TcpStream.SERVER


def reserved_flags(s):
    handshake(s, b"DEALER", b"ROUTER")
    s.send(C, frame(b"bad", flags=0x08))
    s.send(C, frame(b"after"))


def command_more(s):
    handshake(s, b"DEALER", b"ROUTER")
    s.send(C, command(b"PING", b"\0\0", more=True))


def size_over_max(s):
    handshake(s, b"PUSH", b"PULL")
    s.send(C, raw_frame_header(0, 1 << 63, long_form=True) + b"xyz")
    s.send(C, frame(b"later"))


def size_unreassemblable(s):
    handshake(s, b"PUSH", b"PULL")
    s.send(C, raw_frame_header(MORE, 1 << 40, long_form=True) + b"xyz")
    s.send(C, frame(b"later"))


def command_before_greeting_end(s):
    s.send(C, signature() + b"\x03" + ready(b"PAIR") + ping(10))
    s.send(S, greeting(as_server=1))
    s.send(S, ready(b"PAIR"))


def data_before_ready(s):
    s.send(C, greeting())
    s.send(S, greeting(as_server=1))
    s.send(C, frame(b"too early"))
    s.send(C, ready(b"PAIR"))
    s.send(S, ready(b"PAIR"))


def command_in_multipart(s):
    handshake(s, b"DEALER", b"ROUTER")
    s.send(C, frame(b"a", more=True) + ping(10) + frame(b"b"))


def mechanism_mismatch(s):
    s.send(C, greeting(b"NULL"))
    s.send(S, greeting(b"PLAIN", as_server=1))


def metadata_truncated(s):
    s.send(C, greeting())
    s.send(C, command(b"READY", prop(b"Socket-Type", b"DEALER") + raw_property(b"Identity", 100, b"abc")))


def metadata_empty_name(s):
    s.send(C, greeting())
    s.send(C, command(b"READY", prop(b"", b"x") + prop(b"Socket-Type", b"PAIR")))


def duplicate_ready(s):
    handshake(s, b"PAIR", b"PAIR")
    s.send(C, ready(b"PAIR"))


def ping_context_long(s):
    handshake(s, b"PAIR", b"PAIR")
    s.send(C, ping(10, b"x" * 17))


def incompatible_sockets(s):
    handshake(s, b"REQ", b"PUB")


def unknown_command(s):
    handshake(s, b"PAIR", b"PAIR")
    s.send(C, command(b"FOOBAR", b"zz"))


def curve_size(s):
    s.send(C, greeting(b"CURVE"))
    s.send(C, command(b"HELLO", b"\x01\x00" + bytes(191)))


MALFORMED = {
    reserved_flags: "reserved_flags",
    command_more: "command_more",
    size_over_max: "size_over_max",
    size_unreassemblable: "size_unreassemblable",
    command_before_greeting_end: "command_before_greeting_end",
    data_before_ready: "data_before_ready",
    command_in_multipart: "command_in_multipart",
    mechanism_mismatch: "mechanism_mismatch",
    metadata_truncated: "metadata_truncated",
    metadata_empty_name: "metadata_empty_name",
    duplicate_ready: "duplicate_ready",
    ping_context_long: "ping_context_long",
    incompatible_sockets: "incompatible_sockets",
    unknown_command: "unknown_command",
    curve_size: "curve_size",
}


# --- well-formed ------------------------------------------------------------------------------


def commands31(s):
    handshake(s, b"SUB", b"XPUB")
    s.send(C, subscribe(b"news"))
    s.send(C, cancel(b"news"))
    s.send(C, ping(25, b"ctx"))
    s.send(S, pong(b"ctx"))
    s.send(S, error(b"oops!"))


def join_leave(s):
    handshake(s, b"DISH", b"RADIO")
    s.send(C, command(b"JOIN", b"group-1"))
    s.send(C, command(b"LEAVE", b"group-1"))


def plain(s):
    s.send(C, greeting(b"PLAIN"))
    s.send(S, greeting(b"PLAIN", as_server=1))
    s.send(C, command(b"HELLO", b"\x05alice\x06secret"))
    s.send(S, command(b"WELCOME"))
    s.send(C, command(b"INITIATE", prop(b"Socket-Type", b"DEALER")))
    s.send(S, ready(b"ROUTER"))
    s.send(C, frame(b"after plain"))


def curve(s):
    s.send(C, greeting(b"CURVE"))
    s.send(S, greeting(b"CURVE", as_server=1))
    hello = b"\x01\x00" + bytes(72) + b"K" * 32 + b"N" * 8 + b"B" * 80
    s.send(C, command(b"HELLO", hello))
    s.send(S, command(b"WELCOME", b"L" * 16 + b"W" * 144))
    s.send(C, command(b"INITIATE", b"C" * 96 + b"N" * 8 + b"I" * 200))
    s.send(S, command(b"READY", b"N" * 8 + b"R" * 40))
    s.send(C, command(b"MESSAGE", b"N" * 8 + b"M" * 33))


def legacy_v2(s):
    s.send(C, greeting_v2(3))  # REQ
    s.send(S, greeting_v2(4))  # REP
    s.send(C, frame(b"") + frame(b"", more=True) + frame(b"hi"))  # identity, delimiter, body
    s.send(S, frame(b"srv") + frame(b"", more=True) + frame(b"yo"))


def legacy_v1(s):
    s.send(C, frame_v1(b"alice"))  # identity
    s.send(S, frame_v1(b""))
    s.send(C, frame_v1(b"part1", more=True) + frame_v1(b"x" * 300))
    s.send(S, frame_v1(b"reply"))


def text_bodies(s):
    handshake(s, b"PAIR", b"PAIR")
    s.send(C, frame(b"A\x00BC"))
    s.send(C, frame(b"plain text"))
    s.send(C, frame(b"abcde", long=True))


def subscription_v30(s):
    """ZMTP 3.0 has no SUBSCRIBE command: a SUB sends 0x01 / 0x00 and the topic as a message."""
    s.send(C, greeting(minor=0))
    s.send(S, greeting(minor=0, as_server=1))
    s.send(C, ready(b"SUB"))
    s.send(S, ready(b"PUB"))
    s.send(C, subscribe_v30(b"news"))
    s.send(C, cancel_v30(b"news"))
    s.send(S, frame(b"\x01not a subscription"))


def rich(s, segment):
    """A stream sent PDU by PDU, in segments of `segment` bytes (1: one byte per segment)."""
    pdus = [(C, greeting()), (S, greeting(as_server=1)), (C, ready(b"DEALER", b"id-1")),
            (S, ready(b"ROUTER", b"")), (C, frame(b"", more=True)),
            (C, frame(b"x" * 300, more=True)), (C, frame(b"tail")), (C, ping(5, b"c")),
            (S, pong(b"c")), (S, frame(b"back"))]
    for d, data in pdus:
        s.send(d, data, segment)


def rich_whole(s):
    rich(s, 1400)


def rich_bytewise(s):
    rich(s, 1)


WELL_FORMED = [commands31, join_leave, plain, curve, legacy_v2, legacy_v1, text_bodies,
               subscription_v30, rich_whole, rich_bytewise]
# Not recognisable by the heuristic (no signature, or a first segment under 10 bytes).
DECODE_AS = {legacy_v1, rich_whole, rich_bytewise}

BASE_PORT = 20000


def write_capture(env, name="crafted.pcap", mutate=None):
    """Writes every case; returns (pcap, tshark args, {case name: tcp.stream}). `mutate`, if
    given, rewrites the ZMTP bytes of every send (the TCP framing stays valid)."""
    w = PcapWriter()
    streams, args = {}, []
    for i, case in enumerate(list(MALFORMED) + WELL_FORMED):
        port = BASE_PORT + i
        s = TcpStream(w, 40000 + i, port, mutate=mutate)
        case(s)
        s.close()
        streams[case.__name__] = i
        if case in DECODE_AS:
            args += ["-d", f"tcp.port=={port},zlabzmtp"]
    path = env.path(name)
    w.write(path)
    env.publish(path)
    return path, args, streams


def port_of(name):
    names = [c.__name__ for c in list(MALFORMED) + WELL_FORMED]
    return BASE_PORT + names.index(name)
