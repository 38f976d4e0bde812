"""Regressions between two conformance runs of the same profile."""

from results import STATUSES

RANK = {"PASS": 4, "PENDING": 3, "NOT-EXERCISED": 2, "FLAKY": 1, "FAIL": 0}


def compare(old, new):
    """Returns (regressions, improvements, notes) as lists of strings."""
    regressions, improvements, notes = [], [], []
    if old.profile != new.profile or old.transport != new.transport:
        notes.append(f"comparing {old.profile}/{old.transport} with {new.profile}/{new.transport}")
    before = {r.rule: r for r in old.results}
    after = {r.rule: r for r in new.results}
    for rule in sorted(set(before) | set(after)):
        a, b = before.get(rule), after.get(rule)
        if b is None:
            regressions.append(f"{rule}: gone (was {a.status})")
            continue
        if a is None:
            notes.append(f"{rule}: new ({b.status})")
            if b.status in ("FAIL", "FLAKY", "NOT-EXERCISED"):
                regressions.append(f"{rule}: new and {b.status}")
            continue
        if RANK[b.status] < RANK[a.status]:
            regressions.append(f"{rule}: {a.status} -> {b.status}")
        elif RANK[b.status] > RANK[a.status]:
            improvements.append(f"{rule}: {a.status} -> {b.status}")
        elif a.runs and b.runs and b.exercised / b.runs < 0.5 * (a.exercised / a.runs):
            notes.append(f"{rule}: exercised in {b.exercised}/{b.runs} runs, was {a.exercised}/{a.runs}")
    return regressions, improvements, notes


def report(old, new):
    regressions, improvements, notes = compare(old, new)
    lines = []
    for title, items in (("regressions", regressions), ("improvements", improvements), ("notes", notes)):
        lines.append(f"{len(items)} {title}")
        lines += [f"  {i}" for i in items]
    oc, nc = old.counts(), new.counts()
    lines.append("counts: " + ", ".join(f"{s} {oc[s]}->{nc[s]}" for s in STATUSES))
    return "\n".join(lines) + "\n", bool(regressions)
