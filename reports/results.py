"""Loading and checking conformance results (schema zlab-conformance/1, see schema.md)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = "zlab-conformance/1"
# FLAKY: a case failed but the replay of its shrunk case passed (the verdict depended on
# something the inputs do not fix, such as thread scheduling): a failure, never a pass.
STATUSES = ("PASS", "FAIL", "FLAKY", "NOT-EXERCISED", "PENDING")
FAILING = ("FAIL", "FLAKY", "NOT-EXERCISED")
# Matrix columns, in display order; rule kinds not listed here go after them, sorted.
TABLE_COLUMNS = ("compatible", "direction", "pattern", "outgoing", "incoming", "mute")


class ResultsError(ValueError):
    """The file is not valid zlab-conformance/1."""


@dataclass
class Failure:
    seed: int
    expected: str
    actual: str
    replay: str
    minimal_sequence: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    case_log: list = field(default_factory=list)
    # FLAKY: the first failing case as drawn, the world seeds of it and of the shrunk
    # case's replay, and what that replay did instead of failing.
    first_sequence: list = field(default_factory=list)
    first_world_seed: int = 0
    replay_world_seed: int = 0
    replay_outcome: str = ""


@dataclass
class Result:
    rule: str
    socket_type: str
    column: str
    status: str
    runs: int = 0
    exercised: int = 0
    evidence: dict = field(default_factory=dict)
    source: str = ""
    duration_ms: float = 0.0
    failure: Failure | None = None
    failing_seeds: list = field(default_factory=list)  # every seed that failed (FAIL, FLAKY)


@dataclass
class Run:
    profile: str
    transport: str
    seeds: dict
    started: str
    duration_s: float
    command: str
    results: list

    def columns(self):
        extra = sorted({r.column for r in self.results} - set(TABLE_COLUMNS))
        return [c for c in TABLE_COLUMNS if any(r.column == c for r in self.results)] + extra

    def socket_types(self):
        seen = []
        for r in self.results:
            if r.socket_type not in seen:
                seen.append(r.socket_type)
        return seen

    def counts(self):
        out = {s: 0 for s in STATUSES}
        for r in self.results:
            out[r.status] += 1
        return out

    def ok(self):
        """A run passes when nothing failed and nothing that should run went unexercised."""
        c = self.counts()
        return all(c[s] == 0 for s in FAILING)


def _require(obj, key, kind, where):
    if key not in obj:
        raise ResultsError(f"{where}: missing '{key}'")
    if not isinstance(obj[key], kind):
        raise ResultsError(f"{where}: '{key}' should be {kind.__name__ if isinstance(kind, type) else kind}")
    return obj[key]


def parse(data):
    if not isinstance(data, dict):
        raise ResultsError("top level: expected an object")
    if data.get("schema") != SCHEMA:
        raise ResultsError(f"top level: schema is {data.get('schema')!r}, expected {SCHEMA!r}")
    results = []
    seen = set()
    for i, raw in enumerate(_require(data, "results", list, "top level")):
        where = f"results[{i}]"
        if not isinstance(raw, dict):
            raise ResultsError(f"{where}: expected an object")
        rule = _require(raw, "rule", str, where)
        if rule in seen:
            raise ResultsError(f"{where}: rule {rule!r} appears twice")
        seen.add(rule)
        status = _require(raw, "status", str, where)
        if status not in STATUSES:
            raise ResultsError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}")
        failure = None
        if status in ("FAIL", "FLAKY"):
            f = _require(raw, "failure", dict, where)
            failure = Failure(seed=_require(f, "seed", int, where + ".failure"),
                              expected=str(f.get("expected", "")), actual=str(f.get("actual", "")),
                              replay=_require(f, "replay", str, where + ".failure"),
                              minimal_sequence=list(f.get("minimal_sequence", [])),
                              faults=list(f.get("faults", [])),
                              case_log=list(f.get("case_log", [])),
                              first_sequence=list(f.get("first_sequence", [])),
                              first_world_seed=int(f.get("first_world_seed", 0)),
                              replay_world_seed=int(f.get("replay_world_seed", 0)),
                              replay_outcome=str(f.get("replay_outcome", "")))
        runs = int(raw.get("runs", 0))
        exercised = int(raw.get("exercised", 0))
        if exercised > runs:
            raise ResultsError(f"{where}: exercised ({exercised}) exceeds runs ({runs})")
        if status == "PASS" and exercised == 0:
            raise ResultsError(f"{where}: PASS without a single exercised run is not a pass")
        results.append(Result(rule=rule, socket_type=_require(raw, "socket_type", str, where),
                              column=_require(raw, "column", str, where), status=status,
                              runs=runs, exercised=exercised, evidence=dict(raw.get("evidence", {})),
                              source=str(raw.get("source", "")),
                              duration_ms=float(raw.get("duration_ms", 0.0)), failure=failure,
                              failing_seeds=[int(x) for x in raw.get("failing_seeds", [])]))
    return Run(profile=str(data.get("profile", "")), transport=str(data.get("transport", "")),
               seeds=dict(data.get("seeds", {})), started=str(data.get("started", "")),
               duration_s=float(data.get("duration_s", 0.0)), command=str(data.get("command", "")),
               results=results)


def load(path):
    with open(Path(path), encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ResultsError(f"{path}: not JSON: {e}") from e
    return parse(data)
