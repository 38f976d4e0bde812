"""The run history: every conform run, interop run (conform with --impl/--peer-impl agents), sim
sweep and fuzz run in one SQLite file, out/history.sqlite (ZLAB_HISTORY overrides). Standard
library only.

Two tables (see reports/README.md for queries):
  runs      one row per run: kind, signature (what makes two runs comparable), command, profile,
            transport, impl, commit, branch, dirty, host, started, duration_s, out_dir, state
  verdicts  one row per (run, subject, seed): subject is a rule id or a scenario name, seed -1
            for a rule's verdict over all seeds; status, runs, exercised, trace hash, detail
            (the failure text and its reproduce command; empty for passes, to stay small).
            Fuzz runs: subject TARGET/STATE/MUTATION, seed -1 for the kind of case over the run
            and the case number for each case (the run's fuzz seed is in its command);
            libFuzzer runs: subject libfuzzer/TARGET, seed -1
"""

import json
import os
import shlex
import socket
import sqlite3
import time
from pathlib import Path

import frontdoor

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,            -- conform, sim, fuzz, interop
  signature TEXT NOT NULL,       -- runs with equal signatures are comparable
  command TEXT NOT NULL,
  profile TEXT NOT NULL DEFAULT '',
  transport TEXT NOT NULL DEFAULT '',
  impl TEXT NOT NULL DEFAULT '',
  commit_id TEXT NOT NULL DEFAULT '',
  branch TEXT NOT NULL DEFAULT '',
  dirty INTEGER NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT '',
  started TEXT NOT NULL,
  duration_s REAL NOT NULL DEFAULT 0,
  out_dir TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'running'   -- running, done, incomplete
);
CREATE TABLE IF NOT EXISTS verdicts (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  seed INTEGER NOT NULL,          -- -1: the subject's verdict over all seeds of the run
  status TEXT NOT NULL,           -- PASS FAIL FLAKY NOT-EXERCISED PENDING
  runs INTEGER NOT NULL DEFAULT 0,
  exercised INTEGER NOT NULL DEFAULT 0,
  hash TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, subject, seed)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_by_signature ON runs(signature, started);
"""

FAILING = ("FAIL", "FLAKY", "NOT-EXERCISED")
# Options that change where or how fast a run goes, not what it checks: left out of signatures.
NOT_IN_SIGNATURE = {"--out", "--json", "--jobs", "--pcap", "--scheduler", "--shard-size",
                    "--workers", "--payload", "--db", "--no-history", "--quiet", "--name",
                    "--capture"}
FLAGS = ("--payload", "--no-history", "--quiet", "--capture")  # options that take no value


def default_path():
    return Path(os.environ.get("ZLAB_HISTORY") or frontdoor.out_root() / "history.sqlite")


def connect(path=None):
    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA)
    return conn


def signature(kind, command, profile="", transport="", impl=""):
    """What a run checks: its kind, profile, transport, implementation and its arguments without
    the ones about output and parallelism (so --jobs 2 and --jobs 8 compare)."""
    words = shlex.split(command)
    while words and not words[0].startswith("-"):
        words = words[1:]  # ./zlab conform ... -> the options
    kept, skip = [], False
    for w in words:
        if skip:
            skip = False
            continue
        name = w.split("=", 1)[0]
        if name in NOT_IN_SIGNATURE:
            skip = "=" not in w and name not in FLAGS
            continue
        kept.append(w)
    return " ".join([kind, profile or "-", transport or "-", impl or "-"] + kept)


def begin(conn, kind, command, profile="", transport="", impl="", out_dir="", started=None,
          source=None):
    src = source or frontdoor.source_info()
    cur = conn.execute(
        "INSERT INTO runs (kind, signature, command, profile, transport, impl, commit_id, branch,"
        " dirty, host, started, out_dir) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (kind, signature(kind, command, profile, transport, impl), command, profile, transport,
         impl, src["commit"], src["branch"], int(src["dirty"]), socket.gethostname(),
         started or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), str(out_dir)))
    conn.commit()
    return cur.lastrowid


def add_verdicts(conn, run_id, rows):
    """rows: dicts with subject, seed, status and optional runs, exercised, hash, detail.
    Idempotent per (subject, seed): a shard retried after a lost worker replaces its rows."""
    conn.executemany(
        "INSERT OR REPLACE INTO verdicts (run_id, subject, seed, status, runs, exercised, hash,"
        " detail) VALUES (?,?,?,?,?,?,?,?)",
        [(run_id, r["subject"], int(r.get("seed", -1)), r["status"], int(r.get("runs", 0)),
          int(r.get("exercised", 0)), r.get("hash", ""), r.get("detail", "")) for r in rows])
    conn.commit()


def finish(conn, run_id, duration_s, state="done"):
    """state: done, or incomplete (some of its verdicts are missing: never a diff's default)."""
    conn.execute("UPDATE runs SET state=?, duration_s=? WHERE id=?", (state, duration_s, run_id))
    conn.commit()


def conform_rows(doc, per_seed=()):
    """Verdict rows of a zlab-conformance/1 document (one per rule, seed -1) and of the
    per-seed lines of conform_runner (rule, seed, status)."""
    rows = []
    for r in doc["results"]:
        f = r.get("failure") or {}
        detail = ""
        if r["status"] in ("FAIL", "FLAKY"):
            detail = json.dumps({"expected": f.get("expected", ""), "actual": f.get("actual", ""),
                                 "replay": f.get("replay", ""), "seed": f.get("seed"),
                                 "failing_seeds": r.get("failing_seeds", [])})
        rows.append({"subject": r["rule"], "seed": -1, "status": r["status"],
                     "runs": r.get("runs", 0), "exercised": r.get("exercised", 0),
                     "detail": detail})
    for rule, s, status, replay in per_seed:
        rows.append({"subject": rule, "seed": s, "status": status,
                     "detail": json.dumps({"replay": replay}) if status in FAILING and replay else ""})
    return rows


def sim_rows(sweep, files=None):
    """Verdict rows of a zlab sim sweep JSON: one per (scenario, seed), with the trace hash;
    files: {(scenario, seed): {"trace": path, "pcap": path}} of replayed failures."""
    rows = []
    for r in sweep.get("results", []):
        detail = ""
        if not r.get("passed"):
            detail = json.dumps({"failures": r.get("failures", []), "repro": r.get("repro", ""),
                                 "faults": r.get("faults", ""),
                                 **(files or {}).get((r["scenario"], r["seed"]), {})})
        rows.append({"subject": r["scenario"], "seed": r["seed"],
                     "status": "PASS" if r.get("passed") else "FAIL", "runs": 1,
                     "exercised": 1, "hash": r.get("trace_hash", ""), "detail": detail})
    return rows


def fuzz_rows(doc, several=None):
    """Verdict rows of a fuzz report (fuzz/report.py: {"runs": [...]}): per target and kind of
    case (state/mutation) a verdict over the run (seed -1: FAIL when any of its cases gave a
    finding), and one row per case (seed: the case number; hash: its reaction, so two runs of
    the same seed on the simulator that react differently are a determinism bug). A finding
    before any case (the sanity conversation) is TARGET/sanity. A fuzz sweep's report holds
    runs of several fuzz seeds: its per-case subjects then name the seed, and failing cases are
    SEED/CASE."""
    runs = doc.get("runs", [])
    if several is None:
        several = len({r.get("seed") for r in runs}) > 1
    rows, agg = [], {}
    for r in runs:
        findings = {f.get("case"): f for f in r.get("findings", [])}
        for c in r.get("cases", []):
            subject = f"{r['target']}/{c['state']}/{c['mutation']}"
            f = findings.get(c["case"])
            a = agg.setdefault(subject, {"subject": subject, "seed": -1, "status": "PASS",
                                         "runs": 0, "exercised": 0, "failing": []})
            a["runs"] += 1
            a["exercised"] += 1
            if f:
                a["status"] = "FAIL"
                a["failing"].append((f"{r.get('seed')}/{c['case']}" if several else c["case"], f))
            rows.append({"subject": subject + (f" (seed {r.get('seed')})" if several else ""),
                         "seed": c["case"], "status": "FAIL" if f else "PASS", "runs": 1,
                         "exercised": 1, "hash": c.get("reaction", ""),
                         "detail": json.dumps(_finding_detail(f)) if f else ""})
        if None in findings:
            agg[f"{r['target']}/sanity"] = {
                "subject": f"{r['target']}/sanity", "seed": -1, "status": "FAIL", "runs": 1,
                "exercised": 1, "failing": [(None, findings[None])]}
    for a in agg.values():
        failing = a.pop("failing")
        if failing:
            a["detail"] = json.dumps(dict(_finding_detail(failing[0][1]), failing_seeds=[
                k for k, _ in failing if k is not None]))
        rows.append(a)
    for t in doc.get("libfuzzer", []):
        rows.append({"subject": f"libfuzzer/{t['target']}", "seed": -1,
                     "status": "PASS" if t["status"] == 0 else "FAIL", "runs": 1, "exercised": 1,
                     "detail": "" if t["status"] == 0 else json.dumps(
                         {"actual": f"exit {t['status']} after {t['executions']} executions",
                          "replay": t.get("replay", ""), "trace": t.get("log", "")})})
    return rows


def _finding_detail(f):
    return {"actual": "; ".join(f.get("reasons", [])), "expected": f.get("why_expected", ""),
            "replay": f.get("replay", ""), "pcap": f.get("pcapng", ""), "seed": f.get("case")}


def record_fuzz(doc, command, transport="", impl="", out_dir="", duration_s=0.0, path=None):
    """One finished ./zlab fuzz run (its fuzz-report.json, libFuzzer targets under "libfuzzer");
    returns its id, None when the history cannot be written."""
    try:
        conn = connect(path)
        run_id = begin(conn, "fuzz", command, transport=transport, impl=impl, out_dir=out_dir)
        add_verdicts(conn, run_id, fuzz_rows(doc))
        finish(conn, run_id, duration_s)
        conn.close()
        return run_id
    except (sqlite3.Error, OSError) as e:
        print(f"history: not recorded ({e})")
        return None


def impl_of(doc):
    """The implementation a conformance document checks, as conform records it: "libzmq", or
    "zlab+libzmq" for zlab under test with libzmq peers; "" when it does not say."""
    impl = doc.get("implementation") or doc.get("impl") or ""
    peer = doc.get("peer_implementation") or impl
    return impl if peer == impl else f"{impl}+{peer}"


def conform_kind(impl):
    """A conform run against other implementations' agents is an interop run."""
    return "interop" if impl and impl != "zlab" else "conform"


def record_conform(doc, per_seed=(), out_dir="", impl="", path=None):
    """One finished conform run (kind interop when agents took part: impl is not zlab); returns
    its id (None when the history cannot be written: a report must never fail because of it)."""
    try:
        conn = connect(path)
        impl = impl or impl_of(doc)
        run_id = begin(conn, conform_kind(impl), doc.get("command", ""), doc.get("profile", ""),
                       doc.get("transport", ""), impl, out_dir, started=doc.get("started"))
        add_verdicts(conn, run_id, conform_rows(doc, per_seed))
        finish(conn, run_id, float(doc.get("duration_s", 0)))
        conn.close()
        return run_id
    except (sqlite3.Error, OSError) as e:
        print(f"history: not recorded ({e})")
        return None


def record_sim(sweep, command, out_dir="", path=None, files=None):
    try:
        conn = connect(path)
        run_id = begin(conn, "sim", command, out_dir=out_dir)
        add_verdicts(conn, run_id, sim_rows(sweep, files))
        finish(conn, run_id, float(sweep.get("wall_ms", 0)) / 1000)
        conn.close()
        return run_id
    except (sqlite3.Error, OSError) as e:
        print(f"history: not recorded ({e})")
        return None


def runs(conn, kind=None, limit=20):
    q = "SELECT * FROM runs" + (" WHERE kind=?" if kind else "") + " ORDER BY id DESC LIMIT ?"
    return conn.execute(q, ((kind,) if kind else ()) + (limit,)).fetchall()


def verdicts(conn, run_id):
    return {(r["subject"], r["seed"]): dict(r) for r in
            conn.execute("SELECT * FROM verdicts WHERE run_id=?", (run_id,))}
