#!/usr/bin/python3
"""libzmq 4.3.4's own test suite, run on Debian's libzmq and on zlab, side by side.

  ./zlab libzmq-tests [--only REGEX] [--runs N] [--timeout S] [--lib DIR] [--junit FILE]
  ./zlab libzmq-tests --drafts [...]   libzmq's draft tests (below)

Fetches Debian's source package zeromq3 (apt-get source, through a deb-src list written for
the call; cached under ~/.cache/zlab/libzmq-suite), compiles every tests/test_*.cpp with the
testutil and Unity that come with it against zlab's zmq.h, and runs each binary twice, one at a
time: on the system's libzmq.so.5 and, through LD_LIBRARY_PATH, on zlab's. Nothing of libzmq
is committed; the binaries live in the cache.

A test that passes on libzmq must pass on zlab, unless expected.json says why not (a feature
waiting on its issue, or a registered divergence). A hang is a failure that names the test.
Exit status: 0 when every verdict is as expected, 1 otherwise.

--drafts: the tests that need ZMQ_BUILD_DRAFT_API (the ENABLE_DRAFTS list of libzmq's
Makefile.am, and every test with an #ifdef ZMQ_BUILD_DRAFT_API part), compiled with that macro
against the zmq.h of libzmq built with --enable-drafts (draft_libzmq.py, cached), and run on
that library (the reference) and on zlab's draft build (--lib: the folder holding it as
libzmq.so.5; default out/lib/draft, else bazel-bin/engine/api/draft). Judged
against expected.json's draft_expected_differences.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PACKAGE, VERSION = "zeromq3", "4.3.4-6"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zlab" / "libzmq-suite"
DEB_SRC = """Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
# Not run, with the reason: they need something neither library build here has.
NOT_RUN = {}
# Tests that include libzmq's internal headers (Debian does not build them). Each gets those
# headers (header-only code: test_security_curve's hand-made CURVE client is
# curve_client_tools.hpp over tweetnacl.h's NaCl API), libsodium for that API (Debian's libzmq
# uses it too), and internal_shim.cpp for the few internal functions they call. No libzmq
# source is compiled into them, and nothing of this reaches zlab.
INTERNAL_TESTS = {
    "test_security_curve": {
        "headers": ["tweetnacl.h", "curve_client_tools.hpp", "random.hpp", "wire.hpp", "err.hpp",
                    "likely.hpp", "secure_allocator.hpp", "macros.hpp"],
        "libs": ["-lsodium"],
    },
}
NOT_RUN_PATTERNS = [
    (re.compile(r"_fuzzer$"), "a fuzzer entry point: needs a fuzzing engine and a corpus"),
]
PER_TEST_TIMEOUT_S = 90  # test_heartbeats takes ~37 s on libzmq on a loaded 2-core machine


def log(msg):
    print(f"libzmq-tests: {msg}", file=sys.stderr, flush=True)


# ---- fetch ----------------------------------------------------------------------------------

def fetch_source():
    """Returns the unpacked source tree of zeromq3, fetching it once into the cache."""
    src = CACHE / f"{PACKAGE}-{VERSION}"
    if (src / "tests" / "testutil.cpp").exists():
        return src
    fetch_deb_source(PACKAGE, VERSION, src)
    return src


def fetch_deb_source(package, version, dest):
    """Unpacks Debian's source package `package`=`version` into dest (which must not exist),
    through a private deb-src list (the machine's own sources.list has no deb-src lines).
    Raises subprocess.CalledProcessError when apt cannot fetch it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fetch-", dir=dest.parent))
    try:
        parts = work / "sources.list.d"
        lists = work / "lists"
        (lists / "partial").mkdir(parents=True)
        parts.mkdir()
        (parts / "zlab-src.sources").write_text(DEB_SRC)
        apt = ["apt-get", "-q", "-o", "Dir::Etc::SourceList=/dev/null",
               "-o", f"Dir::Etc::SourceParts={parts}", "-o", f"Dir::State::Lists={lists}",
               "-o", "APT::Sandbox::User=root"]
        subprocess.run(apt + ["update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(apt + ["source", "--download-only", f"{package}={version}"],
                       check=True, cwd=work, stdout=subprocess.DEVNULL)
        dsc = next(work.glob(f"{package}_*.dsc"))
        # dpkg-source applies Debian's patches (tests_testutil.cpp.patch among them).
        subprocess.run(["dpkg-source", "-x", dsc.name, "tree"], check=True, cwd=work,
                       stdout=subprocess.DEVNULL)
        shutil.move(str(work / "tree"), str(dest))
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- build ----------------------------------------------------------------------------------

def test_names(src):
    return sorted(p.stem for p in (src / "tests").glob("test_*.cpp"))


def draft_test_names(src):
    """The tests that need ZMQ_BUILD_DRAFT_API: those Makefile.am builds only under
    `if ENABLE_DRAFTS`, and those with a part compiled only with the macro."""
    makefile = (src / "Makefile.am").read_text()
    block = re.search(r"^if ENABLE_DRAFTS\n(.*?)^endif", makefile, re.M | re.S)
    names = set(re.findall(r"\btests/(test_\w+)\b", block.group(1))) if block else set()
    for path in (src / "tests").glob("test_*.cpp"):
        if "ZMQ_BUILD_DRAFT_API" in path.read_text(errors="replace"):
            names.add(path.stem)
    return sorted(names)


def not_run_reason(name):
    if name in NOT_RUN:
        return NOT_RUN[name]
    for pattern, why in NOT_RUN_PATTERNS:
        if pattern.search(name):
            return why
    return None


def build_tree(src, header, defines=()):
    """A build folder laid out as libzmq's tests expect (../include/zmq.h is the header given:
    zlab's, or the draft libzmq's with --drafts)."""
    key = hashlib.sha256(header.read_bytes() + (HERE / "platform.hpp").read_bytes())
    key.update(VERSION.encode())
    key.update(" ".join(defines).encode())
    tree = CACHE / f"build-{key.hexdigest()[:16]}"
    if not (tree / "tests").exists():
        tmp = Path(tempfile.mkdtemp(prefix="tree-", dir=CACHE))
        shutil.copytree(src / "tests", tmp / "tests")
        shutil.copytree(src / "external" / "unity", tmp / "external" / "unity")
        (tmp / "src").mkdir()
        shutil.copy(src / "src" / "stdint.hpp", tmp / "src")
        (tmp / "include").mkdir()
        shutil.copy(header, tmp / "include" / "zmq.h")
        shutil.copy(HERE / "platform.hpp", tmp / "tests" / "platform.hpp")
        try:
            tmp.rename(tree)
        except OSError:  # another runner made it first: theirs is the same
            shutil.rmtree(tmp, ignore_errors=True)
    return tree


def compile_cmd(tree, source, output, link_objects=None, lib_dir=None, libs=(), defines=()):
    flags = ["g++", "-std=gnu++11", "-O1", "-g", "-w", "-pthread", "-DZMQ_CUSTOM_PLATFORM_HPP",
             *defines, "-I", str(tree / "tests"), "-I", str(tree / "external" / "unity"),
             "-I", str(tree / "include")]
    if link_objects is None:
        return flags + ["-c", str(source), "-o", str(output)]
    return flags + [str(source)] + [str(o) for o in link_objects] + [
        "-o", str(output), "-L", str(lib_dir), "-l:libzmq.so.5", *libs]


def run_quiet(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def build(tree, src, names, lib_dir, jobs, defines=()):
    """Compiles the helpers once and every test; returns {name: binary or None} and errors."""
    objdir = tree / "obj"
    objdir.mkdir(exist_ok=True)
    helpers = ["testutil.cpp", "testutil_monitoring.cpp", "testutil_security.cpp",
               "testutil_unity.cpp"]
    objects = []
    pending_jobs = []
    for h in helpers:
        obj = objdir / (h + ".o")
        objects.append(obj)
        if not obj.exists():
            pending_jobs.append((compile_cmd(tree, tree / "tests" / h, obj.with_suffix(".tmp"),
                                             defines=defines), obj))
    unity_obj = objdir / "unity.o"
    objects.append(unity_obj)
    if not unity_obj.exists():
        pending_jobs.append((["gcc", "-O1", "-g", "-w", "-c", str(tree / "external/unity/unity.c"),
                      "-o", str(unity_obj.with_suffix(".tmp"))], unity_obj))

    def helper(job):
        cmd, obj = job
        cmd[-1] = f"{cmd[-1]}.{os.getpid()}"
        rc, out = run_quiet(cmd)
        if rc == 0:
            os.rename(cmd[-1], obj)
        return rc, out

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for rc, out in pool.map(helper, pending_jobs):
            if rc != 0:
                raise SystemExit(f"libzmq-tests: a test helper did not compile:\n{out}")
    internal_objs = build_internal_support(tree, src, names, defines)
    bindir = tree / "bin"
    bindir.mkdir(exist_ok=True)
    binaries, errors = {}, {}

    def one(name):
        binary = bindir / name
        failed = bindir / (name + ".compile-error")
        if binary.exists():
            return name, binary, None
        if failed.exists():
            return name, None, failed.read_text()
        partial = bindir / f".{name}.{os.getpid()}"
        extra = INTERNAL_TESTS.get(name, {})
        rc, out = run_quiet(compile_cmd(tree, tree / "tests" / (name + ".cpp"), partial,
                                        objects + (internal_objs if extra else []), lib_dir,
                                        extra.get("libs", ()), defines))
        if rc != 0:
            failed.write_text(out)
            return name, None, out
        partial.rename(binary)
        return name, binary, None

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for name, binary, err in pool.map(one, names):
            binaries[name] = binary
            if err is not None:
                errors[name] = err
    return binaries, errors


def build_internal_support(tree, src_dir, names, defines=()):
    """Copies the internal headers the INTERNAL_TESTS among names include into tree/src (where
    their "../src/" includes look) and compiles internal_shim.cpp; returns its objects."""
    wanted = [n for n in names if n in INTERNAL_TESTS]
    if not wanted:
        return []
    for name in wanted:
        for header in INTERNAL_TESTS[name]["headers"]:
            if not (tree / "src" / header).exists():
                tmp = tree / "src" / f".{header}.{os.getpid()}"
                shutil.copy(src_dir / "src" / header, tmp)
                os.rename(tmp, tree / "src" / header)
    shim = HERE / "internal_shim.cpp"
    key = hashlib.sha256(shim.read_bytes()).hexdigest()[:12]
    obj = tree / "obj" / f"internal_shim-{key}.o"
    if not obj.exists():
        partial = obj.with_suffix(f".{os.getpid()}")
        rc, out = run_quiet(compile_cmd(tree, shim, partial, defines=defines))
        if rc != 0:
            raise SystemExit(f"libzmq-tests: internal_shim.cpp did not compile:\n{out}")
        os.rename(partial, obj)
    return [obj]


def compile_skip_reason(error_text):
    """Why a test does not build against the stable API, in a few words."""
    for fn in ("zmq_poller_", "zmq_join", "zmq_leave", "zmq_msg_set_routing_id",
               "zmq_msg_routing_id", "zmq_msg_set_group", "zmq_msg_group",
               "zmq_socket_monitor_versioned", "zmq_ctx_set_ext", "zmq_msg_init_buffer"):
        if fn in error_text:
            return f"draft API ({fn}...)"
    m = re.search(r"'(ZMQ_[A-Z_0-9]+)' was not declared", error_text)
    if m:
        return f"draft API ({m.group(1)})"
    first = next((l for l in error_text.splitlines() if "error" in l), error_text[:200])
    return f"does not compile: {first.strip()[:160]}"


# ---- run ------------------------------------------------------------------------------------

UNITY_SUMMARY = re.compile(r"^(\d+) Tests (\d+) Failures (\d+) Ignored", re.M)
UNITY_FAIL = re.compile(r"^.*:\d+:[^:\n]+:FAIL.*$", re.M)


# Each run gets its own network namespace and /tmp: libzmq's tests bind fixed ports
# (tcp://127.0.0.1:5555...) and fixed ipc paths, so runs must not see each other or anything
# else on the machine. Needs root (as CI and ./zlab setup are); otherwise runs share the host's.
# A veth pair gives the namespace a multicast-capable link (lo loops no IPv6 multicast back,
# and takes no multicast route by default), so test_radio_dish's multicast cases run (IPv4
# through the 224/4 route on it, IPv6 through the kernel's ff00::/8 ones, DAD off so its
# link-local address is usable at once); where veth is missing they stay ignored, as before.
MULTICAST_LINK = ("(sysctl -qw net.ipv6.conf.default.accept_dad=0; "
                  "ip link add zmc0 type veth peer name zmc1 && ip link set zmc0 up && "
                  "ip link set zmc1 up && ip addr add 10.254.0.1/24 dev zmc0 && "
                  "ip route add 224.0.0.0/4 dev zmc0) >/dev/null 2>&1; ")
ISOLATE = ["unshare", "--net", "--mount", "sh", "-c",
           'mount -t tmpfs tmpfs /tmp && ip link set lo up && ' + MULTICAST_LINK +
           'cd /tmp && exec "$0"']


def isolation_works():
    try:
        return subprocess.run(ISOLATE + ["true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def hidden_by_isolation(lib_dir):
    """Whether an isolated run cannot see lib_dir (ISOLATE mounts a fresh tmpfs on /tmp)."""
    tmp = Path("/tmp").resolve()
    return lib_dir == tmp or tmp in lib_dir.parents


def run_one(binary, lib_dir, timeout_s, isolate=True):
    """Runs one test binary on one library; returns (verdict, detail, seconds, output)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    if lib_dir is not None:
        env["LD_LIBRARY_PATH"] = str(lib_dir)
    workdir = tempfile.mkdtemp(prefix="zlab-libzmq-test-")
    start = time.monotonic()
    # Its own session, so a hang is ended with every process it forked.
    cmd = (ISOLATE if isolate else []) + [str(binary)]
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        hung = True
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.monotonic() - start
    text = out.decode("utf-8", "replace")
    return classify(text, proc.returncode, hung, timeout_s) + (seconds, text)


def classify(text, rc, hung, timeout_s):
    summary = UNITY_SUMMARY.search(text)
    fail = UNITY_FAIL.search(text)
    if hung:
        last = [l for l in text.splitlines() if l.strip()][-1:] or ["(no output)"]
        return "HANG", f"no exit after {timeout_s} s; last output: {last[0][:160]}"
    if rc == -signal.SIGALRM:  # testutil's own watchdog (alarm) ended a test that hung
        last = [l for l in text.splitlines() if l.strip()][-1:] or ["(no output)"]
        return "HANG", f"ended by the test's own alarm; last output: {last[0][:160]}"
    if rc is not None and rc < 0:
        where = fail.group(0) if fail else ""
        return "CRASH", f"killed by signal {-rc} {signal.Signals(-rc).name} {where}".strip()
    if fail:
        return "FAIL", fail.group(0).strip()[:240]
    if rc == 77 and not summary:  # automake's "skipped": the test found its feature missing
        return "SKIP", "exit 77: " + (text.strip().splitlines() or ["(no output)"])[-1][:140]
    if summary:
        tests, failures, ignored = map(int, summary.groups())
        if failures:
            return "FAIL", f"{failures} of {tests} failed"
        if rc != 0:
            return "FAIL", f"exit status {rc} after Unity reported no failure"
        if tests == ignored:
            reason = re.search(r":IGNORE: ?(.*)$", text, re.M)
            return "SKIP", (reason.group(1) if reason else "every case ignored")[:160]
        return "PASS", f"{tests - ignored} cases" + (f", {ignored} ignored" if ignored else "")
    if rc == 0:
        return "PASS", "no Unity summary, exit 0"
    return "FAIL", f"exit status {rc}, no Unity summary"


# ---- expectations ---------------------------------------------------------------------------

def load_expected(section="expected_differences", path=None, tool="libzmq-tests"):
    """expected.json's section: the tests allowed to differ, each with why and what owns it
    (one place for all of them); section draft_expected_differences is the --drafts run's.
    pyzmq_suite reads its own expected.json through this too."""
    data = json.loads(Path(path or HERE / "expected.json").read_text())
    out = {}
    for name, entry in data[section].items():
        if not entry.get("why") or not (entry.get("waits_on") or entry.get("divergence")):
            raise SystemExit(f"{tool}: expected.json: {name} needs why and "
                             "waits_on or divergence")
        # Intermittent: a known engine defect that fails some runs and not others. Only an
        # open issue can own one (never a divergence: a deliberate difference is not random).
        if entry.get("intermittent") and not entry.get("waits_on"):
            raise SystemExit(f"{tool}: expected.json: {name} is intermittent, so it "
                             "needs the issue that fixes it (waits_on)")
        out[name] = entry
    return out


def check_divergences(expected):
    """Every divergence named in expected.json exists in the register."""
    reg = json.loads((ROOT / "conformance/spec/divergences.json").read_text())
    ids = {d["id"] for d in reg["divergences"]} if isinstance(reg, dict) else {d["id"] for d in reg}
    missing = [f"{n}: {e['divergence']}" for n, e in expected.items()
               if e.get("divergence") and e["divergence"] not in ids]
    if missing:
        raise SystemExit("libzmq-tests: expected.json names divergences that are not "
                         "registered: " + ", ".join(missing))


def verdict(ref, zlab, expected_entry):
    """(ok, word): whether zlab's result is acceptable given libzmq's."""
    if ref[0] != "PASS":
        return True, "n/a (not passing on libzmq)"
    if zlab[0] == "PASS":
        if expected_entry and expected_entry.get("intermittent"):
            return True, f"ok (intermittent: waits on {expected_entry['waits_on']})"
        if expected_entry:
            return False, "UNEXPECTED PASS (remove it from expected.json)"
        return True, "ok"
    if expected_entry:
        tag = expected_entry.get("divergence") or f"waits on {expected_entry['waits_on']}"
        return True, f"expected ({tag})"
    return False, "REGRESSION"


def write_junit(path, rows):
    suite = ET.Element("testsuite", name="libzmq-4.3.4-suite")
    failures = 0
    for row in rows:
        case = ET.SubElement(suite, "testcase", classname="libzmq_suite", name=row["name"],
                             time=f"{row.get('zlab_s', 0):.2f}")
        if row["skip"]:
            ET.SubElement(case, "skipped", message=row["skip"])
        elif row["ok"] and not row["word"].startswith("ok"):
            # An expected difference or a test libzmq itself does not pass: not a zlab pass.
            ET.SubElement(case, "skipped", message=f"{row['word']}: {row.get('zlab_detail', '')}")
        elif not row["ok"]:
            failures += 1
            f = ET.SubElement(case, "failure", message=f"{row['word']}: {row['zlab_detail']}")
            f.text = row.get("zlab_output", "")[-4000:]
    suite.set("tests", str(len(rows)))
    suite.set("failures", str(failures))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def draft_lib_dir(given):
    """zlab's draft build: the folder holding it as libzmq.so.5 (the soname the tests load),
    `given`, else out/lib/draft from ./zlab build, else the one Bazel built last
    (//engine/api/draft:libzmq.so.5)."""
    candidates = [ROOT / "out" / "lib" / "draft", ROOT / "bazel-bin" / "engine" / "api" / "draft"]
    default = next((c for c in candidates if (c / "libzmq.so.5").exists()), candidates[-1])
    folder = (given or default).resolve()
    if not (folder / "libzmq.so.5").exists():
        raise SystemExit(f"libzmq-tests: no zlab draft library in {folder} (bazel build "
                         "//engine/api/draft:libzmq.so.5, or pass --lib DIR)")
    return folder


def default_lib_dir():
    """zlab's libzmq.so.5: out/lib from ./zlab build, else the one Bazel built last."""
    for cand in (ROOT / "out" / "lib", ROOT / "bazel-bin" / "engine" / "api"):
        if (cand / "libzmq.so.5").exists():
            return cand
    raise SystemExit("libzmq-tests: no zlab libzmq.so.5 (run ./zlab build, or pass --lib)")


def main(argv):
    ap = argparse.ArgumentParser(prog="zlab libzmq-tests", description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="run the tests whose name matches this regular expression")
    ap.add_argument("--runs", type=int, default=1, help="run each test N times on each library")
    ap.add_argument("--timeout", type=float, default=PER_TEST_TIMEOUT_S, help="seconds per run")
    ap.add_argument("--lib", type=Path, help="folder holding zlab's libzmq.so.5 (with --drafts: "
                    "its draft build; default out/lib/draft, else bazel-bin/engine/api/draft)")
    ap.add_argument("--drafts", action="store_true",
                    help="libzmq's draft tests, on the draft-enabled libzmq and zlab's draft build")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="compile jobs")
    ap.add_argument("--junit", type=Path, help="also write a JUnit XML file")
    ap.add_argument("--json", type=Path,
                    help="the verdicts as JSON (default: out/libzmq-suite.json, "
                         "out/libzmq-suite-drafts.json with --drafts)")
    ap.add_argument("--zlab-only", action="store_true",
                    help="skip the libzmq runs, taking libzmq's verdicts from the last --json")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.timeout <= 0:
        ap.error("--runs must be at least 1 and --timeout positive")
    args.json = args.json or ROOT / "out" / (
        "libzmq-suite-drafts.json" if args.drafts else "libzmq-suite.json")
    if args.drafts:
        lib_dir = draft_lib_dir(args.lib)
    else:
        lib_dir = (args.lib or default_lib_dir()).resolve()
    if not (lib_dir / "libzmq.so.5").exists():
        ap.error(f"{lib_dir} holds no libzmq.so.5")
    expected = load_expected("draft_expected_differences" if args.drafts
                             else "expected_differences")
    check_divergences(expected)

    isolate = isolation_works()
    if isolate and hidden_by_isolation(lib_dir):
        ap.error(f"{lib_dir} is under /tmp, which each run replaces with its own empty /tmp: "
                 "the tests would load Debian's libzmq instead of zlab's; use a folder elsewhere")
    if not isolate:
        log("warning: cannot unshare a network namespace (not root?): runs share this "
            "machine's ports and /tmp, so nothing else may use ports 5555-5561 meanwhile")
    src = fetch_source()
    # The reference: Debian's libzmq (ref_dir None: the system's), or with --drafts the
    # draft-enabled build, whose zmq.h the draft tests are compiled against and linked with.
    ref_dir, header, link_dir, defines = None, ROOT / "engine" / "api" / "zmq.h", lib_dir, ()
    all_names = test_names(src)
    names = all_names
    if args.drafts:
        import draft_libzmq  # here: it imports this module
        prefix = draft_libzmq.ensure()
        ref_dir = link_dir = prefix / "lib"
        header, defines = prefix / "include" / "zmq.h", ("-DZMQ_BUILD_DRAFT_API",)
        names = draft_test_names(src)
    tree = build_tree(src, header, defines)
    if args.only:
        names = [n for n in names if re.search(args.only, n)]
        if not names:
            ap.error(f"--only {args.only!r} matches no test")
    unknown = sorted(set(expected) - set(draft_test_names(src) if args.drafts else all_names))
    if unknown:
        raise SystemExit(f"libzmq-tests: expected.json names tests that do not exist: {unknown}")
    runnable = [n for n in names if not not_run_reason(n)]
    log(f"building {len(runnable)} tests in {tree}")
    binaries, errors = build(tree, src, runnable, link_dir, args.jobs, defines)

    previous = {}
    if args.zlab_only and args.json.exists():
        previous = {r["name"]: r for r in json.loads(args.json.read_text())["tests"]}
    rows = []
    for name in names:
        row = {"name": name, "skip": not_run_reason(name)}
        if not row["skip"] and binaries.get(name) is None:
            row["skip"] = compile_skip_reason(errors.get(name, ""))
        if row["skip"]:
            row.update(ok=True, word="skipped")
            rows.append(row)
            print(f"{name:36} {'SKIP':6} {'SKIP':6} {row['skip']}", flush=True)
            continue
        for run in range(args.runs):
            if args.zlab_only and name in previous:
                ref = (previous[name]["libzmq"], previous[name]["libzmq_detail"], 0.0, "")
            else:
                ref = run_one(binaries[name], ref_dir, args.timeout, isolate)
            zl = run_one(binaries[name], lib_dir, args.timeout, isolate)
            ok, word = verdict(ref, zl, expected.get(name))
            row.update(libzmq=ref[0], libzmq_detail=ref[1], libzmq_s=ref[2], zlab=zl[0],
                       zlab_detail=zl[1], zlab_s=zl[2], zlab_output=zl[3], ok=ok, word=word,
                       run=run + 1)
            detail = zl[1] if zl[0] != "PASS" else ""
            label = f"{name}" + (f" #{run + 1}" if args.runs > 1 else "")
            print(f"{label:36} {ref[0]:6} {zl[0]:6} {word} {detail}".rstrip(), flush=True)
            if not ok:
                break
        rows.append(row)

    summarise(rows, expected)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(
        {"package": f"{PACKAGE} {VERSION}", "lib": str(lib_dir), "runs": args.runs,
         "drafts": args.drafts, "reference": str(ref_dir or "system libzmq.so.5"),
         "tests": [{k: v for k, v in r.items() if k != "zlab_output"} for r in rows]},
        indent=1))
    if args.junit:
        write_junit(args.junit, rows)
    return 0 if all(r["ok"] for r in rows) else 1


def summarise(rows, expected):
    ran = [r for r in rows if not r["skip"]]
    count = lambda key, word: sum(1 for r in ran if r.get(key) == word)
    print()
    print(f"{'':10} {'passed':>7} {'failed':>7} {'hang':>5} {'crash':>6} {'skipped':>8}")
    for key in ("libzmq", "zlab"):
        skipped = len(rows) - len(ran) + count(key, "SKIP")
        print(f"{key:10} {count(key, 'PASS'):7} {count(key, 'FAIL'):7} {count(key, 'HANG'):5} "
              f"{count(key, 'CRASH'):6} {skipped:8}")
    exp = [r for r in ran if r["word"].startswith("expected")]
    bad = [r for r in rows if not r["ok"]]
    print(f"\n{len(exp)} expected differences (expected.json), {len(bad)} unexpected")
    for r in bad:
        print(f"  {r['name']}: {r['word']}: {r.get('zlab', '')} {r.get('zlab_detail', '')}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
