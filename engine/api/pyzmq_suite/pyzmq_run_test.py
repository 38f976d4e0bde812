"""The pyzmq test runner's own logic: reading pytest's results, the verdicts, the probe check."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyzmq_draft  # noqa: E402
import pyzmq_run as run  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="zmq.tests.test_draft.TestDraftSockets" name="test_client_server"/>
<testcase classname="zmq.tests.test_draft.TestDraftSockets" name="test_radio_dish">
  <failure message="assert 0 &gt;= 5">trace</failure></testcase>
<testcase classname="zmq.tests.test_draft.TestDraftSockets" name="test_poll">
  <skipped message="draft api unavailable"/></testcase>
<testcase classname="zmq.tests.test_socket.TestSocket" name="test_close">
  <error message="fixture blew up"/></testcase>
</testsuite></testsuites>"""


def test_read_junit_words(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text(JUNIT)
    res = run.read_junit(xml)
    assert res["test_draft.TestDraftSockets::test_client_server"] == ("PASS", "")
    assert res["test_draft.TestDraftSockets::test_radio_dish"][0] == "FAIL"
    assert res["test_draft.TestDraftSockets::test_poll"] == ("SKIP", "draft api unavailable")
    assert res["test_socket.TestSocket::test_close"] == ("FAIL", "fixture blew up")


def test_a_zlab_failure_is_a_regression_unless_expected():
    ref = {"a::x": ("PASS", ""), "a::y": ("PASS", "")}
    zlab = {"a::x": ("FAIL", "boom"), "a::y": ("PASS", "")}
    rows = {r["name"]: r for r in run.compare(ref, zlab, {})}
    assert not rows["a::x"]["ok"] and rows["a::x"]["word"] == "REGRESSION"
    assert rows["a::y"]["ok"] and rows["a::y"]["word"] == "ok"
    entry = {"why": "w", "waits_on": "issue 15"}
    rows = {r["name"]: r for r in run.compare(ref, zlab, {"a::x": entry})}
    assert rows["a::x"]["ok"] and rows["a::x"]["word"].startswith("expected")


def test_a_skip_on_zlab_is_not_a_pass():
    rows = run.compare({"a::x": ("PASS", "")}, {"a::x": ("SKIP", "draft api unavailable")}, {})
    assert not rows[0]["ok"]


def test_an_expected_difference_that_passes_or_vanishes_fails():
    entry = {"why": "w", "waits_on": "issue 15"}
    both = {"a::x": ("PASS", "")}
    rows = run.compare(both, both, {"a::x": entry, "a::gone": entry})
    words = {r["name"]: (r["ok"], r["word"]) for r in rows}
    assert words["a::x"][0] is False and "UNEXPECTED PASS" in words["a::x"][1]
    assert words["a::gone"][0] is False and "STALE" in words["a::gone"][1]


def test_a_test_missing_on_zlab_is_a_regression():
    rows = run.compare({"a::x": ("PASS", "")}, {}, {})
    assert not rows[0]["ok"] and rows[0]["zlab"] == "MISSING"


def test_expected_entries_need_why_and_an_owner(tmp_path):
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"draft_expected_differences": {"a::x": {"why": "w"}}}))
    with pytest.raises(SystemExit):
        run.load_expected("draft_expected_differences", path)


def test_the_committed_expected_file_loads():
    for section in ("draft_expected_differences", "draft_whole_expected_differences",
                    "stable_expected_differences"):
        run.libzmq_suite.check_divergences(run.load_expected(section))


def test_probe_check_names_the_wrong_library_and_draft_off(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libzmq.so.5").write_text("")
    tree = tmp_path / "tree"
    found = {"libs": ["/usr/lib/x86_64-linux-gnu/libzmq.so.5.2.4"], "draft": False,
             "zmq": "/usr/lib/python3/dist-packages/zmq/__init__.py"}
    problems = run.check_probe(found, tmp_path / "lib", True, tree)
    assert len(problems) == 3
    found = {"libs": [str(tmp_path / "lib" / "libzmq.so.5")], "draft": True,
             "zmq": str(tree / "zmq" / "__init__.py")}
    assert run.check_probe(found, tmp_path / "lib", True, tree) == []


def test_draft_test_files_are_those_asking_for_the_draft_api(tmp_path):
    tests = tmp_path / "zmq" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_draft.py").write_text("if not zmq.DRAFT_API: skip\n")
    (tests / "test_pair.py").write_text("def test_pair(): pass\n")
    assert [p.name for p in run.draft_test_files(tmp_path)] == ["test_draft.py"]


def test_junit_counts_expected_as_skipped_and_unexpected_as_failed(tmp_path):
    rows = [{"name": "a", "ok": True, "word": "ok", "zlab_detail": ""},
            {"name": "b", "ok": True, "word": "expected (waits on issue 15)", "zlab_detail": ""},
            {"name": "c", "ok": False, "word": "REGRESSION", "zlab_detail": "boom"}]
    path = tmp_path / "j.xml"
    run.write_junit(path, rows, "pyzmq_draft")
    cases = {c.get("name"): c for c in run.ET.parse(path).getroot().iter("testcase")}
    assert len(list(cases["a"])) == 0
    assert cases["b"].find("skipped") is not None
    assert cases["c"].find("failure") is not None


def test_source_version_reads_pyzmqs_version_file(tmp_path):
    version = tmp_path / "zmq" / "sugar" / "version.py"
    version.parent.mkdir(parents=True)
    version.write_text('__version__: str = "24.0.1"\nVERSION_MAJOR = 24\n')
    assert pyzmq_draft.source_version(tmp_path) == "24.0.1"
    assert pyzmq_draft.source_version(tmp_path / "nowhere") is None


def test_an_unusable_source_env_is_unavailable_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv(pyzmq_draft.SOURCE_ENV, str(tmp_path))
    with pytest.raises(pyzmq_draft.Unavailable, match="neither a git repository"):
        pyzmq_draft.source_from_env(tmp_path / "dest")


def test_not_run_tests_become_a_keyword_expression():
    expr = run.keyword_expression("TestPubLog", {"test_log.TestPubLog::test_blank_root_topic": "w"})
    assert expr == "(TestPubLog) and not (test_log and TestPubLog and test_blank_root_topic)"
    assert run.keyword_expression(None, {}) is None


def test_the_committed_not_run_list_has_reasons():
    assert all(run.load_not_run().values())
