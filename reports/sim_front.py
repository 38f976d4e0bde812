#!/usr/bin/python3
"""./zlab sim: run simulated scenarios (sim/README.md).

Checks every argument before building anything, takes paths from the folder ./zlab was called
from, gives each run its own output folder (out/sim/<time>/, out/sim/latest points at the newest)
and records sweeps in the run history (out/history.sqlite; ./zlab report).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import frontdoor  # noqa: E402
import history  # noqa: E402

ROOT = frontdoor.ROOT
EPILOG = """examples:
  ./zlab sim --seed 7 --scenario push_pull              one run: header, verdict, trace
  ./zlab sim --seeds 1..500 --jobs 2                    a sweep (recorded in the history)
  ./zlab sim --seed 1 --scenario pub_sub --faults loss,reset --pcap run.pcapng
exit status: 0 every run passed, 1 a run failed, 2 bad arguments (nothing was built or run)."""


def parser():
    faults, scenarios = frontdoor.sim_faults(), frontdoor.sim_scenarios()
    ap = argparse.ArgumentParser(prog="./zlab sim", description=__doc__.split("\n\n")[0],
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=frontdoor.seed, metavar="N",
                    help="one seed (0..2^64-1): one run per --scenario (all scenarios if none)")
    ap.add_argument("--seeds", type=frontdoor.seed_range, metavar="A..B",
                    help="a sweep over seeds A..B of every --scenario; merged JSON in the run folder")
    ap.add_argument("--scenario", action="append", default=[], metavar="NAME",
                    type=lambda v: v if v == "all" else frontdoor.name_list(v, scenarios, "scenario"),
                    help="scenario to run (repeatable; default all): " + ", ".join(scenarios))
    ap.add_argument("--shard", metavar="i/n", type=shard,
                    help="only shard i of n (0 <= i < n) of the sweep's runs")
    ap.add_argument("--jobs", type=frontdoor.count(1), metavar="J",
                    help="runs at once (default: one per core)")
    ap.add_argument("--faults", metavar="LIST",
                    type=lambda v: frontdoor.name_list(v, faults, "fault", ("all", "none")),
                    help="only these faults, comma-separated, or all, or none (default: a random "
                         "subset per seed, swarm testing): " + ", ".join(faults))
    ap.add_argument("--scale", type=frontdoor.count(1), metavar="K", help="K times the messages")
    ap.add_argument("--check-determinism", action="store_true",
                    help="every run twice, trace hashes compared (default seeds 1..20)")
    ap.add_argument("--json", metavar="FILE",
                    help="the sweep's JSON ('-': stdout; default: the run folder's sweep.json)")
    ap.add_argument("--out", metavar="DIR",
                    help="folder for traces and sweep.json (default: a new out/sim/<time>/)")
    ap.add_argument("--payload", action="store_true", help="segment payloads (hex) in the trace")
    ap.add_argument("--pcap", metavar="FILE",
                    type=lambda v: frontdoor.writable_parent(v, "--pcap"),
                    help="record the run as pcapng (one --seed and one --scenario)")
    ap.add_argument("--list", action="store_true", help="list scenarios and faults")
    ap.add_argument("--no-history", action="store_true", help="do not record the sweep")
    return ap


def shard(text):
    i, sep, n = text.partition("/")
    try:
        i, n = int(i), int(n)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not i/n") from None
    if not sep or n < 1 or not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"{text!r}: need i/n with 0 <= i < n")
    return text


def check(ap, a):
    """Combinations the binary would refuse, refused now (before the build)."""
    if a.pcap and (a.seed is None or a.seeds or a.check_determinism or len(a.scenario) != 1
                   or a.scenario == ["all"]):
        ap.error("--pcap records one run: give --seed N and one --scenario")
    if a.seed is not None and a.seeds:
        ap.error("give --seed N or --seeds A..B, not both")
    if not a.list and a.seed is None and not a.seeds and not a.check_determinism:
        ap.error("give --seed N or --seeds A..B (or --list)")


def binary_args(a, out_dir, json_path):
    args = []
    if a.list:
        return ["--list"]
    if a.seed is not None:
        args += ["--seed", str(a.seed)]
    if a.seeds:
        args += ["--seeds", f"{a.seeds[0]}..{a.seeds[1]}"]
    for s in a.scenario:
        args += ["--scenario", s]
    for flag in ("shard", "jobs", "faults", "scale"):
        if getattr(a, flag) is not None:
            args += ["--" + flag, str(getattr(a, flag))]
    if a.check_determinism:
        args.append("--check-determinism")
    if a.payload:
        args.append("--payload")
    if a.pcap:
        args += ["--pcap", str(a.pcap)]
    args += ["--out", str(out_dir)]
    if json_path:
        args += ["--json", str(json_path)]
    return args


def build():
    config = os.environ.get("ZLAB_SIM_CONFIG", "bench")
    flags = [] if config == "default" else [f"--config={config}"]
    (ROOT / "out").mkdir(exist_ok=True)
    log = ROOT / "out" / "sim-build.log"
    with open(log, "w") as f:
        if subprocess.run(["bazel", "build", *flags, "--experimental_convenience_symlinks=ignore",
                           "//sim/run:zlab_sim"], cwd=ROOT, stdout=f, stderr=f).returncode:
            sys.stderr.write(log.read_text())
            sys.exit(1)
    bin_dir = subprocess.run(["bazel", "info", *flags, "bazel-bin"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    return Path(bin_dir) / "sim" / "run" / "zlab_sim"


REPLAYS_MAX = 10  # failing runs of a sweep replayed with a capture (each well under a second)


def replay_failures(binary, sweep, out_dir, limit=REPLAYS_MAX):
    """Replays a sweep's failing runs with --pcap: out_dir/<scenario>-<seed>.pcapng beside the
    trace the sweep wrote. Returns {(scenario, seed): {"trace": path, "pcap": path}}."""
    found = {}
    for r in [r for r in sweep.get("results", []) if not r.get("passed")][:limit]:
        words = shlex.split(r.get("repro", ""))[2:]  # drop "./zlab sim"
        name = f"{r['scenario']}-{r['seed']}"
        pcap = Path(out_dir) / f"{name}.pcapng"
        subprocess.run([str(binary), *words, "--pcap", str(pcap), "--out", str(out_dir)],
                       capture_output=True)
        files = {"trace": Path(out_dir) / f"{name}.jsonl", "pcap": pcap}
        found[(r["scenario"], r["seed"])] = {k: str(v) for k, v in files.items() if v.exists()}
    return found


def main(argv):
    ap = parser()
    a = ap.parse_args(argv)
    check(ap, a)
    binary = Path(os.environ["ZLAB_SIM_BINARY"]) if os.environ.get("ZLAB_SIM_BINARY") else build()
    if a.list:
        return subprocess.run([str(binary), "--list"]).returncode
    out_dir = frontdoor.caller_path(a.out) if a.out else frontdoor.new_run_dir(frontdoor.out_root() / "sim")
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep = a.seeds or a.check_determinism
    json_path = None
    if a.json == "-":
        json_path = "-"
    elif a.json:
        json_path = frontdoor.caller_path(a.json)
    elif sweep:
        json_path = out_dir / "sweep.json"
    status = subprocess.run([str(binary)] + binary_args(a, out_dir, json_path)).returncode
    if sweep and json_path not in (None, "-") and not a.no_history and Path(json_path).exists():
        command = "./zlab sim " + " ".join(shlex.quote(x) for x in argv)
        doc = json.loads(Path(json_path).read_text())
        files = replay_failures(binary, doc, out_dir) if not a.check_determinism else {}
        for (scenario, seed), f in files.items():
            print(f"{scenario} seed {seed}: " + ", ".join(f"{k} {v}" for k, v in f.items()),
                  file=sys.stderr)
        run_id = history.record_sim(doc, command, out_dir, files=files)
        if run_id:
            import html_report

            print(f"history: run {run_id} ({html_report.refresh_after_run(out_dir)}); compare "
                  f"with the last one: ./zlab report diff", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
