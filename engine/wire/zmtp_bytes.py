"""ZMTP bytes for Python peers written by hand: probes, dissector cases, the live fuzzer.

The Python twin of engine/wire/zmtp_bytes.h (whose valid bytes come from the engine's codec):
the same names, the same bytes (zmtp_bytes_test.py checks the vectors zmtp_bytes_test.cc
checks). Builders take and return bytes; raw_* build what a conforming peer never sends.
Mechanism commands (HELLO, WELCOME, INITIATE...) are command(name, data) until they have
builders of their own.
"""

import struct
from dataclasses import dataclass, field

MORE, LONG, COMMAND = 0x01, 0x02, 0x04
RESERVED = 0xF8
GREETING_SIZE = 64


# --- valid bytes --------------------------------------------------------------------------------

def signature(last=0x7F, padding=b"\0" * 8):
    """Greeting bytes 0..9: 0xFF, 8 padding bytes, then `last` (0x7F for ZMTP 3)."""
    return b"\xff" + padding + bytes([last])


def raw_signature(padding=0, last=0x7F):
    """As engine/wire/zmtp_bytes.h: the padding as a big-endian integer."""
    return signature(last, struct.pack("!Q", padding))


def greeting(mechanism=b"NULL", as_server=0, major=3, minor=1, filler=b"\0" * 31,
             padding=b"\0" * 8):
    return (signature(padding=padding) + bytes([major, minor]) + mechanism.ljust(20, b"\0")[:20]
            + bytes([1 if as_server else 0]) + filler)


def greeting_v2(socket_type):
    """ZMTP/2.0: signature, revision 0x01, socket type byte (identity frame sent separately)."""
    return signature(padding=b"\0" * 7 + b"\x01") + bytes([0x01, socket_type])


def frame(body, more=False, command=False, long=None, flags=None):
    """A ZMTP 3.x / 2.0 frame, long above 255 bytes. `flags` overrides the flags byte entirely
    (long form when it has LONG)."""
    if long is None:
        long = len(body) > 255
    f = (MORE if more else 0) | (LONG if long else 0) | (COMMAND if command else 0)
    if flags is not None:
        f = flags
    return raw_frame_header(f, len(body), bool(f & LONG)) + body


def frame_v1(body, more=False):
    """A ZMTP/1.0 frame: length (counting the flags byte), flags, body."""
    n = len(body) + 1
    length = bytes([n]) if n < 255 else b"\xff" + struct.pack("!Q", n)
    return length + bytes([MORE if more else 0]) + body


def message(*parts):
    return b"".join(frame(p, more=i + 1 < len(parts)) for i, p in enumerate(parts))


def command(name, data=b"", **kw):
    return frame(bytes([len(name)]) + name + data, command=True, **kw)


def prop(name, value):
    return raw_property(name, len(value), value)


def properties(pairs):
    return b"".join(prop(n, v) for n, v in pairs)


def ready(socket_type=None, identity=None, extra=b""):
    data = b""
    if socket_type is not None:
        data += prop(b"Socket-Type", socket_type)
    if identity is not None:
        data += prop(b"Identity", identity)
    return command(b"READY", data + extra)


def error(reason):
    return command(b"ERROR", bytes([len(reason)]) + reason)


def ping(ttl=0, context=b""):
    return command(b"PING", struct.pack("!H", ttl) + context)


def pong(context=b""):
    return command(b"PONG", context)


def subscribe(topic):
    return command(b"SUBSCRIBE", topic)


def cancel(topic):
    return command(b"CANCEL", topic)


def subscribe_v30(topic):
    return frame(b"\x01" + topic)


def cancel_v30(topic):
    return frame(b"\x00" + topic)


def join(group):
    return command(b"JOIN", group)


def leave(group):
    return command(b"LEAVE", group)


def radio_message(group, body):
    """rfc 48: the group frame (MORE), then the body."""
    return message(group, body)


def null_handshake(socket_type, minor=1):
    return greeting(minor=minor) + ready(socket_type)


# --- bytes a conforming peer never sends ----------------------------------------------------------

def raw_frame_header(flags, size, long_form):
    if long_form:
        return bytes([flags | LONG]) + struct.pack("!Q", size)
    return bytes([flags, size & 0xFF])


def raw_frame(flags, body, long_form=False):
    return raw_frame_header(flags, len(body), long_form or len(body) > 255) + body


def raw_property(name, value_size, value):
    return bytes([len(name)]) + name + struct.pack("!I", value_size) + value


# --- parsing ------------------------------------------------------------------------------------

@dataclass
class Frame:
    flags: int
    body: bytes

    @property
    def more(self):
        return bool(self.flags & MORE)

    @property
    def command(self):
        return bool(self.flags & COMMAND)

    @property
    def command_name(self):
        if not self.command or not self.body or 1 + self.body[0] > len(self.body):
            return ""
        return self.body[1:1 + self.body[0]].decode("ascii", "replace")

    @property
    def command_data(self):
        return self.body[1 + self.body[0]:] if self.command and self.body else b""


@dataclass
class Stream:
    greeting: bytes = b""   # the 64 greeting bytes, when complete
    frames: list = field(default_factory=list)
    error: str = ""         # why parsing stopped early ("" when it did not)
    trailing: int = 0       # bytes of an incomplete last frame

    @property
    def command_names(self):
        return [f.command_name for f in self.frames if f.command]

    def has_command(self, name):
        return name in self.command_names


def parse_frames(data):
    """Every complete ZMTP 3 frame in data; stops at reserved flags or MORE on a command."""
    out, i = Stream(), 0
    while i < len(data):
        flags = data[i]
        if flags & RESERVED:
            out.error = "reserved flag bits set"
            break
        if flags & COMMAND and flags & MORE:
            out.error = "MORE flag on a command"
            break
        head = 9 if flags & LONG else 2
        if i + head > len(data):
            break
        size = struct.unpack("!Q", data[i + 1:i + 9])[0] if flags & LONG else data[i + 1]
        if i + head + size > len(data):
            break
        out.frames.append(Frame(flags, data[i + head:i + head + size]))
        i += head + size
    out.trailing = len(data) - i
    return out


def parse_stream(data):
    """A peer's bytes from the start: a ZMTP 3 greeting, then frames."""
    if len(data) < GREETING_SIZE or data[0] != 0xFF or not data[9] & 0x01 or data[10] < 3:
        return Stream(error="" if len(data) < GREETING_SIZE else "not a ZMTP 3 greeting",
                      trailing=len(data))
    out = parse_frames(data[GREETING_SIZE:])
    out.greeting = data[:GREETING_SIZE]
    return out


def mechanism_of(greeting_bytes):
    return greeting_bytes[12:32].rstrip(b"\0")
