"""The Python test tree has no __init__.py files, so pytest imports each test file by its bare
name: two files with one name in different folders break collection of the whole run (CI saw
`import file mismatch` for fuzz/ and dissector/ `live_test.py`, and ran no Python test)."""

import collections
import configparser
import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_test_files_have_unique_names():
    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini")
    paths = ini["pytest"]["testpaths"].split()
    patterns = ini["pytest"]["python_files"].split()
    seen = collections.defaultdict(list)
    for top in paths:
        for f in (ROOT / top).rglob("*.py"):
            if any(fnmatch.fnmatch(f.name, p) for p in patterns):
                seen[f.name].append(str(f.relative_to(ROOT)))
    assert paths and seen
    clashes = {name: where for name, where in seen.items() if len(where) > 1}
    assert not clashes, clashes
