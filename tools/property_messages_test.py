"""Bare flag assertions in conformance properties are refused; comparisons and EXPECT_RULE
pass; the real tree has none."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import property_messages  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_tree_has_no_bare_assertions():
    assert property_messages.check_tree(ROOT) == []


# Lines of the tree before EXPECT_RULE (session 8).
@pytest.mark.parametrize("line", [
    "      RC_ASSERT(!ok);\n",
    "      RC_ASSERT(ok);  // queued for the peer to come\n",
    "    RC_ASSERT(got.has_value());\n",
    "  RC_ASSERT(!log->requests.empty());\n",
    "  RC_ASSERT(w.open());\n",
    "          RC_ASSERT(st.s->rcvmore());\n",
    "    if (pollout) RC_ASSERT(any);\n",
])
def test_a_bare_assertion_is_refused(line):
    found = property_messages.check_text("conformance/properties/x.cc", line)
    assert len(found) == 1 and "x.cc:1:" in found[0], found


@pytest.mark.parametrize("line", [
    "  RC_ASSERT(got.size() == sent.size());\n",
    "  RC_ASSERT(err != Err::kOk);\n",
    "  RC_ASSERT(lab.send(s, {\"m\"}));\n",
    '  EXPECT_RULE(got.has_value(), "message " << j << " at the hub");\n',
    "  // RC_ASSERT(ok) in a comment\n",
])
def test_comparisons_calls_and_explained_checks_pass(line):
    assert property_messages.check_text("conformance/properties/x.cc", line) == []


def test_a_tree_with_one_is_reported(tmp_path):
    folder = tmp_path / "conformance/properties"
    folder.mkdir(parents=True)
    (folder / "rules_x.cc").write_text("void f() {\n  RC_ASSERT(done);\n}\n")
    assert property_messages.main([str(tmp_path)]) == 1
