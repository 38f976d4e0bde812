"""reports/: results validation, matrix, JUnit, HTML, plot, regression diff."""

import copy
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import regress
import render
import results

TOOL = Path(__file__).resolve().parent / "conform_report.py"

SAMPLE = {
    "schema": "zlab-conformance/1",
    "profile": "libzmq-4.3.4",
    "transport": "sim",
    "seeds": {"first": 1, "count": 50},
    "started": "2026-11-22T12:00:00Z",
    "duration_s": 12.5,
    "command": "./zlab conform --seeds 1..50",
    "results": [
        {"rule": "socket/PUSH/outgoing", "socket_type": "PUSH", "column": "outgoing",
         "status": "PASS", "runs": 50, "exercised": 48, "evidence": {"peers_max": 4},
         "source": "002:L300", "duration_ms": 120},
        {"rule": "socket/PUSH/mute", "socket_type": "PUSH", "column": "mute", "status": "FAIL",
         "runs": 50, "exercised": 20, "source": "002:L290", "duration_ms": 80,
         "failure": {"seed": 7, "expected": "EAGAIN", "actual": "message dropped",
                     "replay": "./zlab conform --only socket/PUSH/mute --seed 7",
                     "minimal_sequence": ["connect", "send x3"], "faults": ["slow_consumer"]}},
        {"rule": "socket/PUB/mute", "socket_type": "PUB", "column": "mute",
         "status": "NOT-EXERCISED", "runs": 50, "exercised": 0, "source": "002:L200"},
        {"rule": "socket/RADIO/mute", "socket_type": "RADIO", "column": "mute",
         "status": "PENDING", "runs": 0, "exercised": 0, "source": "002:L150"},
        {"rule": "rule/REQ/alternation", "socket_type": "REQ", "column": "alternation",
         "status": "PASS", "runs": 50, "exercised": 50, "source": "002:L500"},
    ],
}


def sample():
    return copy.deepcopy(SAMPLE)


def test_parses_and_counts():
    run = results.parse(sample())
    assert run.counts() == {"PASS": 2, "FAIL": 1, "FLAKY": 0, "NOT-EXERCISED": 1, "PENDING": 1}
    assert not run.ok()
    assert run.columns() == ["outgoing", "mute", "alternation"]
    assert run.socket_types() == ["PUSH", "PUB", "RADIO", "REQ"]


@pytest.mark.parametrize("breaks,message", [
    (lambda d: d.update(schema="other/9"), "schema"),
    (lambda d: d["results"].append(dict(d["results"][0])), "appears twice"),
    (lambda d: d["results"][0].update(status="OK"), "not one of"),
    (lambda d: d["results"][0].update(exercised=99), "exceeds runs"),
    (lambda d: d["results"][0].update(exercised=0), "PASS without"),
    (lambda d: d["results"][1].pop("failure"), "missing 'failure'"),
    (lambda d: d["results"][1]["failure"].pop("replay"), "missing 'replay'"),
    (lambda d: d["results"][0].pop("socket_type"), "missing 'socket_type'"),
])
def test_invalid_results_are_rejected(breaks, message):
    data = sample()
    breaks(data)
    with pytest.raises(results.ResultsError, match=message):
        results.parse(data)


def test_matrix_shows_each_cell_and_the_failures():
    text = render.text_matrix(results.parse(sample()))
    lines = text.splitlines()
    assert lines[0].split() == ["type", "outgoing", "mute", "alternation"]
    assert lines[1].split() == ["PUSH", "PASS", "FAIL", "-"]
    assert lines[2].split() == ["PUB", "-", "NOT-EX", "-"]
    assert "2 PASS, 1 FAIL, 0 FLAKY, 1 NOT-EXERCISED, 1 PENDING" in text
    assert "replay: ./zlab conform --only socket/PUSH/mute --seed 7" in text


def flaky_sample():
    data = sample()
    data["results"][0].update(status="FLAKY", failure={
        "seed": 1, "expected": "the rule holds", "actual": "table_routing.cc:221: events",
        "replay": "./zlab conform --transport tcp --only socket/PUSH/outgoing --seed 1",
        "minimal_sequence": ["int: 1"], "faults": [], "first_sequence": ["int: 17"],
        "first_world_seed": 4478, "replay_world_seed": 12, "replay_outcome": "no exceptions thrown"})
    return data


def test_flaky_is_a_failure_with_both_seeds():
    run = results.parse(flaky_sample())
    assert run.counts()["FLAKY"] == 1
    assert not run.ok()
    data = flaky_sample()
    for r in data["results"][1:]:
        r.update(status="PASS", exercised=1, runs=1, failure=None)
    assert not results.parse(data).ok()  # a FLAKY alone fails the run
    text = render.text_matrix(run)
    assert "FLAKY socket/PUSH/outgoing: failed (world seed 4478)" in text
    assert "replay (world seed 12) passed: no exceptions thrown" in text
    root = ET.fromstring(render.junit_xml(run))
    assert root.find("testsuite").get("failures") == "3"
    case = {c.get("name"): c for c in root.iter("testcase")}["socket/PUSH/outgoing"]
    assert "flaky" in case.find("failure").get("message")
    assert "world seed 4478" in case.find("failure").text
    page = render.html_page(run)
    assert "world seed 4478" in page and "world seed 12" in page
    d = regress.compare(regress.from_doc(sample()), regress.from_doc(flaky_sample()))
    assert ("socket/PUSH/outgoing", -1) in d.new_failures
    assert [k for k, _ in d.flaky] == [("socket/PUSH/outgoing", -1)] and d.regressed()


def test_flaky_needs_its_failure():
    data = flaky_sample()
    data["results"][0].pop("failure")
    with pytest.raises(results.ResultsError, match="missing 'failure'"):
        results.parse(data)


def test_junit_counts_not_exercised_as_failure_and_pending_as_skipped():
    root = ET.fromstring(render.junit_xml(results.parse(sample())))
    suite = root.find("testsuite")
    assert suite.get("tests") == "5"
    assert suite.get("failures") == "2"
    assert suite.get("skipped") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["socket/PUSH/mute"].find("failure").get("message") == \
        "expected EAGAIN; got message dropped"
    assert "seed: 7" in cases["socket/PUSH/mute"].find("failure").text
    assert cases["socket/PUB/mute"].find("failure") is not None
    assert cases["socket/RADIO/mute"].find("skipped") is not None
    assert cases["socket/PUSH/outgoing"].find("failure") is None


def test_html_escapes_and_links_the_replay():
    data = sample()
    data["results"][1]["failure"]["actual"] = "<script>alert(1)</script>"
    page = render.html_page(results.parse(data))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "./zlab conform --only socket/PUSH/mute --seed 7" in page
    assert page.count("<tr>") == 1 + 4  # header + one row per socket type


def test_plot_is_written(tmp_path):
    out = tmp_path / "status.png"
    render.status_plot(results.parse(sample()), out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_diff_sorts_new_resolved_ongoing_and_retired():
    data = sample()
    data["results"][0]["status"] = "FAIL"
    data["results"][0]["failure"] = dict(SAMPLE["results"][1]["failure"])
    data["results"][1].update(status="PASS", exercised=20)
    data["results"][1].pop("failure")
    data["results"].pop()  # a rule disappears
    d = regress.compare(regress.from_doc(sample()), regress.from_doc(data))
    assert d.new_failures == [("socket/PUSH/outgoing", -1)]
    assert d.resolved == [("socket/PUSH/mute", -1)]
    assert d.ongoing == [("socket/PUB/mute", -1)]  # a failure in both runs is shown, not hidden
    assert d.retired == [("rule/REQ/alternation", -1)]
    assert d.regressed()


def test_diff_of_identical_runs_has_no_regression_but_shows_ongoing():
    d = regress.compare(regress.from_doc(sample()), regress.from_doc(sample()))
    assert not d.regressed()
    assert d.ongoing == [("socket/PUB/mute", -1), ("socket/PUSH/mute", -1)]


def test_diff_refuses_a_full_run_against_an_only_run():
    only = sample()
    only["command"] = "./zlab conform --seeds 1..50 --only 'socket/PUSH/*'"
    only["results"] = only["results"][:2]
    with pytest.raises(regress.BadInput, match="different commands"):
        regress.compare(regress.from_doc(sample()), regress.from_doc(only))
    d = regress.compare(regress.from_doc(sample()), regress.from_doc(only), force=True)
    assert d.retired == [] and not d.regressed()


def run_tool(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True)


def test_cli_render_and_diff(tmp_path):
    good = tmp_path / "a.json"
    good.write_text(json.dumps(sample()))
    r = run_tool("render", good, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    for name in ("matrix.txt", "junit.xml", "index.html", "status.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    assert run_tool("diff", good, good).returncode == 0
    worse = sample()
    worse["results"][0]["status"] = "NOT-EXERCISED"
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps(worse))
    r = run_tool("diff", good, bad)
    assert r.returncode == 1 and "New failures (1)\n  socket/PUSH/outgoing  NOT-EXERCISED" in r.stdout
    r = run_tool("diff", good, tmp_path / "missing.json")
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_cli_rejects_invalid_files(tmp_path):
    broken = tmp_path / "x.json"
    broken.write_text("{not json")
    r = run_tool("matrix", broken)
    assert r.returncode == 2 and "not JSON" in r.stderr


def test_html_cells_open_each_rule_and_failures_are_complete(tmp_path):
    import re as _re

    data = sample()
    data["results"][1]["failing_seeds"] = [7, 11]
    data["results"][1]["failure"]["faults"] = []
    (tmp_path / "socket-PUSH-mute-7.pcapng").write_bytes(b"")
    page = render.html_page(results.parse(data), tmp_path, "../history.html")
    # Every rule has its own square in the matrix, linking to an anchor that exists.
    hrefs = _re.findall(r'<a class="r [A-Z-]+" href="#([^"]+)"', page)
    assert len(hrefs) == len(data["results"])
    for h in hrefs:
        assert f'id="{h}"' in page
    # Links to the run's files and the history.
    for f in ("conformance.json", "junit.xml", "matrix.txt", "../history.html",
              "socket-PUSH-mute-7.pcapng"):
        assert f'href="{f}"' in page
    # Every failing seed with its own copyable reproduce command; a labelled counterexample.
    assert "Failing seeds</dt><dd>7, 11" in page
    assert 'value="./zlab conform --only socket/PUSH/mute --seed 11"' in page
    assert "Counterexample (shrunk, seed 7, 2 steps)" in page
    assert "Injected faults</dt><dd>none" in page
    assert "0/0" not in page
    # Grouped by status, failures first.
    assert page.index('id="status-FAIL"') < page.index('id="status-PASS"')


def test_history_page_shows_runs_and_first_failing_commit(tmp_path):
    import history
    import html_report

    conn = history.connect(tmp_path / "h.sqlite")
    for commit, status in (("a" * 40, "PASS"), ("b" * 40, "FAIL"), ("c" * 40, "FAIL")):
        rid = history.begin(conn, "sim", "./zlab sim --seeds 1..1",
                            source={"commit": commit, "branch": "main", "dirty": False})
        history.add_verdicts(conn, rid, [{"subject": "pair", "seed": 1, "status": status}])
        history.finish(conn, rid, 1)
    page = html_report.history_page(conn, tmp_path / "history.html").read_text()
    assert "./zlab sim --seeds 1..1" in page and "<svg" in page
    assert "failing since bbbbbbbbbb (run 2; 2 runs in a row" in page
