#!/usr/bin/python3
"""pyzmq 24.0.1 built with the draft API: the binding pyzmq's own draft tests need.

  engine/api/pyzmq_suite/pyzmq_draft.py [--print-tree] [--quiet] [--if-available]

Debian's python3-zmq (24.0.1-4+b1) is compiled without ZMQ_BUILD_DRAFT_API: its join, leave,
routing-id and group calls are stubs, so its zmq/tests/test_draft.py cannot run on any
library. This fetches the source of that same package (Debian's `pyzmq` 24.0.1-4, through the
private deb-src list libzmq_suite/run.py uses for zeromq3), compiles its Cython extensions with
ZMQ_DRAFT_API=1 against the draft-enabled libzmq's zmq.h (libzmq_suite/draft_libzmq.py) and
keeps the built tree in a cache, rebuilt only when missing or when the recipe changes:

  ~/.cache/zlab/pyzmq-draft/<version>-<key>/   (a source tree with its extensions built in
                                               place: PYTHONPATH=<it> imports this zmq)

Where the Debian archive does not serve that source, ZLAB_PYZMQ_SOURCE may name upstream's
pyzmq instead: a git repository (its tag v24.0.1 is taken) or an unpacked 24.0.1 tree.
Without either the build is unavailable: --if-available (./zlab setup) then says why and exits
0, and pyzmq_run.py reports pyzmq's draft tests as skipped, never as passed. Nothing of pyzmq
is committed. The extensions load whichever libzmq.so.5 LD_LIBRARY_PATH names first (their
RUNPATH, the draft libzmq's lib/, comes after it): so pyzmq_run.py puts them on zlab's build.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "libzmq_suite"))
import draft_libzmq  # noqa: E402  (the draft-enabled libzmq: zmq.h and the reference library)
import run as libzmq_suite  # noqa: E402  (fetch_deb_source and the cache root)

# Debian bookworm's source of python3-zmq 24.0.1-4+b1, the binding the project installs: its
# tests are the ones Debian's binary ships, and bookworm's cython3 (0.29) compiles it.
PACKAGE, VERSION, UPSTREAM_VERSION = "pyzmq", "24.0.1-4", "24.0.1"
UPSTREAM_TAG = f"v{UPSTREAM_VERSION}"
SOURCE_ENV = "ZLAB_PYZMQ_SOURCE"
# Bumped when the recipe below changes in a way the key does not show.
RECIPE = "1"
ROOT_DIR = libzmq_suite.CACHE.parent / "pyzmq-draft"
# A built tree has these (the draft API lives in socket and message).
EXTENSIONS = ("socket", "message", "context", "utils", "_poll")


class Unavailable(Exception):
    """pyzmq's source could not be had: the reason is the message."""


def log(msg):
    print(f"pyzmq-draft: {msg}", file=sys.stderr, flush=True)


def tree_path(libzmq_prefix):
    key = hashlib.sha256(" ".join((VERSION, RECIPE, libzmq_prefix.name)).encode())
    return ROOT_DIR / f"{VERSION}-{key.hexdigest()[:12]}"


def is_built(tree):
    ext_dir = tree / "zmq" / "backend" / "cython"
    return (tree / ".complete").exists() and all(
        any(ext_dir.glob(f"{name}.cpython-*.so")) for name in EXTENSIONS)


def source_version(tree):
    """The version a pyzmq tree says it is (`__version__` in zmq/sugar/version.py), or None."""
    version_py = tree / "zmq" / "sugar" / "version.py"
    if not version_py.exists():
        return None
    match = re.search(r'^__version__[^=]*=\s*"([^"]+)"', version_py.read_text(), re.M)
    return match.group(1) if match else None


def source_from_env(dest):
    """Copies ZLAB_PYZMQ_SOURCE (a git repository with tag v24.0.1, or a 24.0.1 tree) to dest."""
    given = Path(os.environ[SOURCE_ENV]).expanduser()
    is_git = subprocess.run(["git", "-C", str(given), "rev-parse", "--verify", "-q",
                             f"{UPSTREAM_TAG}^{{commit}}"], capture_output=True).returncode == 0
    if is_git:
        dest.mkdir(parents=True)
        archive = dest.parent / "pyzmq.tar"
        subprocess.run(["git", "-C", str(given), "archive", "-o", str(archive), UPSTREAM_TAG],
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(dest)
        archive.unlink()
        origin = f"{given} at git tag {UPSTREAM_TAG}"
    elif (given / "setup.py").exists():
        shutil.copytree(given, dest, ignore=shutil.ignore_patterns(".git", "build"))
        origin = str(given)
    else:
        raise Unavailable(f"{SOURCE_ENV}={given} is neither a git repository with tag "
                          f"{UPSTREAM_TAG} nor a pyzmq source tree")
    found = source_version(dest)
    if found != UPSTREAM_VERSION:
        raise Unavailable(f"{SOURCE_ENV}={given} is pyzmq {found}, not {UPSTREAM_VERSION}")
    return f"upstream pyzmq {UPSTREAM_VERSION} from {origin}"


def fetch_source(dest):
    """Unpacks pyzmq's source into dest; returns where it came from (or raises Unavailable)."""
    try:
        libzmq_suite.fetch_deb_source(PACKAGE, VERSION, dest)
        return f"Debian source package {PACKAGE} {VERSION}"
    except subprocess.CalledProcessError as err:
        debian_error = f"apt-get source {PACKAGE}={VERSION} failed (exit {err.returncode})"
    except StopIteration:
        debian_error = f"apt-get source {PACKAGE}={VERSION} fetched no .dsc"
    if not os.environ.get(SOURCE_ENV):
        raise Unavailable(f"{debian_error}, and {SOURCE_ENV} is not set (see "
                          "engine/api/pyzmq_suite/README.md)")
    log(f"{debian_error}; using {SOURCE_ENV}")
    return source_from_env(dest)


def setup_cfg(libzmq_prefix):
    # skip_check_zmq and have_sys_un_h: pyzmq 24's `configure` probes compile test programs
    # through an API Debian 12's setuptools changed (it stops with "'<' not supported between
    # instances of 'str' and 'int'" and falls back on a bundled libzmq it may not build). The
    # prefix is the draft libzmq 4.3.4 built here, so there is nothing to detect.
    return ("[global]\n"
            f"zmq_prefix = {libzmq_prefix}\n"
            "skip_check_zmq = True\n"
            "have_sys_un_h = True\n")


def run_step(cmd, cwd, logfile, env=None):
    draft_libzmq.run_step(cmd, cwd, logfile, env, tool="pyzmq-draft")


def build(tree, libzmq_prefix, quiet):
    """Builds into a staging folder and moves the finished tree into place in one rename."""
    if shutil.which("cython3") is None:
        raise SystemExit("pyzmq-draft: cython3 is missing: run ./zlab setup")
    ROOT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=ROOT_DIR))
    logfile = ROOT_DIR / f"{tree.name}.log"
    start = time.monotonic()
    try:
        staged = work / "src"
        origin = fetch_source(staged)
        logfile.write_text(f"{origin}, ZMQ_DRAFT_API=1, libzmq {libzmq_prefix}\n")
        (staged / "setup.cfg").write_text(setup_cfg(libzmq_prefix))
        env = dict(os.environ, ZMQ_DRAFT_API="1")
        env.pop("LD_LIBRARY_PATH", None)
        if not quiet:
            log(f"building {origin} with the draft API (log {logfile})")
        # nice: the build shares two cores with everything else a developer runs.
        run_step(["nice", "-n", "19", "/usr/bin/python3", "setup.py", "build_ext", "--inplace"],
                 staged, logfile, env)
        shutil.rmtree(staged / "build", ignore_errors=True)  # objects, kept in place as .so
        (staged / ".complete").write_text(
            f"{origin}\nZMQ_DRAFT_API=1 against {libzmq_prefix}\n"
            f"built in {time.monotonic() - start:.0f} s\n")
        if tree.exists():  # a half-made tree from an interrupted run
            shutil.rmtree(tree)
        staged.rename(tree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"built {tree} in {time.monotonic() - start:.0f} s")


def ensure(quiet=False):
    """The built tree (PYTHONPATH) of the draft pyzmq, built first when missing; raises
    Unavailable when its source cannot be had."""
    libzmq_prefix = draft_libzmq.ensure(quiet)
    tree = tree_path(libzmq_prefix)
    return draft_libzmq.build_once(ROOT_DIR, tree, is_built,
                                   lambda: build(tree, libzmq_prefix, quiet))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--print-tree", action="store_true", help="print the built tree on stdout")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--if-available", action="store_true",
                    help="when pyzmq's source cannot be had, say why and exit 0")
    args = ap.parse_args(argv)
    try:
        tree = ensure(args.quiet)
    except Unavailable as err:
        log(f"not built: {err}")
        return 0 if args.if_available else 1
    if args.print_tree:
        print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
