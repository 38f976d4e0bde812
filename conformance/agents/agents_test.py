"""The agents speak the protocol of README.md, load their own library, and the matrix classifies
cells as the register says. Runs in seconds (pytest -q conformance/agents)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import impl_matrix  # noqa: E402
import impls  # noqa: E402


def session(command, lines):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    out = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True,
                         env=env, timeout=60, shell=isinstance(command, str)).stdout
    return out.splitlines()


# Every byte value, and the empty part: binary payloads must survive the hex encoding.
PAYLOAD = bytes(range(256)).hex()


def exchange(command, port):
    return session(command, [
        "hello", "socket PUSH", "socket PULL", "monitor 1", "setint 1 17 0", "setint 2 17 0",
        f"bind 2 tcp://127.0.0.1:{port}", f"connect 1 tcp://127.0.0.1:{port}",
        f"send 1 d {PAYLOAD} -", "recv 2 2000", "recv 2 0", "recv 2 0",
        "getint 1 16", "setbytes 1 6 61", "send 99 d -", "bogus 1", "drops 1", "term"])


def check_exchange(got, name):
    assert got[0].startswith(f"ok {name} ")
    assert got[1:3] == ["ok 1", "ok 2"]
    assert got[8] == "ok 2"                  # both parts taken
    assert got[9] == f"ok 1 {PAYLOAD}"      # first part, more follows, bytes intact
    assert got[10] == "ok 0 -"              # the empty last part
    assert got[11] == "err EAGAIN"          # nothing more
    assert got[12] == "ok 8"                # ZMQ_TYPE of a PUSH
    assert got[13] == "err EINVAL"          # ZMQ_SUBSCRIBE on a PUSH
    assert got[14] == "err ENOTSOCK"        # no such socket
    assert got[15] == "err EINVAL"          # no such request
    assert got[16] == "err ENOTSUP"         # no drop counter
    assert got[17] == "ok"


def test_libzmq_agent_protocol_and_library():
    if not impls.SYSTEM_ZMQ_H.exists():
        pytest.skip("libzmq3-dev is not installed")
    agent = str(impls.build_libzmq())
    got = exchange(agent, 45871)
    check_exchange(got, "libzmq")
    # The library it loaded is Debian's, never zlab's drop-in build.
    lib = got[0].split("lib=")[1]
    assert "bazel" not in lib and "zlab" not in lib and lib.endswith("libzmq.so.5")


def test_libzmq_agent_zap_handler():
    """zap/zappoll/zapreply: the runner answers the agent's ZAP requests (rfc 27); gets reads
    what the reply gave the connection."""
    if not impls.SYSTEM_ZMQ_H.exists():
        pytest.skip("libzmq3-dev is not installed")
    agent = str(impls.build_libzmq())
    h = lambda text: text.encode().hex()  # noqa: E731
    port = 45873
    got = session(agent, [
        "zappoll", "zap", "zap", "socket PULL", "socket PUSH", "setint 1 17 0", "setint 2 17 0",
        "setint 1 44 1", f"setbytes 2 45 {h('admin')}", f"setbytes 2 46 {h('pw')}",
        f"bind 1 tcp://127.0.0.1:{port}", f"connect 2 tcp://127.0.0.1:{port}",
        f"send 2 d {h('hi')}", "recv 1 500", "zappoll",
        # libzmq numbers its requests "1": the reply echoes it (checked below)
        f"zapreply {h('1.0')} {h('1')} {h('200')} - {h('joe')} -", "recv 1 2000",
        f"gets 1 {h('User-Id')}", f"gets 1 {h('Socket-Type')}", f"gets 1 {h('X-None')}",
        f"gets 2 {h('User-Id')}", "zappoll", "term"])
    assert got[0] == "err ENOTSOCK"       # no handler bound yet
    assert got[1:3] == ["ok", "ok"]       # binding twice is harmless
    assert got[13] == "err EAGAIN"        # PLAIN waits for the handler: nothing yet
    req = got[14].split()
    assert req[:2] == ["ok", "8"]         # version, id, domain, address, identity, mechanism, 2
    assert req[2] == h("1.0") and req[3] == h("1") and req[7] == h("PLAIN")
    assert req[8:] == [h("admin"), h("pw")]
    assert got[15] == "ok"
    assert got[16] == f"ok 0 {h('hi')}"   # admitted by the 200
    # gets: the properties of the part just received (zmq_msg_gets)
    assert got[17] == f"ok {h('joe')}"    # the handler's user id
    assert got[18] == f"ok {h('PUSH')}"   # the peer's READY
    assert got[19] == "err EINVAL"        # no such property
    assert got[20] == "err EINVAL"        # nothing received on that socket yet
    assert got[21] == "ok 0"              # nothing more waits
    assert got[22] == "ok"


def test_libzmq_draft_agent_protocol_and_library():
    """The same agent built against the draft-enabled libzmq: the classic exchange, on that
    library (its RPATH wins over LD_LIBRARY_PATH)."""
    agent = str(impls.build_libzmq_draft())
    got = exchange(f"LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu {agent}", 45874)
    check_exchange(got, "libzmq")
    assert "drafts=yes" in got[0].split()
    assert got[0].split("lib=")[1] == str(impls.draft_prefix() / "lib" / "libzmq.so.5")


def test_libzmq_draft_agent_draft_requests():
    """sendmsg/recvmsg carry routing ids and groups; join, leave, connectpeer; bad input is
    EINVAL (README "Draft requests")."""
    agent = str(impls.build_libzmq_draft())
    h = lambda text: text.encode().hex()  # noqa: E731
    port = 45875
    got = session(agent, [
        "socket SERVER", "socket CLIENT", f"bind 1 tcp://127.0.0.1:{port}",
        f"connect 2 tcp://127.0.0.1:{port}", f"sendmsg 2 - 0 - {h('ask')}", "recvmsg 1 2000",
        # 5: the SERVER answers by the routing id it got (filled in below)
        "socket DISH", "socket RADIO", f"join 3 {h('g')}", f"bind 3 tcp://127.0.0.1:{port + 1}",
        f"connect 4 tcp://127.0.0.1:{port + 1}",
        # 11: a group with a zero byte, malformed hex, a group longer than 255 bytes
        f"join 3 {h('a')}00", "join 3 xyz", f"join 3 {h('x' * 256)}",
        f"sendmsg 4 - 0 {h('a')}00 -", "sendmsg 4 - nan - -", f"leave 3 {h('nope')}",
        # 17: PEER: connectpeer gives the routing id to send to
        "socket PEER", "socket PEER", f"bind 5 tcp://127.0.0.1:{port + 2}",
        f"connectpeer 6 tcp://127.0.0.1:{port + 2}", "connectpeer 1 tcp://127.0.0.1:1",
        "socket BOGUS", "term"])
    assert got[0:5] == ["ok 1", "ok 2", "ok", "ok", "ok 1"]
    more, routing_id, group, body = got[5].split()[1:]
    assert (more, group, body) == ("0", "-", h("ask")) and int(routing_id) != 0
    assert got[6:11] == ["ok 3", "ok 4", "ok", "ok", "ok"]
    assert got[11:14] == ["err EINVAL"] * 3
    assert got[14:16] == ["err EINVAL 0"] * 2
    assert got[16] == "err EINVAL"  # leaving a group never joined
    assert got[17:20] == ["ok 5", "ok 6", "ok"]
    assert got[20].startswith("ok ") and int(got[20].split()[1]) != 0
    assert got[21] == "err ENOTSUP"  # zmq_connect_peer on a SERVER
    assert got[22] == "err EINVAL"


def test_libzmq_draft_agent_gets_after_recvmsg():
    """gets reads the part recvmsg took, as it reads recv's: a draft socket's properties are
    observable through the agent (the peer's Socket-Type from its READY)."""
    agent = str(impls.build_libzmq_draft())
    h = lambda text: text.encode().hex()  # noqa: E731
    port = 45880
    got = session(agent, [
        "socket SERVER", "socket CLIENT", "gets 1 " + h("Socket-Type"),
        f"bind 1 tcp://127.0.0.1:{port}", f"connect 2 tcp://127.0.0.1:{port}",
        f"sendmsg 2 - 0 - {h('ask')}", "recvmsg 1 2000", f"gets 1 {h('Socket-Type')}",
        f"gets 1 {h('X-None')}", f"sendmsg 2 - 0 - {h('again')}", "recv 1 2000",
        f"gets 1 {h('Socket-Type')}", "term"])
    assert got[2] == "err EINVAL"                   # nothing received yet
    assert got[6].startswith("ok 0 ") and got[6].endswith(h("ask"))
    assert got[7] == f"ok {h('CLIENT')}"            # the part recvmsg took
    assert got[8] == "err EINVAL"                   # no such property
    assert got[10] == f"ok 0 {h('again')}"
    assert got[11] == f"ok {h('CLIENT')}"           # and the part recv took
    assert got[12] == "ok"


def test_libzmq_draft_agent_routes_and_filters():
    """A reply reaches the CLIENT by its routing id; a DISH gets its group only."""
    agent = impls.build_libzmq_draft()
    h = lambda text: text.encode().hex()  # noqa: E731
    proc = subprocess.Popen([str(agent)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)

    def req(line):
        proc.stdin.write(line + "\n")
        return proc.stdout.readline().split()

    try:
        for line in ["socket SERVER", "socket CLIENT", "bind 1 tcp://127.0.0.1:45878",
                     "connect 2 tcp://127.0.0.1:45878", f"sendmsg 2 - 0 - {h('ask')}"]:
            assert req(line)[0] == "ok"
        got = req("recvmsg 1 5000")
        assert got[0] == "ok"
        assert req(f"sendmsg 1 - {got[2]} - {h('answer')}") == ["ok", "1"]
        assert req(f"sendmsg 1 - {int(got[2]) + 1} - {h('lost')}") == ["err", "EHOSTUNREACH", "0"]
        assert req("recvmsg 2 5000") == ["ok", "0", "0", "-", h("answer")]
        for line in ["socket DISH", "socket RADIO", f"join 3 {h('g')}",
                     "bind 3 tcp://127.0.0.1:45879", "connect 4 tcp://127.0.0.1:45879"]:
            assert req(line)[0] == "ok"
        for _ in range(100):  # the JOIN reaches the RADIO after the connection is up
            assert req(f"sendmsg 4 - 0 {h('other')} {h('no')}")[0] == "ok"
            assert req(f"sendmsg 4 - 0 {h('g')} {h('yes')}")[0] == "ok"
            got = req("recvmsg 3 100")
            if got[0] == "ok":
                break
        assert got == ["ok", "0", "0", h("g"), h("yes")]
        assert req(f"leave 3 {h('g')}") == ["ok"]
        assert req("term") == ["ok"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_the_debian_agent_has_no_draft_requests():
    if not impls.SYSTEM_ZMQ_H.exists():
        pytest.skip("libzmq3-dev is not installed")
    got = session(str(impls.build_libzmq()), ["hello", "socket SERVER", "socket PAIR",
                                               "sendmsg 1 - 0 - -", "join 1 61", "term"])
    assert "drafts=no" in got[0].split()
    assert got[1:] == ["err EINVAL", "ok 1", "err EINVAL", "err EINVAL", "ok"]


def test_jeromq_agent_protocol():
    if not impls.JEROMQ_JAR.exists() or shutil.which("javac") is None:
        pytest.skip("libjeromq-java or javac is not installed")
    command = impls.agent_spec("jeromq").split("=", 1)[1]
    check_exchange(exchange(command, 45872), "jeromq")


# sendn: one message several times back to back (the stale-credit probes' bursts); bad counts
# and bad hex send nothing.
SENDN = ["hello", "socket PUSH", "socket PULL", "setint 1 17 0", "setint 2 17 0",
         "bind 2 tcp://127.0.0.1:{port}", "connect 1 tcp://127.0.0.1:{port}",
         "sendn 1 - 3 61 -", *["recv 2 2000"] * 6, "recv 2 0",
         "sendn 1 - -1 61", "sendn 1 - x 61", "sendn 1 - 1000001 61", "sendn 1 - 2 6", "sendn 1 - 2",
         "sendn 1 -", "sendn 1 - 1 " + " ".join(["-"] * 65), "recv 2 200", "term"]


def check_sendn(got):
    assert got[7] == "ok 3"
    assert got[8:14] == ["ok 1 61", "ok 0 -"] * 3  # three whole copies, in order
    assert got[14] == "err EAGAIN"
    assert got[15:22] == ["err EINVAL 0"] * 7  # the last: 65 parts
    assert got[22] == "err EAGAIN"  # none of the bad requests sent anything
    assert got[23] == "ok"


def test_libzmq_agent_sendn():
    if not impls.SYSTEM_ZMQ_H.exists():
        pytest.skip("libzmq3-dev is not installed")
    check_sendn(session(str(impls.build_libzmq()), [l.format(port=45873) for l in SENDN]))


def test_jeromq_agent_sendn():
    if not impls.JEROMQ_JAR.exists() or shutil.which("javac") is None:
        pytest.skip("libjeromq-java or javac is not installed")
    command = impls.agent_spec("jeromq").split("=", 1)[1]
    check_sendn(session(command, [l.format(port=45874) for l in SENDN]))


def test_matrix_cells_follow_the_register():
    divs = [{"id": "div/x/y", "kind": "reference-differs", "affects": ["4.3:socket/PUB/mute"]},
            {"id": "div/j/k", "kind": "underspecified", "implementations": ["jeromq"],
             "affects": ["rule/REQ/a"]}]
    fail = {"rule": "socket/PUB/mute", "status": "FAIL", "failure": {"actual": "x", "replay": "r"}}
    assert impl_matrix.cell(fail, divs, ["libzmq", "libzmq"]) == {
        "status": "DIVERGES", "divergence": "div/x/y", "detail": "x"}
    assert impl_matrix.cell(fail, divs, ["zlab", "zlab"])["status"] == "FAIL"
    req = {"rule": "rule/REQ/a", "status": "FLAKY", "failure": {"actual": "x", "replay": "r"}}
    assert impl_matrix.cell(req, divs, ["zlab", "jeromq"])["divergence"] == "div/j/k"
    assert impl_matrix.cell(req, divs, ["libzmq", "libzmq"])["status"] == "FAIL"
    unseen = {"rule": "rule/REQ/a", "status": "NOT-EXERCISED", "note": "not observable: no"}
    assert impl_matrix.cell(unseen, divs, ["libzmq"]) == {
        "status": "NOT-EXERCISED", "detail": "not observable: no", "pending": False}
    assert impl_matrix.cell({"rule": "r", "status": "PASS"}, divs, ["libzmq"]) == {"status": "PASS"}
    # A divergence of libzmq holds for its draft-enabled build (the same library).
    assert impl_matrix.cell(fail, divs, ["libzmq-draft", "libzmq-draft"])["divergence"] == "div/x/y"
    assert impl_matrix.cell(req, divs, ["libzmq-draft", "libzmq-draft"])["status"] == "FAIL"


def test_matrix_agreement_counts_the_classic_types_from_the_spec_data(tmp_path):
    """Classic is the 4.0 page's types (sockets-4.0.json), not a note: a draft type's row is in
    the matrix, but Debian's libzmq not running it does not lower the reference agreement."""
    assert impl_matrix.classic_types() >= {"PAIR", "ROUTER", "STREAM"}
    assert not impl_matrix.classic_types() & {"SERVER", "RADIO", "CHANNEL"}
    run = tmp_path / "impls" / "libzmq-tcp"
    run.mkdir(parents=True)
    results = [{"rule": "rule/PAIR/a", "socket_type": "PAIR", "column": "c", "status": "PASS"},
               {"rule": "rule/SERVER/b", "socket_type": "SERVER", "column": "c",
                "status": "NOT-EXERCISED", "note": "libzmq is built without the draft API"}]
    (run / "conformance.json").write_text(json.dumps(
        {"implementation": "libzmq", "transport": "tcp", "results": results}))
    matrix = impl_matrix.build(tmp_path)
    assert [r["rule"] for r in matrix["rows"]] == ["rule/PAIR/a", "rule/SERVER/b"]
    col = matrix["columns"][0]
    assert col["counts"]["NOT-EXERCISED"] == 1
    assert col["agreement"] == {"agreeing": 1, "of": 1, "percent": 100.0}


def test_a_draft_api_rule_counts_only_where_the_draft_api_is(tmp_path):
    """rule/ROUTER/notify needs ZMQ_ROUTER_NOTIFY, which Debian's libzmq (no draft API)
    refuses: out of libzmq's agreement share, in the draft build's and zlab's, where a FAIL
    still lowers it."""
    assert impl_matrix.draft_api_rules()["rule/ROUTER/notify"] == "ZMQ_ROUTER_NOTIFY"
    unseen = {"rule": "rule/ROUTER/notify", "socket_type": "ROUTER", "column": "c",
              "status": "NOT-EXERCISED", "note": "not observable: draft option 97 refused"}
    failed = dict(unseen, status="FAIL", failure={"actual": "no notice", "replay": "r"})
    passed = {"rule": "rule/PAIR/a", "socket_type": "PAIR", "column": "c", "status": "PASS"}
    for impl, notify in [("libzmq", unseen), ("libzmq-draft", failed), ("zlab", failed)]:
        run = tmp_path / "impls" / f"{impl}-tcp"
        run.mkdir(parents=True)
        (run / "conformance.json").write_text(json.dumps(
            {"implementation": impl, "transport": "tcp", "results": [passed, notify]}))
    cols = {c["run"]: c["agreement"] for c in impl_matrix.build(tmp_path)["columns"]}
    assert cols["libzmq-tcp"] == {"agreeing": 1, "of": 1, "percent": 100.0}
    assert cols["libzmq-draft-tcp"] == {"agreeing": 1, "of": 2, "percent": 50.0}
    assert cols["zlab-tcp"] == {"agreeing": 1, "of": 2, "percent": 50.0}
