#!/usr/bin/python3
"""./zlab report: the run history (out/history.sqlite): conform, interop, sim and fuzz runs.

  ./zlab report diff [BASE] [NEW]   what changed: New / Resolved / Ongoing failures, Flaky and
                                    determinism bugs, exercise-rate drops, rules added / retired,
                                    and since which commit each failure fails
  ./zlab report list                the recorded runs, newest first
  ./zlab report html [RUN]          the HTML report of a run and the history view

BASE and NEW are run ids (./zlab report list), `latest`, or a results file or run folder
(conformance.json, sweep.json, fuzz-report.json). Defaults: NEW is the latest run, BASE the last
run of the same command on the base branch (main), else the previous run of that command.

diff exit status: 0 no regression; 1 regressions (a New failure, a Flaky verdict or determinism
bug, an exercise-rate drop; Ongoing failures are listed but are not regressions); 2 bad input
(a missing file or run, runs of different commands or profiles without --force, nothing to
compare with).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import frontdoor  # noqa: E402
import history  # noqa: E402
import regress  # noqa: E402


def parser():
    ap = argparse.ArgumentParser(prog="./zlab report", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=frontdoor.caller_path, default=None,
                    help="the history database (default: out/history.sqlite, or $ZLAB_HISTORY)")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", help="diff, list or html")
    d = sub.add_parser("diff", help="compare two runs (exit 0 / 1 regressions / 2 bad input)",
                       description="Compare two runs; exit 0 no regression, 1 regressions, 2 bad input.")
    d.add_argument("base", nargs="?", metavar="BASE", help="run id, 'latest', file or folder "
                   "(default: the last run of NEW's command on the base branch)")
    d.add_argument("new", nargs="?", metavar="NEW", help="run id, 'latest', file or folder "
                   "(default: the latest run)")
    d.add_argument("--force", action="store_true",
                   help="compare runs of different commands or profiles (only what both ran)")
    d.add_argument("--kind", choices=("conform", "sim", "fuzz", "interop"),
                   help="with no NEW: the latest run of this kind")
    d.add_argument("--base-branch", metavar="BRANCH",
                   help="the branch BASE is taken from (default: main, else master)")
    d.add_argument("--json", action="store_true", help="the diff as JSON on stdout")
    ls = sub.add_parser("list", help="the recorded runs, newest first",
                        description="The recorded runs, newest first.")
    ls.add_argument("--kind", choices=("conform", "sim", "fuzz", "interop"), help="only this kind")
    ls.add_argument("-n", type=frontdoor.count(1), default=20, help="how many (default 20)")
    h = sub.add_parser("html", help="render a run's HTML report and the history view",
                       description="Render a run's HTML report and the history view.")
    h.add_argument("run", nargs="?", default="latest",
                   help="run id, 'latest' (default) or a conform results file or folder")
    h.add_argument("--out", type=frontdoor.caller_path, default=None,
                   help="folder to write (default: the run's own folder; history.html in out/)")
    return ap


def cmd_diff(conn, a):
    try:
        if a.new:
            new = regress.resolve(conn, a.new)
        elif a.kind:
            row = conn.execute("SELECT id FROM runs WHERE kind=? AND state='done' ORDER BY id DESC "
                               "LIMIT 1", (a.kind,)).fetchone()
            if row is None:
                raise regress.BadInput(f"no {a.kind} run in the history")
            new = regress.from_history(conn, row["id"])
        else:
            new = regress.resolve(conn, "latest")
        note = None
        if a.base:
            base = regress.resolve(conn, a.base)
        elif new.in_history:
            base, note = regress.default_base(conn, new, a.base_branch)
        else:
            raise regress.BadInput("NEW is a file: give BASE too")
        d = regress.compare(base, new, force=a.force, conn=conn)
    except regress.BadInput as e:
        print(f"./zlab report diff: {e}", file=sys.stderr)
        return regress.EXIT_BAD_INPUT
    if note:
        d.notes.insert(0, note)
    if a.json:
        print(json.dumps(regress.as_json(d), indent=1, default=str))
    else:
        sys.stdout.write(regress.text(d))
    return regress.EXIT_REGRESSED if d.regressed() else regress.EXIT_OK


def cmd_list(conn, a):
    rows = history.runs(conn, a.kind, a.n)
    if not rows:
        print("no runs recorded yet (./zlab conform, ./zlab sim --seeds A..B, ./zlab fuzz)")
        return 0
    for r in rows:
        counts = {s: n for s, n in conn.execute(
            "SELECT status, count(*) FROM verdicts WHERE run_id=? AND (seed=-1 OR ? = 'sim') "
            "GROUP BY status", (r["id"], r["kind"]))}
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        print(f"{r['id']:5} {r['started']:22} {r['kind']:8} {r['commit_id'][:10]}"
              f"{'+dirty' if r['dirty'] else '':6} {r['state']:7} {summary}\n"
              f"      {r['command']}")
    return 0


def cmd_html(conn, a):
    import html_report

    try:
        return html_report.main(conn, a.run, a.out)
    except regress.BadInput as e:
        print(f"./zlab report html: {e}", file=sys.stderr)
        return 2


def main(argv):
    ap = parser()
    a = ap.parse_args(argv)
    if not a.command:
        ap.print_help()
        return 0
    conn = history.connect(a.db)
    return {"diff": cmd_diff, "list": cmd_list, "html": cmd_html}[a.command](conn, a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
