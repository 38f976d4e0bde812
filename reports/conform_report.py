#!/usr/bin/python3
"""Conformance reports from zlab-conformance/1 JSON.

  conform_report.py render RESULTS.json OUTDIR   matrix.txt, junit.xml, index.html, status.png
  conform_report.py matrix RESULTS.json          the matrix on stdout
  conform_report.py diff OLD.json NEW.json [--force]
                                                 New / Resolved / Ongoing / Flaky, exercise-rate
                                                 drops, rules added / retired (regress.py);
                                                 exit 1 on regressions, 2 on bad input or runs
                                                 of different commands (--force compares them)
Exit 2 on an invalid or missing results file. ./zlab report diff does the same from the history.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import regress  # noqa: E402
import render  # noqa: E402
import results  # noqa: E402


def main(argv):
    if len(argv) < 3 or argv[1] not in ("render", "matrix", "diff"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[1] == "matrix":
            sys.stdout.write(render.text_matrix(results.load(argv[2])))
            return 0
        if argv[1] == "render":
            if len(argv) < 4:
                print(__doc__, file=sys.stderr)
                return 2
            run = results.load(argv[2])
            out = Path(argv[3])
            out.mkdir(parents=True, exist_ok=True)
            (out / "matrix.txt").write_text(render.text_matrix(run))
            (out / "junit.xml").write_text(render.junit_xml(run))
            (out / "index.html").write_text(render.html_page(run))
            render.status_plot(run, out / "status.png")
            print(f"wrote {out}/matrix.txt junit.xml index.html status.png")
            return 0
        if len(argv) < 4:
            print(__doc__, file=sys.stderr)
            return 2
        text, code = regress.load_files_and_compare(argv[2], argv[3], force="--force" in argv[4:])
        (sys.stderr if code == regress.EXIT_BAD_INPUT else sys.stdout).write(text)
        return code
    except (results.ResultsError, OSError) as e:
        print(f"invalid results: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
