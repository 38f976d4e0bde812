"""Regression diff of two runs (conform, sim sweeps, ...): New / Resolved / Ongoing failures, Flaky
(and determinism bugs), exercise-rate drops, rules added and retired, and since which commit
each failure fails. Used by `./zlab report diff` and `reports/conform_report.py diff`.

A run here is a RunView: the history's runs row (or the same fields read from a results file)
and its verdicts keyed by (subject, seed); seed -1 is a rule's verdict over all seeds.

Exit codes (EXIT_*): 0 no regression; 1 regressions (a New failure, a Flaky verdict or a
determinism bug, an exercise-rate drop); 2 bad input (a missing or invalid file or run, runs of
different commands or profiles without --force, nothing to compare with). Ongoing failures and
retired rules are listed but are not regressions: they were already there, or were removed on
purpose.
"""

import json
import subprocess
from pathlib import Path
from dataclasses import dataclass, field

import frontdoor
import history
import results

EXIT_OK, EXIT_REGRESSED, EXIT_BAD_INPUT = 0, 1, 2
FAILING = history.FAILING


class BadInput(Exception):
    """A run that cannot be read or compared: exit 2."""


@dataclass
class RunView:
    meta: dict
    verdicts: dict  # (subject, seed) -> row dict
    in_history: bool = False

    @property
    def label(self):
        m = self.meta
        where = f"run {m['id']}" if self.in_history else m.get("out_dir", "file")
        commit = (m.get("commit_id") or "?")[:10] + ("+dirty" if m.get("dirty") else "")
        return f"{where} ({m['kind']} on {commit}, {m.get('started', '?')})"

    def units(self):
        """What the diff compares: a rule's verdict over all seeds when the run has them (conform),
        else every (subject, seed) (a sim sweep)."""
        agg = {k: v for k, v in self.verdicts.items() if k[1] == -1}
        return agg if agg else dict(self.verdicts)

    def failing_seeds(self, subject):
        seeds = sorted(s for (subj, s), v in self.verdicts.items()
                       if subj == subject and s >= 0 and v["status"] in FAILING)
        if not seeds:
            detail = self.verdicts.get((subject, -1), {}).get("detail") or ""
            if detail:
                d = json.loads(detail)
                seeds = d.get("failing_seeds") or ([d["seed"]] if d.get("seed") is not None else [])
        return seeds

    def reproduce(self, key):
        detail = self.verdicts.get(key, {}).get("detail") or ""
        if not detail:
            return ""
        d = json.loads(detail)
        return d.get("replay") or d.get("repro") or ""


# --- loading -------------------------------------------------------------------------------

def from_history(conn, run_id):
    row = conn.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    if row is None:
        raise BadInput(f"no run {run_id} in the history ({history.default_path()}); "
                       f"see ./zlab report list")
    return RunView(dict(row), history.verdicts(conn, run_id), in_history=True)


def from_file(path):
    p = frontdoor.caller_path(path)
    if p.is_dir():
        for name in ("conformance.json", "sweep.json", "fuzz-report.json"):
            if (p / name).exists():
                p = p / name
                break
        else:
            raise BadInput(f"{path}: no conformance.json, sweep.json or fuzz-report.json in "
                           f"that folder")
    if not p.exists():
        raise BadInput(f"{path}: no such file (give a run id from ./zlab report list, a results "
                       f"file or a run folder)")
    try:
        doc = json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise BadInput(f"{path}: not a results file ({e})") from None
    return from_doc(doc, p)


def from_doc(doc, p="results"):
    """A run from a parsed conformance.json or sim sweep.json (not in the history)."""
    path = p
    p = Path(p)
    if isinstance(doc, dict) and doc.get("schema") == results.SCHEMA:
        try:
            results.parse(doc)
        except results.ResultsError as e:
            raise BadInput(f"{path}: invalid results: {e}") from None
        command = doc.get("command", "")
        impl = history.impl_of(doc)
        meta = {"kind": history.conform_kind(impl), "command": command,
                "profile": doc.get("profile", ""), "transport": doc.get("transport", ""),
                "impl": impl, "started": doc.get("started", "")}
        rows = history.conform_rows(doc)
    elif isinstance(doc, dict) and isinstance(doc.get("runs"), list) and "differences" in doc:
        command = doc.get("command") or "./zlab fuzz"
        meta = {"kind": "fuzz", "command": command, "profile": "",
                "transport": doc.get("transport", ""), "impl": doc.get("impl", ""),
                "started": doc.get("started", "")}
        rows = history.fuzz_rows(doc)
    elif isinstance(doc, dict) and isinstance(doc.get("results"), list) and "seeds" in doc:
        command = f"./zlab sim --seeds {doc['seeds']}"
        meta = {"kind": "sim", "command": command, "profile": "", "transport": "", "impl": "",
                "started": ""}
        rows = history.sim_rows(doc)
    else:
        raise BadInput(f"{path}: neither zlab-conformance/1, a zlab sim sweep nor a fuzz report")
    meta.update(id=None, out_dir=str(p.parent), commit_id="", dirty=0, branch="",
                signature=history.signature(meta["kind"], command, meta["profile"],
                                            meta["transport"], meta["impl"]))
    return RunView(meta, {(r["subject"], r["seed"]): dict(r, hash=r.get("hash", ""))
                          for r in rows})


def resolve(conn, arg):
    """A run named on the command line: an id, 'latest', or a results file or run folder."""
    if arg == "latest":
        row = conn.execute("SELECT id FROM runs WHERE state='done' ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise BadInput("the history is empty: run ./zlab conform or ./zlab sim --seeds A..B first")
        return from_history(conn, row["id"])
    if str(arg).isdigit():
        return from_history(conn, int(arg))
    return from_file(arg)


def on_branch(commit, branch):
    if not commit:
        return False
    return subprocess.run(["git", "merge-base", "--is-ancestor", commit, branch], cwd=frontdoor.ROOT,
                          capture_output=True).returncode == 0


def base_branch(explicit=None):
    for b in ([explicit] if explicit else []) + ["main", "master", "origin/main"]:
        if frontdoor.git("rev-parse", "--verify", "--quiet", b):
            return b
    return None


def default_base(conn, new, branch=None):
    """The last run of the same command on the base branch before NEW; else the previous run of the
    same command (said so). Returns (RunView, note)."""
    rows = conn.execute("SELECT id, commit_id FROM runs WHERE signature=? AND id<? AND state='done'"
                        " ORDER BY id DESC LIMIT 200", (new.meta["signature"], new.meta["id"])).fetchall()
    if not rows:
        raise BadInput(f"no earlier run of `{new.meta['command']}` in the history to compare "
                       f"with; give BASE explicitly (./zlab report list)")
    b = base_branch(branch)
    for r in rows:
        if b and on_branch(r["commit_id"], b):
            return from_history(conn, r["id"]), f"base: the last run on {b}"
    return from_history(conn, rows[0]["id"]), (f"base: no run on {b or 'the base branch'} yet; "
                                               f"the previous run of the same command")


# --- comparing -----------------------------------------------------------------------------

@dataclass
class Diff:
    base: RunView
    new: RunView
    new_failures: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    ongoing: list = field(default_factory=list)
    flaky: list = field(default_factory=list)        # (key, why)
    determinism: list = field(default_factory=list)  # (key, why)
    exercise_drops: list = field(default_factory=list)  # (key, why)
    added: list = field(default_factory=list)
    retired: list = field(default_factory=list)
    since: dict = field(default_factory=dict)        # key -> text
    notes: list = field(default_factory=list)

    def regressed(self):
        return bool(self.new_failures or self.flaky or self.determinism or self.exercise_drops)


def deterministic(view):
    """Verdicts that must not change for the same seed and code: the simulator's."""
    return view.meta["kind"] == "sim" or view.meta.get("transport") == "sim"


def same_code(a, b):
    return (a.meta.get("commit_id") and a.meta["commit_id"] == b.meta.get("commit_id")
            and not a.meta.get("dirty") and not b.meta.get("dirty"))


def compare(base, new, force=False, conn=None):
    if base.meta["signature"] != new.meta["signature"] and not force:
        raise BadInput(
            f"different commands or profiles:\n  base: {base.meta['signature']}\n"
            f"  new:  {new.meta['signature']}\n"
            "their verdicts do not compare; --force compares the subjects both ran")
    d = Diff(base, new)
    bu, nu = base.units(), new.units()
    same = base.meta["signature"] == new.meta["signature"]
    if not same:
        d.notes.append("forced: different commands; only what both ran is compared, rules added "
                       "and retired are not computed")
    for key in sorted(set(bu) | set(nu), key=lambda k: (k[0], k[1])):
        a, b = bu.get(key), nu.get(key)
        if b is None:
            if same:
                d.retired.append(key)
            continue
        if a is None:
            if not same:
                continue
            d.added.append(key)
        a_fail = a is not None and a["status"] in FAILING
        b_fail = b["status"] in FAILING
        if b["status"] == "FLAKY":
            d.flaky.append((key, "FLAKY: a case failed but the replay of its shrunk case passed"))
        if b_fail and not a_fail:
            d.new_failures.append(key)
        elif a_fail and not b_fail:
            d.resolved.append(key)
        elif a_fail and b_fail:
            d.ongoing.append(key)
        if (a and not b_fail and a["runs"] and b["runs"] and a["exercised"]
                and b["exercised"] / b["runs"] < 0.5 * a["exercised"] / a["runs"]):
            d.exercise_drops.append((key, f"exercised in {b['exercised']}/{b['runs']} runs, was "
                                          f"{a['exercised']}/{a['runs']}"))
    same_seed_checks(d, conn)
    if conn is not None:
        for key in d.new_failures + d.ongoing:
            d.since[key] = failing_since(conn, new, key)
    return d


def same_seed_checks(d, conn):
    """The same seed on the same code with a different verdict (or trace): flaky, and on the
    simulator a determinism bug. Checks BASE, and every other run of NEW's command and commit."""
    others = [d.base] if same_code(d.base, d.new) else []
    if conn is not None and d.new.in_history and d.new.meta.get("commit_id") and not d.new.meta.get("dirty"):
        for r in conn.execute("SELECT id FROM runs WHERE signature=? AND commit_id=? AND dirty=0 "
                              "AND id<>? AND state='done'",
                              (d.new.meta["signature"], d.new.meta["commit_id"], d.new.meta["id"])):
            if r["id"] != d.base.meta.get("id"):
                others.append(from_history(conn, r["id"]))
    seen = set()
    for other in others:
        for key, b in d.new.verdicts.items():
            a = other.verdicts.get(key)
            if a is None or key[1] < 0 or key in seen:
                continue
            verdict_differs = (a["status"] in FAILING) != (b["status"] in FAILING)
            trace_differs = a.get("hash") and b.get("hash") and a["hash"] != b["hash"]
            if not (verdict_differs or trace_differs):
                continue
            seen.add(key)
            what = (f"{a['status']} in {other.label}, {b['status']} now" if verdict_differs
                    else f"trace hash {a['hash']} in {other.label}, {b['hash']} now")
            if deterministic(d.new):
                d.determinism.append((key, f"determinism bug: same seed, same commit, {what}"))
            else:
                d.flaky.append((key, f"same seed, same commit: {what}"))


def failing_since(conn, new, key):
    """The oldest run of NEW's command in the unbroken streak of failures of key up to NEW."""
    if not new.in_history:
        return "since: unknown (this run is not in the history)"
    rows = conn.execute(
        "SELECT r.id, r.commit_id, v.status FROM runs r LEFT JOIN verdicts v ON v.run_id=r.id "
        "AND v.subject=? AND v.seed=? WHERE r.signature=? AND r.id<=? AND r.state='done' "
        "ORDER BY r.id DESC", (key[0], key[1], new.meta["signature"], new.meta["id"])).fetchall()
    streak = []
    for r in rows:
        if r["status"] not in FAILING:
            break
        streak.append(r)
    first = streak[-1]
    n = len(streak)
    oldest = len(streak) == len(rows)
    return (f"failing since {first['commit_id'][:10] or '?'} (run {first['id']}; {n} run"
            f"{'s' if n != 1 else ''} in a row{', since the oldest recorded run' if oldest and n > 1 else ''})")


# --- text ----------------------------------------------------------------------------------

def name(key):
    return key[0] if key[1] < 0 else f"{key[0]} seed {key[1]}"  # fuzz: the case number


def text(d):
    lines = [f"base: {d.base.label}", f"new:  {d.new.label}", f"command: {d.new.meta['command']}"]
    lines += [f"note: {n}" for n in d.notes]

    def section(title, keys, detail=None):
        lines.append(f"{title} ({len(keys)})")
        for item in keys:
            key, why = item if isinstance(item[0], tuple) else (item, None)
            v = d.new.verdicts.get(key) or d.base.verdicts.get(key) or {}
            line = f"  {name(key)}  {v.get('status', '')}"
            if why:
                line += f"  {why}"
            if detail:
                line += detail(key)
            lines.append(line)
            repro = d.new.reproduce(key)
            if repro and (title.startswith("New") or title.startswith("Ongoing") or why):
                lines.append(f"      reproduce: {repro}")

    def failing(key):
        seeds = d.new.failing_seeds(key[0]) if key[1] < 0 else []
        what = "cases" if d.new.meta["kind"] == "fuzz" else "seeds"
        out = f"  {what} {', '.join(map(str, seeds))}" if seeds else ""
        return out + (f"  {d.since[key]}" if key in d.since else "")

    section("New failures", d.new_failures, failing)
    section("Flaky", d.flaky)
    section("Determinism bugs", d.determinism)
    section("Exercise-rate drops", d.exercise_drops)
    section("Ongoing failures", d.ongoing, failing)
    section("Resolved", d.resolved)
    what = {"conform": "Rules", "interop": "Rules", "fuzz": "Kinds of case"}.get(
        d.new.meta["kind"], "Runs")
    lines.append(f"{what} added ({len(d.added)}): " + ", ".join(name(k) for k in d.added[:20])
                 + (" ..." if len(d.added) > 20 else ""))
    lines.append(f"{what} retired ({len(d.retired)}): " + ", ".join(name(k) for k in d.retired[:20])
                 + (" ..." if len(d.retired) > 20 else ""))
    n = len(d.new_failures) + len(d.flaky) + len(d.determinism) + len(d.exercise_drops)
    lines.append(f"verdict: {n} regression{'s' if n != 1 else ''}, {len(d.ongoing)} ongoing, "
                 f"{len(d.resolved)} resolved (exit {EXIT_REGRESSED if d.regressed() else EXIT_OK})")
    return "\n".join(lines) + "\n"


def as_json(d):
    def keys(items):
        return [{"subject": (i[0] if isinstance(i[0], tuple) else i)[0],
                 "seed": (i[0] if isinstance(i[0], tuple) else i)[1],
                 **({"why": i[1]} if isinstance(i[0], tuple) else {}),
                 **({"since": d.since[i]} if not isinstance(i[0], tuple) and i in d.since else {})}
                for i in items]
    return {"base": d.base.meta, "new": d.new.meta, "new_failures": keys(d.new_failures),
            "flaky": keys(d.flaky), "determinism_bugs": keys(d.determinism),
            "exercise_drops": keys(d.exercise_drops), "ongoing": keys(d.ongoing),
            "resolved": keys(d.resolved), "added": keys(d.added), "retired": keys(d.retired),
            "notes": d.notes, "regressed": d.regressed()}


def load_files_and_compare(base_path, new_path, force=False):
    """conform_report.py diff OLD.json NEW.json: (text, exit code)."""
    try:
        d = compare(from_file(base_path), from_file(new_path), force=force)
    except BadInput as e:
        return f"report diff: {e}\n", EXIT_BAD_INPUT
    return text(d), EXIT_REGRESSED if d.regressed() else EXIT_OK

