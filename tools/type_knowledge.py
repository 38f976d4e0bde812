#!/usr/bin/python3
"""Per-type behaviour lives in the socket type's own class, and nowhere else in the engine.

A socket type's behaviour (which READY properties it sends, which commands it sends and takes,
its transports, its ZMQ_LINGER default, a raw connection...) is declared by its class under
engine/sockets/types/ (its SocketTraits, sockets/socket_traits.h) and the socket table
(engine/base/socket_type.cc). Engine code elsewhere asks those, never "is this a SUB?": so a new
type is declared in one place. This check fails when engine code outside them names a specific
socket type (`SocketType::kSub`), except a short allowlist of sites that *create* a socket of a
given type, each with why. Tests and test helpers may name types freely.
The conformance side keeps the same rule for the helpers every property shares: the shared
helpers (conformance/properties/common.*) and the wire rules (rules_wire.cc, which run one body
for every type they apply to) read a type's facts from the spec table (spec_table.h) and its
row in conformance/properties/type_letters.cc, and name no type: so a new type adds a row.
Run as a script to check the tree; tools/type_knowledge_test.py shows the rule firing.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Where naming a type is the point: the type classes and the socket table.
TYPE_HOMES = ("engine/sockets/types/", "engine/base/socket_type.")
# Tests and test-only helpers play socket types by name.
TEST_FILE = re.compile(r"(_test\.(cc|h)|_test_util\.h)$|/testing/")

# (file, type named) -> why that site may name it. Only sites that create a socket of a type.
ALLOWED = {
    ("engine/api/monitor.cc", "kPair"):
        "zmq_socket_monitor(3) creates the monitor's PAIR socket",
    ("engine/real/zap_agent.cc", "kDealer"):
        "the ZAP agent creates its DEALER to the handler at inproc://zeromq.zap.01 (rfc 27)",
}

TYPE_NAME = re.compile(r"\bSocketType::(k[A-Z]\w*)")
# The same question in other spellings: a type by its wire name, or by its number.
TYPE_NAMES = ("PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB",
              "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM",
              "PEER", "CHANNEL")
OTHER_SPELLINGS = re.compile(r'"(?:' + "|".join(TYPE_NAMES) + r')"|\bSocketType\s*[({]\s*\d')
CPP_SUFFIXES = {".cc", ".h", ".c", ".hpp", ".cpp"}
# Conformance code that runs one body for every type it is given: it names none.
CONFORMANCE_SHARED = ("conformance/properties/common.", "conformance/properties/rules_wire.cc")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    detail: str

    def __str__(self):
        return f"{self.path}:{self.line}: [type-knowledge] {self.detail}"


def _strip_comment(line):
    return line.split("//", 1)[0]


def in_scope(rel):
    if rel.startswith(CONFORMANCE_SHARED):
        return True
    return (rel.startswith("engine/") and not rel.startswith(TYPE_HOMES)
            and not TEST_FILE.search(rel))


def home_of(rel):
    if rel.startswith("conformance/"):
        return "the type's row (conformance/properties/type_letters.cc, the spec table)"
    return "the type's class (engine/sockets/types/, SocketTraits)"


def check_cpp(rel, text):
    if not in_scope(rel):
        return []
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        for name in TYPE_NAME.findall(_strip_comment(line)):
            if (rel, name) in ALLOWED:
                continue
            out.append(Violation(rel, n, f"names SocketType::{name}: per-type behaviour belongs "
                                         f"in {home_of(rel)}"))
        m = OTHER_SPELLINGS.search(_strip_comment(line))
        if m:
            out.append(Violation(rel, n, f"names a socket type ({m.group(0)}): per-type behaviour "
                                         f"belongs in {home_of(rel)}"))
    return out


def check_tree(root):
    root = Path(root)
    violations = []
    paths = []
    for top in ("engine", "conformance/properties"):
        paths += sorted((root / top).rglob("*")) if (root / top).is_dir() else []
    for path in paths:
        if not path.is_file() or path.suffix not in CPP_SUFFIXES:
            continue
        rel = path.relative_to(root).as_posix()
        violations += check_cpp(rel, path.read_text(encoding="utf-8", errors="replace"))
    return violations


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    violations = check_tree(root)
    for v in violations:
        print(v)
    print(f"type knowledge: {len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
