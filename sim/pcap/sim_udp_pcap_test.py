"""A simulated RADIO/DISH run over udp (unicast and multicast, under the datagram faults and a
partition) written as pcapng (//sim/pcap:udp_capture), read by tshark with our plugin: every
UDP frame is a valid UDP/IPv4 packet, the plugin's UDP heuristic decodes each as a RADIO/DISH
datagram (group, body) with the bytes the byte library says a RADIO sends, the faults show as
comments, and the same seed gives the same file."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "dissector"))
sys.path.insert(0, str(ROOT / "engine" / "wire"))
import zmtp_bytes  # noqa: E402  (the one byte library: what a RADIO sends)
import zmtp_tshark  # noqa: E402

SEED = 5
FAULTS = "latency,dgram_loss,dgram_dup,dgram_reorder,partition"


def _binary():
    subprocess.run(["bazel", "build", "//sim/pcap:udp_capture"], cwd=ROOT, check=True,
                   capture_output=True, timeout=1800)
    out = subprocess.run(["bazel", "info", "bazel-bin"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300).stdout.strip()
    return Path(out) / "sim" / "pcap" / "udp_capture"


def _run(binary, pcap, seed=SEED):
    r = subprocess.run([str(binary), "--seed", str(seed), "--faults", FAULTS, "--pcap", str(pcap)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    datagrams = r.stdout.split("| datagrams", 1)[1]
    return {k: int(re.search(rf"{k}=(\d+)", datagrams).group(1))
            for k in ("sent", "delivered", "lost", "duplicated", "dropped")}


@pytest.fixture(scope="module")
def plugin_env():
    env = zmtp_tshark.PluginEnv(zmtp_tshark.build_plugin())
    yield env
    env.cleanup()


@pytest.fixture(scope="module")
def run(plugin_env):
    binary = _binary()
    pcap = plugin_env.path("udp.pcapng")
    summary = _run(binary, pcap)
    plugin_env.publish(pcap)
    return binary, pcap, summary


@pytest.fixture(scope="module")
def packets(plugin_env, run):
    return plugin_env.packets(run[1], "-N", "n", "-o", "udp.check_checksum:TRUE")


def _udp(packets):
    return [p for p in packets if p.get("udp.srcport")]


def test_every_datagram_decodes_as_radio_dish(packets, run):
    udp = _udp(packets)
    summary = run[2]
    # Every copy that arrived, every lost one and every dropped one is a frame.
    want = summary["delivered"] + summary["lost"] + summary["dropped"]
    assert len(udp) == want
    assert summary["lost"] > 0 and summary["duplicated"] > 0 and summary["dropped"] > 0
    for p in udp:
        assert p.get("zlabzmtp.udp.group"), p.get("frame.number")
        assert p.first("udp.checksum.status") == "1"  # PROTO_CHECKSUM_E_GOOD
    groups = {p.first("zlabzmtp.udp.group") for p in udp}
    assert groups == {"weather", "news"}
    bodies = {p.first("zlabzmtp.udp.body_text") for p in udp}
    assert all(b.startswith("radio #") for b in bodies) and len(bodies) > 50


def test_the_decoded_fields_are_the_bytes_the_radio_sent(packets):
    sent = [p for p in _udp(packets) if p.first("zlabzmtp.udp.group") == "weather"]
    assert sent
    for p in sent:
        body = p.first("zlabzmtp.udp.body_text").encode()
        payload = bytes.fromhex(p.first("udp.payload").replace(":", ""))
        assert payload == zmtp_bytes.udp_datagram(b"weather", body)
    p = sent[0]
    assert p.first("zlabzmtp.udp.group_length") == "7"


def test_multicast_copies_go_to_the_group(packets):
    # The RADIO sends every group to both udp peers (the DISHes' joins filter locally).
    to_group = [p for p in _udp(packets) if p.first("ip.dst") == "239.1.2.3"]
    assert to_group and all("copy for" in (p.first("frame.comment") or "") for p in to_group)
    assert {p.first("zlabzmtp.udp.group") for p in to_group} == {"weather", "news"}
    unicast = [p for p in _udp(packets) if p.first("ip.dst") != "239.1.2.3"]
    assert unicast and all(p.first("udp.dstport") == "5555" for p in unicast)


def test_faults_show_as_comments(packets):
    comments = [c for p in _udp(packets) for c in p.get("frame.comment")]
    assert any("lost in the network" in c for c in comments)
    assert any("duplicated" in c for c in comments)


def test_no_error_expert_from_the_plugin(packets):
    assert zmtp_tshark.error_experts(packets) == []


def test_same_seed_same_file(plugin_env, run):
    binary, pcap, _ = run
    again = plugin_env.path("udp-again.pcapng")
    _run(binary, again)
    assert Path(pcap).read_bytes() == Path(again).read_bytes()
