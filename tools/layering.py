#!/usr/bin/python3
"""The layering rules of the tree, as data, and a checker for them.

Two kinds of rule:
  * which of our top-level folders a folder may include from or depend on (DEPENDS_ON);
  * what the sans-I/O core of the engine may never touch (SANS_IO_*): OS, clock, thread and
    randomness headers or calls. The core is handed bytes and `now`; it never fetches them.
Run as a script to check the tree; tools/layering_test.py shows each rule firing.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Top-level folder -> our folders it may use (itself always allowed).
DEPENDS_ON = {
    "engine": set(),
    # sim/pcap writes captures of simulated runs with pcap/'s writer and TCP synthesizer.
    "sim": {"engine", "pcap"},
    "conformance": {"engine", "sim"},
    # The pcapng writer and TCP synthesizer are plain formats: they know nothing of a run.
    "pcap": set(),
    "dissector": set(),
    "bench": {"engine", "sim", "conformance"},
    "tools": {"engine", "sim", "conformance", "pcap"},
    # The fuzzer drives the engine's parsers and sockets, in the simulator too, and writes pcapng.
    "fuzz": {"engine", "sim", "pcap"},
}
OUR_FOLDERS = set(DEPENDS_ON) | {"reports"}

# Folders under engine/ that form the sans-I/O core.
SANS_IO_DIRS = ("engine/base/", "engine/wire/", "engine/proto/", "engine/sockets/",
                "engine/driver/")
# The driver interface may be *used* by sim, but the real driver is engine-internal.
ENGINE_INTERNAL_FOR_SIM = ("engine/real/", "engine/api/")

SANS_IO_BANNED_HEADERS = re.compile(
    r"^(sys/.*|unistd\.h|fcntl\.h|poll\.h|netdb\.h|netinet/.*|arpa/.*|signal\.h|pthread\.h|"
    r"time\.h|ctime|chrono|thread|mutex|shared_mutex|condition_variable|future|semaphore|"
    r"stop_token|random|sys/epoll\.h|linux/.*)$")
SANS_IO_BANNED_CALLS = re.compile(
    r"\b(steady_clock|system_clock|high_resolution_clock|clock_gettime|gettimeofday|"
    r"epoll_\w+|std::rand|srand|getpid|usleep|nanosleep|sleep_for|sleep_until|"
    # libsodium's CSPRNG: security mechanisms take random bytes from the driver instead.
    r"randombytes\w*|sodium_init|crypto_box_keypair)\b")

# The reference libzmq is a test peer only: its label may appear only in peer/interop folders
# (and conformance/agents/, whose libzmq agent is built outside Bazel against the system zmq.h).
LIBZMQ_LABEL = "@system_libzmq"
LIBZMQ_ALLOWED = re.compile(r"(^|/)(interop|peers|agents)/")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
LABEL_RE = re.compile(r'"(//[A-Za-z0-9_/.-]*|@[A-Za-z0-9_]+//[^"]*)')
CPP_SUFFIXES = {".cc", ".h", ".c", ".hpp", ".cpp"}
SKIP_DIRS = {"third_party", ".git", "out", "bazel-bin", "bazel-out", "bazel-testlogs"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self):
        return f"{self.path}:{self.line}: [{self.rule}] {self.detail}"


def _strip_comment(line):
    return line.split("//", 1)[0]


def _folder_of(rel):
    return rel.split("/", 1)[0]


def check_cpp(rel, text):
    out = []
    folder = _folder_of(rel)
    sans_io = rel.startswith(SANS_IO_DIRS)
    allowed = DEPENDS_ON.get(folder, set()) | {folder}
    for n, line in enumerate(text.splitlines(), 1):
        m = INCLUDE_RE.match(line)
        if m:
            inc = m.group(1)
            top = inc.split("/", 1)[0]
            if "/" in inc and top in OUR_FOLDERS and top not in allowed:
                out.append(Violation(rel, n, "depends-on", f"{folder}/ may not include {inc}"))
            if folder == "sim" and inc.startswith(ENGINE_INTERNAL_FOR_SIM):
                out.append(Violation(rel, n, "depends-on",
                                     f"sim/ uses the engine's driver interface, not {inc}"))
            if sans_io and (SANS_IO_BANNED_HEADERS.match(inc) or inc.startswith(("engine/real/", "engine/api/"))):
                out.append(Violation(rel, n, "sans-io", f"the engine core may not include <{inc}>"))
            if inc == "zmq.h" and folder != "engine" and not LIBZMQ_ALLOWED.search(rel):
                out.append(Violation(rel, n, "libzmq", "only interop peers include the system zmq.h"))
        elif sans_io:
            m = SANS_IO_BANNED_CALLS.search(_strip_comment(line))
            if m:
                out.append(Violation(rel, n, "sans-io", f"the engine core may not call {m.group(1)}"))
    return out


def check_build(rel, text):
    out = []
    folder = _folder_of(rel)
    allowed = DEPENDS_ON.get(folder, set()) | {folder}
    for n, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        for label in LABEL_RE.findall(code):
            if label.startswith(LIBZMQ_LABEL) and not LIBZMQ_ALLOWED.search(rel):
                out.append(Violation(rel, n, "libzmq",
                                     "the reference libzmq is a test peer: only interop/ or peers/ may use it"))
            if label.startswith("//"):
                top = label[2:].split("/", 1)[0].split(":", 1)[0]
                if top in OUR_FOLDERS and top not in allowed:
                    out.append(Violation(rel, n, "depends-on", f"{folder}/ may not depend on {label}"))
                if folder == "sim" and label.startswith(("//engine/real", "//engine/api")):
                    out.append(Violation(rel, n, "depends-on",
                                         f"sim/ uses the engine's driver interface, not {label}"))
    return out


def iter_files(root):
    for path in sorted(Path(root).rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/", 1)[0] in SKIP_DIRS or not path.is_file():
            continue
        yield rel, path


def check_tree(root):
    violations = []
    for rel, path in iter_files(root):
        if _folder_of(rel) not in OUR_FOLDERS:
            continue
        if path.suffix in CPP_SUFFIXES:
            violations += check_cpp(rel, path.read_text(encoding="utf-8", errors="replace"))
        elif path.name in ("BUILD", "BUILD.bazel") or path.suffix == ".bzl":
            violations += check_build(rel, path.read_text(encoding="utf-8", errors="replace"))
    return violations


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    violations = check_tree(root)
    for v in violations:
        print(v)
    print(f"layering: {len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
