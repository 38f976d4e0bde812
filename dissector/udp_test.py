"""RADIO/DISH datagrams over UDP (udp.c): crafted UDP/IPv4 frames whose payloads come from the
one byte library (engine/wire/zmtp_bytes.py): well-formed ones decode with their group and
body, a group running past the datagram's end and an oversized datagram raise their expert
infos (through the port preference, since the heuristic rightly declines them), and traffic
that is no RADIO/DISH datagram is left alone by the heuristic."""

import struct

import pytest

from zmtp_pcap import PcapWriter, _checksum
from zmtp_bytes import raw_udp_datagram, udp_datagram
from zmtp_tshark import error_experts, experts

PORT = 5555


def _udp_frame(payload, sport=40000, dport=PORT, dst=bytes([10, 0, 0, 2])):
    src = bytes([10, 0, 0, 1])
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(udp) + len(payload))
    udp = udp[:6] + struct.pack("!H", _checksum(pseudo + udp + payload) or 0xFFFF)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 1, 0x4000, 64, 17, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + udp + payload


CASES = {
    "plain": udp_datagram(b"weather", b"sunny"),
    "empty_body": udp_datagram(b"g", b""),
    "binary_body": udp_datagram(b"g", bytes(range(256))),
    "longest_group": udp_datagram(b"g" * 255, b"x"),
    "group_truncated": raw_udp_datagram(40, b"abc", b""),
    "too_large": raw_udp_datagram(1, b"g", b"x" * 9000),
}


@pytest.fixture(scope="module")
def capture(plugin_env):
    w = PcapWriter()
    for payload in CASES.values():
        w.add(_udp_frame(payload))
    # Not ours: a DNS-like query on another port, and a datagram whose "group" is binary.
    w.add(_udp_frame(b"\x12\x34\x01\x00\x00\x01" + b"\0" * 6, dport=6000))
    w.add(_udp_frame(b"\x03\x00\x01\x02rest", dport=6001))
    path = plugin_env.path("udp_crafted.pcap")
    w.write(path)
    plugin_env.publish(path)
    return path


@pytest.fixture(scope="module")
def by_heuristic(plugin_env, capture):
    return plugin_env.packets(capture)


@pytest.fixture(scope="module")
def by_port(plugin_env, capture):
    return plugin_env.packets(capture, "-o", f"zlabzmtp.udp.port:{PORT}")


def _case(packets, name):
    return packets[list(CASES).index(name)]


def test_well_formed_datagrams_decode_by_heuristic(by_heuristic):
    p = _case(by_heuristic, "plain")
    assert p.first("zlabzmtp.udp.group") == "weather"
    assert p.first("zlabzmtp.udp.group_length") == "7"
    assert p.first("zlabzmtp.udp.body_text") == "sunny"
    assert _case(by_heuristic, "empty_body").first("zlabzmtp.udp.body_length") == "0"
    binary = _case(by_heuristic, "binary_body")
    assert binary.first("zlabzmtp.udp.body_length") == "256"
    assert binary.first("zlabzmtp.udp.body_text") is None  # not all printable
    assert error_experts(by_heuristic[:3]) == []


def test_the_longest_group_decodes_by_port(by_port):
    # A 255-byte group starts the datagram with 0xFF, which Wireshark's SigComp heuristic
    # claims first: such traffic needs the port preference (or Decode As).
    p = _case(by_port, "longest_group")
    assert p.first("zlabzmtp.udp.group") == "g" * 255
    assert p.first("zlabzmtp.udp.body_text") == "x"
    assert error_experts([p]) == []


def test_the_heuristic_leaves_other_udp_alone(by_heuristic):
    for name in ("group_truncated", "too_large"):
        assert _case(by_heuristic, name).first("zlabzmtp.udp.group_length") is None, name
    for p in by_heuristic[len(CASES):]:
        assert p.first("zlabzmtp.udp.group_length") is None


def test_malformed_datagrams_raise_their_experts_by_port(by_port):
    assert "zlabzmtp.expert.udp_group_truncated" in experts([_case(by_port, "group_truncated")])
    large = _case(by_port, "too_large")
    assert "zlabzmtp.expert.udp_too_large" in experts([large])
    assert large.first("zlabzmtp.udp.body_length") == "9000"
