"""Traces and pcapngs of conform runs (issue 18): a failure's are recorded automatically and
linked from the report; a tcp run with --capture gives every rule, and every cell of the
implementation matrix, its own pcapng. The failures are planted (ZLAB_CONFORM_PLANT, see
conformance/harness/runner.h planted_failure), so these tests fail when recording does not
happen. The runner is the default (fastbuild) build `bazel test //...` already made."""

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import pcap_cells

ROOT = Path(__file__).resolve().parent.parent
RULE, STEM = "socket/PUSH/outgoing", "socket-PUSH-outgoing"


def conform(tmp_path, *args, plant=None, name="run"):
    env = dict(os.environ, ZLAB_SKIP_SETUP="1", ZLAB_CONFORM_CONFIG="default",
               ZLAB_OUT=str(tmp_path / "out"), ZLAB_HISTORY=str(tmp_path / "h.sqlite"))
    env.pop("ZLAB_CONFORM_PLANT", None)
    if plant:
        env["ZLAB_CONFORM_PLANT"] = plant
    out = tmp_path / name
    r = subprocess.run([sys.executable, str(ROOT / "conformance" / "run"), "--only", RULE,
                        "--out", str(out), *args], env=env, capture_output=True, text=True,
                       timeout=1200)
    return r, out


def details_of(page, rule):
    """The <details> block of a rule in index.html."""
    anchor = re.sub(r"[^A-Za-z0-9_-]", "-", rule)
    m = re.search(f'<details id="{anchor}".*?</details>', page, re.S)
    assert m, f"no details for {rule}"
    return m.group(0)


def test_a_simulated_failure_gets_its_trace_and_pcapng_linked_next_to_the_replay(tmp_path):
    r, out = conform(tmp_path, "--seeds", "1..2", "--cases", "5", plant=RULE)
    assert r.returncode == 1, r.stdout + r.stderr  # the planted failure
    for seed in (1, 2):
        trace, pcap = out / f"{STEM}-{seed}.jsonl", out / f"{STEM}-{seed}.pcapng"
        assert trace.stat().st_size > 100 and trace.read_text().startswith("{")
        assert pcap.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a" and b"NULL" in pcap.read_bytes()
    block = details_of((out / "index.html").read_text(), RULE)
    # The links sit with the copyable reproduce command and the labelled counterexample.
    assert block.index("Reproduce seed 1") < block.index(f'href="{STEM}-1.pcapng"') < \
        block.index("Counterexample (shrunk")
    assert f'href="{STEM}-2.jsonl"' in block
    # Unplanted, the same rule passes and nothing is recorded.
    r, out = conform(tmp_path, "--seeds", "1..1", "--cases", "5", name="unplanted")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not list(out.glob("*.pcapng"))


def netns_capture_works():
    return os.geteuid() == 0 and shutil.which("dumpcap") and subprocess.run(
        ["unshare", "--net", "true"], capture_output=True).returncode == 0


needs_capture = pytest.mark.skipif(not netns_capture_works(),
                                   reason="needs root, dumpcap and network namespaces")


@needs_capture
def test_a_tcp_failure_is_replayed_under_capture(tmp_path):
    r, out = conform(tmp_path, "--transport", "tcp", "--cases", "6", plant=RULE)
    assert r.returncode == 1, r.stdout + r.stderr
    log = (out / f"{STEM}-1.txt").read_text()
    assert log.startswith(f"replay of {RULE} seed 1 on tcp: failed again")
    pcap = out / f"{STEM}-1.pcapng"
    assert b"NULL" in pcap.read_bytes()  # the replay's greetings, captured on loopback
    block = details_of((out / "index.html").read_text(), RULE)
    assert f'href="{STEM}-1.pcapng"' in block and f'href="{STEM}-1.txt"' in block


@needs_capture
def test_tcp_capture_gives_each_rule_and_each_matrix_cell_its_pcapng(tmp_path):
    r, out = conform(tmp_path, "--transport", "tcp", "--cases", "1", "--capture",
                     "--no-history")
    assert r.returncode == 0, r.stdout + r.stderr
    pcap = out / f"{STEM}-1.pcapng"
    assert pcap.exists(), r.stderr  # the run says why (a capture that lacks connections, ...)
    assert b"NULL" in pcap.read_bytes()
    assert not list(out.glob(".capture-*"))  # the whole-run capture was cut and removed
    cell = tmp_path / "out" / "impls" / "zlab-tcp" / pcap.name
    assert cell.read_bytes() == pcap.read_bytes()
    matrix = (tmp_path / "out" / "impl-matrix.html").read_text()
    assert f'href="impls/zlab-tcp/{pcap.name}">pcap</a>' in matrix
    assert f'href="{pcap.name}"' in details_of((out / "index.html").read_text(), RULE)


# --- cutting a capture per rule --------------------------------------------------------------

def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def frame(src, sport, dst, dport, flags=0x02):  # a SYN unless said
    eth = b"\0" * 12 + b"\x08\x00"
    ip = bytes([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0]) + bytes(src) + bytes(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 0x50, flags, 0, 0, 0)
    return eth + ip + tcp


def epb(t_ns, data):
    return block(6, struct.pack("<IIIII", 0, t_ns >> 32, t_ns & 0xFFFFFFFF, len(data), len(data))
                 + data)


def test_a_capture_is_cut_per_rule_by_the_connections_each_property_opened(tmp_path):
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB", 9, 1, 9) + b"\0\0\0"
                + b"\0\0\0\0")  # Ethernet, nanosecond timestamps
    a = frame([127, 0, 0, 1], 40000, [127, 0, 0, 2], 5555)
    a_back = frame([127, 0, 0, 2], 5555, [127, 0, 0, 1], 40000)
    b = frame([127, 0, 0, 1], 40001, [127, 0, 0, 3], 5555)
    cap = tmp_path / "run.pcapng"
    cap.write_bytes(shb + idb + epb(100, a) + epb(250, b) + epb(260, a_back) + epb(900, b))
    marks = ["conform-mark: begin rule/A 50", "conform: rule/A PASS", "conform-mark: end rule/A 200",
             "conform-mark: begin rule/B 210", "conform-mark: end rule/B 300"]
    windows = pcap_cells.marks_to_windows(marks)
    assert windows == [("rule/A", 50, 200), ("rule/B", 210, 300)]
    got = pcap_cells.split(cap, windows, tmp_path, lambda rule: rule.replace("/", "-") + ".pcapng")
    assert set(got) == {"rule/A", "rule/B"}
    # rule/A's connection keeps its late reply (t=260, after rule/A ended); rule/B gets its own.
    a_blocks = [raw for t, raw, _ in pcap_cells.blocks(got["rule/A"].read_bytes()) if t == 6]
    b_blocks = [raw for t, raw, _ in pcap_cells.blocks(got["rule/B"].read_bytes()) if t == 6]
    assert [x[28:28 + len(a)] for x in a_blocks] == [a, a_back]
    assert [x[28:28 + len(b)] for x in b_blocks] == [b, b]
    assert got["rule/A"].read_bytes().startswith(shb + idb)


def test_a_connection_whose_syn_the_capture_dropped_is_filed_under_no_rule(tmp_path):
    # Under load dumpcap dropped a connection's first packets; its next ACK fell inside another
    # property's window, which then held one stray ACK and none of its own traffic (CI, session 6).
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB", 9, 1, 9) + b"\0\0\0"
                + b"\0\0\0\0")
    stray = frame([127, 0, 0, 1], 40002, [127, 0, 0, 1], 5556, flags=0x10)  # ACK, SYN lost
    own = frame([127, 0, 0, 1], 40003, [127, 0, 0, 1], 5557)
    cap = tmp_path / "run.pcapng"
    cap.write_bytes(shb + idb + epb(100, stray) + epb(110, own) + epb(120, stray))
    unstarted = []
    got = pcap_cells.split(cap, [("rule/A", 50, 200)], tmp_path, lambda r: "A.pcapng", unstarted)
    packets = [raw for t, raw, _ in pcap_cells.blocks(got["rule/A"].read_bytes()) if t == 6]
    assert [x[28:28 + len(own)] for x in packets] == [own]
    assert len(unstarted) == 1
