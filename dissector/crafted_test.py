"""(b) Crafted captures (zmtp_cases.py): every malformed case raises its expert info, the legacy
greetings are recognised, well-formed streams raise nothing, and a stream sent one byte per
TCP segment decodes exactly like the same stream sent whole."""

import pytest

import zmtp_cases
from zmtp_tshark import error_experts, experts, values


def _stream(crafted, crafted_packets, case):
    return crafted_packets[crafted[2][case.__name__]]


def _side(packets, client):
    """Packets of one side of a crafted stream (clients use ports 40000+)."""
    return [p for p in packets if (p.srcport >= 40000) == client]


def _hex_len(value):
    return len(bytes.fromhex(value.replace(":", "")))


@pytest.mark.parametrize("case", list(zmtp_cases.MALFORMED), ids=lambda c: c.__name__)
def test_malformed_case_raises_its_expert(crafted, crafted_packets, case):
    packets = _stream(crafted, crafted_packets, case)
    assert f"zlabzmtp.expert.{zmtp_cases.MALFORMED[case]}" in experts(packets)


@pytest.mark.parametrize("case", zmtp_cases.WELL_FORMED, ids=lambda c: c.__name__)
def test_well_formed_case_raises_no_warning_or_error(crafted, crafted_packets, case):
    packets = _stream(crafted, crafted_packets, case)
    assert values(packets, "zlabzmtp.frame") or values(packets, "zlabzmtp.greeting")
    assert error_experts(packets) == []


def test_reserved_flags_do_not_stop_decoding(crafted, crafted_packets):
    client = _side(_stream(crafted, crafted_packets, zmtp_cases.reserved_flags), True)
    assert values(client, "zlabzmtp.flags.reserved")[-2:] == ["0x01", "0x00"]
    assert values(client, "zlabzmtp.body.text")[-2:] == ["bad", "after"]


@pytest.mark.parametrize("case,size", [(zmtp_cases.size_over_max, 1 << 63),
                                       (zmtp_cases.size_unreassemblable, 1 << 40)],
                         ids=["over_max", "unreassemblable"])
def test_huge_sizes_are_read_as_64_bit_and_never_waited_for(crafted, crafted_packets, case, size):
    client = _side(_stream(crafted, crafted_packets, case), True)
    huge = [p for p in client if str(size) in p.get("zlabzmtp.size")]
    assert len(huge) == 1, "the huge frame header is shown in the packet that carries it"
    later = client[client.index(huge[0]) + 1:]
    assert any(p.get("zlabzmtp.undecoded") for p in later), "later bytes are shown undecoded"
    assert "zlabzmtp.expert.not_decoded" in experts(later)


def test_long_form_with_small_size(crafted, crafted_packets):
    client = _side(_stream(crafted, crafted_packets, zmtp_cases.text_bodies), True)
    assert values(client, "zlabzmtp.flags")[-1] == "0x02"
    assert values(client, "zlabzmtp.size")[-1] == "5"


def test_body_text_only_when_every_byte_is_printable(crafted, crafted_packets):
    client = _side(_stream(crafted, crafted_packets, zmtp_cases.text_bodies), True)
    assert values(client, "zlabzmtp.body")[-3] == "41:00:42:43"
    assert values(client, "zlabzmtp.body.text") == ["plain text", "abcde"]


def test_command_before_greeting_end_resyncs(crafted, crafted_packets):
    client = _side(_stream(crafted, crafted_packets, zmtp_cases.command_before_greeting_end), True)
    assert values(client, "zlabzmtp.greeting.version") == ["3"]  # no minor version was sent
    assert values(client, "zlabzmtp.command.name") == ["READY", "PING"]
    assert values(client, "zlabzmtp.metadata.socket_type") == ["PAIR"]


def test_mechanism_is_kept_per_direction(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.mechanism_mismatch)
    assert values(_side(packets, True), "zlabzmtp.conn.mechanism") == ["NULL/PLAIN"]
    assert values(_side(packets, False), "zlabzmtp.conn.mechanism") == ["PLAIN/NULL"]


def test_incompatible_socket_types_are_named(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.incompatible_sockets)
    assert set(values(_side(packets, True), "zlabzmtp.conn.socket_types")) == {"REQ-PUB"}


def test_zmtp_2_0_greeting_is_legacy(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.legacy_v2)
    assert values(packets, "zlabzmtp.greeting.version") == ["2.0", "2.0"]
    assert values(packets, "zlabzmtp.greeting.legacy") == ["1", "1"]
    assert values(packets, "zlabzmtp.greeting.revision") == ["0x01", "0x01"]
    assert values(packets, "zlabzmtp.greeting.socket_type") == ["3", "4"]  # REQ, REP
    assert values(packets, "zlabzmtp.identity") == ["73:72:76"]  # the server's "srv"
    assert len(values(packets, "zlabzmtp.delimiter")) == 2
    assert values(packets, "zlabzmtp.body.text") == ["hi", "yo"]
    assert set(values(_side(packets, True), "zlabzmtp.conn.socket_types")) == {"REQ-REP"}


def test_zmtp_1_0_greeting_is_legacy(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.legacy_v1)
    assert values(packets, "zlabzmtp.greeting.version") == ["1.0", "1.0"]
    assert values(packets, "zlabzmtp.greeting.identity") == [b"alice".hex(":")]
    assert values(packets, "zlabzmtp.length") == ["6", "301", "6"]
    assert values(packets, "zlabzmtp.part") == ["1", "2", "1"]
    assert values(packets, "zlabzmtp.body.text") == ["part1", "x" * 300, "reply"]


def test_port_preference_attaches_without_decode_as(plugin_env, crafted):
    port = zmtp_cases.port_of("legacy_v1")
    without = plugin_env.tshark(["-r", str(crafted[0]), "-Y", f"tcp.port=={port} && zlabzmtp"])
    assert without.stdout.strip() == ""  # no signature: the heuristic must not claim it
    r = plugin_env.tshark(["-r", str(crafted[0]), "-o", f"zlabzmtp.tcp.port:{port}", "-Y",
                           f"tcp.port=={port}", "-T", "fields", "-e", "zlabzmtp.greeting.version"])
    assert [v for v in r.stdout.split() if v] == ["1.0", "1.0"]


def test_subscription_messages_of_zmtp_3_0(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.subscription_v30)
    assert values(packets, "zlabzmtp.greeting.version") == ["3.0", "3.0"]
    assert values(_side(packets, True), "zlabzmtp.subscription") == ["1", "0"]
    assert values(_side(packets, True), "zlabzmtp.subscription.topic_text") == ["news", "news"]
    # A PUB's messages are not subscriptions, whatever their first byte.
    assert values(_side(packets, False), "zlabzmtp.subscription") == []


def test_zmtp_3_1_commands(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.commands31)
    assert values(packets, "zlabzmtp.subscribe.topic_text") == ["news"]
    assert values(packets, "zlabzmtp.cancel.topic_text") == ["news"]
    assert values(packets, "zlabzmtp.ping.ttl") == ["25"]
    assert values(packets, "zlabzmtp.ping.ttl_seconds") == ["2.5"]
    assert values(packets, "zlabzmtp.ping.context") == ["63:74:78"]
    assert values(packets, "zlabzmtp.pong.context") == ["63:74:78"]
    assert values(packets, "zlabzmtp.error.reason") == ["oops!"]
    packets = _stream(crafted, crafted_packets, zmtp_cases.join_leave)
    assert values(packets, "zlabzmtp.join.group_text") == ["group-1"]
    assert values(packets, "zlabzmtp.leave.group_text") == ["group-1"]


def test_plain_handshake(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.plain)
    assert values(packets, "zlabzmtp.plain.username") == ["alice"]
    assert values(packets, "zlabzmtp.plain.password") == ["secret"]
    assert values(packets, "zlabzmtp.command.name") == ["HELLO", "WELCOME", "INITIATE", "READY"]
    assert values(packets, "zlabzmtp.metadata.socket_type") == ["DEALER", "ROUTER"]
    assert values(packets, "zlabzmtp.body.text") == ["after plain"]


def test_curve_field_sizes(crafted, crafted_packets):
    packets = _stream(crafted, crafted_packets, zmtp_cases.curve)
    sizes = {name: [_hex_len(v) for v in values(packets, f"zlabzmtp.curve.{name}")]
             for name in ("padding", "client_key", "short_nonce", "hello_box", "long_nonce",
                          "welcome_box", "cookie", "initiate_box", "ready_box", "message_box")}
    assert sizes == {"padding": [72], "client_key": [32], "short_nonce": [8, 8, 8, 8],
                     "hello_box": [80], "long_nonce": [16], "welcome_box": [144],
                     "cookie": [96], "initiate_box": [200], "ready_box": [40],
                     "message_box": [33]}
    assert values(packets, "zlabzmtp.curve.version.major") == ["1"]
    assert values(packets, "zlabzmtp.command.extra") == []


def test_one_byte_per_segment_decodes_like_whole(crafted, crafted_packets):
    def fields(case):
        packets = _stream(crafted, crafted_packets, case)
        return [(k, v) for p in packets for k, v in p.order if not k.endswith("_frame")]

    whole = fields(zmtp_cases.rich_whole)
    assert len(whole) > 100
    assert ("zlabzmtp.metadata.identity", b"id-1".hex(":")) in whole
    assert fields(zmtp_cases.rich_bytewise) == whole
