"""HTML from the history: a run's report page (conform: the matrix page of render.py with its
links) and the history view (out/history.html): per command, pass and fail counts over commits
as a bar chart, every run with links to its folder, and each failure of the latest run with the
commit it was first seen failing on."""

import html
import json
import os
import os.path
from pathlib import Path

import history
import regress
import render
import results

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;font-size:.9rem}
th{background:#f4f4f4}td.n{text-align:right}.FAIL{color:#c62828;font-weight:bold}
code{background:#f4f4f4;padding:0 .2rem}svg{display:block;margin:.5rem 0}"""


REPORT_PAGES = ("index.html", "fuzz-report.html")  # a run folder's page: conform, fuzz


def esc(x):
    return html.escape(str(x))


def counts_of(conn, run):
    q = ("SELECT status, count(*) FROM verdicts WHERE run_id=? AND seed=-1 GROUP BY status"
         if run["kind"] != "sim" else
         "SELECT status, count(*) FROM verdicts WHERE run_id=? GROUP BY status")
    return dict(conn.execute(q, (run["id"],)).fetchall())


def chart(points):
    """Stacked bars (pass green, fail red) per run, oldest left: an inline SVG, no libraries."""
    width, height, bar = max(120, 14 * len(points)), 80, 10
    top = max([p + f for _, p, f in points] + [1])
    parts = [f'<svg width="{width}" height="{height + 14}" role="img" aria-label="passes and '
             f'failures per run">']
    for i, (label, passed, failed) in enumerate(points):
        x = 2 + i * 14
        hp, hf = height * passed / top, height * failed / top
        parts.append(f'<rect x="{x}" y="{height - hp - hf:.1f}" width="{bar}" height="{hf:.1f}" '
                     f'fill="#c62828"><title>{esc(label)}: {failed} failing</title></rect>')
        parts.append(f'<rect x="{x}" y="{height - hp:.1f}" width="{bar}" height="{hp:.1f}" '
                     f'fill="#43a047"><title>{esc(label)}: {passed} passing</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def link_to(run, page_dir):
    out = Path(run["out_dir"]) if run["out_dir"] else None
    if not out or not out.exists():
        return ""
    pages = [out / n for n in REPORT_PAGES if (out / n).exists()]
    target = pages[0] if pages else out
    return f'<a href="{esc(os.path.relpath(target, page_dir))}">report</a>'


def files_of(view, key, page_dir):
    """Links to a failure's trace and pcapng (replayed automatically after a sim sweep)."""
    detail = view.verdicts.get(key, {}).get("detail") or ""
    d = json.loads(detail) if detail else {}
    return "".join(f' <a href="{esc(os.path.relpath(d[k], page_dir))}">{k}</a>'
                   for k in ("trace", "pcap") if d.get(k))


def history_page(conn, path, per_command=30):
    path = Path(path)
    sigs = conn.execute("SELECT signature, max(id) AS last FROM runs WHERE state='done' "
                        "GROUP BY signature ORDER BY last DESC").fetchall()
    body = [f"<h1>zlab run history</h1><p>{len(sigs)} commands; newest first. Database: "
            f"<code>{esc(history.default_path())}</code> (<code>./zlab report list</code>, "
            f"<code>./zlab report diff</code>).</p>"]
    for s in sigs:
        runs = conn.execute("SELECT * FROM runs WHERE signature=? AND state='done' ORDER BY id "
                            "DESC LIMIT ?", (s["signature"], per_command)).fetchall()
        newest = runs[0]
        body.append(f"<h2>{esc(newest['kind'])}: <code>{esc(newest['command'])}</code></h2>")
        points = []
        for r in reversed(runs):
            c = counts_of(conn, r)
            failed = sum(c.get(x, 0) for x in history.FAILING)
            points.append((f"run {r['id']} {r['commit_id'][:8]}", c.get("PASS", 0), failed))
        body.append(chart(points))
        view = regress.from_history(conn, newest["id"])
        failing = [k for k, v in view.units().items() if v["status"] in history.FAILING]
        if failing:
            body.append(f"<p>Failing in the latest run (run {newest['id']}):</p><table><tr>"
                        "<th>what</th><th>status</th><th>first seen failing</th>"
                        "<th>reproduce</th></tr>")
            for k in sorted(failing)[:200]:
                body.append(f"<tr><td>{esc(regress.name(k))}</td><td class='FAIL'>"
                            f"{esc(view.units()[k]['status'])}</td><td>"
                            f"{esc(regress.failing_since(conn, view, k))}</td><td><code>"
                            f"{esc(view.reproduce(k))}</code>{files_of(view, k, path.parent)}"
                            "</td></tr>")
            body.append("</table>")
        body.append("<table><tr><th>run</th><th>started</th><th>commit</th><th>branch</th>"
                    "<th>pass</th><th>fail</th><th>other</th><th></th></tr>")
        for r in runs:
            c = counts_of(conn, r)
            failed = sum(c.get(x, 0) for x in history.FAILING)
            other = sum(c.values()) - failed - c.get("PASS", 0)
            body.append(f"<tr><td class='n'>{r['id']}</td><td>{esc(r['started'])}</td>"
                        f"<td><code>{esc(r['commit_id'][:10])}{'+dirty' if r['dirty'] else ''}"
                        f"</code></td><td>{esc(r['branch'])}</td><td class='n'>{c.get('PASS', 0)}"
                        f"</td><td class='n{' FAIL' if failed else ''}'>{failed}</td>"
                        f"<td class='n'>{other}</td><td>{link_to(r, path.parent)}</td></tr>")
        body.append("</table>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>zlab "
                    f"history</title><style>{STYLE}</style></head><body>" + "\n".join(body)
                    + "</body></html>\n")
    return path


def write_conform_page(run_json, out_dir, history_html=None):
    """index.html (and the matrix, JUnit, plot) of a conform results file into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = results.load(run_json)
    href = os.path.relpath(history_html, out_dir) if history_html else None
    (out_dir / "index.html").write_text(render.html_page(run, out_dir, href))
    return out_dir / "index.html"


def main(conn, which, out=None):
    """./zlab report html [RUN] [--out DIR]."""
    hist = (out or history.default_path().parent) / "history.html"
    history_page(conn, hist)
    print(f"history: {hist}")
    try:
        view = regress.resolve(conn, which)
    except regress.BadInput as e:
        if which == "latest":
            return 0  # an empty history still gets its (empty) page
        raise e
    folder = Path(view.meta.get("out_dir") or "")
    if view.meta["kind"] in ("conform", "interop") and (folder / "conformance.json").exists():
        page = write_conform_page(folder / "conformance.json", out or folder, hist)
        print(f"report: {page}")
    elif (folder / "fuzz-report.html").exists():
        print(f"report: {folder / 'fuzz-report.html'}")
    return 0


def refresh_after_run(out_dir):
    """After a recorded run: the history view, and the run's page linked to it. Never fails the
    run (a report problem is printed, not raised)."""
    try:
        conn = history.connect()
        hist = history_page(conn, history.default_path().parent / "history.html")
        if out_dir and (Path(out_dir) / "conformance.json").exists():
            write_conform_page(Path(out_dir) / "conformance.json", out_dir, hist)
        return hist
    except Exception as e:  # noqa: BLE001 - the run's verdict must not depend on its report
        print(f"history.html not written: {e}")
        return None
