"""The closing-line counter counts what ran, and counts unrun or crashed targets as failures."""

import json
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "test_results.py"

CASE_XML = """<?xml version="1.0"?><testsuites><testsuite name="S">
<testcase classname="S" name="a"/><testcase classname="S" name="b"><failure message="x"/></testcase>
<testcase classname="S" name="c"><skipped/></testcase></testsuite></testsuites>"""
PASS_XML = """<?xml version="1.0"?><testsuites><testsuite name="T">
<testcase classname="T" name="ok1"/><testcase classname="T" name="ok2"/></testsuite></testsuites>"""


def bep_line(ev):
    return json.dumps(ev) + "\n"


def configured(label):
    return {"id": {"targetConfigured": {"label": label}}, "configured": {"targetKind": "cc_test rule"}}


def result(label, status, xml):
    return {"id": {"testResult": {"label": label, "run": 1, "shard": 1, "attempt": 1}},
            "testResult": {"status": status,
                           "testActionOutput": [{"name": "test.xml", "uri": f"file://{xml}"}]}}


def run(tmp_path):
    r = subprocess.run([sys.executable, str(TOOL), str(tmp_path)], capture_output=True, text=True)
    return r.returncode, r.stdout.strip().splitlines()


def test_counts_cases_crashes_and_unbuilt_targets(tmp_path):
    (tmp_path / "a.xml").write_text(CASE_XML)
    (tmp_path / "b.xml").write_text(PASS_XML)
    events = [configured("//x:a"), configured("//x:b"), configured("//x:unbuilt"),
              result("//x:a", "FAILED", tmp_path / "a.xml"),
              result("//x:b", "FAILED", tmp_path / "b.xml")]  # passed cases, crashed at exit
    (tmp_path / "bep-default.json").write_text("".join(bep_line(e) for e in events))
    (tmp_path / "pytest.xml").write_text(PASS_XML)
    code, lines = run(tmp_path)
    assert code == 1
    # a: 1 pass 1 fail 1 skip; b: 2 pass + 1 crash; unbuilt: 1 fail; pytest: 2 pass.
    assert lines[-1] == "5 passed, 3 failed, 1 skipped"


def test_all_green(tmp_path):
    (tmp_path / "b.xml").write_text(PASS_XML)
    events = [configured("//x:b"), result("//x:b", "PASSED", tmp_path / "b.xml")]
    (tmp_path / "bep-asan.json").write_text("".join(bep_line(e) for e in events))
    (tmp_path / "pytest.xml").write_text(PASS_XML)
    code, lines = run(tmp_path)
    assert code == 0 and lines[-1] == "4 passed, 0 failed"


def test_missing_pytest_result_is_a_failure(tmp_path):
    code, lines = run(tmp_path)
    assert code == 1 and lines[-1] == "0 passed, 1 failed"


def test_other_suites_junit_files_count(tmp_path):
    (tmp_path / "pytest.xml").write_text(PASS_XML)
    (tmp_path / "libzmq-suite.junit.xml").write_text(CASE_XML)
    code, lines = run(tmp_path)
    assert code == 1
    assert "libzmq-suite: 1 passed, 1 failed, 1 skipped" in lines
    assert "FAILED [libzmq-suite] S.b" in lines
    assert lines[-1] == "3 passed, 1 failed, 1 skipped"
