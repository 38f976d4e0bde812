"""The run history (SQLite) and ./zlab report diff over it: categories, since which commit a
failure fails, determinism bugs, the default base, exit codes 0 / 1 / 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import history
import regress

CLI = Path(__file__).resolve().parent / "report_cli.py"
SIM_CMD = "./zlab sim --seeds 1..3 --jobs 2"


def src(commit, dirty=False, branch="main"):
    return {"commit": commit, "branch": branch, "dirty": dirty}


def sim_run(conn, commit, verdicts, command=SIM_CMD, dirty=False, hashes=None):
    """verdicts: {(scenario, seed): 'PASS'|'FAIL'}."""
    run_id = history.begin(conn, "sim", command, source=src(commit, dirty))
    history.add_verdicts(conn, run_id, [
        {"subject": s, "seed": n, "status": v, "hash": (hashes or {}).get((s, n), f"h{n}"),
         "detail": json.dumps({"repro": f"./zlab sim --seed {n} --scenario {s}"}) if v == "FAIL" else ""}
        for (s, n), v in verdicts.items()])
    history.finish(conn, run_id, 1.0)
    return run_id


def conform_run(conn, commit, statuses, command="./zlab conform --seeds 1..2", exercised=None):
    doc = {"command": command, "profile": "strict-spec", "transport": "sim", "results": [
        {"rule": r, "status": s, "runs": 10, "exercised": (exercised or {}).get(r, 10),
         "failing_seeds": [2] if s == "FAIL" else [],
         "failure": {"seed": 2, "replay": f"./zlab conform --only {r} --seed 2"} if s == "FAIL" else None}
        for r, s in statuses.items()]}
    run_id = history.begin(conn, "conform", command, "strict-spec", "sim", source=src(commit))
    history.add_verdicts(conn, run_id, history.conform_rows(
        doc, [(r, 2, s, f"./zlab conform --only {r} --seed 2") for r, s in statuses.items()]))
    history.finish(conn, run_id, 1.0)
    return run_id


@pytest.fixture
def conn(tmp_path):
    return history.connect(tmp_path / "h.sqlite")


def test_signature_ignores_output_and_parallelism():
    a = history.signature("sim", "./zlab sim --seeds 1..3 --jobs 2 --out x --json=y.json")
    b = history.signature("sim", "./zlab sim --seeds 1..3")
    assert a == b
    assert history.signature("sim", "./zlab sim --seeds 1..4") != b
    assert history.signature("sim", "./zlab sim --seeds 1..3 --shard 1/2") != b  # half the runs
    assert history.signature("conform", "./zlab conform", "strict-spec") != \
        history.signature("conform", "./zlab conform", "libzmq-4.3.4")


def test_a_failure_says_since_which_commit_it_fails(conn):
    sim_run(conn, "c1" * 20, {("pair", 1): "PASS", ("pair", 2): "PASS"})
    sim_run(conn, "c2" * 20, {("pair", 1): "FAIL", ("pair", 2): "PASS"})
    sim_run(conn, "c3" * 20, {("pair", 1): "FAIL", ("pair", 2): "PASS"})
    last = sim_run(conn, "c4" * 20, {("pair", 1): "FAIL", ("pair", 2): "FAIL"})
    new = regress.from_history(conn, last)
    d = regress.compare(regress.from_history(conn, last - 1), new, conn=conn)
    assert d.new_failures == [("pair", 2)] and d.ongoing == [("pair", 1)]
    assert d.since[("pair", 1)].startswith("failing since c2c2c2c2c2 (run 2; 3 runs in a row")
    assert d.since[("pair", 2)].startswith("failing since c4c4c4c4c4 (run 4; 1 run")
    out = regress.text(d)
    assert "reproduce: ./zlab sim --seed 2 --scenario pair" in out


def test_same_seed_same_commit_different_verdict_is_a_determinism_bug(conn):
    a = sim_run(conn, "d" * 40, {("pair", 1): "PASS", ("pair", 2): "PASS"})
    b = sim_run(conn, "d" * 40, {("pair", 1): "FAIL", ("pair", 2): "PASS"},
                hashes={("pair", 2): "other"})
    d = regress.compare(regress.from_history(conn, a), regress.from_history(conn, b), conn=conn)
    whys = dict(d.determinism)
    assert "determinism bug" in whys[("pair", 1)] and "PASS in run 1" in whys[("pair", 1)]
    assert "trace hash" in whys[("pair", 2)]
    assert d.regressed()


def test_a_dirty_tree_is_not_the_same_code(conn):
    a = sim_run(conn, "d" * 40, {("pair", 1): "PASS"})
    b = sim_run(conn, "d" * 40, {("pair", 1): "FAIL"}, dirty=True)
    d = regress.compare(regress.from_history(conn, a), regress.from_history(conn, b), conn=conn)
    assert d.determinism == [] and d.new_failures == [("pair", 1)]


def test_conform_exercise_drop_added_and_failing_seeds(conn):
    a = conform_run(conn, "e" * 40, {"rule/A": "PASS", "rule/B": "PASS"})
    b = conform_run(conn, "f" * 40, {"rule/A": "PASS", "rule/B": "FAIL", "rule/C": "PASS"},
                    exercised={"rule/A": 2})
    d = regress.compare(regress.from_history(conn, a), regress.from_history(conn, b), conn=conn)
    assert d.new_failures == [("rule/B", -1)] and d.added == [("rule/C", -1)]
    assert [k for k, _ in d.exercise_drops] == [("rule/A", -1)]
    assert "seeds 2" in regress.text(d)


def cli(db, *args):
    return subprocess.run([sys.executable, str(CLI), "--db", str(db), *args], capture_output=True,
                          text=True, env=dict(os.environ, ZLAB_CALLER_DIR=str(db.parent)))


def test_report_diff_exit_codes(tmp_path):
    db = tmp_path / "h.sqlite"
    conn = history.connect(db)
    # 2: nothing to compare with, a missing run, a missing file.
    assert cli(db, "diff").returncode == 2
    first = sim_run(conn, "a" * 40, {("pair", 1): "PASS"})
    r = cli(db, "diff")
    assert r.returncode == 2 and "no earlier run" in r.stderr
    assert cli(db, "diff", "99", str(first)).returncode == 2
    r = cli(db, "diff", "nope.json", "latest")
    assert r.returncode == 2 and "no such file" in r.stderr
    # 0: the same verdicts (the default base is the last run of the same command).
    sim_run(conn, "b" * 40, {("pair", 1): "PASS"})
    assert cli(db, "diff").returncode == 0
    # 1: a new failure.
    sim_run(conn, "c" * 40, {("pair", 1): "FAIL"})
    r = cli(db, "diff")
    assert r.returncode == 1 and "New failures (1)" in r.stdout
    # 2: a different command is refused unless --force.
    other = sim_run(conn, "c" * 40, {("pair", 1): "PASS"}, command="./zlab sim --seeds 1..9")
    r = cli(db, "diff", str(first), str(other))
    assert r.returncode == 2 and "different commands" in r.stderr
    assert cli(db, "diff", "--force", str(first), str(other)).returncode == 0
    # JSON for machines.
    r = cli(db, "diff", "--json", str(first), "3")
    assert json.loads(r.stdout)["new_failures"][0]["subject"] == "pair"


def test_report_list_shows_runs(tmp_path):
    db = tmp_path / "h.sqlite"
    sim_run(history.connect(db), "a" * 40, {("pair", 1): "PASS"})
    r = cli(db, "list")
    assert r.returncode == 0 and SIM_CMD in r.stdout and "1 PASS" in r.stdout


def test_record_conform_and_sim_files(tmp_path):
    doc = {"command": "./zlab conform --only 'rule/X'", "profile": "strict-spec", "transport": "sim",
           "started": "2026-12-06T10:00:00+00:00", "duration_s": 2,
           "results": [{"rule": "rule/X", "status": "PASS", "runs": 3, "exercised": 3}]}
    db = tmp_path / "h.sqlite"
    run_id = history.record_conform(doc, [("rule/X", 1, "PASS", "")], tmp_path, path=db)
    v = history.verdicts(history.connect(db), run_id)
    assert set(v) == {("rule/X", -1), ("rule/X", 1)}
    sweep = {"seeds": "1..1", "wall_ms": 5, "results": [
        {"seed": 1, "scenario": "pair", "passed": False, "trace_hash": "ab", "failures": ["x"]}]}
    run_id = history.record_sim(sweep, "./zlab sim --seeds 1..1", tmp_path, path=db)
    v = history.verdicts(history.connect(db), run_id)
    assert v[("pair", 1)]["status"] == "FAIL" and v[("pair", 1)]["hash"] == "ab"


# --- fuzz and interop runs -----------------------------------------------------------------------

def fuzz_doc(findings, cases=6, target="sim-PULL", seed=2):
    """A fuzz report (fuzz/report.py): cases 0..cases-1 of two kinds; findings: case numbers."""
    kinds = [("traffic", "reserved-flags"), ("handshake", "ready-twice")]
    cs = [{"case": n, "state": kinds[n % 2][0], "mutation": kinds[n % 2][1],
           "reaction": "close" if n in findings else "open", "expected": ["open"]}
          for n in range(cases)]
    fs = [{"case": n, "state": kinds[n % 2][0], "mutation": kinds[n % 2][1],
           "reasons": [f"reaction close, expected open (case {n})"], "why_expected": "RFC 23",
           "reaction": "close", "expected": ["open"], "pcapng": f"/x/case-{n}.pcapng",
           "replay": f"./zlab fuzz --sim --socket-type PULL --seed {seed} --case {n}"}
          for n in findings]
    return {"runs": [{"target": target, "endpoint": "sim", "socket_type": "PULL", "seed": seed,
                      "cases": cs, "findings": fs, "states": {}, "reached": {}}],
            "differences": []}


FUZZ_CMD = "./zlab fuzz --sim --socket-type PULL --seed 2 --cases 6"


def fuzz_run(conn, commit, findings, command=FUZZ_CMD):
    run_id = history.begin(conn, "fuzz", command, transport="sim", impl="zlab",
                           source=src(commit))
    history.add_verdicts(conn, run_id, history.fuzz_rows(fuzz_doc(findings)))
    history.finish(conn, run_id, 1.0)
    return run_id


def test_fuzz_rows_per_kind_of_case_and_per_case():
    rows = {(r["subject"], r["seed"]): r for r in history.fuzz_rows(fuzz_doc([1, 3]))}
    agg = rows[("sim-PULL/handshake/ready-twice", -1)]
    assert (agg["status"], agg["runs"]) == ("FAIL", 3)
    assert json.loads(agg["detail"])["failing_seeds"] == [1, 3]
    assert json.loads(agg["detail"])["pcap"] == "/x/case-1.pcapng"
    assert rows[("sim-PULL/traffic/reserved-flags", -1)]["status"] == "PASS"
    assert rows[("sim-PULL/handshake/ready-twice", 3)]["hash"] == "close"  # the reaction
    assert len([k for k in rows if k[1] >= 0]) == 6


def test_fuzz_diff_is_per_finding_new_resolved_ongoing(conn):
    fuzz_run(conn, "c1", [1])          # handshake/ready-twice fails
    new = fuzz_run(conn, "c2", [0, 1])  # and now traffic/reserved-flags too
    d = regress.compare(regress.from_history(conn, new - 1), regress.from_history(conn, new),
                        conn=conn)
    assert d.new_failures == [("sim-PULL/traffic/reserved-flags", -1)]
    assert d.ongoing == [("sim-PULL/handshake/ready-twice", -1)]
    text = regress.text(d)
    assert "cases 0" in text and "--case 0" in text and "failing since c1" in text
    later = fuzz_run(conn, "c3", [0])
    d = regress.compare(regress.from_history(conn, new), regress.from_history(conn, later),
                        conn=conn)
    assert d.resolved == [("sim-PULL/handshake/ready-twice", -1)] and not d.new_failures


def test_fuzz_sim_reacting_differently_on_the_same_seed_is_a_determinism_bug(conn):
    a = fuzz_run(conn, "c1", [1])
    b = fuzz_run(conn, "c1", [1, 4])  # same commit, same seed: case 4 reacts otherwise
    d = regress.compare(regress.from_history(conn, a), regress.from_history(conn, b), conn=conn)
    assert [k for k, _ in d.determinism] == [("sim-PULL/traffic/reserved-flags", 4)]
    assert d.regressed()


def test_a_fuzz_report_file_is_a_run_for_report_diff(tmp_path):
    for name, findings in (("a", [1]), ("b", [])):
        (tmp_path / name).mkdir()
        (tmp_path / name / "fuzz-report.json").write_text(json.dumps(
            dict(fuzz_doc(findings), command=FUZZ_CMD)))
    d = regress.compare(regress.from_file(tmp_path / "a"), regress.from_file(tmp_path / "b"))
    assert d.resolved == [("sim-PULL/handshake/ready-twice", -1)]


def test_interop_runs_are_recorded_as_interop_with_their_implementations(tmp_path):
    db = tmp_path / "h.sqlite"
    doc = {"command": "./zlab conform --transport tcp --impl libzmq", "profile": "strict-spec",
           "transport": "tcp", "implementation": "libzmq", "peer_implementation": "libzmq",
           "results": [{"rule": "rule/A", "status": "PASS", "runs": 5, "exercised": 5}]}
    a = history.record_conform(doc, path=db)
    b = history.record_conform(dict(doc, peer_implementation="zlab"), path=db)
    c = history.record_conform(dict(doc, implementation="zlab", peer_implementation="zlab"), path=db)
    conn = history.connect(db)
    got = {r["id"]: (r["kind"], r["impl"]) for r in history.runs(conn)}
    assert got == {a: ("interop", "libzmq"), b: ("interop", "libzmq+zlab"), c: ("conform", "zlab")}
    out = subprocess.run([sys.executable, str(CLI), "--db", str(db), "list", "--kind", "interop"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.count("interop") == 2


def test_libfuzzer_runs_are_one_verdict_per_target():
    doc = {"runs": [], "differences": [], "libfuzzer": [
        {"target": "z85", "status": 0, "executions": 1000, "log": "/o/z85/fuzz.log"},
        {"target": "greeting", "status": 1, "executions": 7, "log": "/o/greeting/fuzz.log",
         "replay": "./zlab fuzz --libfuzzer greeting"}]}
    rows = {r["subject"]: r for r in history.fuzz_rows(doc)}
    assert rows["libfuzzer/z85"]["status"] == "PASS" and rows["libfuzzer/z85"]["detail"] == ""
    bad = json.loads(rows["libfuzzer/greeting"]["detail"])
    assert rows["libfuzzer/greeting"]["status"] == "FAIL"
    assert bad["actual"] == "exit 1 after 7 executions" and bad["trace"] == "/o/greeting/fuzz.log"
