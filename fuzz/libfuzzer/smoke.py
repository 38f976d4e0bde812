#!/usr/bin/python3
"""A short real libFuzzer run of every target, for ./zlab test.

Builds every `*_fuzzer` once with `bazel --config=libfuzzer` (clang, ASan, UBSan), then runs
each for a few seconds on a scratch copy of its committed seeds. A crash, a leak, a sanitizer
report, a failed invariant (FUZZ_CHECK aborts), a hang past the per-input timeout or a binary
that does not run fails its test case. Writes one JUnit test case per target.

    fuzz/libfuzzer/smoke.py --seconds 3 --junit out/test/libfuzzer.junit.xml
"""

import argparse
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path



def _load_runner():
    """fuzz/libfuzzer/run.py under a name of its own: a plain `import run` can get another
    folder's run.py (engine/api/libzmq_suite's) when one pytest process has imported that."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("zlab_libfuzzer_run",
                                                  Path(__file__).resolve().parent / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load_runner()

# A single input slower than this is a hang (the slowest target, curve_mechanism, takes ms).
TIMEOUT_S = 20


def fuzz_one(target, seconds, work, binary_dir=None):
    """Runs one target; returns (passed, executions, seconds, tail of its log)."""
    start = time.monotonic()
    extra = [f"-timeout={TIMEOUT_S}"]
    status, executions = run.run(target, seconds=seconds, extra=extra, out_dir=work,
                                 built=True, binary_dir=binary_dir, quiet=True)
    took = time.monotonic() - start
    log = (Path(work) / target / "fuzz.log").read_text(errors="replace")
    return status == 0, executions, took, "\n".join(log.splitlines()[-40:])


def junit(results, path):
    suite = ET.Element("testsuite", name="libfuzzer", tests=str(len(results)),
                       failures=str(sum(1 for r in results if not r[1])))
    for target, passed, executions, took, tail in results:
        case = ET.SubElement(suite, "testcase", classname="libfuzzer", name=target,
                             time=f"{took:.1f}")
        if not passed:
            failure = ET.SubElement(case, "failure",
                                    message=f"{target}: libFuzzer reported a failure "
                                    f"after {executions} executions")
            failure.text = tail
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="unicode")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=3, help="fuzzing time per target")
    p.add_argument("--junit", help="write a JUnit XML report here")
    p.add_argument("--targets", default=",".join(run.TARGETS), help="comma-separated")
    p.add_argument("--binary-dir", help="use these *_fuzzer binaries (no build)")
    args = p.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    start = time.monotonic()
    if not args.binary_dir:
        run.build(targets)
    built_s = time.monotonic() - start
    results = []
    with tempfile.TemporaryDirectory(prefix="zlab-libfuzzer-") as work:
        for t in targets:
            passed, executions, took, tail = fuzz_one(t, args.seconds, work, args.binary_dir)
            results.append((t, passed, executions, took, tail))
            print(f"libfuzzer {t}: {executions} executions in {took:.1f} s: "
                  f"{'ok' if passed else 'FAILED'}", flush=True)
            if not passed:
                print(tail, file=sys.stderr)
    if args.junit:
        junit(results, args.junit)
    failed = [r[0] for r in results if not r[1]]
    print(f"libfuzzer: build {built_s:.0f} s, {len(targets)} targets "
          f"{time.monotonic() - start - built_s:.0f} s; "
          f"{len(targets) - len(failed)} passed, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
