"""(c) Fuzzing: corrupted versions of the live and crafted captures must decode without a
dissector bug, within a time limit, in one pass (tree built on the first pass) and in two.

Two corruptions: `editcap -E 0.05` (any byte of any packet, headers included), and a payload
mutator that corrupts only the ZMTP bytes of the crafted streams, so the TCP framing stays valid
and every corrupted byte reaches the dissector."""

import random
import subprocess

import pytest

import zmtp_cases

SEEDS = [11, 22, 33]
TIMEOUT = 60


def _decode_as(ports):
    args = []
    for p in ports:
        args += ["-d", f"tcp.port=={p},zlabzmtp"]
    return args


def _crafted_ports():
    n = len(zmtp_cases.MALFORMED) + len(zmtp_cases.WELL_FORMED)
    return range(zmtp_cases.BASE_PORT, zmtp_cases.BASE_PORT + n)


def _check_decodes(env, pcap, args):
    for passes in ([], ["-2"]):
        r = env.tshark(["-r", str(pcap), *passes, "-V", *args], timeout=TIMEOUT, check=False)
        out = r.stdout + r.stderr
        assert "Dissector bug" not in out, out[out.find("Dissector bug") - 500:][:1500]
        assert r.returncode == 0, f"tshark exited {r.returncode}: {r.stderr[-1500:]}"
        assert "zlabzmtp" in r.stdout or "zlabZMTP" in r.stdout or "ZeroMQ" in r.stdout


def _editcap(env, src, seed):
    out = env.path(f"fuzz-{seed}-{src.name}")
    subprocess.run(["editcap", "-E", "0.05", "--seed", str(seed), str(src), str(out)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    return env.publish(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_editcap_fuzzed_live_capture(plugin_env, live, seed):
    pcap, ports = live
    _check_decodes(plugin_env, _editcap(plugin_env, pcap, seed), _decode_as(ports.values()))


@pytest.mark.parametrize("seed", SEEDS)
def test_editcap_fuzzed_crafted_capture(plugin_env, crafted, seed):
    _check_decodes(plugin_env, _editcap(plugin_env, crafted[0], seed),
                   _decode_as(_crafted_ports()))


def _mutator(seed, rate=0.03):
    rng = random.Random(seed)

    def mutate(data):
        b = bytearray(data)
        for i in range(len(b)):
            if rng.random() < rate:
                b[i] = rng.randrange(256)
        if b and rng.random() < 0.05:
            del b[rng.randrange(len(b)):]
        if rng.random() < 0.05:
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24)))
        return bytes(b)

    return mutate


@pytest.mark.parametrize("seed", SEEDS)
def test_payload_fuzzed_crafted_streams(plugin_env, seed):
    pcap, args, _ = zmtp_cases.write_capture(plugin_env, f"payload-fuzz-{seed}.pcap",
                                             _mutator(seed))
    _check_decodes(plugin_env, pcap, _decode_as(_crafted_ports()))
