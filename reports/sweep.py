#!/usr/bin/python3
"""./zlab sweep: a sim sweep split into seed ranges (shards) and run on Dask workers, or on local
processes when no scheduler is given; results stream into the history as shards finish.

  ./zlab sweep [--scheduler tcp://HOST:8786] [--shard-size K] [--workers N] sim --seeds A..B [...]

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
import subprocess
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
    ap.add_argument("what", choices=("sim",), help="what to sweep: sim (conform and fuzz: "
                                                   "not yet)")
    ap.add_argument("args", nargs=argparse.REMAINDER,
                    help="its options (./zlab sim --help); --seeds A..B is required")
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
    (first, last), opts = sim_args(ap, a.args)
    if not os.environ.get("ZLAB_SIM_BINARY") and not a.scheduler:
        os.environ["ZLAB_SIM_BINARY"] = str(sim_front.build())  # local processes inherit it
    pool = Dask(a.scheduler) if a.scheduler else Local(a.workers)
    command = "./zlab sweep " + " ".join(shlex.quote(x) for x in argv)
    conn = None if a.no_history else history.connect()
    run_id = None
    if conn is not None:
        # The signature is the one of the same ./zlab sim sweep: the two compare.
        run_id = history.begin(conn, "sim", "./zlab sim " + " ".join(shlex.quote(x) for x in a.args))
        conn.execute("UPDATE runs SET command=? WHERE id=?", (command, run_id))
        conn.commit()
    t0 = time.monotonic()
    todo = shards(first, last, a.shard_size)
    futures = {pool.submit(run_shard, str(frontdoor.ROOT), opts, s, e): (s, e) for s, e in todo}
    done = runs = failed = 0
    status = 0
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
            runs += len(res["results"])
            failed += res.get("failed", 0)
            for r in res["results"]:
                if not r.get("passed"):
                    print(f"FAIL {r['scenario']} seed {r['seed']}: {'; '.join(r.get('failures', []))}"
                          f"\n  reproduce: {r.get('repro', '')}")
            if conn is not None:
                history.add_verdicts(conn, run_id, history.sim_rows(res))
            print(f"[{done}/{len(todo)} shards] seeds {s}..{e}: {len(res['results'])} runs, "
                  f"{res.get('failed', 0)} failed ({time.monotonic() - t0:.1f}s)", file=sys.stderr,
                  flush=True)
    finally:
        pool.close()
    if conn is not None:
        history.finish(conn, run_id, time.monotonic() - t0, "done" if status == 0 else "incomplete")
        print(f"history: run {run_id}; compare with the last one: ./zlab report diff")
    print(f"sweep: {runs} runs, {runs - failed} passed, {failed} failed in {len(todo)} shards")
    return status or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
