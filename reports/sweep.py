#!/usr/bin/python3
"""./zlab sweep: a sim, conform or fuzz sweep split into seed ranges (shards) and run on Dask
workers, or on local processes when no scheduler is given; results stream into the history as
shards finish.

  ./zlab sweep [--scheduler tcp://HOST:8786] [--shard-size K] [--workers N] sim --seeds A..B [...]
  ./zlab sweep [--scheduler tcp://HOST:8786] [--workers N] conform --seeds A..B [...]
  ./zlab sweep [--scheduler tcp://HOST:8786] [--shard-size K] fuzz --seeds A..B --sim [...]

A conform shard is one seed (./zlab conform --seeds S..S on the worker); the merged report is
written to a new out/conform/<time>/ as ./zlab conform writes it. A fuzz shard is a range of
fuzz seeds, one ./zlab fuzz --seed S run each (--sim, or --against: targets the worker starts);
the findings' pcaps come back with the results and the merged report goes to a new
out/fuzz/<time>/.

Every machine runs `dask-worker tcp://HOST:8786` from the same checkout, built there
(`./zlab sim --list` builds the simulator). Dask reschedules the shards of a worker that is
lost; a shard that raises is retried twice; a shard's verdicts replace any earlier copy of them,
so nothing is counted twice. The other ways to run the same shards: `zlab_sim --seeds A..B
--shard i/n` per Kubernetes Job index or per Bazel test shard (sim/run:sweep_test,
shard_count); see reports/README.md.

exit status: 0 every run passed, 1 a run failed, 2 bad arguments or a shard that kept failing.
"""

import argparse
import concurrent.futures
import json
import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import frontdoor  # noqa: E402
import history  # noqa: E402
import sim_front  # noqa: E402


def parser():
    ap = argparse.ArgumentParser(prog="./zlab sweep", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="a Dask scheduler (dask-scheduler); default: local processes")
    ap.add_argument("--shard-size", type=frontdoor.count(1), default=10, metavar="K",
                    help="seeds per shard (default 10)")
    ap.add_argument("--workers", type=frontdoor.count(1), default=os.cpu_count() or 1, metavar="N",
                    help="local processes when there is no scheduler (default: one per core)")
    ap.add_argument("--no-history", action="store_true", help="do not record the sweep")
    ap.add_argument("what", choices=("sim", "conform", "fuzz"),
                    help="what to sweep: sim, conform or fuzz")
    ap.add_argument("args", nargs=argparse.REMAINDER,
                    help="its options (./zlab sim --help, ./zlab conform --help, ./zlab fuzz "
                         "--help); --seeds A..B is required")
    return ap


def shards(first, last, size):
    return [(a, min(a + size - 1, last)) for a in range(first, last + 1, size)]


def run_shard(root, args, first, last):
    """One seed range of zlab_sim on this machine: the parsed sweep JSON. Self-contained: it is
    shipped to Dask workers by value."""
    import json as _json
    import os as _os
    import subprocess as _sp
    import tempfile as _tf

    binary = _os.environ.get("ZLAB_SIM_BINARY")
    if not binary:
        info = _sp.run(["bazel", "info", "--config=bench", "bazel-bin"], cwd=root,
                       capture_output=True, text=True)
        binary = _os.path.join(info.stdout.strip(), "sim", "run", "zlab_sim")
    with _tf.TemporaryDirectory() as out:
        proc = _sp.run([binary, "--seeds", f"{first}..{last}", "--jobs", "1", *args,
                        "--json", "-", "--out", out], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"zlab_sim seeds {first}..{last} exit {proc.returncode}: "
                           f"{proc.stderr[-2000:]}")
    return _json.loads(proc.stdout)


def run_conform_shard(root, args, first, last):
    """One seed of ./zlab conform on this machine: its zlab-conformance/1 document. Shipped by
    value, like run_shard."""
    import json as _json
    import os as _os
    import subprocess as _sp
    import sys as _sys
    import tempfile as _tf

    runner = _os.environ.get("ZLAB_CONFORM_RUN") or _os.path.join(root, "conformance", "run")
    with _tf.TemporaryDirectory() as out:
        proc = _sp.run([_sys.executable, runner, "--seeds", f"{first}..{last}", "--no-history",
                        "--jobs", "1", *args, "--out", out], capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"conform seeds {first}..{last} exit {proc.returncode}: "
                               f"{proc.stderr[-2000:]}")
        with open(_os.path.join(out, "conformance.json")) as f:
            return _json.load(f)


def run_fuzz_shard(root, args, first, last):
    """Fuzz seeds first..last on this machine, one ./zlab fuzz --seed S run each: per seed its
    report document and the pcapng bytes of its findings (the worker's disk is not ours).
    Shipped by value, like run_shard."""
    import glob as _glob
    import json as _json
    import os as _os
    import subprocess as _sp
    import sys as _sys
    import tempfile as _tf

    fuzz = _os.environ.get("ZLAB_FUZZ_RUN") or _os.path.join(root, "fuzz", "zlab-fuzz")
    out = []
    for seed in range(first, last + 1):
        with _tf.TemporaryDirectory() as d:
            proc = _sp.run([_sys.executable, fuzz, "--seed", str(seed), "--no-history", "--quiet",
                            *args, "--out", d], capture_output=True, text=True)
            report = _os.path.join(d, "fuzz-report.json")
            if proc.returncode not in (0, 1) or not _os.path.exists(report):
                raise RuntimeError(f"fuzz seed {seed} exit {proc.returncode}: "
                                   f"{proc.stderr[-2000:]}")
            with open(report) as f:
                doc = _json.load(f)
            pcaps = {}
            for path in _glob.glob(_os.path.join(d, "live", "*", "*.pcapng")):
                with open(path, "rb") as f:
                    pcaps[_os.path.relpath(path, d)] = f.read()
            out.append({"seed": seed, "doc": doc, "pcaps": pcaps})
    return {"seeds": out}


FUZZ_NOT_IN_A_SWEEP = ("--out", "--seed", "--case", "--target", "--listen", "--libfuzzer",
                       "--no-history")


def fuzz_args(ap, rest):
    """--seeds A..B out of the fuzz options; the rest go to every run (--sim or --against: a
    shard starts its own targets; one --target endpoint fuzzed by many shards at once would
    mix their cases)."""
    seeds, opts = split_seeds(ap, "fuzz", rest, FUZZ_NOT_IN_A_SWEEP)
    if "--sim" not in opts and not any(o.split("=")[0] == "--against" for o in opts):
        ap.error("fuzz: a sweep runs --sim or --against IMPLS (targets each shard starts)")
    return seeds, opts


def place_fuzz_seed(item, out):
    """One seed's results from a shard into the sweep's folder: its findings' pcaps under
    out/seed-S/, the findings pointing at them."""
    seed_dir = out / f"seed-{item['seed']}"
    for rel, data in item["pcaps"].items():
        (seed_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (seed_dir / rel).write_bytes(data)
    for r in item["doc"]["runs"]:
        for f in r["findings"]:
            if f.get("pcapng"):
                name = Path(f["pcapng"])
                f["pcapng"] = str(seed_dir / "live" / name.parent.name / name.name)
    return item


def merge_fuzz(items):
    """Every seed's runs (seed order) as one fuzz report document; the differences between
    --against targets carry their seed."""
    runs, diffs = [], []
    for item in sorted(items, key=lambda x: x["seed"]):
        runs += item["doc"]["runs"]
        diffs += [dict(d, seed=item["seed"]) for d in item["doc"].get("differences", [])]
    return {"runs": runs, "differences": diffs}


def write_fuzz_report(doc, out, command):
    sys.path.insert(0, str(frontdoor.ROOT / "fuzz"))
    import report as fuzz_report

    fuzz_report.write(out, doc["runs"], doc["differences"])
    data = json.loads((out / "fuzz-report.json").read_text())
    (out / "fuzz-report.json").write_text(json.dumps(dict(data, command=command), indent=1))


CONFORM_NOT_IN_A_SWEEP = ("--out", "--seed", "--list", "--check-determinism", "--jobs")


def split_seeds(ap, what, rest, refused):
    """(--seeds A..B, the other options), refusing the options that make no sense in a sweep."""
    rest = list(rest)
    seeds = None
    opts = []
    i = 0
    while i < len(rest):
        w = rest[i]
        name = w.split("=", 1)[0]
        if name == "--seeds":
            value = w.split("=", 1)[1] if "=" in w else (rest[i + 1] if i + 1 < len(rest) else "")
            try:
                seeds = frontdoor.seed_range(value)
            except argparse.ArgumentTypeError as e:
                ap.error(f"{what}: --seeds: {e}")
            i += 1 if "=" in w else 2
            continue
        if name in refused:
            ap.error(f"{what}: {name} does not apply to a sweep")
        opts.append(w)
        i += 1
    if seeds is None:
        ap.error(f"{what}: give --seeds A..B")
    return seeds, opts


def conform_args(ap, rest):
    """--seeds A..B out of the conform options; the rest go to every shard (checked by
    conformance/run there; the ones that make no sense in a sweep are refused here)."""
    return split_seeds(ap, "conform", rest, CONFORM_NOT_IN_A_SWEEP)


def merge_conform(docs):
    """Shards' documents (one seed each) as one: counts add up, the first failure (lowest seed) is
    kept, every failing seed listed; per-seed verdicts for the history."""
    docs = sorted(docs, key=lambda d: d["seeds"]["first"])
    merged, per_seed = {}, []
    rank = {"FAIL": 0, "FLAKY": 1, "NOT-EXERCISED": 2, "PASS": 3, "PENDING": 4}
    for d in docs:
        seed = d["seeds"]["first"]
        for r in d["results"]:
            replay = (r.get("failure") or {}).get("replay", "")
            per_seed.append((r["rule"], seed, r["status"], replay))
            m = merged.get(r["rule"])
            if m is None:
                merged[r["rule"]] = dict(r, failing_seeds=list(r.get("failing_seeds", [])))
                continue
            m["runs"] += r.get("runs", 0)
            m["exercised"] += r.get("exercised", 0)
            m["duration_ms"] = m.get("duration_ms", 0) + r.get("duration_ms", 0)
            m["failing_seeds"] += r.get("failing_seeds", [])
            if rank[r["status"]] < rank[m["status"]] and r["status"] in ("FAIL", "FLAKY"):
                m["status"], m["failure"] = r["status"], r.get("failure")
            elif m["status"] not in ("FAIL", "FLAKY", "PENDING"):
                m["status"] = "PASS" if m["exercised"] > 0 else "NOT-EXERCISED"
    doc = dict(docs[0], results=list(merged.values()),
               seeds={"first": docs[0]["seeds"]["first"],
                      "count": docs[-1]["seeds"]["first"] - docs[0]["seeds"]["first"] + 1},
               duration_s=sum(d.get("duration_s", 0) for d in docs))
    return doc, per_seed


def write_conform_report(doc, command):
    import render
    import results

    out = frontdoor.new_run_dir(frontdoor.out_root() / "conform")
    doc = dict(doc, command=command)
    (out / "conformance.json").write_text(json.dumps(doc, indent=1) + "\n")
    run = results.parse(doc)
    (out / "matrix.txt").write_text(render.text_matrix(run))
    (out / "junit.xml").write_text(render.junit_xml(run))
    (out / "index.html").write_text(render.html_page(run, out))
    render.status_plot(run, out / "status.png")
    return out, run


def sim_args(ap, rest):
    """Checks the sim options (as ./zlab sim does) and returns (seed range, options per shard)."""
    a = sim_front.parser().parse_args(rest)
    if not a.seeds:
        ap.error("sim: give --seeds A..B")
    if a.pcap or a.check_determinism or a.shard or a.json or a.out:
        ap.error("sim: --pcap, --check-determinism, --shard, --json and --out do not apply to a "
                 "distributed sweep")
    opts = []
    for s in a.scenario:
        opts += ["--scenario", s]
    for flag in ("faults", "scale"):
        if getattr(a, flag) is not None:
            opts += ["--" + flag, str(getattr(a, flag))]
    if a.payload:
        opts.append("--payload")
    return a.seeds, opts


def begin_sweep(conn, what, same_as, command, first_result, opts, out):
    """The sweep's run row, once the first shard says what it ran: a conform sweep against
    agents is an interop run; a fuzz sweep is on the simulator (zlab) or against --against."""
    profile = transport = impl = ""
    kind = what
    if what == "conform":
        profile, transport = first_result.get("profile", ""), first_result.get("transport", "")
        impl = history.impl_of(first_result)
        kind = history.conform_kind(impl)
    elif what == "fuzz":
        against = [o.split("=", 1)[1] if "=" in o else opts[i + 1]
                   for i, o in enumerate(opts) if o.split("=")[0] == "--against"]
        transport, impl = ("sim", "zlab") if "--sim" in opts else ("tcp", against[0])
    run_id = history.begin(conn, kind, same_as, profile, transport, impl, out_dir=out or "")
    conn.execute("UPDATE runs SET command=? WHERE id=?", (command, run_id))
    conn.commit()
    return run_id


class Local:
    """Local processes with the same interface as the part of a Dask client used here."""

    def __init__(self, n):
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=n)

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def as_completed(self, futures):
        return concurrent.futures.as_completed(futures)

    def close(self):
        self.pool.shutdown()


class Dask:
    def __init__(self, address):
        import cloudpickle
        from distributed import Client

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        self.client = Client(address, timeout="20s")

    def submit(self, fn, *args):
        # pure=False: a shard retried after a lost worker is run again, not looked up.
        return self.client.submit(fn, *args, pure=False, retries=2)

    def as_completed(self, futures):
        from distributed import as_completed

        return as_completed(futures)

    def close(self):
        self.client.close()


def main(argv):
    ap = parser()
    a = ap.parse_args(argv)
    conform, fuzz = a.what == "conform", a.what == "fuzz"
    if conform:
        (first, last), opts = conform_args(ap, a.args)
        size, shard_fn = 1, run_conform_shard
    elif fuzz:
        (first, last), opts = fuzz_args(ap, a.args)
        size, shard_fn = a.shard_size, run_fuzz_shard
    else:
        (first, last), opts = sim_args(ap, a.args)
        size, shard_fn = a.shard_size, run_shard
        if not os.environ.get("ZLAB_SIM_BINARY") and not a.scheduler:
            os.environ["ZLAB_SIM_BINARY"] = str(sim_front.build())  # local processes inherit it
    pool = Dask(a.scheduler) if a.scheduler else Local(a.workers)
    command = "./zlab sweep " + " ".join(shlex.quote(x) for x in argv)
    # The signature is the one of the same ./zlab sim or ./zlab conform run: they compare.
    same_as = f"./zlab {a.what} " + " ".join(shlex.quote(x) for x in a.args)
    conn = None if a.no_history else history.connect()
    run_id = None
    t0 = time.monotonic()
    todo = shards(first, last, size)
    futures = {pool.submit(shard_fn, str(frontdoor.ROOT), opts, s, e): (s, e) for s, e in todo}
    done = runs = failed = 0
    status = 0
    docs = []
    fuzz_items = {}  # seed -> its results (a retried shard replaces, never doubles)
    out = frontdoor.new_run_dir(frontdoor.out_root() / "fuzz") if fuzz else None
    try:
        for fut in pool.as_completed(list(futures)):
            s, e = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - a shard that failed all its retries
                print(f"sweep: seeds {s}..{e} failed: {exc}", file=sys.stderr)
                status = 2
                continue
            done += 1
            if conn is not None and run_id is None:
                run_id = begin_sweep(conn, a.what, same_as, command, res, opts, out)
            if fuzz:
                for item in res["seeds"]:
                    fuzz_items[item["seed"]] = place_fuzz_seed(item, out)
                mine = [r for item in res["seeds"] for r in item["doc"]["runs"]]
                n_runs = sum(len(r["cases"]) for r in mine)
                n_failed = sum(len(r["findings"]) for r in mine)
                rows = history.fuzz_rows(merge_fuzz(fuzz_items.values()), several=True)
                for r in mine:
                    for f in r["findings"]:
                        print(f"FINDING {r['target']} seed {r['seed']} case {f.get('case')}: "
                              f"{'; '.join(f['reasons'])}\n  replay: {f.get('replay', '')}")
            elif conform:
                docs.append(res)
                bad = [r for r in res["results"] if r["status"] in history.FAILING]
                n_runs, n_failed = len(res["results"]), len(bad)
                rows = [{"subject": r["rule"], "seed": s, "status": r["status"],
                         "detail": json.dumps({"replay": (r.get("failure") or {}).get("replay", "")})
                         if r["status"] in history.FAILING else ""} for r in res["results"]]
                for r in bad:
                    print(f"{r['status']} {r['rule']} seed {s}")
            else:
                n_runs, n_failed = len(res["results"]), res.get("failed", 0)
                rows = history.sim_rows(res)
                for r in res["results"]:
                    if not r.get("passed"):
                        print(f"FAIL {r['scenario']} seed {r['seed']}: "
                              f"{'; '.join(r.get('failures', []))}\n  reproduce: {r.get('repro', '')}")
            runs += n_runs
            failed += n_failed
            if conn is not None:
                history.add_verdicts(conn, run_id, rows)
            print(f"[{done}/{len(todo)} shards] seeds {s}..{e}: {n_runs} "
                  f"{'rules' if conform else 'cases' if fuzz else 'runs'}, {n_failed} "
                  f"{'findings' if fuzz else 'failed'} "
                  f"({time.monotonic() - t0:.1f}s)", file=sys.stderr, flush=True)
    finally:
        pool.close()
    if fuzz and fuzz_items:
        write_fuzz_report(merge_fuzz(fuzz_items.values()), out, same_as)
        print(f"report: {out}/fuzz-report.html")
    if conform and docs:
        merged, _ = merge_conform(docs)
        out, run = write_conform_report(merged, same_as)
        failed = sum(1 for r in run.results if r.status in history.FAILING)
        if conn is not None:
            history.add_verdicts(conn, run_id, history.conform_rows(merged))
            conn.execute("UPDATE runs SET out_dir=? WHERE id=?", (str(out), run_id))
        print(f"report: {out}/index.html")
    if conn is not None and run_id is not None:
        history.finish(conn, run_id, time.monotonic() - t0, "done" if status == 0 else "incomplete")
        import html_report

        print(f"history: run {run_id} ({html_report.refresh_after_run(out or '')}); compare with "
              f"the last one: ./zlab report diff")
    if conform:
        print(f"sweep: {failed} failing rules over {len(todo)} shards")
    elif fuzz:
        print(f"sweep: {runs} cases over {len(fuzz_items)} fuzz seeds, {failed} findings in "
              f"{len(todo)} shards")
    else:
        print(f"sweep: {runs} runs, {runs - failed} passed, {failed} failed in {len(todo)} shards")
    return status or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
