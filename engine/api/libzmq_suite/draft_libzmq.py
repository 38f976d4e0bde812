#!/usr/bin/python3
"""A draft-enabled libzmq 4.3.4: the reference peer for the draft socket types.

  engine/api/libzmq_suite/draft_libzmq.py [--print-prefix] [--quiet]

Debian's libzmq5 is built without drafts, so it has no CLIENT, SERVER, RADIO, DISH, SCATTER,
GATHER, PEER or CHANNEL, no zmq_poller and no zmq_join. This builds Debian's own source package
(zeromq3 4.3.4-6, fetched by run.py's fetch_source into ~/.cache/zlab/libzmq-suite) with
Debian's configure flags plus --enable-drafts, and installs it into a cached prefix:

  ~/.cache/zlab/libzmq-draft/<version>-<key>/{lib/libzmq.so.5, include/zmq.h}

The key hashes the version and the configure flags, so the prefix is rebuilt only when one of
them changes (or the prefix is missing). Only the library is built (no docs, no perf tools, no
tests); `make -j2`. Nothing of libzmq is committed and nothing of it reaches zlab: the prefix is
used as a peer (conformance agent, interop tests, libzmq's own draft tests).

Debian's flags kept: --with-libsodium (CURVE through libsodium, as Debian's), --disable-Werror.
Left out: --with-pgm, --with-norm, --with-libgssapi_krb5: transports and a mechanism zlab does
not have, whose -dev packages the project does not install; they do not touch the draft types.
"""
import argparse
import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as suite  # noqa: E402  (fetch_source, the cache and the pinned version)

# Debian's override_dh_auto_configure, without pgm/norm/gssapi (see above), plus drafts, and
# the switches that skip what a peer does not need (docs need asciidoc/xmlto; perf and
# curve_keygen are programs; a static archive doubles the compile).
CONFIGURE_FLAGS = ("--enable-drafts", "--with-libsodium", "--disable-Werror", "--without-docs",
                   "--disable-perf", "--disable-curve-keygen", "--disable-static")
# Bumped when the recipe below changes in a way the flags do not show.
RECIPE = "1"
ROOT_DIR = suite.CACHE.parent / "libzmq-draft"
MAKE_JOBS = 2


def log(msg):
    print(f"libzmq-draft: {msg}", file=sys.stderr, flush=True)


def prefix_path():
    key = hashlib.sha256(" ".join((suite.VERSION, RECIPE) + CONFIGURE_FLAGS).encode())
    return ROOT_DIR / f"{suite.VERSION}-{key.hexdigest()[:12]}"


def is_built(prefix):
    return (prefix / ".complete").exists() and (prefix / "lib" / "libzmq.so.5").exists()


def run_step(cmd, cwd, logfile, env=None, tool="libzmq-draft"):
    """One build step, its output appended to logfile; a failure stops with the log's tail."""
    with open(logfile, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        rc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                            env=env).returncode
    if rc != 0:
        tail = Path(logfile).read_text(errors="replace").splitlines()[-25:]
        raise SystemExit(f"{tool}: `{' '.join(cmd)}` failed (exit {rc}); log {logfile}:\n"
                         + "\n".join(tail))


def build_once(root_dir, target, is_built, build):
    """target, built by build() when is_built(target) is false; one build at a time across
    processes (a second caller waits on root_dir/.lock and then finds it made)."""
    if is_built(target):
        return target
    root_dir.mkdir(parents=True, exist_ok=True)
    with open(root_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_built(target):
            build()
    return target


def missing_tools():
    return [t for t in ("autoreconf", "libtoolize", "automake", "make", "g++", "pkg-config")
            if shutil.which(t) is None]


def build(prefix, quiet):
    """Builds into a staging folder and moves the finished prefix into place in one rename."""
    missing = missing_tools()
    if missing:
        raise SystemExit(f"libzmq-draft: missing {' '.join(missing)}: run ./zlab setup "
                         "(autoconf automake libtool)")
    src = suite.fetch_source()
    ROOT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=ROOT_DIR))
    logfile = ROOT_DIR / f"{prefix.name}.log"
    logfile.write_text(f"zeromq3 {suite.VERSION} with {' '.join(CONFIGURE_FLAGS)}\n")
    start = time.monotonic()
    try:
        tree = work / "src"
        # A copy: autoreconf and configure write into the tree, and run.py reads the tests
        # from the shared one.
        shutil.copytree(src, tree, ignore=shutil.ignore_patterns("debian", ".pc"))
        steps = [
            ["autoreconf", "-fi"],
            ["./configure", f"--prefix={prefix}", *CONFIGURE_FLAGS],
            ["make", f"-j{MAKE_JOBS}", "src/libzmq.la"],
            ["make", "install-libLTLIBRARIES", "install-includeHEADERS", "install-pkgconfigDATA",
             f"DESTDIR={work / 'stage'}"],
        ]
        for cmd in steps:
            if not quiet:
                log(f"{time.monotonic() - start:5.0f} s: {' '.join(cmd)[:100]}")
            run_step(cmd, tree, logfile)
        staged = work / "stage" / prefix.relative_to("/")
        (staged / ".complete").write_text(
            f"zeromq3 {suite.VERSION}\n{' '.join(CONFIGURE_FLAGS)}\n"
            f"built in {time.monotonic() - start:.0f} s\n")
        if prefix.exists():  # a half-made prefix from an interrupted run
            shutil.rmtree(prefix)
        staged.rename(prefix)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"built {prefix} in {time.monotonic() - start:.0f} s (log {logfile})")


def ensure(quiet=False):
    """The prefix of the draft-enabled libzmq, built first when missing."""
    prefix = prefix_path()
    return build_once(ROOT_DIR, prefix, is_built, lambda: build(prefix, quiet))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--print-prefix", action="store_true", help="print the prefix on stdout")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    args = ap.parse_args(argv)
    prefix = ensure(args.quiet)
    if args.print_prefix:
        print(prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
