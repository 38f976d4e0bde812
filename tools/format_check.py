#!/usr/bin/python3
"""clang-format check (or fix, with --fix) over our C/C++ sources, per the root .clang-format."""

import subprocess
import sys
from pathlib import Path

FOLDERS = ("engine", "sim", "conformance", "pcap", "dissector", "bench", "tools")
SUFFIXES = {".cc", ".h", ".c", ".hpp", ".cpp"}


def sources(root):
    for folder in FOLDERS:
        base = Path(root) / folder
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def unformatted(root, files=None):
    """Returns the files clang-format would change (style from the .clang-format above them)."""
    bad = []
    for path in files if files is not None else sources(root):
        r = subprocess.run(["clang-format", "--dry-run", "--Werror", str(path)],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            bad.append(path)
    return bad


def main(argv):
    root = Path(__file__).resolve().parent.parent
    if "--fix" in argv:
        for path in sources(root):
            subprocess.run(["clang-format", "-i", str(path)], check=True)
        return 0
    bad = unformatted(root)
    for path in bad:
        print(f"not clang-formatted: {path.relative_to(root)} (run ./zlab format)")
    print(f"format: {len(bad)} file(s) need formatting")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
