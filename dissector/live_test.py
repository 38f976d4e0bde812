"""(a) Real libzmq peers (python3-zmq) captured on loopback during the test, decoded by tshark
with the zlabzmtp plugin (found by its heuristic: no port preference, no Decode As)."""

import pytest

import zmtp_live
from zmtp_tshark import error_experts, values

SOCKET_TYPES = {
    "req_rep": ("REQ", "REP"),
    "pub_sub": ("SUB", "PUB"),
    "xpub_xsub": ("XSUB", "XPUB"),
    "dealer_router": ("DEALER", "ROUTER"),
    "push_pull": ("PUSH", "PULL"),
    "heartbeat": ("PAIR", "PAIR"),
}


def _client(packets, live, name):
    """Packets sent by the connecting (client) side of a scenario."""
    port = live[1][name]
    return [p for p in packets if p.srcport != port]


def _server(packets, live, name):
    port = live[1][name]
    return [p for p in packets if p.srcport == port]


@pytest.mark.parametrize("name", list(zmtp_live.SCENARIOS))
def test_greetings_versions_and_mechanism(live_packets, name):
    packets = live_packets[name]
    assert values(packets, "tcp.flags.syn")[0] == "1", "capture missed the connection start"
    assert values(packets, "zlabzmtp.greeting.version.major") == ["3", "3"]
    assert values(packets, "zlabzmtp.greeting.version.minor") == ["1", "1"]
    assert values(packets, "zlabzmtp.greeting.mechanism") == ["NULL", "NULL"]
    assert sorted(values(packets, "zlabzmtp.greeting.as_server")) == ["0", "0"]
    assert set(values(packets, "zlabzmtp.conn.mechanism")) == {"NULL"}


@pytest.mark.parametrize("name", list(zmtp_live.SCENARIOS))
def test_ready_socket_types(live_packets, live, name):
    client, server = SOCKET_TYPES[name]
    packets = live_packets[name]
    assert values(_client(packets, live, name), "zlabzmtp.metadata.socket_type") == [client]
    assert values(_server(packets, live, name), "zlabzmtp.metadata.socket_type") == [server]
    assert set(values(_client(packets, live, name), "zlabzmtp.conn.socket_types")) == {
        f"{client}-{server}"}


@pytest.mark.parametrize("name", list(zmtp_live.SCENARIOS))
def test_no_expert_warnings_or_errors(live_packets, name):
    assert error_experts(live_packets[name]) == []


def test_req_rep_messages_and_delimiters(live_packets, live):
    for side, word in ((_client, "hello"), (_server, "world")):
        packets = side(live_packets["req_rep"], live, "req_rep")
        assert values(packets, "zlabzmtp.msg") == ["1", "1", "2", "2"]
        assert values(packets, "zlabzmtp.part") == ["1", "2", "1", "2"]
        assert values(packets, "zlabzmtp.size") [-4:] == ["0", "7", "0", "7"]
        assert len(values(packets, "zlabzmtp.delimiter")) == 2
        assert values(packets, "zlabzmtp.body.text") == [f"{word} 0", f"{word} 1"]


def test_dealer_router_identity(live_packets, live):
    client = _client(live_packets["dealer_router"], live, "dealer_router")
    assert values(client, "zlabzmtp.metadata.identity") == [b"client-7".hex(":")]
    server = _server(live_packets["dealer_router"], live, "dealer_router")
    assert values(server, "zlabzmtp.metadata.identity") == [""]  # ROUTER: empty identity
    assert values(client, "zlabzmtp.body.text") == ["ask"]
    assert values(server, "zlabzmtp.body.text") == ["answer"]


def test_push_pull_multipart_sizes_and_flags(live_packets, live):
    client = _client(live_packets["push_pull"], live, "push_pull")
    sizes = [str(len(part)) for part in zmtp_live.MULTIPART]
    assert values(client, "zlabzmtp.size")[-4:] == sizes
    assert values(client, "zlabzmtp.flags")[-4:] == ["0x01", "0x01", "0x03", "0x02"]
    assert values(client, "zlabzmtp.flags.long")[-4:] == ["0", "0", "1", "1"]
    assert values(client, "zlabzmtp.msg") == ["1"] * 4
    assert values(client, "zlabzmtp.part") == ["1", "2", "3", "4"]
    assert values(client, "zlabzmtp.msg.parts") == ["4"] * 4
    total = str(sum(len(part) for part in zmtp_live.MULTIPART))
    assert values(client, "zlabzmtp.msg.size") == [total] * 4
    assert values(client, "zlabzmtp.body.text")[-1] == "c" * 70000


def test_pub_sub_subscription_commands(live_packets, live):
    client = _client(live_packets["pub_sub"], live, "pub_sub")
    assert values(client, "zlabzmtp.subscribe.topic_text") == ["weather", "news"]
    assert values(client, "zlabzmtp.cancel.topic_text") == ["news"]
    server = _server(live_packets["pub_sub"], live, "pub_sub")
    assert set(values(server, "zlabzmtp.body.text")) == {"weather sunny"}


def test_xsub_subscription_messages(live_packets, live):
    client = _client(live_packets["xpub_xsub"], live, "xpub_xsub")
    assert values(client, "zlabzmtp.subscription") == ["1", "0"]
    assert values(client, "zlabzmtp.subscription.topic_text") == ["weather", "weather"]
    assert values(client, "zlabzmtp.body") == []


def test_heartbeat_ping_ttl_and_pong(live_packets, live):
    client = _client(live_packets["heartbeat"], live, "heartbeat")
    server = _server(live_packets["heartbeat"], live, "heartbeat")
    ttl = values(client, "zlabzmtp.ping.ttl")
    assert len(ttl) >= 2
    assert set(ttl) == {str(zmtp_live.HEARTBEAT_TTL_MS // 100)}
    assert set(values(client, "zlabzmtp.ping.ttl_seconds")) == {"2"}
    assert values(server, "zlabzmtp.command.name").count("PONG") >= 1


def test_one_pass_decodes_like_two_passes(plugin_env, live):
    """Later passes replay each batch from the state the first pass saved."""
    r = plugin_env.tshark(["-r", str(live[0]), "-Y", "zlabzmtp", "-T", "fields", "-e",
                           "frame.number", "-e", "zlabzmtp.msg", "-e", "zlabzmtp.part", "-e",
                           "zlabzmtp.size", "-e", "zlabzmtp.command.name", "-e",
                           "zlabzmtp.subscription"])
    r2 = plugin_env.tshark(["-r", str(live[0]), "-2", "-Y", "zlabzmtp", "-T", "fields", "-e",
                            "frame.number", "-e", "zlabzmtp.msg", "-e", "zlabzmtp.part", "-e",
                            "zlabzmtp.size", "-e", "zlabzmtp.command.name", "-e",
                            "zlabzmtp.subscription"])
    assert r.stdout.count("\n") > 40
    assert r.stdout == r2.stdout
