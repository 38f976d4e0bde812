"""Only the type classes and the socket table name socket types: the real tree passes, each
way of asking a socket's type outside them fails, and the allowed sites pass."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import type_knowledge  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_tree_has_no_violations():
    assert type_knowledge.check_tree(ROOT) == []


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


# What the engine did before the types declared their traits (each line from the old tree).
@pytest.mark.parametrize("rel,text", [
    ("engine/proto/zmtp_connection.cc",
     "bool is_publisher(SocketType t) { return t == SocketType::kPub || t == SocketType::kXPub; }\n"),
    ("engine/sockets/socket_core.cc",
     "  if (type == SocketType::kSub || type == SocketType::kXSub) options_.linger_ms = 0;\n"),
    ("engine/sockets/socket_core.cc", "  if (type_ == SocketType::kStream) {\n"),
    ("engine/api/proxy.cc",
     "  if (control.type() == zlab::SocketType::kRep) return send_part(control, nullptr, 0, false);\n"),
    ("engine/sockets/inproc_link.h",
     "  SocketType types_[2] = {SocketType::kPair, SocketType::kPair};\n"),
    # The same question spelled otherwise.
    ("engine/proto/conn.cc", 'if (socket_type_info(t).name == "SUB") {}\n'),
    ("engine/real/socket.cc", "if (type_ == SocketType(11)) {}\n"),
    # An allowed type named at a site the allowlist does not name.
    ("engine/api/monitor.cc", "auto s = create_engine_socket(ctx, SocketType::kDealer, &err);\n"),
    # The conformance helpers' switches before they read type_letters.cc (the old tree's lines).
    ("conformance/properties/common.cc",
     "  if (type == SocketType::kSub) s->set_bytes(opt::kSubscribe, \"\");\n"),
    ("conformance/properties/common.cc", "    case SocketType::kRouter:\n"),
    ("conformance/properties/common.h", "inline bool is_router(SocketType t) { return t == SocketType::kRouter; }\n"),
    ("conformance/properties/rules_wire.cc",
     "bool is_publisher(SocketType t) { return t == SocketType::kPub || t == SocketType::kXPub; }\n"),
    ("conformance/properties/rules_wire.cc",
     "    Parts parts = t == SocketType::kRep ? Parts{\"\", body} : Parts{body};\n"),
])
def test_asking_a_type_outside_its_class_fails(tmp_path, rel, text):
    write(tmp_path, rel, text)
    found = type_knowledge.check_tree(tmp_path)
    assert found and all(v.path == rel for v in found), found


@pytest.mark.parametrize("rel,text", [
    ("engine/sockets/types/pubsub.cc", "case SocketType::kSub: return 0;\n"),
    ("engine/base/socket_type.cc", "{T::kPair, \"PAIR\", 0},\n"),
    ("engine/sockets/pubsub_test.cc", "net.socket(SocketType::kSub);\n"),
    ("engine/proto/connection_test_util.h", "case SocketType::kReq: break;\n"),
    ("engine/sockets/testing/loopback_net.cc", "SocketType t = SocketType::kPair;\n"),
    ("engine/api/monitor.cc", "auto s = create_engine_socket(ctx, SocketType::kPair, &err);\n"),
    ("engine/real/zap_agent.cc", "auto dealer = ctx_.create_socket(SocketType::kDealer, &err);\n"),
    ("engine/proto/conn.cc", "// unlike SocketType::kSub, which is a comment here\n"),
    ("engine/proto/conn.cc", 'own.emplace_back("Socket-Type", name);\n'),
    ("sim/socket.cc", "if (t == SocketType::kSub) {}\n"),  # outside engine/: not this rule's
    # A property of one type's rule, and the conformance table of types, name types.
    ("conformance/properties/rules_router.cc", "Sock* r = lab.socket(0, SocketType::kRouter);\n"),
    ("conformance/properties/type_letters.cc", "  {SocketType::kPair, {E::kNone}},\n"),
])
def test_allowed_code_passes(tmp_path, rel, text):
    write(tmp_path, rel, text)
    assert type_knowledge.check_tree(tmp_path) == []


def test_every_allowlist_entry_names_a_site_that_still_exists():
    for (rel, name), why in type_knowledge.ALLOWED.items():
        assert why, rel
        text = (ROOT / rel).read_text()
        assert f"SocketType::{name}" in text, f"{rel} no longer names {name}: drop the entry"


def test_script_exit_status(tmp_path):
    write(tmp_path, "engine/proto/conn.cc", "if (t == SocketType::kSub) {}\n")
    script = str(Path(type_knowledge.__file__))
    bad = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "SocketType::kSub" in bad.stdout
    good = subprocess.run([sys.executable, script, str(ROOT)], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
