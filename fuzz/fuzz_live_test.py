"""The live fuzzer: cases are a function of (seed, number); a well-behaved endpoint gives no
finding; each planted defect (planted.py) is found within a stated case budget; and, when the
zlab library is built, a short run against zlab itself is clean."""

import argparse
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import live  # noqa: E402
import planted  # noqa: E402


class Fake:
    """A planted endpoint seen as a managed target (its deliveries, always alive)."""

    def __init__(self, endpoint):
        self.endpoint, self.seen = endpoint, 0

    def delivered(self):
        new = self.endpoint.delivered[self.seen:]
        self.seen += len(new)
        return new

    def alive(self):
        return True


def args_for(tmp_path, cases, seed=1, stop_after=1):
    return argparse.Namespace(listen=False, socket_type="PAIR", name="planted", out=str(tmp_path),
                              case=None, cases=cases, seconds=None, seed=seed, sanity_every=5,
                              quiet=True, against=None, window_ms=40, stop_after=stop_after)


def run_against(defect, tmp_path, cases, seed=1):
    e = planted.PlantedEndpoint(defect)
    try:
        return live.fuzz_one(args_for(tmp_path, cases, seed), e.endpoint, Fake(e))
    finally:
        e.close()


def test_cases_are_a_function_of_seed_and_number():
    a = [live.make_case(7, k, "PAIR") for k in range(40)]
    b = [live.make_case(7, k, "PAIR") for k in range(40)]
    assert [(c.state, c.mutation, c.segments) for c in a] == \
        [(c.state, c.mutation, c.segments) for c in b]
    other = [live.make_case(8, k, "PAIR") for k in range(40)]
    assert [c.segments for c in a] != [c.segments for c in other]
    assert {c.state for c in a} == set(live.STATES)  # every state is walked


def test_plain_cases_walk_the_plain_handshake_states():
    a = [live.make_case(3, k, "DEALER", "PLAIN") for k in range(60)]
    b = [live.make_case(3, k, "DEALER", "PLAIN") for k in range(60)]
    assert [(c.state, c.mutation, c.segments) for c in a] == \
        [(c.state, c.mutation, c.segments) for c in b]
    assert {c.state for c in a} == set(live.mechanism_cases.STATES)
    assert all(not c.prefix and c.segments[0][0].startswith(live.z.greeting(b"PLAIN")[:11])
               or c.mutation == "null-greeting" for c in a)


def test_zlab_plain_server_survives_a_short_run(tmp_path):
    t = live.Target("zlab", "DEALER", tmp_path, "PLAIN")
    try:
        a = args_for(tmp_path, cases=20, stop_after=None)
        a.socket_type, a.mechanism, a.window_ms = "DEALER", "PLAIN", 60
        run = live.fuzz_one(a, t.endpoint, t, label="zlab")
    finally:
        t.stop()
    assert run["findings"] == [], run["findings"]
    assert run["reached"].get("target-ready", 0) > 0  # PLAIN handshakes completed


def test_zlab_curve_server_survives_a_short_run(tmp_path):
    pytest.importorskip("nacl")
    assert {live.make_case(3, k, "DEALER", "CURVE").state for k in range(40)} == \
        set(live.mechanism_cases.CURVE_STATES)
    t = live.Target("zlab", "DEALER", tmp_path, "CURVE")
    try:
        a = args_for(tmp_path, cases=20, stop_after=None)
        a.socket_type, a.mechanism, a.window_ms = "DEALER", "CURVE", 60
        run = live.fuzz_one(a, t.endpoint, t, label="zlab")
    finally:
        t.stop()
    assert run["findings"] == [], run["findings"]
    assert run["reached"].get("target-ready", 0) > 0  # CURVE handshakes completed


def test_a_conforming_endpoint_gives_no_finding(tmp_path):
    run = run_against("none", tmp_path, cases=40)
    assert run["findings"] == [] and len(run["cases"]) == 40
    assert run["reached"].get("pong", 0) > 0


# Budgets: the case (of seed 1) by which each planted defect must have been found.
@pytest.mark.parametrize("defect,budget,reason", [
    ("wrong-command", 120, "reaction open, expected close"),
    ("half-frame", 120, "delivered a malformed message"),
    ("trusts-length", 200, ""),
])
def test_planted_defects_are_found(tmp_path, defect, budget, reason):
    run = run_against(defect, tmp_path, cases=budget)
    assert run["findings"], f"{defect} not found in {budget} cases"
    f = run["findings"][0]
    assert reason in "; ".join(f["reasons"])
    assert f["replay"].startswith("./zlab fuzz --target ")
    assert Path(f["pcapng"]).read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"


LIB = HERE.parent / "bazel-bin" / "engine" / "api" / "libzmq.so.5"


@pytest.mark.skipif(not LIB.exists(), reason="zlab's libzmq.so.5 is not built")
def test_zlab_survives_a_short_run(tmp_path):
    t = live.Target("zlab", "PAIR", tmp_path)
    try:
        a = args_for(tmp_path, cases=30, stop_after=None)
        a.window_ms = 60
        run = live.fuzz_one(a, t.endpoint, t, label="zlab")
    finally:
        t.stop()
    assert run["findings"] == [], run["findings"]


SIM = HERE.parent / "bazel-bin" / "fuzz" / "sim" / "sim_fuzz"


@pytest.mark.skipif(not SIM.exists(), reason="//fuzz/sim:sim_fuzz is not built")
@pytest.mark.parametrize("socket_type", ["PUB", "ROUTER", "PULL"])
def test_simulator_mode_is_deterministic_and_clean(tmp_path, socket_type):
    a = args_for(tmp_path, cases=60, seed=3, stop_after=None)
    a.socket_type = socket_type
    first = live.run_sim(a, SIM)
    second = live.run_sim(a, SIM)
    assert first["raw"] == second["raw"]  # byte for byte, per seed
    assert first["findings"] == [], first["findings"]
    assert first["reached"].get("target-ready", 0) > 0


@pytest.mark.skipif(not SIM.exists(), reason="//fuzz/sim:sim_fuzz is not built")
def test_simulator_faults_change_no_reaction(tmp_path):
    # latency and small buffers: every reaction (and delivery) is the one without faults.
    a = args_for(tmp_path, cases=60, seed=2, stop_after=None)
    a.socket_type, a.faults = "PULL", "latency,small_buffers"
    run = live.run_sim(a, SIM)
    assert run["findings"] == [], run["findings"]
    assert live.run_sim(a, SIM)["raw"] == run["raw"]


@pytest.mark.skipif(not SIM.exists(), reason="//fuzz/sim:sim_fuzz is not built")
def test_simulator_plain_mode_is_deterministic_and_clean(tmp_path):
    # A PLAIN server with a simulated ZAP handler: its handshake states, under faults too.
    a = args_for(tmp_path, cases=60, seed=1, stop_after=None)
    a.socket_type, a.mechanism, a.faults = "DEALER", "PLAIN", "split_io,latency"
    run = live.run_sim(a, SIM)
    assert run["findings"] == [], run["findings"]
    assert live.run_sim(a, SIM)["raw"] == run["raw"]
    assert run["reached"].get("target-ready", 0) > 0
    assert set(run["states"]) == set(live.mechanism_cases.STATES)
