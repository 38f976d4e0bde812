"""The libzmq-suite runner's judgement: how a run's output becomes a verdict, and when zlab's
verdict is acceptable. (The suite itself runs in ./zlab test through run.py.)"""
import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("libzmq_suite_run", HERE / "run.py")
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)

PASS_OUT = "test_x.cpp:10:test_a:PASS\ntest_x.cpp:11:test_b:PASS\n\n---\n2 Tests 0 Failures 0 Ignored\nOK\n"
FAIL_OUT = ("test_x.cpp:10:test_a:PASS\n/t/test_x.cpp:63:test_b:FAIL: Expected -1 Was 0\n"
            "---\n2 Tests 1 Failures 0 Ignored\nFAIL\n")


def test_pass_and_fail_are_read_from_unity():
    assert run.classify(PASS_OUT, 0, False, 60) == ("PASS", "2 cases")
    word, detail = run.classify(FAIL_OUT, 1, False, 60)
    assert word == "FAIL" and "test_x.cpp:63:test_b:FAIL: Expected -1 Was 0" in detail


def test_a_hang_names_the_last_output():
    word, detail = run.classify("test_x.cpp:10:test_a:PASS\nwaiting\n", -9, True, 60)
    assert word == "HANG" and "60" in detail and "waiting" in detail


def test_the_tests_own_alarm_is_a_hang():
    word, detail = run.classify("test_x.cpp:10:test_a:PASS\n", -14, False, 90)
    assert word == "HANG" and "alarm" in detail


def test_a_crash_is_not_a_pass_even_after_a_clean_summary():
    assert run.classify(PASS_OUT, -6, False, 60)[0] == "CRASH"
    # Unity said OK, but the process then exited non-zero (a leak check, an abort at exit).
    assert run.classify(PASS_OUT, 3, False, 60)[0] == "FAIL"


def test_skips():
    ignored = "t.cpp:5:test_a:IGNORE: needs TIPC\n---\n1 Tests 0 Failures 1 Ignored\nOK\n"
    assert run.classify(ignored, 0, False, 60) == ("SKIP", "needs TIPC")
    assert run.classify("TIPC environment unavailable, skipping test\n", 77, False, 60)[0] == "SKIP"
    # Exit 77 after a Unity summary with failures is a failure, not a skip.
    assert run.classify(FAIL_OUT, 77, False, 60)[0] == "FAIL"
    assert run.classify("", 1, False, 60)[0] == "FAIL"


def test_verdict_rules():
    ok, word = run.verdict(("PASS",), ("FAIL",), None)
    assert not ok and word == "REGRESSION"
    assert run.verdict(("PASS",), ("PASS",), None) == (True, "ok")
    assert run.verdict(("FAIL",), ("FAIL",), None)[0]  # not our yardstick where libzmq fails
    waits = {"waits_on": "issue 14", "why": "PLAIN"}
    assert run.verdict(("PASS",), ("HANG",), waits) == (True, "expected (waits on issue 14)")
    ok, word = run.verdict(("PASS",), ("PASS",), waits)  # the list must not go stale
    assert not ok and word.startswith("UNEXPECTED PASS")
    flaky = dict(waits, intermittent=True)  # a known defect that fails some runs only
    assert run.verdict(("PASS",), ("PASS",), flaky) == (True, "ok (intermittent: waits on issue 14)")
    assert run.verdict(("PASS",), ("FAIL",), flaky)[0]


def test_compile_skip_reasons():
    assert run.compile_skip_reason("x.cpp:3: error: 'zmq_poller_new' was not declared") \
        .startswith("draft API")
    assert run.compile_skip_reason("x.cpp:3:1: error: 'ZMQ_SERVER' was not declared in this "
                                   "scope") == "draft API (ZMQ_SERVER)"
    assert run.compile_skip_reason("x.cpp:9: error: expected ';'").startswith("does not compile")


def test_not_run_list():
    assert run.not_run_reason("test_bind_null_fuzzer")
    assert run.not_run_reason("test_security_curve") is None  # built with INTERNAL_TESTS
    assert run.not_run_reason("test_hwm") is None


def test_internal_tests_take_headers_only():
    # Tests built on libzmq's internals get its headers, never its sources: no libzmq code is
    # compiled into a test binary (and none ever into zlab).
    assert "test_security_curve" in run.INTERNAL_TESTS
    for name, entry in run.INTERNAL_TESTS.items():
        assert entry["headers"], name
        for header in entry["headers"]:
            assert header.endswith((".h", ".hpp")) and "/" not in header, (name, header)
    assert (run.HERE / "internal_shim.cpp").exists()


def test_expected_file_is_complete_and_registered():
    expected = run.load_expected()
    run.check_divergences(expected)  # raises on an unregistered divergence
    for name, entry in expected.items():
        assert name.startswith("test_") and entry["why"]


def test_expected_entries_need_a_reason(tmp_path, monkeypatch):
    bad = {"expected_differences": {"test_x": {"why": "because"}}}
    (tmp_path / "expected.json").write_text(json.dumps(bad))
    monkeypatch.setattr(run, "HERE", tmp_path)
    with pytest.raises(SystemExit):
        run.load_expected()


def test_intermittent_needs_an_issue(tmp_path, monkeypatch):
    bad = {"expected_differences": {"test_x": {"why": "w", "divergence": "d", "intermittent": True}}}
    (tmp_path / "expected.json").write_text(json.dumps(bad))
    monkeypatch.setattr(run, "HERE", tmp_path)
    with pytest.raises(SystemExit):
        run.load_expected()


def test_junit_marks_regressions_only(tmp_path):
    rows = [{"name": "test_a", "skip": None, "ok": True, "word": "ok", "zlab_s": 1.0},
            {"name": "test_b", "skip": None, "ok": False, "word": "REGRESSION",
             "zlab_detail": "HANG", "zlab_output": "..."},
            {"name": "test_c", "skip": "draft API", "ok": True, "word": "skipped"},
            {"name": "test_d", "skip": None, "ok": True, "word": "expected (waits on issue 14)",
             "zlab_detail": "FAIL"}]
    run.write_junit(tmp_path / "j.xml", rows)
    suite = ET.parse(tmp_path / "j.xml").getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["test_a"].find("failure") is None
    assert cases["test_b"].find("failure") is not None
    assert cases["test_c"].find("skipped") is not None
    assert cases["test_d"].find("skipped") is not None  # an expected difference is no pass


def test_a_library_under_tmp_is_refused():
    # Each isolated run mounts an empty /tmp: a --lib there silently ran Debian's libzmq.
    assert run.hidden_by_isolation(Path("/tmp/zlab/lib"))
    assert run.hidden_by_isolation(Path("/tmp"))
    assert not run.hidden_by_isolation(Path("/work/main/bazel-bin/engine/api"))
    assert not run.hidden_by_isolation(Path("/tmpfoo/lib"))


def test_draft_tests_come_from_the_enable_drafts_block_and_the_ifdefs(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "Makefile.am").write_text(
        "test_apps = tests/test_hwm\n"
        "if ENABLE_DRAFTS\ntest_apps += tests/test_poller \\\n\ttests/test_peer\n"
        "tests_test_poller_SOURCES = tests/test_poller.cpp\nendif\n"
        "if FUZZING_ENGINE_LIB\nfuzzer_apps = tests/test_bind_fuzzer\nendif\n")
    (tmp_path / "tests" / "test_hwm.cpp").write_text("int main() {}\n")
    (tmp_path / "tests" / "test_setsockopt.cpp").write_text(
        "#ifdef ZMQ_BUILD_DRAFT_API\nvoid f();\n#endif\n")
    assert run.draft_test_names(tmp_path) == ["test_peer", "test_poller", "test_setsockopt"]


def test_draft_expectations_are_a_section_of_their_own():
    drafts = run.load_expected("draft_expected_differences")
    run.check_divergences(drafts)
    for name, entry in drafts.items():
        assert name.startswith("test_") and entry["why"]


def test_zlab_draft_build_is_a_folder_holding_libzmq_so_5(tmp_path):
    (tmp_path / "libzmq.so.5").write_bytes(b"ELF")
    assert run.draft_lib_dir(tmp_path) == tmp_path.resolve()
    with pytest.raises(SystemExit):
        run.draft_lib_dir(tmp_path / "nothing")
