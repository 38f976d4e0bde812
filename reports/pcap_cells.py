"""One pcapng per rule out of a capture of a whole conform run on a real transport.

`./zlab conform --transport tcp --capture` runs each seed's conform_runner under `./zlab
capture` (its own network namespace: the capture holds the run's connections and nothing else)
with `--marks`, which prints the wall-clock time each property began and ended. A TCP
connection belongs to the property during which its first packet (the SYN) was sent; every
packet of that connection goes into the property's file, so a connection's late FIN or reset
stays with it. A connection whose SYN is not in the capture (dumpcap dropped it) belongs to no
property: filed by a later packet's time it would land in whichever property was running then. Standard library only: the pcapng blocks are copied as they are.
"""

import re
import struct
from pathlib import Path

SHB, IDB, EPB = 0x0A0D0D0A, 1, 6
MARK = re.compile(r"^conform-mark: (begin|end) (\S+) (\d+)$")


def marks_to_windows(lines):
    """[(rule, begin_ns, end_ns)] from conform_runner's --marks lines (other lines ignored)."""
    open_at, out = {}, []
    for line in lines:
        m = MARK.match(line.strip())
        if not m:
            continue
        what, rule, ns = m.group(1), m.group(2), int(m.group(3))
        if what == "begin":
            open_at[rule] = ns
        elif rule in open_at:
            out.append((rule, open_at.pop(rule), ns))
    # A property that never ended (the runner hung and was ended): it runs to the end.
    out += [(rule, ns, 2**63) for rule, ns in open_at.items()]
    return sorted(out, key=lambda w: w[1])


def blocks(data):
    """(type, raw block bytes, endian) of a pcapng file, in order."""
    pos, endian = 0, "<"
    while pos + 12 <= len(data):
        if struct.unpack_from("<I", data, pos)[0] == SHB:
            endian = "<" if struct.unpack_from("<I", data, pos + 8)[0] == 0x1A2B3C4D else ">"
        btype, length = struct.unpack_from(endian + "II", data, pos)
        if length < 12 or pos + length > len(data):
            break  # a capture cut short (the run was killed): keep what is whole
        yield btype, data[pos:pos + length], endian
        pos += length


def _tsresol(idb, endian):
    """Ticks per second of an interface (if_tsresol option 9; default microseconds)."""
    pos = 16
    while pos + 4 <= len(idb) - 4:
        code, length = struct.unpack_from(endian + "HH", idb, pos)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = idb[pos + 4]
            return 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
        pos += 4 + (length + 3) // 4 * 4
    return 10**6


# Link-layer header lengths before the IPv4 header: Ethernet (dumpcap on lo), Linux cooked v1/v2.
LINK_HEADER = {1: 14, 113: 16, 276: 20}


def flow_of(packet, linktype):
    """(the TCP connection a frame belongs to, both directions alike; whether it is a SYN), or
    None for a frame that is not IPv4 TCP."""
    skip = LINK_HEADER.get(linktype)
    if skip is None or len(packet) < skip + 20 or packet[skip] >> 4 != 4:
        return None
    ip = packet[skip:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 6 or len(ip) < ihl + 4:
        return None
    sport, dport = struct.unpack_from("!HH", ip, ihl)
    syn = len(ip) >= ihl + 14 and bool(ip[ihl + 13] & 0x02)
    a, b = (ip[12:16], sport), (ip[16:20], dport)
    return ((a, b) if a <= b else (b, a)), syn


def split(capture, windows, out_dir, name_of, unstarted=None):
    """Writes one pcapng per window that saw a connection: out_dir/name_of(rule). Returns
    {rule: path}. Packets of connections opened outside every window are left out, and so are
    those of connections whose SYN the capture lacks (each appended to `unstarted`, if given)."""
    data = Path(capture).read_bytes()
    head, interfaces = [], []  # SHB and IDBs, copied to every file
    per_rule, owner = {}, {}
    for btype, raw, endian in blocks(data):
        if btype == SHB:
            head, interfaces = [raw], []
        elif btype == IDB:
            head.append(raw)
            interfaces.append((struct.unpack_from(endian + "H", raw, 8)[0], _tsresol(raw, endian)))
        elif btype == EPB:
            iface, hi, lo, caplen = struct.unpack_from(endian + "IIII", raw, 8)
            linktype, per_second = interfaces[iface]
            seen = flow_of(raw[28:28 + caplen], linktype)
            if seen is None:
                continue
            flow, syn = seen
            if flow not in owner:
                t_ns = ((hi << 32) | lo) * 10**9 // per_second
                owner[flow] = next((r for r, a, b in windows if a <= t_ns <= b), None) \
                    if syn else None
                if not syn and unstarted is not None:
                    unstarted.append(flow)
            rule = owner[flow]
            if rule is not None:
                per_rule.setdefault(rule, (list(head), []))[1].append(raw)
    written = {}
    for rule, (hdr, packets) in per_rule.items():
        path = Path(out_dir) / name_of(rule)
        path.write_bytes(b"".join(hdr) + b"".join(packets))
        written[rule] = path
    return written
