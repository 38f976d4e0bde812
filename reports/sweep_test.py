"""./zlab sweep: shards on local processes, and on a real Dask scheduler with two workers of which
one is killed mid-sweep: every seed is recorded exactly once, nothing lost."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import history
import sweep

FAKE = """#!{python}
# A stand-in for zlab_sim: each seed of the range passes except multiples of 7; logs which
# worker process (its parent) ran the shard, slowly enough to be killed in the middle.
import json, os, sys, time
a = sys.argv[1:]
first, last = map(int, a[a.index("--seeds") + 1].split(".."))
log = os.environ.get("FAKE_LOG")
if log:
    open(log, "a").write(f"start {{os.getppid()}} {{first}}\\n")
time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
res = [{{"seed": s, "scenario": "pair", "passed": s % 7 != 0, "trace_hash": f"h{{s}}",
         "failures": [] if s % 7 else ["lost a message"], "repro": f"./zlab sim --seed {{s}}"}}
       for s in range(first, last + 1)]
print(json.dumps({{"seeds": f"{{first}}..{{last}}", "results": res,
                  "failed": sum(1 for r in res if not r["passed"])}}))
if log:
    open(log, "a").write(f"end {{os.getppid()}} {{first}}\\n")
sys.exit(1 if any(not r["passed"] for r in res) else 0)
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    binary = tmp_path / "zlab_sim"
    binary.write_text(FAKE.format(python=sys.executable))
    binary.chmod(0o755)
    monkeypatch.setenv("ZLAB_SIM_BINARY", str(binary))
    monkeypatch.setenv("ZLAB_HISTORY", str(tmp_path / "h.sqlite"))
    return binary


def recorded(db):
    conn = history.connect(db)
    run = history.runs(conn, "sim", 1)[0]
    return run, history.verdicts(conn, run["id"])


def test_shards_cover_the_range_once():
    assert sweep.shards(1, 10, 4) == [(1, 4), (5, 8), (9, 10)]
    assert sweep.shards(5, 5, 3) == [(5, 5)]


def test_bad_sim_arguments_are_refused():
    with pytest.raises(SystemExit) as e:
        sweep.main(["sim", "--seed", "1"])
    assert e.value.code == 2
    with pytest.raises(SystemExit):
        sweep.main(["sim", "--seeds", "1..3", "--faults", "loss,,crash"])


def test_local_processes(fake, tmp_path):
    assert sweep.main(["--workers", "2", "--shard-size", "3", "sim", "--seeds", "1..10"]) == 1
    run, v = recorded(tmp_path / "h.sqlite")
    assert sorted(s for _, s in v) == list(range(1, 11))
    assert v[("pair", 7)]["status"] == "FAIL" and run["state"] == "done"
    # It compares with a plain ./zlab sim sweep of the same seeds.
    assert run["signature"] == history.signature("sim", "./zlab sim --seeds 1..10")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout_s, what):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout_s:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_dask_scheduler_and_two_workers_one_killed_mid_sweep(fake, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = tmp_path / "shards.log"
    fakes = {}
    for name, text in (("ZLAB_CONFORM_RUN", FAKE_CONFORM), ("ZLAB_FUZZ_RUN", FAKE_FUZZ)):
        fakes[name] = tmp_path / name
        fakes[name].write_text(text.format(python=sys.executable))
        fakes[name].chmod(0o755)
    monkeypatch.setenv("ZLAB_OUT", str(tmp_path / "out"))
    env = dict(os.environ, FAKE_LOG=str(log), FAKE_SLEEP="0.3",
               PYTHONPATH=str(Path(__file__).resolve().parent),
               **{k: str(v) for k, v in fakes.items()})
    procs = []
    try:
        procs.append(subprocess.Popen(["/usr/bin/python3", "-m", "distributed.cli.dask_scheduler",
                                       "--host", "127.0.0.1", "--port", str(port),
                                       "--dashboard-address", ":0"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(2):
            procs.append(subprocess.Popen(["/usr/bin/python3", "-m", "distributed.cli.dask_worker",
                                           address, "--nthreads", "1", "--no-nanny",
                                           "--dashboard-address", ":0"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        workers = [p.pid for p in procs[1:]]
        result = {}

        def sweep_in_thread():
            result["status"] = sweep.main(["--scheduler", address, "--shard-size", "2", "sim",
                                           "--seeds", "1..14"])

        import threading

        t = threading.Thread(target=sweep_in_thread)
        t.start()

        def busy(pid):
            lines = log.read_text().split("\n") if log.exists() else []
            starts = sum(1 for l in lines if l.startswith(f"start {pid} "))
            ends = sum(1 for l in lines if l.startswith(f"end {pid} "))
            return starts > ends and ends >= 1

        # Kill the first worker while it runs a shard, after it finished one.
        wait_for(lambda: any(busy(p) for p in workers), 60, "a busy worker")
        victim = next(p for p in workers if busy(p))
        os.kill(victim, signal.SIGKILL)
        t.join(120)
        assert not t.is_alive()
        assert result["status"] == 1  # seeds 7 and 14 fail
        run, v = recorded(tmp_path / "h.sqlite")
        assert sorted(s for _, s in v) == list(range(1, 15))  # nothing lost, nothing twice
        assert run["state"] == "done"
        assert [s for (_, s), r in v.items() if r["status"] == "FAIL"] == [7, 14]
        # The shard the victim was running was run again by the other worker.
        lines = log.read_text().split()
        events = list(zip(lines[0::3], lines[1::3], lines[2::3]))
        lost = [s for e, p, s in events if e == "start" and p == str(victim)
                and ("end", p, s) not in events]
        assert lost and all(("end", str(other), lost[0]) in events for other in workers
                            if other != victim)
        # conform and fuzz shards go to the same workers (the survivor) the same way.
        assert sweep.main(["--scheduler", address, "conform", "--seeds", "2..3"]) == 1
        assert sweep.main(["--scheduler", address, "--shard-size", "2", "fuzz", "--seeds",
                           "1..3", "--sim"]) == 1
        conn = history.connect(tmp_path / "h.sqlite")
        conform_run = history.runs(conn, "conform", 1)[0]
        assert history.verdicts(conn, conform_run["id"])[("rule/B", 3)]["status"] == "FAIL"
        fuzz_run = history.runs(conn, "fuzz", 1)[0]
        v = history.verdicts(conn, fuzz_run["id"])
        assert len([k for k in v if k[1] >= 0]) == 9 and fuzz_run["state"] == "done"
        assert json.loads(v[("sim-PULL/traffic/flags", -1)]["detail"])["failing_seeds"] == ["2/1"]
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.kill()  # ours; a graceful Dask shutdown takes seconds
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


FAKE_CONFORM = """#!{python}
# A stand-in for conformance/run: rule/A passes, rule/B fails on seed 3.
import json, os, sys
a = sys.argv[1:]
first, last = map(int, a[a.index("--seeds") + 1].split(".."))
out = a[a.index("--out") + 1]
fail = first == 3
res = [{{"rule": "rule/A", "socket_type": "REQ", "column": "x", "status": "PASS", "runs": 5,
         "exercised": 5}},
       {{"rule": "rule/B", "socket_type": "REQ", "column": "y", "status": "FAIL" if fail else "PASS",
         "runs": 5, "exercised": 5, "failing_seeds": [first] if fail else [],
         "failure": {{"seed": first, "expected": "e", "actual": "a",
                      "replay": f"./zlab conform --only rule/B --seed {{first}}"}} if fail else None}}]
doc = {{"schema": "zlab-conformance/1", "profile": "strict-spec", "transport": "sim",
        "seeds": {{"first": first, "count": 1}}, "started": "2026-12-06T00:00:00Z",
        "duration_s": 1, "command": "x", "results": res}}
open(os.path.join(out, "conformance.json"), "w").write(json.dumps(doc))
sys.exit(1 if fail else 0)
"""


def test_conform_sweep_one_seed_per_shard_merged_report(tmp_path, monkeypatch):
    fake = tmp_path / "run"
    fake.write_text(FAKE_CONFORM.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("ZLAB_CONFORM_RUN", str(fake))
    monkeypatch.setenv("ZLAB_HISTORY", str(tmp_path / "h.sqlite"))
    monkeypatch.setenv("ZLAB_OUT", str(tmp_path / "out"))
    assert sweep.main(["--workers", "2", "conform", "--seeds", "1..4", "--only", "rule/*"]) == 1
    doc = json.loads((tmp_path / "out/conform/latest/conformance.json").read_text())
    b = {r["rule"]: r for r in doc["results"]}["rule/B"]
    assert b["status"] == "FAIL" and b["failing_seeds"] == [3] and b["runs"] == 20
    assert (tmp_path / "out/conform/latest/index.html").exists()
    conn = history.connect(tmp_path / "h.sqlite")
    run = history.runs(conn, "conform", 1)[0]
    v = history.verdicts(conn, run["id"])
    assert v[("rule/B", -1)]["status"] == "FAIL" and v[("rule/B", 3)]["status"] == "FAIL"
    assert v[("rule/B", 2)]["status"] == "PASS"
    assert run["signature"] == history.signature(
        "conform", "./zlab conform --seeds 1..4 --only 'rule/*'", "strict-spec", "sim")
    with pytest.raises(SystemExit):
        sweep.main(["conform", "--seeds", "1..4", "--out", "x"])


FAKE_FUZZ = """#!{python}
# A stand-in for fuzz/zlab-fuzz --sim: 3 cases per seed; case 1 of seed 2 is a finding with a pcap.
import json, os, sys
a = sys.argv[1:]
seed, out = int(a[a.index("--seed") + 1]), a[a.index("--out") + 1]
assert "--no-history" in a and "--sim" in a
live = os.path.join(out, "live", "sim-PULL")
os.makedirs(live)
finds = []
if seed == 2:
    open(os.path.join(live, "case-1.pcapng"), "wb").write(b"pcap of seed 2 case 1")
    finds = [{{"case": 1, "state": "traffic", "mutation": "flags", "reasons": ["delivered"],
              "replay": f"./zlab fuzz --sim --seed {{seed}} --case 1",
              "pcapng": os.path.join(live, "case-1.pcapng")}}]
cases = [{{"case": n, "state": "traffic", "mutation": "flags", "reaction": "open",
           "expected": ["open"]}} for n in range(3)]
run = {{"target": "sim-PULL", "endpoint": "sim", "socket_type": "PULL", "seed": seed,
        "cases": cases, "findings": finds, "states": {{}}, "reached": {{}}}}
open(os.path.join(out, "fuzz-report.json"), "w").write(json.dumps({{"runs": [run],
                                                                   "differences": []}}))
sys.exit(1 if finds else 0)
"""


def test_fuzz_sweep_seed_ranges_recorded_with_their_findings_pcaps(tmp_path, monkeypatch):
    fake = tmp_path / "zlab-fuzz"
    fake.write_text(FAKE_FUZZ.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("ZLAB_FUZZ_RUN", str(fake))
    monkeypatch.setenv("ZLAB_HISTORY", str(tmp_path / "h.sqlite"))
    monkeypatch.setenv("ZLAB_OUT", str(tmp_path / "out"))
    argv = ["--workers", "2", "--shard-size", "2", "fuzz", "--seeds", "1..5", "--sim",
            "--socket-type", "PULL", "--cases", "3"]
    assert sweep.main(argv) == 1
    out = tmp_path / "out/fuzz/latest"
    doc = json.loads((out / "fuzz-report.json").read_text())
    assert [r["seed"] for r in doc["runs"]] == [1, 2, 3, 4, 5]
    pcap = Path(doc["runs"][1]["findings"][0]["pcapng"])
    assert pcap.read_bytes() == b"pcap of seed 2 case 1" and out.resolve() in pcap.parents
    assert (out / "fuzz-report.html").exists()
    conn = history.connect(tmp_path / "h.sqlite")
    run = history.runs(conn, "fuzz", 1)[0]
    assert (run["transport"], run["impl"], run["state"]) == ("sim", "zlab", "done")
    v = history.verdicts(conn, run["id"])
    agg = v[("sim-PULL/traffic/flags", -1)]
    assert agg["status"] == "FAIL" and agg["runs"] == 15
    assert json.loads(agg["detail"])["failing_seeds"] == ["2/1"]
    assert v[("sim-PULL/traffic/flags (seed 2)", 1)]["status"] == "FAIL"
    assert len([k for k in v if k[1] >= 0]) == 15  # every case once
    for bad in (["fuzz", "--seeds", "1..2", "--target", "tcp://127.0.0.1:1", "--sim"],
                ["fuzz", "--seeds", "1..2", "--socket-type", "PULL"],
                ["fuzz", "--sim"]):
        with pytest.raises(SystemExit):
            sweep.main(bad)
