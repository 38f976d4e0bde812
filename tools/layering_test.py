"""The layering rules hold on the real tree, and each rule fires when violated."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import layering  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_tree_has_no_violations():
    assert layering.check_tree(ROOT) == []


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


@pytest.mark.parametrize("rel,text,rule", [
    ("engine/wire/codec.cc", "#include <sys/socket.h>\n", "sans-io"),
    ("engine/wire/codec.cc", "#include <unistd.h>\n", "sans-io"),
    ("engine/proto/conn.cc", "#include <thread>\n", "sans-io"),
    ("engine/sockets/pipe.h", "#include <chrono>\n", "sans-io"),
    ("engine/sockets/pipe.cc", "auto t = std::chrono::steady_clock::now();\n", "sans-io"),
    ("engine/proto/conn.cc", "int fd = epoll_create1(0);\n", "sans-io"),
    ("engine/proto/curve.cc", "randombytes_buf(key, 32);\n", "sans-io"),
    ("engine/proto/conn.cc", '#include "sim/world.h"\n', "depends-on"),
    ("engine/proto/conn.cc", '#include "engine/real/epoll.h"\n', "sans-io"),
    ("engine/real/driver.cc", '#include "sim/world.h"\n', "depends-on"),
    ("sim/net.cc", '#include "engine/real/epoll_driver.h"\n', "depends-on"),
    ("sim/net.cc", '#include "conformance/spec.h"\n', "depends-on"),
    ("dissector/packet-zlab.c", '#include "engine/wire/frame.h"\n', "depends-on"),
    ("engine/BUILD", 'cc_library(name="x", deps=["//sim:world"])\n', "depends-on"),
    ("engine/BUILD", 'cc_library(name="x", deps=["@system_libzmq//:libzmq"])\n', "libzmq"),
    ("sim/BUILD", 'cc_library(name="x", deps=["//engine/real:driver"])\n', "depends-on"),
])
def test_each_rule_fires(tmp_path, rel, text, rule):
    write(tmp_path, rel, text)
    found = layering.check_tree(tmp_path)
    assert [v.rule for v in found] == [rule], found


@pytest.mark.parametrize("rel,text", [
    ("engine/real/epoll.cc", "#include <sys/epoll.h>\n#include <thread>\n"),
    ("engine/wire/codec.cc", "#include <cstdint>\n#include \"engine/base/bytes.h\"\n"),
    ("sim/net.cc", '#include "engine/driver/driver.h"\n'),
    ("engine/interop/BUILD", 'cc_binary(name="peer", deps=["@system_libzmq//:libzmq"])\n'),
    ("engine/proto/conn.cc", "// steady_clock is never read here\n"),
])
def test_allowed_code_passes(tmp_path, rel, text):
    write(tmp_path, rel, text)
    assert layering.check_tree(tmp_path) == []
