"""Test support: a small pcap writer for crafted TCP streams, and ZMTP byte builders.

Streams are Ethernet / IPv4 / TCP with a three-way handshake, correct sequence and
acknowledgement numbers and checksums, so tshark reassembles them like real traffic.
"""

import struct
import sys
from pathlib import Path


# --- pcap -------------------------------------------------------------------------------------


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class PcapWriter:
    """Classic libpcap file, link type Ethernet, microsecond timestamps."""

    def __init__(self):
        self.records = []
        self.time = 1_700_000_000.0

    def add(self, frame):
        self.time += 0.001
        sec = int(self.time)
        usec = int(round((self.time - sec) * 1e6)) % 1_000_000
        self.records.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)

    def write(self, path):
        header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        with open(path, "wb") as f:
            f.write(header + b"".join(self.records))


class TcpStream:
    """One TCP connection between 10.0.0.1:cport (client) and 10.0.0.2:sport (server)."""

    CLIENT, SERVER = 0, 1

    def __init__(self, writer, cport, sport, isn=(1000, 5000), mutate=None):
        self.w = writer
        self.mutate = mutate  # optional: bytes -> bytes applied to every send (fuzzing)
        self.ip = (bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        self.mac = (b"\x02\0\0\0\0\x01", b"\x02\0\0\0\0\x02")
        self.port = (cport, sport)
        self.seq = [isn[0], isn[1]]
        self.ip_id = 1
        self._segment(0, 0x02, b"", ack=0)  # SYN
        self.seq[0] += 1
        self._segment(1, 0x12, b"")  # SYN, ACK
        self.seq[1] += 1
        self._segment(0, 0x10, b"")  # ACK

    def _segment(self, d, flags, payload, ack=None):
        src, dst = self.ip[d], self.ip[1 - d]
        sport, dport = self.port[d], self.port[1 - d]
        if ack is None:
            ack = self.seq[1 - d]
        tcp = struct.pack("!HHIIBBHHH", sport, dport, self.seq[d] & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        csum = _checksum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, self.ip_id, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        self.ip_id += 1
        eth = self.mac[1 - d] + self.mac[d] + b"\x08\x00"
        self.w.add(eth + ip + tcp + payload)

    def send(self, d, data, segment=1400):
        """Sends data from side d (CLIENT or SERVER) in segments of at most `segment` bytes."""
        if self.mutate:
            data = self.mutate(data)
        for i in range(0, len(data), segment):
            chunk = data[i:i + segment]
            self._segment(d, 0x18, chunk)  # PSH, ACK
            self.seq[d] += len(chunk)

    def close(self):
        self._segment(0, 0x11, b"")  # FIN, ACK
        self.seq[0] += 1
        self._segment(1, 0x11, b"")
        self.seq[1] += 1
        self._segment(0, 0x10, b"")


# --- ZMTP: the project's one Python builder (engine/wire/zmtp_bytes.py) ----------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine" / "wire"))
from zmtp_bytes import (COMMAND, LONG, MORE, command, frame, frame_v1, greeting,  # noqa: E402,F401
                        greeting_v2, ping, prop, ready, signature)


def handshake(stream, client_type, server_type, mechanism=b"NULL"):
    """NULL-mechanism greetings and READYs from both sides."""
    stream.send(TcpStream.CLIENT, greeting(mechanism))
    stream.send(TcpStream.SERVER, greeting(mechanism, as_server=1))
    stream.send(TcpStream.CLIENT, ready(client_type))
    stream.send(TcpStream.SERVER, ready(server_type))
