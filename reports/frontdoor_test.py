"""The front door's traps (issue 18): paths from the caller's folder, a folder per run with a
`latest` link, bad arguments refused before any build, --help of every command at once.

A fake `bazel` first on PATH records any call: a check that happens "before any work" must leave
it uncalled."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import frontdoor
import history
import sim_front

ROOT = Path(__file__).resolve().parent.parent
ZLAB = ROOT / "zlab"


@pytest.fixture
def env(tmp_path):
    """Environment for ./zlab with a bazel that must not be called, and a private history."""
    fake = tmp_path / "bin"
    fake.mkdir()
    marker = tmp_path / "bazel-called"
    (fake / "bazel").write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 97\n")
    (fake / "bazel").chmod(0o755)
    e = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}", ZLAB_SKIP_SETUP="1",
             ZLAB_HISTORY=str(tmp_path / "history.sqlite"))
    e.pop("ZLAB_CALLER_DIR", None)
    e["_marker"] = str(marker)
    return e


def zlab(env, *args, cwd=None, timeout=20):
    e = {k: v for k, v in env.items() if not k.startswith("_")}
    return subprocess.run([str(ZLAB), *args], cwd=cwd or ROOT, env=e, capture_output=True,
                          text=True, timeout=timeout)


def built(env):
    return Path(env["_marker"]).exists()


COMMANDS = ["conform", "test", "build", "libzmq-tests", "sim", "setup", "format", "wireshark",
            "capture", "report", "sweep", "fuzz", "bench", "help"]


def test_usage_lists_every_command_we_test(env):
    listed = set(re.findall(r"^  ([a-z-]+) ", zlab(env, "help").stdout, re.M))
    assert listed == set(COMMANDS)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_answers_at_once_without_building(env, cmd):
    t0 = time.monotonic()
    r = zlab(env, cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < 10
    assert not built(env), f"{cmd} --help called bazel"
    assert len(r.stdout) > 80


@pytest.mark.parametrize("module", ["sim_front", "report_cli", "sweep"])
def test_every_option_is_described(module):
    import importlib

    ap = importlib.import_module(module).parser()
    parsers = [ap] + [p for a in ap._actions if hasattr(a, "choices") and isinstance(a.choices, dict)
                      for p in a.choices.values()]
    for p in parsers:
        for action in p._actions:
            assert action.help, f"{p.prog}: {action.option_strings or action.dest} has no help"


def test_sim_front_knows_every_option_of_the_binary():
    binary_options = set(re.findall(r'a == "(--[a-z-]+)"', (ROOT / "sim/run/main.cc").read_text()))
    ours = {o for a in sim_front.parser()._actions for o in a.option_strings}
    assert binary_options and binary_options <= ours


def test_fault_and_scenario_names_are_read_from_the_sources():
    assert "loss" in frontdoor.sim_faults() and len(frontdoor.sim_faults()) >= 12
    assert "push_pull" in frontdoor.sim_scenarios() and "churn" in frontdoor.sim_scenarios()


@pytest.mark.parametrize("args,message", [
    (["--seed", "-1"], "-1 is less than 0"),
    (["--seed", "1", "--faults", "loss,,crash"], "empty item"),
    (["--seed", "1", "--faults", ""], "empty item"),
    (["--seed", "1", "--faults", "los"], "closest: loss"),
    (["--seeds", "5..3"], "is empty"),
    (["--seed", "1", "--jobs", "0"], "0 is less than 1"),
    (["--seed", "1", "--scenario", "pair", "--pcap", "no/such/dir/x.pcapng"], "does not exist"),
    (["--seed", "1", "--pcap", "x.pcapng"], "one --scenario"),
    (["--scenario", "pairr", "--seed", "1"], "closest: pair"),
    ([], "give --seed N or --seeds A..B"),
])
def test_sim_bad_arguments_fail_before_the_build(env, tmp_path, args, message):
    r = zlab(env, "sim", *args, cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr
    assert not built(env)


@pytest.mark.parametrize("args,message", [
    (["--only", "rule/NOPE/*"], "matches no rule; closest:"),
    (["--only", "socket/PUSH"], "did you mean --only 'socket/PUSH/*'"),
    (["--only", "nope"], "rule ids look like socket/"),
    (["--cases", "-3"], "-3 is less than 1"),
    (["--jobs", "0"], "0 is less than 1"),
    (["--seed", "-1"], "-1 is less than 0"),
    (["--seeds", "3..1"], "is empty"),
])
def test_conform_bad_arguments_fail_before_the_build(env, args, message):
    r = zlab(env, "conform", *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr
    assert not built(env)


def fake_sim(tmp_path):
    """A stand-in for the zlab_sim binary: prints its arguments, writes a sweep JSON."""
    fake = tmp_path / "zlab_sim"
    fake.write_text(f"""#!{sys.executable}
import json, sys
a = sys.argv[1:]
print(json.dumps(a))
if "--json" in a:
    open(a[a.index("--json") + 1], "w").write(json.dumps({{"seeds": "1..2", "results": [
        {{"seed": 1, "scenario": "pair", "passed": True, "trace_hash": "aa"}},
        {{"seed": 2, "scenario": "pair", "passed": False, "trace_hash": "bb", "failures": ["x"],
          "repro": "./zlab sim --seed 2 --scenario pair"}}]}}))
if "--pcap" in a:
    open(a[a.index("--pcap") + 1], "w").write("pcapng of the replay")
sys.exit(0)
""")
    fake.chmod(0o755)
    return fake


def test_sim_paths_are_the_callers_and_runs_get_their_own_folder(env, tmp_path):
    env = dict(env, ZLAB_SIM_BINARY=str(fake_sim(tmp_path)))
    work = tmp_path / "work"
    (work / "traces").mkdir(parents=True)
    r = zlab(env, "sim", "--seeds", "1..2", "--out", "traces", "--json", "s.json", cwd=work)
    assert r.returncode == 0, r.stderr
    args = json.loads(r.stdout.splitlines()[0])
    assert args[args.index("--out") + 1] == str(work / "traces")
    assert (work / "s.json").exists()
    # The failing run (seed 2) was replayed with a capture, linked from the history.
    assert (work / "traces" / "pair-2.pcapng").exists()
    conn = history.connect(env["ZLAB_HISTORY"])
    (run,) = history.runs(conn, "sim")
    detail = json.loads(history.verdicts(conn, run["id"])[("pair", 2)]["detail"])
    assert detail["pcap"] == str(work / "traces" / "pair-2.pcapng")
    import html_report

    page = html_report.history_page(conn, tmp_path / "h.html").read_text()
    assert 'work/traces/pair-2.pcapng">pcap</a>' in page
    # Without --out: a new folder per run under out/sim/, and latest points at the newest.
    env["ZLAB_OUT"] = str(tmp_path / "out")
    first = sim_out(zlab(env, "sim", "--seeds", "1..2", cwd=work))
    second = sim_out(zlab(env, "sim", "--seeds", "1..2", cwd=work))
    assert first != second and (first / "sweep.json").exists() and (second / "sweep.json").exists()
    assert (first.parent / "latest").resolve() == second.resolve()
    # ... and each sweep is in the history.
    conn = history.connect(env["ZLAB_HISTORY"])
    assert len(history.runs(conn, "sim")) == 3


def sim_out(r):
    assert r.returncode == 0, r.stderr
    args = json.loads(r.stdout.splitlines()[0])
    return Path(args[args.index("--out") + 1])


def test_new_run_dir_never_reuses_a_folder(tmp_path):
    a, b = frontdoor.new_run_dir(tmp_path), frontdoor.new_run_dir(tmp_path)
    assert a != b and a.is_dir() and b.is_dir()
    assert os.readlink(tmp_path / "latest") == b.name


def test_caller_path(monkeypatch, tmp_path):
    monkeypatch.setenv("ZLAB_CALLER_DIR", str(tmp_path))
    assert frontdoor.caller_path("x/y") == tmp_path / "x/y"
    assert frontdoor.caller_path("/abs") == Path("/abs")


def test_wireshark_takes_the_file_from_the_callers_folder(env, tmp_path):
    (tmp_path / "mine.pcapng").write_bytes(b"")
    r = zlab(env, "wireshark", "mine.pcapng", cwd=tmp_path)
    # The file was found (the fake bazel then fails the plugin build).
    assert "cannot read capture" not in r.stderr and "building the plugin failed" in r.stderr
    r = zlab(env, "wireshark", "absent.pcapng", cwd=tmp_path)
    assert r.returncode == 2 and str(tmp_path / "absent.pcapng") in r.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dumpcap"), reason="needs root and dumpcap")
def test_capture_writes_and_runs_in_the_callers_folder(env, tmp_path):
    r = zlab(env, "capture", "-o", "c.pcapng", "--", "pwd", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path)
    assert (tmp_path / "c.pcapng").exists()
    r = zlab(env, "capture", "-o", "nope/c.pcapng", "--", "true", cwd=tmp_path)
    assert r.returncode == 2 and "does not exist" in r.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dumpcap") or not shutil.which("tshark"),
                    reason="needs root, dumpcap and tshark")
def test_capture_records_only_the_commands_own_connections(env, tmp_path):
    import socket
    import threading

    def closed_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    mine, other = closed_port(), closed_port()
    stop = threading.Event()

    def noise():  # the rest of the machine, talking on loopback during the capture
        while not stop.is_set():
            with socket.socket() as s:
                s.connect_ex(("127.0.0.1", other))
            time.sleep(0.02)

    t = threading.Thread(target=noise)
    t.start()
    try:
        cmd = (f"import socket, time; time.sleep(0.2); s = socket.socket(); "
               f"s.connect_ex(('127.0.0.1', {mine})); time.sleep(0.2)")
        r = zlab(env, "capture", "-o", "c.pcapng", "--", sys.executable, "-c", cmd, cwd=tmp_path)
    finally:
        stop.set()
        t.join()
    assert r.returncode == 0, r.stderr
    ports = set(subprocess.run(["tshark", "-r", str(tmp_path / "c.pcapng"), "-T", "fields", "-e",
                                "tcp.dstport"], capture_output=True, text=True).stdout.split())
    assert str(mine) in ports and str(other) not in ports


def test_fuzz_runs_get_their_own_folder_and_are_recorded(tmp_path):
    """./zlab fuzz: a new out/fuzz/<time>/ per run with `latest`, --out from the caller's folder,
    every run in the history (kind fuzz, transport sim, implementation zlab), and report diff
    compares the last two (same seed, same cases: no regression). Real simulator (bazel)."""
    e = dict(os.environ, ZLAB_SKIP_SETUP="1", ZLAB_HISTORY=str(tmp_path / "h.sqlite"),
             ZLAB_OUT=str(tmp_path / "out"))
    e.pop("ZLAB_CALLER_DIR", None)
    work = tmp_path / "work"
    work.mkdir()

    def fuzz(*args):
        r = subprocess.run([str(ZLAB), "fuzz", "--sim", "--socket-type", "PULL", "--seed", "2",
                            "--cases", "12", *args], cwd=work, env=e, capture_output=True,
                           text=True, timeout=900)
        assert r.returncode in (0, 1), r.stdout + r.stderr
        return r

    fuzz()
    fuzz()
    fuzz("--out", "mine")
    runs = sorted(p for p in (tmp_path / "out" / "fuzz").iterdir() if p.name != "latest")
    assert len(runs) == 2 and all((p / "fuzz-report.json").exists() for p in runs)
    assert (tmp_path / "out" / "fuzz" / "latest").resolve() == runs[-1].resolve()
    assert (work / "mine" / "fuzz-report.html").exists()
    conn = history.connect(tmp_path / "h.sqlite")
    rows = history.runs(conn, "fuzz")
    assert [(r["transport"], r["impl"]) for r in rows] == [("sim", "zlab")] * 3
    assert rows[0]["out_dir"] == str(work / "mine")
    assert json.loads((runs[0] / "fuzz-report.json").read_text())["command"].startswith(
        "./zlab fuzz --sim")
    assert len([k for k in history.verdicts(conn, rows[0]["id"]) if k[1] >= 0]) == 12
    d = subprocess.run([str(ZLAB), "report", "diff", "--kind", "fuzz"], env=e,
                       capture_output=True, text=True, timeout=60)
    assert d.returncode == 0, d.stdout + d.stderr
    assert "Kinds of case added (0)" in d.stdout
    bad = subprocess.run([str(ZLAB), "fuzz", "--sim", "--seed", "-1"], env=e, capture_output=True,
                         text=True, timeout=30)
    assert bad.returncode == 2 and "less than 0" in bad.stderr
