"""Our C/C++ sources are clang-formatted, and the check catches a file that is not."""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import format_check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_tree_is_formatted():
    bad = format_check.unformatted(ROOT)
    assert bad == [], f"run ./zlab format: {bad}"


def test_check_catches_unformatted_file(tmp_path):
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    good = tmp_path / "good.cc"
    good.write_text("int f(int a) { return a + 1; }\n")
    bad = tmp_path / "bad.cc"
    bad.write_text("int   f( int a ){return a+1;}\n")
    assert format_check.unformatted(tmp_path, [good, bad]) == [bad]
