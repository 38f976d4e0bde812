"""The Python ZMTP byte builder writes exactly the bytes zmtp_bytes_test.cc checks the C++ one
(built on the engine's codec) writes, and parses them back."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zmtp_bytes as z  # noqa: E402


def test_vectors_match_the_cpp_builder():
    assert z.frame(b"ab") == b"\x00\x02ab"
    assert z.frame(b"ab", more=True) == b"\x01\x02ab"
    assert z.frame(b"x" * 300) == b"\x02\0\0\0\0\0\0\x01\x2c" + b"x" * 300
    assert z.raw_frame(0x00, b"ab", long_form=True) == b"\x02\0\0\0\0\0\0\0\x02ab"
    assert z.raw_frame_header(0x10, 1, False) == b"\x10\x01"
    assert z.ready(b"PUB") == b"\x04\x19\x05READY\x0bSocket-Type\0\0\0\x03PUB"
    assert z.ping(10, b"ab") == b"\x04\x09\x04PING\x00\x0aab"
    assert z.pong(b"ab") == b"\x04\x07\x04PONGab"
    assert z.error(b"no") == b"\x04\x09\x05ERROR\x02no"
    assert z.subscribe(b"t") == b"\x04\x0b\x09SUBSCRIBEt"
    assert z.cancel(b"t") == b"\x04\x08\x06CANCELt"
    assert z.subscribe_v30(b"t") == b"\x00\x02\x01t"
    assert z.cancel_v30(b"t") == b"\x00\x02\x00t"
    assert z.join(b"TV") == b"\x04\x07\x04JOINTV"
    assert z.leave(b"TV") == b"\x04\x08\x05LEAVETV"
    assert z.radio_message(b"TV", b"hi") == b"\x01\x02TV\x00\x02hi"
    assert z.raw_property(b"Id", 9, b"x") == b"\x02Id\0\0\0\x09x"
    assert z.greeting_v2(5) == b"\xff\0\0\0\0\0\0\0\x01\x7f\x01\x05"
    g = z.greeting(b"PLAIN", as_server=1, minor=0)
    assert len(g) == 64 and g[:10] == z.raw_signature() and g[10:12] == b"\x03\x00"
    assert g[12:18] == b"PLAIN\0" and g[32] == 1


def test_parses_what_it_builds():
    data = (z.null_handshake(b"DEALER") + z.message(b"a", b"b" * 400) + z.ping(1, b"c")
            + z.frame(b"tai"))
    s = z.parse_stream(data[:-1])
    assert z.mechanism_of(s.greeting) == b"NULL"
    assert len(s.frames) == 4 and s.trailing == 4
    assert s.frames[0].command_name == "READY"
    assert s.frames[0].command_data == z.prop(b"Socket-Type", b"DEALER")
    assert s.frames[1].more and not s.frames[2].more and len(s.frames[2].body) == 400
    assert s.command_names == ["READY", "PING"]
    assert z.parse_frames(z.raw_frame(0x10, b"x")).error == "reserved flag bits set"
    assert z.parse_frames(z.raw_frame(0x05, b"x")).error == "MORE flag on a command"
    assert z.parse_stream(b"GET / HTTP/1.1\r\n" * 5).error == "not a ZMTP 3 greeting"
