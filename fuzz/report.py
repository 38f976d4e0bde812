"""The live fuzzer's reports: JSON (everything), JUnit (a test per case, a failure per finding)
and HTML (a row per finding, the differences between targets, the states reached)."""

import html
import json
from pathlib import Path
from xml.sax.saxutils import quoteattr


def write(out, runs, diffs):
    out = Path(out)
    data = {"runs": runs, "differences": diffs}
    (out / "fuzz-report.json").write_text(json.dumps(data, indent=1))
    (out / "fuzz-report.junit.xml").write_text(_junit(runs))
    (out / "fuzz-report.html").write_text(_html(runs, diffs))
    return [out / "fuzz-report.json", out / "fuzz-report.junit.xml", out / "fuzz-report.html"]


def _junit(runs):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for r in runs:
        findings = {f["case"]: f for f in r["findings"]}
        parts.append(f'<testsuite name={quoteattr("zlab-fuzz " + r["target"])} '
                     f'tests="{len(r["cases"])}" failures="{len(findings)}">')
        for c in r["cases"]:
            name = quoteattr(f'case {c["case"]} {c["state"]}/{c["mutation"]}')
            f = findings.get(c["case"])
            if f:
                msg = quoteattr("; ".join(f["reasons"]))
                parts.append(f'<testcase classname="fuzz" name={name}><failure message={msg}>'
                             f'{html.escape(f["replay"])}</failure></testcase>')
            else:
                parts.append(f'<testcase classname="fuzz" name={name}/>')
        for f in findings.get(None, []) if isinstance(findings.get(None), list) else []:
            pass
        parts.append("</testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"


def _html(runs, diffs):
    e = html.escape
    rows = []
    for r in runs:
        for f in r["findings"]:
            rows.append(f"<tr><td>{e(r['target'])}</td><td>{f.get('case')}</td>"
                        f"<td>{e(str(f.get('state', '')))}/{e(str(f.get('mutation', '')))}</td>"
                        f"<td>{e('; '.join(f['reasons']))}</td><td>{e(f.get('why_expected', ''))}</td>"
                        f"<td><code>{e(f.get('replay', ''))}</code></td>"
                        f"<td><code>{e(f.get('minimised_hex', '')[:160])}</code></td>"
                        f"<td>{e(Path(f.get('pcapng', '')).name)}</td></tr>")
    drows = "".join(f"<tr><td>{d['case']}</td><td>{e(d['state'])}/{e(d['mutation'])}</td><td>"
                    + "</td><td>".join(e(str(v)) for k, v in d.items()
                                       if k not in ("case", "state", "mutation"))
                    + "</td></tr>" for d in diffs)
    summary = "".join(f"<li>{e(r['target'])}: {len(r['cases'])} cases, "
                      f"{len(r['findings'])} findings; states {e(json.dumps(r['states']))}; "
                      f"reached {e(json.dumps(r['reached']))}</li>" for r in runs)
    return f"""<!doctype html><meta charset="utf-8"><title>zlab fuzz</title>
<style>body{{font-family:sans-serif}}td,th{{border:1px solid #ccc;padding:2px 6px;vertical-align:top}}
table{{border-collapse:collapse}}</style>
<h1>zlab fuzz</h1><ul>{summary}</ul>
<h2>Findings</h2><table><tr><th>target</th><th>case</th><th>state/mutation</th><th>reasons</th>
<th>expected because</th><th>replay</th><th>minimised bytes (hex)</th><th>pcapng</th></tr>
{''.join(rows)}</table>
<h2>Differences between targets</h2><table><tr><th>case</th><th>state/mutation</th>
{''.join(f'<th>{e(r["target"])}</th>' for r in runs[:2])}<th>registered as</th></tr>{drows}</table>
"""
