#!/usr/bin/python3
"""Counts test results honestly and prints the closing line `N passed, N failed`.

Reads Bazel's build event protocol files (bep-*.json, one per config) and pytest's JUnit XML
from one folder. Every test case in a test.xml counts once; a test target that failed without
a failing case in its XML (a crash, a sanitizer report at exit, a timeout) counts as one more
failure; a test target that was configured but never ran (its build failed) counts as one
failure. Nothing is counted that did not run.
"""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse


def junit_counts(xml_path):
    """Returns (passed, failed, skipped, failed_names) for one JUnit XML file."""
    root = ET.parse(xml_path).getroot()
    passed = failed = skipped = 0
    names = []
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}.{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            names.append(name)
        elif case.find("skipped") is not None or case.get("result") == "suppressed" \
                or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, names


def bep_events(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def uri_path(uri):
    return unquote(urlparse(uri).path)


def bazel_counts(bep_path, config):
    """Counts one `bazel test` run from its build event file."""
    test_targets = set()
    results = {}  # label -> list of (status, xml path)
    for ev in bep_events(bep_path):
        ev_id = ev.get("id", {})
        if "targetConfigured" in ev_id:
            kind = ev.get("configured", {}).get("targetKind", "")
            if kind.endswith("_test rule"):
                test_targets.add(ev_id["targetConfigured"]["label"])
        elif "testResult" in ev_id:
            label = ev_id["testResult"]["label"]
            res = ev.get("testResult", {})
            xml = next((uri_path(o["uri"]) for o in res.get("testActionOutput", [])
                        if o.get("name") == "test.xml"), None)
            results.setdefault(label, []).append((res.get("status", "NO_STATUS"), xml))
    passed = failed = skipped = 0
    failures = []
    for label in sorted(test_targets | set(results)):
        runs = results.get(label)
        if not runs:
            failed += 1
            failures.append(f"[{config}] {label} (did not run: build failed or aborted)")
            continue
        for status, xml in runs:
            p = f = s = 0
            names = []
            if xml and Path(xml).exists():
                try:
                    p, f, s, names = junit_counts(xml)
                except ET.ParseError:
                    names = ["(unreadable test.xml)"]
            if status != "PASSED" and f == 0:
                f += 1  # the target failed outside any test case
                names.append(f"(target {status.lower()})")
            if status == "PASSED" and p + f + s == 0:
                p = 1  # a test binary without cases of its own (e.g. a script) that passed
            passed, failed, skipped = passed + p, failed + f, skipped + s
            failures += [f"[{config}] {label}: {n}" for n in names]
    return passed, failed, skipped, failures


def main(argv):
    out = Path(argv[1] if len(argv) > 1 else "out/test")
    total_p = total_f = total_s = 0
    all_failures = []
    for bep in sorted(out.glob("bep-*.json")):
        config = bep.stem[len("bep-"):]
        p, f, s, names = bazel_counts(bep, config)
        print(f"bazel [{config}]: {p} passed, {f} failed, {s} skipped")
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
        all_failures += names
    # Other suites run by ./zlab test write NAME.junit.xml (libzmq's own tests, for one).
    for extra in sorted(out.glob("*.junit.xml")):
        p, f, s, names = junit_counts(extra)
        label = extra.name[:-len(".junit.xml")]
        print(f"{label}: {p} passed, {f} failed, {s} skipped")
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
        all_failures += [f"[{label}] {n}" for n in names]
    pytest_xml = out / "pytest.xml"
    if pytest_xml.exists():
        p, f, s, names = junit_counts(pytest_xml)
        print(f"pytest: {p} passed, {f} failed, {s} skipped")
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
        all_failures += [f"[pytest] {n}" for n in names]
    else:
        print("pytest: did not run")
        total_f += 1
        all_failures.append("[pytest] no result file")
    for name in all_failures:
        print(f"FAILED {name}")
    line = f"{total_p} passed, {total_f} failed"
    if total_s:
        line += f", {total_s} skipped"
    print(line)
    return 0 if total_f == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
