"""Renderings of a conformance run: a text matrix, JUnit XML, a static HTML page, a plot."""

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2

from results import FAILING, STATUSES

SHORT = {"PASS": "PASS", "FAIL": "FAIL", "FLAKY": "FLAKY", "NOT-EXERCISED": "NOT-EX",
         "PENDING": "PEND"}


def cell_status(results):
    """The worst status among a cell's results (a cell may hold several rules)."""
    order = {"FAIL": 0, "FLAKY": 1, "NOT-EXERCISED": 2, "PASS": 3, "PENDING": 4}
    return min((r.status for r in results), key=lambda s: order[s]) if results else ""


def matrix_cells(run):
    cells = {}
    for r in run.results:
        cells.setdefault((r.socket_type, r.column), []).append(r)
    return cells


def text_matrix(run):
    """Socket type x column, one status per cell, then the counts."""
    columns = run.columns()
    cells = matrix_cells(run)
    width = max([len(c) for c in columns] + [6]) + 1
    lines = ["type".ljust(8) + "".join(c[:width - 1].ljust(width) for c in columns)]
    for t in run.socket_types():
        row = t.ljust(8)
        for c in columns:
            status = cell_status(cells.get((t, c), []))
            row += (SHORT.get(status, "-") if status else "-").ljust(width)
        lines.append(row.rstrip())
    counts = run.counts()
    lines.append("")
    lines.append(", ".join(f"{counts[s]} {s}" for s in STATUSES))
    for r in run.results:
        if r.status == "FAIL":
            lines.append(f"FAIL {r.rule}: expected {r.failure.expected}; got {r.failure.actual}")
            lines.append(f"  replay: {r.failure.replay}")
        elif r.status == "FLAKY":
            f = r.failure
            lines.append(f"FLAKY {r.rule}: failed (world seed {f.first_world_seed}): {f.actual}")
            lines.append(f"  but the shrunk case's replay (world seed {f.replay_world_seed}) "
                         f"passed: {f.replay_outcome}")
            lines.append(f"  replay: {f.replay}")
        elif r.status == "NOT-EXERCISED":
            lines.append(f"NOT-EXERCISED {r.rule}: {r.runs} runs, none reached the situation")
    return "\n".join(lines) + "\n"


def junit_xml(run):
    """One test case per rule; FAIL, FLAKY and NOT-EXERCISED are failures, PENDING is skipped."""
    counts = run.counts()
    suite = ET.Element("testsuite", name=f"zlab-conformance ({run.profile}, {run.transport})",
                       tests=str(len(run.results)),
                       failures=str(sum(counts[s] for s in FAILING)),
                       skipped=str(counts["PENDING"]), time=f"{run.duration_s:.3f}")
    for r in run.results:
        case = ET.SubElement(suite, "testcase", classname=f"conformance.{r.socket_type}",
                             name=r.rule, time=f"{r.duration_ms / 1000:.3f}")
        if r.status == "FAIL":
            f = r.failure
            node = ET.SubElement(case, "failure", message=f"expected {f.expected}; got {f.actual}")
            node.text = "\n".join([f"seed: {f.seed}", f"replay: {f.replay}",
                                   "faults: " + ", ".join(f.faults),
                                   "minimal sequence:"] + [f"  {s}" for s in f.minimal_sequence])
        elif r.status == "FLAKY":
            f = r.failure
            node = ET.SubElement(case, "failure",
                                 message=f"flaky: failed ({f.actual}), but the shrunk case's "
                                         f"replay passed ({f.replay_outcome})")
            node.text = "\n".join([f"seed: {f.seed}", f"replay: {f.replay}",
                                   f"first failing case (world seed {f.first_world_seed}):"]
                                  + [f"  {s}" for s in f.first_sequence]
                                  + [f"shrunk case (world seed {f.replay_world_seed}):"]
                                  + [f"  {s}" for s in f.minimal_sequence])
        elif r.status == "NOT-EXERCISED":
            ET.SubElement(case, "failure",
                          message=f"never exercised in {r.runs} runs").text = f"source: {r.source}"
        elif r.status == "PENDING":
            ET.SubElement(case, "skipped", message="pending: not built yet")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def anchor(rule):
    """An HTML id for a rule id (rule/REQ/alternation -> rule-REQ-alternation)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", rule)


def replay_for(result, seed):
    """The failure's reproduce command for one of its failing seeds."""
    cmd = result.failure.replay
    if re.search(r"--seed \d+", cmd):
        return re.sub(r"--seed \d+", f"--seed {seed}", cmd)
    return f"{cmd} --seed {seed}"


def artifacts(out_dir):
    """Links a rule has in its run folder: RULE-SEED[-wN].{pcapng,jsonl,txt}, the trace and
    pcapng of a failure's recorded replay (the simulator's worlds; a replay under ./zlab capture
    on tcp) or, after --capture, the rule's share of the run's traffic."""
    def find(result):
        if out_dir is None:
            return []
        stem = anchor(result.rule)
        shape = re.compile(re.escape(stem) + r"-(\d+)(-w\d+)?\.(pcapng|jsonl|txt)$")
        found = []
        for p in sorted(Path(out_dir).glob(stem + "-*")):
            m = shape.match(p.name)
            if m:
                kind = "pcapng" if m.group(3) == "pcapng" else "trace"
                found.append((f"{kind}, seed {m.group(1)} ({p.name})", p.name))
        return found
    return find


def html_page(run, out_dir=None, history_href=None):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=jinja2.select_autoescape(["html"]))
    cells = matrix_cells(run)
    rows = []
    for t in run.socket_types():
        row = []
        for c in run.columns():
            rs = cells.get((t, c), [])
            row.append({"status": cell_status(rs), "rules": rs})
        rows.append({"type": t, "cells": row})
    order = ("FAIL", "FLAKY", "NOT-EXERCISED", "PASS", "PENDING")
    groups = [(s, [r for r in run.results if r.status == s]) for s in order]
    return env.get_template("conformance.html").render(
        run=run, rows=rows, counts=run.counts(), escape=html.escape, anchor=anchor,
        groups=[g for g in groups if g[1]], replay_for=replay_for, artifacts=artifacts(out_dir),
        history_href=history_href)


def status_plot(run, path):
    """A stacked bar per socket type: how many of its rules pass, fail, are not exercised."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = run.socket_types()
    colors = {"PASS": "#2e7d32", "FAIL": "#c62828", "FLAKY": "#ad1457", "NOT-EXERCISED": "#ef6c00",
              "PENDING": "#9e9e9e"}
    fig, ax = plt.subplots(figsize=(max(6, len(types) * 0.7), 3.5))
    bottom = [0] * len(types)
    for status in STATUSES:
        values = [sum(1 for r in run.results if r.socket_type == t and r.status == status) for t in types]
        ax.bar(types, values, bottom=bottom, label=status, color=colors[status])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("rules")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"conformance by socket type ({run.profile}, {run.transport})")
    ax.legend(fontsize="small", ncol=4)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
