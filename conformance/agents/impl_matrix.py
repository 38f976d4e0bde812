"""The implementation x rule matrix of ./zlab conform --impl (conformance/run calls this).

Each real-transport run (one implementation under test, its peers from the same or another
implementation, tcp or ipc) files its conformance.json in out/impls/LABEL/. After a run, every run found there is folded into one matrix,
out/impl-matrix.{json,xml,html}: a column per run, a row per rule, each cell

  PASS           the property passed and was exercised;
  FAIL           it failed (a FLAKY verdict counts here: a failure was seen);
  DIVERGES       it failed, and conformance/spec/divergences.json registers why for this
                 implementation (the cell names the divergence id);
  NOT-EXERCISED  it never reached its situation, could not be observed on this implementation
                 (the reason is given), or cannot run on real transports (simulator only).

Reference agreement is the share of the classic rules run on a real transport that pass on
libzmq or are registered divergences (PASS + DIVERGES over those rules). A rule is classic when
its type is on both zmq_socket(3) pages (sockets-4.0.json: the twelve types libzmq has without
its draft API); the draft types' rows are in the matrix but not in that share, since Debian's
libzmq cannot run them. Nor are the rules that need an option of libzmq's draft API
(`draft_api` in rules.json: ZMQ_ROUTER_NOTIFY, ...) in the share of an implementation without
that API (impls.DRAFT_API lists those with it): they are checked where the API exists.
"""

import datetime
import html
import json
import os
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import impls

ROOT = Path(__file__).resolve().parents[2]
DIVERGENCES = ROOT / "conformance" / "spec" / "divergences.json"
CLASSIC_PAGE = ROOT / "conformance" / "spec" / "sockets-4.0.json"
RULES = ROOT / "conformance" / "spec" / "rules.json"
SCHEMA = "zlab-impl-matrix/1"


def add_arguments(ap):
    ap.add_argument("--impl", default="zlab", choices=sorted(impls.KNOWN),
                    help="the implementation of the socket under test (an agent unless zlab; "
                         "real transports only; see conformance/agents/README.md)")
    ap.add_argument("--peer-impl", default=None, choices=sorted(impls.KNOWN),
                    help="the implementation of its peers (default: the same as --impl)")


def peer_of(args):
    return args.peer_impl or args.impl


def label(args):
    peer = peer_of(args)
    return (f"{args.impl}-{args.transport}" if peer == args.impl
            else f"{args.impl}-peers-{peer}-{args.transport}")


def impl_name(args):
    """The implementation a run checks, as the history records it: "libzmq", "zlab+libzmq"
    (zlab under test, libzmq peers)."""
    peer = peer_of(args)
    return args.impl if peer == args.impl else f"{args.impl}+{peer}"


def uses_agents(args):
    return args.impl != "zlab" or peer_of(args) != "zlab"


def wanted(args):
    return args.transport != "sim"


def runner_arguments(args, ap):
    if args.impl == "zlab" and peer_of(args) == "zlab":
        return []
    if args.transport == "sim":
        ap.error("--impl/--peer-impl drive real sockets: add --transport tcp (or ipc)")
    try:
        return ["--impl", impls.agent_spec(args.impl), "--peer-impl", impls.agent_spec(peer_of(args))]
    except (impls.AgentBuildError, OSError) as e:
        ap.error(f"cannot build the agent: {e}")


def run_fields(args):
    return {"implementation": args.impl, "peer_implementation": peer_of(args)}


def registered(divergences, rule, implementations):
    """The id of a divergence that explains `rule` failing where `implementations` take part."""
    for d in divergences:
        who = d.get("implementations") or (["libzmq"] if d["kind"] == "reference-differs" else [])
        targets = {a.split(":", 1)[1] if a[:4] in ("4.3:", "4.0:") else a for a in d.get("affects", [])}
        if rule in targets and any(i in who or impls.family(i) in who for i in implementations):
            return d["id"]
    return None


def cell(result, divergences, implementations):
    status = result["status"]
    if status == "PASS":
        return {"status": "PASS"}
    if status in ("FAIL", "FLAKY"):
        div = registered(divergences, result["rule"], implementations)
        actual = (result.get("failure") or {}).get("actual", "")
        if div:
            return {"status": "DIVERGES", "divergence": div, "detail": actual[:400]}
        return {"status": "FAIL", "detail": ("flaky: " if status == "FLAKY" else "") + actual[:400],
                "replay": (result.get("failure") or {}).get("replay", "")}
    note = result.get("note") or ("the property never reached its situation"
                                  if status == "NOT-EXERCISED" else "")
    return {"status": "NOT-EXERCISED", "detail": note, "pending": status == "PENDING"}


def classic_types():
    """The types on the 4.0 page as well as the 4.3 one: the spec data's, not a list here."""
    return {r["type"] for r in json.loads(CLASSIC_PAGE.read_text())["records"]}


def draft_api_rules():
    """{rule id: the draft option it needs} (rules.json's draft_api)."""
    return {r["id"]: r["draft_api"] for r in json.loads(RULES.read_text())["rules"]
            if r.get("draft_api")}


def in_agreement_share(result, implementation, classics, draft_rules):
    """Whether a result counts in its column's reference agreement: a classic type's rule, not
    pending, and, for an implementation without libzmq's draft API, not one that needs it."""
    if not classic(result, classics) or result.get("status") == "PENDING":
        return False
    return result["rule"] not in draft_rules or implementation in impls.DRAFT_API


def classic(result, types=None):
    """Whether a result is a classic type's (its socket_type on the 4.0 page)."""
    return result.get("socket_type") in (classic_types() if types is None else types)


def anchor(rule):
    """A rule id as a file stem (reports/render.py's anchor): rule/REQ/x -> rule-REQ-x."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", rule)


def pcaps_of(out_root, run, rule):
    """The cell's captures: RULE-SEED.pcapng filed with the run (out/impls/RUN/), relative to
    out_root, where impl-matrix.html is."""
    folder = out_root / "impls" / run
    shape = re.compile(re.escape(anchor(rule)) + r"-\d+\.pcapng$")
    return [os.path.relpath(p, out_root) for p in sorted(folder.glob(anchor(rule) + "-*.pcapng"))
            if shape.match(p.name)]


def file_captures(run_dir, mine):
    """A run's per-rule captures (conform --capture, or failures replayed under ./zlab capture)
    filed with its column: the previous run's are replaced. Hard links where the file system
    allows (a capture can be megabytes)."""
    for old in mine.glob("*.pcapng"):
        old.unlink()
    for p in Path(run_dir).glob("*-[0-9]*.pcapng"):
        try:
            os.link(p, mine / p.name)
        except OSError:
            shutil.copyfile(p, mine / p.name)


def collect(out_root):
    runs = {}
    for path in sorted((out_root / "impls").glob("*/conformance.json")):
        doc = json.loads(path.read_text())
        runs[path.parent.name] = doc
    return runs


def build(out_root):
    divergences = json.loads(DIVERGENCES.read_text())["divergences"]
    runs = collect(out_root)
    classics, draft_rules = classic_types(), draft_api_rules()
    columns, rows = [], {}
    for name, doc in runs.items():
        who = [doc.get("implementation", "zlab"), doc.get("peer_implementation", "zlab")]
        summary = {"PASS": 0, "FAIL": 0, "DIVERGES": 0, "NOT-EXERCISED": 0}
        checked = agreeing = 0
        for r in doc["results"]:
            c = cell(r, divergences, who)
            pcaps = pcaps_of(out_root, name, r["rule"])
            if pcaps:
                c["pcaps"] = pcaps
            rows.setdefault(r["rule"], {"rule": r["rule"], "socket_type": r["socket_type"],
                                        "column": r["column"], "cells": {}})["cells"][name] = c
            summary[c["status"]] += 1
            if in_agreement_share(r, who[0], classics, draft_rules):
                checked += 1
                agreeing += c["status"] in ("PASS", "DIVERGES")
        columns.append({"run": name, "implementation": who[0], "peer_implementation": who[1],
                        "transport": doc.get("transport"), "command": doc.get("command"),
                        "started": doc.get("started"), "duration_s": doc.get("duration_s"),
                        "seeds": doc.get("seeds"), "counts": summary,
                        "run_on_real_transport": checked,
                        "agreement": {"agreeing": agreeing, "of": checked,
                                      "percent": round(100.0 * agreeing / checked, 1) if checked else 0.0}})
    return {"schema": SCHEMA,
            "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "implementations": impls.KNOWN, "columns": columns,
            "rows": [rows[k] for k in sorted(rows)]}


def junit(matrix):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for col in matrix["columns"]:
        name = col["run"]
        cases = [(row["rule"], row["cells"][name]) for row in matrix["rows"] if name in row["cells"]]
        c = col["counts"]
        out.append(f'  <testsuite name={quoteattr("impl/" + name)} tests="{len(cases)}" '
                   f'failures="{c["FAIL"]}" skipped="{c["NOT-EXERCISED"] + c["DIVERGES"]}">')
        for rule, cl in cases:
            out.append(f"    <testcase classname={quoteattr('impl.' + name)} name={quoteattr(rule)}>")
            if cl["status"] == "FAIL":
                out.append(f"      <failure message={quoteattr(cl.get('detail', '')[:200])}>"
                           f"{escape(cl.get('detail', ''))}\n{escape(cl.get('replay', ''))}</failure>")
            elif cl["status"] == "DIVERGES":
                out.append(f"      <skipped message={quoteattr('DIVERGES ' + cl['divergence'])}/>")
            elif cl["status"] == "NOT-EXERCISED":
                out.append(f"      <skipped message={quoteattr('NOT-EXERCISED: ' + cl.get('detail', ''))}/>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


COLOURS = {"PASS": "#cfc", "FAIL": "#f99", "DIVERGES": "#fd8", "NOT-EXERCISED": "#ddd"}


def html_page(matrix):
    cols = matrix["columns"]
    head = "".join(f"<th>{html.escape(c['run'])}<br><small>{c['agreement']['agreeing']}/"
                   f"{c['agreement']['of']} ({c['agreement']['percent']}%)</small></th>" for c in cols)
    body = []
    for row in matrix["rows"]:
        tds = []
        for c in cols:
            cl = row["cells"].get(c["run"])
            if cl is None:
                tds.append("<td></td>")
                continue
            text = cl["status"] + (f"<br><small>{html.escape(cl['divergence'])}</small>"
                                   if cl.get("divergence") else "")
            text += "".join(f' <a class="pcap" href="{html.escape(p, quote=True)}">pcap</a>'
                            for p in cl.get("pcaps", [])[:1])
            title = html.escape(cl.get("detail", ""), quote=True)
            tds.append(f'<td style="background:{COLOURS[cl["status"]]}" title="{title}">{text}</td>')
        body.append(f"<tr><td>{html.escape(row['rule'])}</td>{''.join(tds)}</tr>")
    runs = "".join(f"<li><b>{html.escape(c['run'])}</b>: {html.escape(str(c['command']))}, "
                   f"{c['duration_s']} s, {json.dumps(c['counts'])}</li>" for c in cols)
    return (f"<!doctype html><meta charset=utf-8><title>zlab: implementations x rules</title>"
            f"<h1>The conformance catalogue against implementations</h1>"
            f"<p>Rows: rules of conformance/spec. Columns: one real-transport run each "
            f"(implementation under test, its peers, transport), with its agreement "
            f"(PASS + DIVERGES over the rules it ran). Hover a cell for the failure or reason; "
            f"a cell's <i>pcap</i> is its run's traffic for that rule (<code>./zlab conform "
            f"--transport tcp --capture</code>; open it with <code>./zlab wireshark</code>).</p>"
            f"<ul>{runs}</ul><table border=1 cellspacing=0 cellpadding=3>"
            f"<tr><th>rule</th>{head}</tr>{''.join(body)}</table>\n")


def text_summary(matrix):
    lines = []
    for c in matrix["columns"]:
        n, a = c["counts"], c["agreement"]
        lines.append(f"{c['run']:34} PASS {n['PASS']:3}  FAIL {n['FAIL']:3}  DIVERGES {n['DIVERGES']:3}  "
                     f"NOT-EXERCISED {n['NOT-EXERCISED']:3}  agreement {a['agreeing']}/{a['of']} "
                     f"({a['percent']}%)")
    return "\n".join(lines) + "\n"


def report(args, doc, out_root, run_dir=None):
    """Files this run (and its captures, from run_dir) under OUT/impls/LABEL/, rebuilds the
    matrix, prints this run's cells."""
    mine = out_root / "impls" / label(args)
    mine.mkdir(parents=True, exist_ok=True)
    (mine / "conformance.json").write_text(json.dumps(doc, indent=1) + "\n")
    if run_dir is not None:
        file_captures(run_dir, mine)
    matrix = build(out_root)
    (out_root / "impl-matrix.json").write_text(json.dumps(matrix, indent=1) + "\n")
    (out_root / "impl-matrix.xml").write_text(junit(matrix))
    (out_root / "impl-matrix.html").write_text(html_page(matrix))
    col = next(c for c in matrix["columns"] if c["run"] == label(args))
    for row in matrix["rows"]:
        cl = row["cells"].get(label(args))
        if cl and cl["status"] in ("FAIL", "DIVERGES"):
            extra = cl.get("divergence") or cl.get("detail", "").splitlines()[0:1]
            print(f"  {cl['status']:9} {row['rule']}  {extra if isinstance(extra, str) else ' '.join(extra)}")
    print(text_summary({"columns": [col]}), end="")
    print(f"matrix: {out_root}/impl-matrix.html, {out_root}/impl-matrix.xml, "
          f"{out_root}/impl-matrix.json")
    return 0 if col["counts"]["FAIL"] == 0 else 1


def rebuild(out_root):
    """Re-folds the stored runs with the register as it is now (after registering a finding)."""
    matrix = build(out_root)
    (out_root / "impl-matrix.json").write_text(json.dumps(matrix, indent=1) + "\n")
    (out_root / "impl-matrix.xml").write_text(junit(matrix))
    (out_root / "impl-matrix.html").write_text(html_page(matrix))
    print(text_summary(matrix), end="")
    return matrix


if __name__ == "__main__":
    import sys
    rebuild(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out")
