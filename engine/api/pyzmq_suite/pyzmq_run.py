#!/usr/bin/python3
"""pyzmq's own tests on libzmq and on zlab, side by side (engine/api/pyzmq_suite/README.md).

  engine/api/pyzmq_suite/pyzmq_run.py [--stable | --whole] [--lib DIR] [--only EXPR]
                                      [--json F] [--junit F]

Default: pyzmq 24.0.1's draft tests (the test files that ask for zmq.DRAFT_API: test_draft.py,
CLIENT/SERVER with routing ids, RADIO/DISH with groups) through pyzmq built with the draft API
(pyzmq_draft.py), on (a) the draft-enabled libzmq 4.3.4 and (b) zlab's draft build
(//engine/api/draft:libzmq.so.5). --stable: pyzmq's whole suite as Debian's python3-zmq ships
it (the same source, built without drafts) on Debian's libzmq and on zlab's default library.
--whole: pyzmq's whole suite through the draft build, on both draft libraries.

Each library gets one pytest process, the library chosen by LD_LIBRARY_PATH; a probe process
with the same environment first proves which libzmq.so.5 is loaded (/proc/self/maps) and, for
the draft run, that zmq.DRAFT_API is on (a skipped draft test would otherwise look harmless).
A test that passes on libzmq and not on zlab is a REGRESSION unless expected.json lists it with
why; one listed that passes is UNEXPECTED (the list cannot go stale). Exit 1 on either.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "libzmq_suite"))
import pyzmq_draft  # noqa: E402
import run as libzmq_suite  # noqa: E402  (verdict, the divergence check, zlab's library dirs)

PYTHON = "/usr/bin/python3"
SYSTEM_LIB_DIR = Path("/usr/lib/x86_64-linux-gnu")
# Whole-process limits: the draft tests take about a second, the whole suite a few minutes.
DRAFT_TIMEOUT_S = 120
STABLE_TIMEOUT_S = 1200

PROBE = r"""
import json, zmq
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libzmq.so' in l})
print(json.dumps({"libs": libs, "draft": bool(zmq.DRAFT_API), "zmq": zmq.__file__,
                  "pyzmq": zmq.__version__}))
"""


def log(msg):
    print(f"pyzmq-tests: {msg}", file=sys.stderr, flush=True)


# ---- what runs where ------------------------------------------------------------------------

def draft_test_files(tree):
    """pyzmq's draft tests: the test files that look at zmq.DRAFT_API."""
    tests = tree / "zmq" / "tests"
    return sorted(p for p in tests.glob("test_*.py") if "DRAFT_API" in p.read_text())


def env_for(lib_dir, pythonpath=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONPATH")}
    if lib_dir is not None:
        env["LD_LIBRARY_PATH"] = str(lib_dir)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def probe(env, cwd):
    """Which libzmq.so.5 and which pyzmq this environment loads, and whether DRAFT_API is on."""
    out = subprocess.run([PYTHON, "-c", PROBE], env=env, cwd=cwd, capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"pyzmq-tests: the probe failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def check_probe(found, lib_dir, want_draft, tree):
    """Problems with what the probe found, as sentences (empty when it is what we asked)."""
    problems = []
    want_lib = (lib_dir / "libzmq.so.5").resolve()
    libs = [Path(l).resolve() for l in found["libs"]]
    if libs != [want_lib]:
        problems.append(f"loaded {found['libs']}, wanted {want_lib}")
    if want_draft and not found["draft"]:
        problems.append("zmq.DRAFT_API is off: the draft tests would only skip")
    if tree is not None and tree.resolve() not in Path(found["zmq"]).resolve().parents:
        problems.append(f"imported pyzmq from {found['zmq']}, wanted the one in {tree}")
    return problems


# ---- running pytest and reading its results -------------------------------------------------

def case_id(case):
    cls = case.get("classname", "")
    # pytest writes zmq.tests.test_draft.TestDraftSockets: keep what identifies the test.
    cls = re.sub(r"^zmq\.tests\.", "", cls)
    return f"{cls}::{case.get('name', '')}"


def read_junit(path):
    """{test id: (word, detail)} with word PASS, FAIL or SKIP, from pytest's JUnit XML."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        skipped = case.find("skipped")
        if failure is not None:
            results[case_id(case)] = ("FAIL", (failure.get("message") or "")[:300])
        elif skipped is not None:
            results[case_id(case)] = ("SKIP", (skipped.get("message") or "")[:300])
        else:
            results[case_id(case)] = ("PASS", "")
    return results


def run_pytest(targets, env, cwd, timeout_s, keywords):
    """Runs pytest once; returns ({test id: (word, detail)}, seconds, output tail). A run that
    does not finish in time counts every test as HANG (pytest writes its XML only at exit)."""
    with tempfile.TemporaryDirectory(prefix="pyzmq-tests-") as tmp:
        xml = Path(tmp) / "results.xml"
        cmd = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE",
               f"--junitxml={xml}", "-o", "junit_family=xunit1", *targets]
        if keywords:
            cmd += ["-k", keywords]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                                  timeout=timeout_s)
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as err:
            output = (err.stdout or b"").decode(errors="replace") if isinstance(
                err.stdout, bytes) else (err.stdout or "")
            return None, time.monotonic() - start, output[-4000:]
        seconds = time.monotonic() - start
        if not xml.exists():
            return {}, seconds, output[-4000:]
        return read_junit(xml), seconds, output[-4000:]


def not_run_expression(names):
    """A pytest -k expression leaving out the tests named by their ids (module.Class::test)."""
    terms = [" and ".join(re.split(r"\.|::", name)) for name in names]
    return " and ".join(f"not ({t})" for t in terms)


def keyword_expression(only, not_run):
    parts = [f"({only})"] if only else []
    if not_run:
        parts.append(not_run_expression(not_run))
    return " and ".join(parts) or None


# ---- the verdicts ---------------------------------------------------------------------------

def load_not_run(path=HERE / "expected.json"):
    """expected.json's not_run: pyzmq's own races (failing on libzmq too), left out of the
    whole-suite runs, each with why."""
    data = json.loads(Path(path).read_text())
    for name, why in data["not_run"].items():
        if not why:
            raise SystemExit(f"pyzmq-tests: expected.json: not_run {name} needs why")
    return data["not_run"]


def not_run_rows(not_run):
    return [{"name": name, "libzmq": "NOT RUN", "zlab": "NOT RUN", "libzmq_detail": "",
             "zlab_detail": why, "ok": True, "word": "not run (expected.json not_run)"}
            for name, why in sorted(not_run.items())]


def load_expected(section, path=HERE / "expected.json"):
    """expected.json's section: the tests allowed to differ, each with why and what owns it
    (checked as the libzmq suite's are)."""
    return libzmq_suite.load_expected(section, path, tool="pyzmq-tests")


def compare(ref, zlab, expected):
    """Rows of the table: one per test either run reports, with libzmq_suite's verdict."""
    rows = []
    for name in sorted(set(ref) | set(zlab)):
        r = ref.get(name, ("MISSING", "not reported"))
        z = zlab.get(name, ("MISSING", "not reported"))
        ok, word = libzmq_suite.verdict(r, z, expected.get(name))
        rows.append({"name": name, "libzmq": r[0], "libzmq_detail": r[1], "zlab": z[0],
                     "zlab_detail": z[1], "ok": ok, "word": word})
    stale = sorted(set(expected) - set(ref) - set(zlab))
    for name in stale:
        rows.append({"name": name, "libzmq": "MISSING", "libzmq_detail": "", "zlab": "MISSING",
                     "zlab_detail": "", "ok": False,
                     "word": "STALE (in expected.json, not in the suite)"})
    return rows


def hang_rows(ref, zlab, timeout_s):
    """When a whole run hung, one row says so (its tests are unknown)."""
    rows = []
    for key, res in (("libzmq", ref), ("zlab", zlab)):
        if res is None:
            rows.append({"name": f"(whole {key} run)", "libzmq": "HANG" if key == "libzmq" else "",
                         "zlab": "HANG" if key == "zlab" else "", "ok": False,
                         "word": f"HANG: pytest did not finish in {timeout_s} s",
                         "libzmq_detail": "", "zlab_detail": ""})
    return rows


def print_table(rows, labels):
    width = max([len(r["name"]) for r in rows] + [20])
    print(f"{'test':{width}}  {labels[0]:>14}  {labels[1]:>14}  verdict")
    for r in rows:
        print(f"{r['name']:{width}}  {r['libzmq']:>14}  {r['zlab']:>14}  {r['word']}")


def summarise(rows, labels):
    count = lambda key, word: sum(1 for r in rows if r.get(key) == word)
    print()
    print(f"{'':14} {'tests':>6} {'passed':>7} {'failed':>7} {'skipped':>8}")
    for key, label in zip(("libzmq", "zlab"), labels):
        ran = sum(1 for r in rows if r.get(key) not in ("MISSING", "", "HANG", "NOT RUN"))
        print(f"{label:14} {ran:6} {count(key, 'PASS'):7} {count(key, 'FAIL'):7} "
              f"{count(key, 'SKIP'):8}")
    exp = [r for r in rows if r["word"].startswith("expected")]
    skipped = [r for r in rows if r["word"].startswith("not run")]
    if skipped:
        print(f"{len(skipped)} not run (expected.json not_run): "
              + ", ".join(r["name"] for r in skipped))
    bad = [r for r in rows if not r["ok"]]
    print(f"\n{len(exp)} expected differences (expected.json), {len(bad)} unexpected")
    for r in bad:
        print(f"  {r['name']}: {r['word']}: {r.get('zlab', '')} {r.get('zlab_detail', '')}")


def write_junit(path, rows, suite_name, skipped_reason=None):
    """zlab's side as JUnit: a zlab pass passes, an accepted difference or a test libzmq does
    not pass is skipped (not a zlab pass), anything unexpected fails."""
    suite = ET.Element("testsuite", name=suite_name)
    failures = 0
    if skipped_reason:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name="suite")
        ET.SubElement(case, "skipped", message=skipped_reason)
    for row in rows:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=row["name"])
        if not row["ok"]:
            failures += 1
            ET.SubElement(case, "failure", message=f"{row['word']}: {row['zlab_detail']}")
        elif row["word"] != "ok":
            ET.SubElement(case, "skipped", message=f"{row['word']}: {row['zlab_detail']}")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


# ---- the two runs ---------------------------------------------------------------------------

def draft_setup(lib, whole=False):
    """(targets, cwd, tree, runs) of the draft run: the draft pyzmq tree on both draft
    libraries, with its draft tests (or, whole, every test it has)."""
    tree = pyzmq_draft.ensure()
    ref_dir = pyzmq_draft.draft_libzmq.ensure(quiet=True) / "lib"
    zlab_dir = libzmq_suite.draft_lib_dir(lib)
    files = sorted((tree / "zmq" / "tests").glob("test_*.py")) if whole else draft_test_files(tree)
    targets = [str(p.relative_to(tree)) for p in files]
    runs = [(ref_dir, env_for(ref_dir, tree)), (zlab_dir, env_for(zlab_dir, tree))]
    return targets, tree, tree, runs


def stable_setup(lib, whole=True):
    """Debian's python3-zmq (pyzmq 24.0.1 without drafts) and the tests it ships, on Debian's
    libzmq (no LD_LIBRARY_PATH) and on zlab's default library."""
    zlab_dir = (lib or libzmq_suite.default_lib_dir()).resolve()
    cwd = Path(tempfile.mkdtemp(prefix="pyzmq-stable-"))  # no pytest.ini, no local zmq/
    runs = [(SYSTEM_LIB_DIR, env_for(None)), (zlab_dir, env_for(zlab_dir))]
    return ["--pyargs", "zmq.tests"], cwd, None, runs


def main(argv):
    ap = argparse.ArgumentParser(prog="pyzmq-tests", description=__doc__.split("\n")[0])
    ap.add_argument("--stable", action="store_true",
                    help="pyzmq's whole suite (Debian's python3-zmq) on Debian's libzmq and "
                         "zlab's default library, instead of the draft tests")
    ap.add_argument("--whole", action="store_true",
                    help="with the draft build: pyzmq's whole suite, not only its draft tests "
                         "(minutes; on the draft libzmq and zlab's draft build)")
    ap.add_argument("--lib", type=Path, help="zlab's library folder (default: out/lib[/draft] "
                    "or bazel-bin/engine/api[/draft])")
    ap.add_argument("--only", help="pytest -k expression")
    ap.add_argument("--json", type=Path, help="write the rows here")
    ap.add_argument("--junit", type=Path, help="write zlab's results as JUnit XML here")
    args = ap.parse_args(argv)
    run_name = "stable" if args.stable else "draft_whole" if args.whole else "draft"
    section = f"{run_name}_expected_differences"
    suite_name = f"pyzmq_{run_name}"
    long_run = args.stable or args.whole
    # The draft tests alone never meet the races not_run names; the whole suite does.
    not_run = load_not_run() if long_run else {}
    labels = ("libzmq", "zlab") if args.stable else ("libzmq-draft", "zlab-draft")
    expected = load_expected(section)
    libzmq_suite.check_divergences(expected)
    try:
        targets, cwd, tree, runs = (stable_setup if args.stable else draft_setup)(args.lib,
                                                                                   args.whole)
    except pyzmq_draft.Unavailable as err:
        log(f"skipped: pyzmq with the draft API is not built: {err}")
        if args.junit:
            write_junit(args.junit, [], suite_name, f"pyzmq draft build unavailable: {err}")
        return 0
    try:
        keywords = keyword_expression(args.only, not_run)
        ref, zlab = run_both(runs, labels, targets, cwd, tree, args, long_run, keywords)
    finally:
        if args.stable:
            shutil.rmtree(cwd, ignore_errors=True)
    timeout_s = STABLE_TIMEOUT_S if long_run else DRAFT_TIMEOUT_S
    rows = (hang_rows(ref, zlab, timeout_s) + compare(ref or {}, zlab or {}, expected)
            + not_run_rows(not_run))
    print_table(rows, labels)
    summarise(rows, labels)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.junit:
        write_junit(args.junit, rows, suite_name)
    return 0 if all(r["ok"] for r in rows) else 1


def run_both(runs, labels, targets, cwd, tree, args, long_run, keywords):
    """pytest on libzmq, then on zlab: their results ({test id: (word, detail)}, None: hung)."""
    results = []
    timeout_s = STABLE_TIMEOUT_S if long_run else DRAFT_TIMEOUT_S
    for (lib_dir, env), label in zip(runs, labels):
        found = probe(env, cwd)
        problems = check_probe(found, lib_dir, not args.stable, tree)
        if problems:
            raise SystemExit(f"pyzmq-tests: {label}: " + "; ".join(problems))
        log(f"{label}: pyzmq {found['pyzmq']} on {found['libs'][0]}, draft API "
            f"{'on' if found['draft'] else 'off'}: {' '.join(targets)[:200]}")
        res, seconds, tail = run_pytest(targets, env, cwd, timeout_s, keywords)
        if res == {}:
            raise SystemExit(f"pyzmq-tests: {label}: pytest wrote no results:\n{tail}")
        log(f"{label}: {seconds:.1f} s")
        results.append(res)
    return results


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
