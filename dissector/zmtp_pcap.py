"""Test support: a small pcap writer for crafted TCP streams, and ZMTP byte builders.

Streams are Ethernet / IPv4 / TCP with a three-way handshake, correct sequence and
acknowledgement numbers and checksums, so tshark reassembles them like real traffic.
"""

import struct

MORE, LONG, COMMAND = 0x01, 0x02, 0x04


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


# --- ZMTP --------------------------------------------------------------------------------------


def signature(last=0x7F, padding=b"\0" * 7 + b"\x01"):
    return b"\xff" + padding + bytes([last])


def greeting(mechanism=b"NULL", as_server=0, major=3, minor=1, filler=b"\0" * 31):
    return (signature() + bytes([major, minor]) + mechanism.ljust(20, b"\0") + bytes([as_server])
            + filler)


def greeting_v2(socket_type):
    """ZMTP/2.0: signature, revision 0x01, socket type byte (identity frame sent separately)."""
    return signature() + bytes([0x01, socket_type])


def frame(body, more=False, command=False, long=None, flags=None):
    """A ZMTP 3.x / 2.0 frame. `flags` overrides the computed flags byte entirely."""
    if long is None:
        long = len(body) > 255
    f = (MORE if more else 0) | (LONG if long else 0) | (COMMAND if command else 0)
    if flags is not None:
        f = flags
    size = struct.pack("!Q", len(body)) if f & LONG else bytes([len(body)])
    return bytes([f]) + size + body


def frame_v1(body, more=False):
    """A ZMTP/1.0 frame: length (counting the flags byte), flags, body."""
    n = len(body) + 1
    length = bytes([n]) if n < 255 else b"\xff" + struct.pack("!Q", n)
    return length + bytes([MORE if more else 0]) + body


def command(name, data=b"", **kw):
    return frame(bytes([len(name)]) + name + data, command=True, **kw)


def prop(name, value):
    return bytes([len(name)]) + name + struct.pack("!I", len(value)) + value


def ready(socket_type=None, identity=None, extra=b""):
    data = b""
    if socket_type is not None:
        data += prop(b"Socket-Type", socket_type)
    if identity is not None:
        data += prop(b"Identity", identity)
    return command(b"READY", data + extra)


def ping(ttl=0, context=b""):
    return command(b"PING", struct.pack("!H", ttl) + context)


def handshake(stream, client_type, server_type, mechanism=b"NULL"):
    """NULL-mechanism greetings and READYs from both sides."""
    stream.send(TcpStream.CLIENT, greeting(mechanism))
    stream.send(TcpStream.SERVER, greeting(mechanism, as_server=1))
    stream.send(TcpStream.CLIENT, ready(client_type))
    stream.send(TcpStream.SERVER, ready(server_type))
