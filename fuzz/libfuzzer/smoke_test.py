"""smoke.py, the short libFuzzer run of ./zlab test: a target whose fuzzer reports a crash fails
the run and its JUnit case; a clean one passes. Fake binaries stand in for the clang build."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import smoke  # noqa: E402

CLEAN = """#!/bin/sh
echo "Done 1234 runs in 3 second(s)"
echo "stat::number_of_executed_units: 1234"
exit 0
"""

# What libFuzzer prints and returns when ASan stops an input (exit status 1).
CRASH = """#!/bin/sh
echo "==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011"
echo "SUMMARY: AddressSanitizer: heap-buffer-overflow"
echo "stat::number_of_executed_units: 77"
exit 1
"""


def fake(tmp_path, scripts):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for target, text in scripts.items():
        f = bin_dir / f"{target}_fuzzer"
        f.write_text(text)
        f.chmod(0o755)
    return bin_dir


def cases(junit_path):
    root = ET.parse(junit_path).getroot()
    return {c.get("name"): c.find("failure") for c in root.iter("testcase")}


def test_a_crash_fails_the_run_and_its_junit_case(tmp_path):
    bin_dir = fake(tmp_path, {"z85": CLEAN, "endpoint": CRASH})
    report = tmp_path / "libfuzzer.junit.xml"
    status = smoke.main(["--seconds", "1", "--targets", "z85,endpoint",
                         "--binary-dir", str(bin_dir), "--junit", str(report)])
    assert status == 1
    got = cases(report)
    assert got["z85"] is None
    assert got["endpoint"] is not None
    assert "77 executions" in got["endpoint"].get("message")
    assert "heap-buffer-overflow" in got["endpoint"].text


def test_clean_targets_pass(tmp_path):
    bin_dir = fake(tmp_path, {"z85": CLEAN, "greeting": CLEAN})
    report = tmp_path / "libfuzzer.junit.xml"
    status = smoke.main(["--seconds", "1", "--targets", "z85,greeting",
                         "--binary-dir", str(bin_dir), "--junit", str(report)])
    assert status == 0
    assert cases(report) == {"z85": None, "greeting": None}
