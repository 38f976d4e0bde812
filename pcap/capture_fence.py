"""A fence in a live capture: sends TCP SYNs to a closed port of the loopback until the pcapng
dumpcap is writing holds one of them, or a timeout passes (exit status 1).

Why (measured, pcap/README.md): dumpcap prints "Capturing on" before its capture is live, so a
connection made right after it went unrecorded (20 of 20 under load), and a SIGINT loses the
packets it has not yet written (5 of 20 with a 0.2 s grace). One of our own SYNs in the file
proves the capture was live before the command began (a fence at the start), or that every
packet before it is written (at the end: the ring hands packets over in order).

    capture_fence.py FILE [--timeout-s S]
"""

import argparse
import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reports"))
import pcap_cells  # noqa: E402

FENCE_PORT = 9  # discard: closed in the capture's own network namespace, answered by a reset


def syn_source_ports(data, dport):
    """Source ports of the TCP SYNs to `dport` in pcapng bytes (a block cut short is ignored)."""
    linktypes, ports = [], set()
    for btype, raw, endian in pcap_cells.blocks(data):
        if btype == pcap_cells.SHB:
            linktypes = []
        elif btype == pcap_cells.IDB:
            linktypes.append(struct.unpack_from(endian + "H", raw, 8)[0])
        elif btype == pcap_cells.EPB:
            iface, _, _, caplen = struct.unpack_from(endian + "IIII", raw, 8)
            skip = pcap_cells.LINK_HEADER.get(linktypes[iface] if iface < len(linktypes) else -1)
            ip = raw[28 + skip:28 + caplen] if skip is not None else b""
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            ihl = (ip[0] & 0x0F) * 4
            if len(ip) < ihl + 14:
                continue
            sport, port = struct.unpack_from("!HH", ip, ihl)
            if port == dport and ip[ihl + 13] & 0x02 and not ip[ihl + 13] & 0x10:
                ports.add(sport)
    return ports


def send_syn():
    """One connection attempt to the fence port; its source port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        sport = s.getsockname()[1]
        s.settimeout(1.0)
        try:
            s.connect(("127.0.0.1", FENCE_PORT))
        except OSError:
            pass  # refused: the reset is expected
        return sport


def fence(path, timeout_s):
    sent, deadline = set(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sent.add(send_syn())
        for _ in range(5):
            time.sleep(0.02)
            data = Path(path).read_bytes() if Path(path).exists() else b""
            if sent & syn_source_ports(data, FENCE_PORT):
                return True
    return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--timeout-s", type=float, default=20.0)
    args = ap.parse_args(argv)
    return 0 if fence(args.file, args.timeout_s) else 1


if __name__ == "__main__":
    sys.exit(main())
