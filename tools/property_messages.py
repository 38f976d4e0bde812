#!/usr/bin/python3
"""A conformance property's failure says what was expected, with the values that matter named.

RapidCheck prints a failed `RC_ASSERT(expr)` as the expression and its expansion: for a
comparison (`RC_ASSERT(got.size() == sent.size())` -> "3 == 5") that names the values, but for
a bare flag or presence test (`RC_ASSERT(!ok)`, `RC_ASSERT(reply.has_value())`) it says only
"false". Those are written `EXPECT_RULE(cond, "what was expected" << values)` (common.h). This
check refuses a bare one in conformance/properties/; tools/property_messages_test.py shows it
firing. Run as a script to check the tree.
"""

import re
import sys
from pathlib import Path

# A flag, a member flag, or a no-argument call such as has_value(), empty(), open(), ok().
BARE = re.compile(r"\bRC_ASSERT\(\s*!?\s*[A-Za-z_][\w.>-]*(?:\(\s*\))?\s*\)")
FOLDER = "conformance/properties"


def check_text(rel, text):
    """'path:line: ...' for each bare assertion in one file's text."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0]
        for m in BARE.finditer(code):
            out.append(f"{rel}:{number}: [property-messages] {m.group(0)} says only 'false' when "
                       "it fails: write EXPECT_RULE(cond, \"what was expected\" << values)")
    return out


def check_tree(root):
    root = Path(root)
    out = []
    for path in sorted((root / FOLDER).glob("*.cc")) + sorted((root / FOLDER).glob("*.h")):
        out += check_text(str(path.relative_to(root)), path.read_text())
    return out


def main(argv):
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    found = check_tree(root)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
