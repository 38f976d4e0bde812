#include "engine/proto/zmtp_connection.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "engine/proto/connection_test_util.h"
#include "engine/wire/command.h"
#include "engine/wire/frame.h"
#include "engine/wire/greeting.h"

namespace zlab::proto {
namespace {

using namespace test_util;  // Bytes, kMs, take_output, events, parts, pump

ZmtpOptions opts(SocketType t, std::string id = {}) {
  ZmtpOptions o = options_for(t);
  o.routing_id = std::move(id);
  return o;
}

TEST(ZmtpConnectionTest, HandshakeAndMetadata) {
  ZmtpConnection a(opts(SocketType::kDealer, "alice"), 0);
  ZmtpOptions rb = opts(SocketType::kRouter);
  rb.peer_address = "127.0.0.1";
  ZmtpConnection b(rb, 0);
  pump(a, b);
  ASSERT_TRUE(a.active());
  ASSERT_TRUE(b.active());
  EXPECT_EQ(events(a).front().kind, ConnEvent::Kind::kHandshakeSucceeded);
  EXPECT_EQ(b.peer_type(), SocketType::kDealer);
  EXPECT_EQ(*b.peer_metadata()->find("Identity"), "alice");
  EXPECT_EQ(*b.peer_metadata()->find("Peer-Address"), "127.0.0.1");
  // A ROUTER's READY carries an empty Identity, as libzmq's does.
  ASSERT_NE(a.peer_metadata()->find("Identity"), nullptr);
  EXPECT_EQ(*a.peer_metadata()->find("Identity"), "");
  EXPECT_EQ(a.peer_minor_version(), 1);
}

// The transport's descriptor is the private "__fd" property (ZMQ_SRCFD), given only with a
// Peer-Address, as libzmq gives it.
TEST(ZmtpConnectionTest, SourceFdRidesWithThePeerAddress) {
  ZmtpOptions with = opts(SocketType::kPull);
  with.peer_address = "127.0.0.1";
  with.source_fd = 17;
  ZmtpOptions without_address = opts(SocketType::kPull);
  without_address.source_fd = 18;  // ipc: no Peer-Address, so no __fd either
  for (const ZmtpOptions& o : {with, without_address}) {
    ZmtpConnection a(opts(SocketType::kPush), 0);
    ZmtpConnection b(o, 0);
    pump(a, b);
    ASSERT_TRUE(b.active());
    const std::string* fd = b.peer_metadata()->find("__fd");
    if (o.peer_address.empty()) {
      EXPECT_EQ(fd, nullptr);
    } else {
      ASSERT_NE(fd, nullptr);
      EXPECT_EQ(*fd, "17");
    }
  }
}

TEST(ZmtpConnectionTest, MultipartMessagesRoundTrip) {
  ZmtpConnection a(opts(SocketType::kPush), 0);
  ZmtpConnection b(opts(SocketType::kPull), 0);
  pump(a, b, 1);  // one byte at a time
  Msg p1 = Msg::copy_of(std::string_view("head"));
  p1.set_more(true);
  a.send_part(std::move(p1));
  a.send_part(Msg::copy_of(std::string_view("")));
  a.send_part(Msg::copy_of(std::string_view(std::string(300, 'x'))));
  pump(a, b, 7);
  auto got = parts(b);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "head+");
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2], std::string(300, 'x'));
}

TEST(ZmtpConnectionTest, IncompatiblePeersExchangeErrorAndClose) {
  ZmtpConnection a(opts(SocketType::kPush), 0);
  ZmtpConnection b(opts(SocketType::kPush), 0);
  pump(a, b);
  auto ea = events(a);
  auto eb = events(b);
  ASSERT_FALSE(ea.empty());
  ASSERT_FALSE(eb.empty());
  EXPECT_EQ(ea.back().reason, CloseReason::kIncompatiblePeer);
  EXPECT_EQ(ea.back().detail, "incompatible socket type PUSH for PUSH");
  EXPECT_TRUE(a.finished());
  EXPECT_TRUE(b.closed());
}

TEST(ZmtpConnectionTest, SubscriptionsBecomeCommandsFor31Peers) {
  ZmtpConnection sub(opts(SocketType::kSub), 0);
  ZmtpConnection pub(opts(SocketType::kPub), 0);
  pump(sub, pub);
  sub.send_part(Msg::copy_of(std::string_view("\x01topic")));
  Bytes wire = take_output(sub);
  // A SUBSCRIBE command frame: flags 0x04, size, name-size 9, "SUBSCRIBE", "topic".
  ASSERT_EQ(wire.size(), 2 + 1 + 9 + 5u);
  EXPECT_EQ(wire[0], wire::frame_flags::kCommand);
  EXPECT_EQ(std::string(wire.begin() + 3, wire.begin() + 12), "SUBSCRIBE");
  pub.feed(wire, 0);
  EXPECT_EQ(parts(pub), std::vector<std::string>{"\x01topic"});
  sub.send_part(Msg::copy_of(std::string_view("\x00topic", 6)));
  pump(sub, pub);
  EXPECT_EQ(parts(pub), std::vector<std::string>{std::string("\x00topic", 6)});
}

// A scripted peer: our greeting, then whatever bytes a test wants.
Bytes greeting(uint8_t major = 3, uint8_t minor = 1, std::string mechanism = "NULL") {
  wire::Greeting g;
  g.major = major;
  g.minor = minor;
  g.mechanism = mechanism;
  auto a = wire::encode_greeting(g);
  return {a.begin(), a.end()};
}

Bytes frame(const Msg& m) {
  wire::FrameEncoder enc;
  enc.encode(m.share());
  Bytes out;
  wire::IoSlice s[4];
  size_t n = enc.poll_transmit(s, 4);
  for (size_t i = 0; i < n; ++i) out.insert(out.end(), s[i].data, s[i].data + s[i].size);
  return out;
}

Bytes ready(std::string type) { return frame(wire::make_ready({{"Socket-Type", type}})); }

Bytes cat(std::initializer_list<Bytes> pieces) {
  Bytes out;
  for (const auto& p : pieces) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(ZmtpConnectionTest, GreetingSignatureFirstThenTheRestAsLibzmq) {
  // rfc 23's partial greeting, as libzmq: the 10-byte signature (padding = identity length + 1),
  // our version major once the peer's signature has come, the other 53 bytes once its version
  // major has come (a ZMTP 2.0 peer gets its socket type instead: zmtp20_test), then READY
  // after its greeting.
  ZmtpConnection conn(opts(SocketType::kDealer, "alice"), 0);
  Bytes first = take_output(conn);
  EXPECT_EQ(first, (Bytes{0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x7F}));
  Bytes peer = greeting();
  conn.feed(Bytes(peer.begin(), peer.begin() + 9), 0);
  EXPECT_TRUE(take_output(conn).empty());  // not before the whole signature
  conn.feed(Bytes(peer.begin() + 9, peer.begin() + 10), 0);
  EXPECT_EQ(take_output(conn), Bytes{3});  // version 3
  conn.feed(Bytes(peer.begin() + 10, peer.begin() + 11), 0);
  Bytes rest = take_output(conn);
  ASSERT_EQ(rest.size(), 53u);
  EXPECT_EQ(rest[0], 1);  // minor 1, then the mechanism
  EXPECT_EQ(std::string(rest.begin() + 1, rest.begin() + 5), "NULL");
  conn.feed(Bytes(peer.begin() + 11, peer.end()), 0);
  Bytes ready_out = take_output(conn);
  ASSERT_GT(ready_out.size(), 8u);
  EXPECT_EQ(std::string(ready_out.begin() + 3, ready_out.begin() + 8), "READY");
  // A peer that is not ZMTP 3 (no signature) never gets the rest.
  ZmtpConnection legacy(opts(SocketType::kDealer), 0);
  take_output(legacy);
  legacy.feed(Bytes{0x01, 0x00}, 0);
  EXPECT_TRUE(take_output(legacy).empty());
}

struct BadInput {
  const char* name;
  Bytes bytes;
  CloseReason reason;
  bool sends_error;  // whether we answer with an ERROR command before closing
};

TEST(ZmtpConnectionTest, BadInputClosesWithTheRightReason) {
  Msg data = Msg::copy_of(std::string_view("x"));
  Msg more = Msg::copy_of(std::string_view("m"));
  more.set_more(true);
  std::vector<BadInput> cases = {
      {"wrong signature (ZMTP 1.0 length byte)",
       {0x05, 'h', 'e', 'l', 'l', 'o'},
       CloseReason::kLegacyPeer,
       false},
      {"ZMTP 1.0 with a revision byte",
       {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x00, 0x05},
       CloseReason::kLegacyPeer,
       false},
      {"ZMTP 2.0 greeting of an incompatible type",
       {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x05},
       CloseReason::kIncompatiblePeer,
       false},
      {"mechanism mismatch", greeting(3, 1, "PLAIN"), CloseReason::kMechanismMismatch, false},
      {"incompatible socket type", cat({greeting(), ready("PUB")}), CloseReason::kIncompatiblePeer,
       true},
      {"unknown socket type", cat({greeting(), ready("BOGUS")}), CloseReason::kIncompatiblePeer,
       true},
      {"reserved flag bits", cat({greeting(), ready("PULL"), Bytes{0x08, 0}}),
       CloseReason::kMalformedFrame, true},
      {"oversize frame", cat({greeting(), ready("PULL"), Bytes{0x02, 0x80, 0, 0, 0, 0, 0, 0, 0}}),
       CloseReason::kMalformedFrame, true},
      {"unknown command", cat({greeting(), ready("PULL"), frame(wire::make_command("HELLO2", {}))}),
       CloseReason::kUnexpectedCommand, true},
      {"truncated command", cat({greeting(), ready("PULL"), Bytes{0x04, 3, 9, 'P', 'I'}}),
       CloseReason::kMalformedCommand, true},
      {"data before READY", cat({greeting(), frame(data)}), CloseReason::kInvalidSequence, true},
      {"READY without Socket-Type", cat({greeting(), frame(wire::make_ready({{"Identity", "x"}}))}),
       CloseReason::kMalformedCommand, true},
      {"duplicate READY", cat({greeting(), ready("PULL"), ready("PULL")}),
       CloseReason::kUnexpectedCommand, true},
      {"command inside a multipart",
       cat({greeting(), ready("PULL"), frame(more), frame(wire::make_ping(0, {}))}),
       CloseReason::kUnexpectedCommand, true},
      {"JOIN sent to a non-RADIO", cat({greeting(), ready("PULL"), frame(wire::make_join("TV"))}),
       CloseReason::kUnexpectedCommand, true},
      {"PING without its TTL",
       cat({greeting(), ready("PULL"), frame(wire::make_command("PING", Bytes(1, 0)))}),
       CloseReason::kMalformedCommand, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ZmtpConnection conn(opts(SocketType::kPush), 0);
    take_output(conn);  // our greeting
    conn.feed(c.bytes, 0);
    parts(conn);  // the socket layer pulls, which is when frames after READY are examined
    auto ev = events(conn);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().kind, ConnEvent::Kind::kClosed);
    EXPECT_EQ(ev.back().reason, c.reason) << close_reason_name(ev.back().reason);
    EXPECT_FALSE(ev.back().detail.empty());
    Bytes out = take_output(conn);
    bool has_error = false;
    for (size_t i = 0; i + 6 <= out.size(); ++i) {
      if (std::string(out.begin() + i, out.begin() + i + 6) ==
          "\x05"
          "ERROR")
        has_error = true;
    }
    EXPECT_EQ(has_error, c.sends_error);
    EXPECT_TRUE(conn.finished());
    EXPECT_TRUE(conn.read_buffer().empty());
  }
}

// The socket type's profile (its SocketTraits::wire), never its name, decides which messages
// travel as commands and which commands are taken: here two PAIRs play subscriber and
// publisher, the SUBSCRIBE half only.
TEST(ZmtpConnectionTest, TheProfileDecidesWhichCommandsTravel) {
  ZmtpOptions sender = opts(SocketType::kPair);
  sender.profile.sends = {TypeCommand::kSubscribe};
  ZmtpOptions taker = opts(SocketType::kPair);
  taker.profile.accepts = {TypeCommand::kSubscribe};
  ZmtpConnection a(sender, 0);
  ZmtpConnection b(taker, 0);
  pump(a, b);
  a.send_part(Msg::copy_of(std::string_view("\x01t")));
  Bytes wire = take_output(a);
  ASSERT_FALSE(wire.empty());
  EXPECT_EQ(wire[0], wire::frame_flags::kCommand);
  b.feed(wire, 0);
  EXPECT_EQ(parts(b), std::vector<std::string>{"\x01t"});
  // CANCEL is not in the profile: 0x00 + topic stays a data frame.
  a.send_part(Msg::copy_of(std::string_view("\x00t", 2)));
  EXPECT_EQ(take_output(a), (Bytes{0x00, 2, 0x00, 't'}));
}

TEST(ZmtpConnectionTest, ACommandOutsideTheProfileEndsTheConnection) {
  ZmtpOptions o = opts(SocketType::kPub);
  o.profile.accepts = {TypeCommand::kSubscribe};  // a PUB that takes SUBSCRIBE but not CANCEL
  ZmtpConnection pub(o, 0);
  take_output(pub);
  pub.feed(cat({greeting(), ready("SUB"), frame(wire::make_cancel(wire::as_bytes("t")))}), 0);
  EXPECT_TRUE(parts(pub).empty());
  auto ev = events(pub);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kUnexpectedCommand);
}

TEST(ZmtpConnectionTest, TheProfileDecidesIdentity) {
  ZmtpOptions dealer = opts(SocketType::kDealer, "d");
  dealer.profile.sends_identity = false;  // a DEALER that announces no Identity
  ZmtpOptions pair = opts(SocketType::kPair, "p");
  pair.profile.sends_identity = true;  // a PAIR that does
  ZmtpConnection d(dealer, 0);
  ZmtpConnection r(opts(SocketType::kRouter), 0);
  pump(d, r);
  ASSERT_TRUE(r.active());
  EXPECT_EQ(r.peer_metadata()->find("Identity"), nullptr);
  ZmtpConnection p1(pair, 0);
  ZmtpConnection p2(opts(SocketType::kPair), 0);
  pump(p1, p2);
  ASSERT_TRUE(p2.active());
  ASSERT_NE(p2.peer_metadata()->find("Identity"), nullptr);
  EXPECT_EQ(*p2.peer_metadata()->find("Identity"), "p");
  EXPECT_EQ(p1.peer_metadata()->find("Identity"), nullptr);
}

TEST(ZmtpConnectionTest, JoinAndLeaveReachTheRadioAsCommandFrames) {
  ZmtpConnection dish(opts(SocketType::kDish), 0);
  ZmtpConnection radio(opts(SocketType::kRadio), 0);
  pump(dish, radio);
  dish.send_part(wire::make_join("TV"));
  Bytes wire = take_output(dish);
  EXPECT_EQ(std::string(wire.begin(), wire.end()), "\x04\x07\x04JOINTV");
  radio.feed(wire, 0);
  Msg part;
  ASSERT_TRUE(radio.poll_part(&part, 0));
  EXPECT_TRUE(part.command());
  EXPECT_EQ(part.view(), "\x04JOINTV");
  dish.send_part(wire::make_leave("TV"));
  pump(dish, radio);
  ASSERT_TRUE(radio.poll_part(&part, 0));
  EXPECT_EQ(part.view(), "\x05LEAVETV");
  // The RADIO's messages: the group frame (MORE), then the body, as data.
  Msg group = Msg::copy_of(std::string_view("TV"));
  group.set_more(true);
  radio.send_part(std::move(group));
  radio.send_part(Msg::copy_of(std::string_view("hi")));
  pump(dish, radio);
  EXPECT_EQ(parts(dish), (std::vector<std::string>{"TV+", "hi"}));
}

// JOIN/LEAVE travel by the profile too: a RADIO whose profile takes none refuses them, a PAIR
// whose profile takes them gets the command frame, a sender whose profile lacks them sends the
// part as data; and they go as commands to a ZMTP 3.0 peer, which has no message form for them.
TEST(ZmtpConnectionTest, TheProfileDecidesJoinAndLeave) {
  ZmtpOptions deaf = opts(SocketType::kRadio);
  deaf.profile.accepts = {};
  ZmtpConnection radio(deaf, 0);
  take_output(radio);
  radio.feed(cat({greeting(), ready("DISH"), frame(wire::make_join("TV"))}), 0);
  EXPECT_TRUE(parts(radio).empty());
  auto ev = events(radio);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kUnexpectedCommand);

  ZmtpOptions taker = opts(SocketType::kPair);
  taker.profile.accepts = {TypeCommand::kJoin};
  ZmtpConnection pair(taker, 0);
  take_output(pair);
  pair.feed(cat({greeting(), ready("PAIR"), frame(wire::make_join("TV"))}), 0);
  Msg part;
  ASSERT_TRUE(pair.poll_part(&part, 0));
  EXPECT_TRUE(part.command());
  EXPECT_EQ(part.view(), "\x04JOINTV");

  ZmtpOptions mute = opts(SocketType::kDish);
  mute.profile.sends = {TypeCommand::kJoin};  // LEAVE is not in it
  ZmtpConnection dish(mute, 0);
  take_output(dish);
  dish.feed(cat({greeting(3, 0), ready("RADIO")}), 0);
  ASSERT_TRUE(dish.active());
  ASSERT_EQ(dish.peer_minor_version(), 0);
  take_output(dish);  // the rest of its greeting, its READY
  dish.send_part(wire::make_join("TV"));
  Bytes join = take_output(dish);
  EXPECT_EQ(std::string(join.begin(), join.end()), "\x04\x07\x04JOINTV");
  dish.send_part(wire::make_leave("TV"));
  Bytes leave = take_output(dish);
  EXPECT_EQ(std::string(leave.begin(), leave.end()), std::string("\x00\x08\x05LEAVETV", 10));
}

TEST(ZmtpConnectionTest, JoinWithAGroupOverTheLimitIsMalformed) {
  ZmtpConnection radio(opts(SocketType::kRadio), 0);
  take_output(radio);
  radio.feed(cat({greeting(), ready("DISH"), frame(wire::make_join(std::string(256, 'g')))}), 0);
  parts(radio);
  auto ev = events(radio);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().kind, ConnEvent::Kind::kClosed);
  EXPECT_EQ(ev.back().reason, CloseReason::kMalformedCommand);
  EXPECT_EQ(ev.back().detail, "JOIN/LEAVE group is too long");
}

TEST(ZmtpConnectionTest, MaxMsgSizeClosesWithTooLarge) {
  ZmtpOptions o = opts(SocketType::kPull);
  o.max_msg_size = 10;
  ZmtpConnection conn(o, 0);
  conn.feed(cat({greeting(), ready("PUSH"), Bytes{0x00, 11}}), 0);
  parts(conn);
  EXPECT_EQ(events(conn).back().reason, CloseReason::kTooLarge);
}

TEST(ZmtpConnectionTest, Zmtp30PeerGetsSubscriptionMessages) {
  ZmtpConnection sub(opts(SocketType::kSub), 0);
  take_output(sub);
  sub.feed(cat({greeting(3, 0), ready("PUB")}), 0);
  ASSERT_TRUE(sub.active());
  take_output(sub);
  sub.send_part(
      Msg::copy_of(std::string_view("\x01"
                                    "abc")));
  Bytes wire = take_output(sub);
  EXPECT_EQ(wire, (Bytes{0x00, 4, 0x01, 'a', 'b', 'c'}));  // a data frame, not a command
}

TEST(ZmtpConnectionTest, HandshakeTimeout) {
  ZmtpOptions o = opts(SocketType::kPull);
  o.handshake_ivl_ns = 100 * kMs;
  ZmtpConnection conn(o, 0);
  EXPECT_EQ(conn.next_deadline_ns(), 100 * kMs);
  conn.feed(greeting(), 50 * kMs);  // greeting but no READY
  conn.handle_timeout(99 * kMs);
  EXPECT_FALSE(conn.closed());
  conn.handle_timeout(100 * kMs);
  std::vector<ConnEvent> evs = events(conn);
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.back().reason, CloseReason::kHandshakeTimeout);
  // Reported as libzmq does: HANDSHAKE_FAILED_NO_DETAIL (its errno), no protocol error.
  EXPECT_EQ(evs.back().value, ETIMEDOUT);
  EXPECT_FALSE(evs.back().after_handshake);
}

TEST(ZmtpConnectionTest, HeartbeatsPingPongAndTimeout) {
  ZmtpOptions oa = opts(SocketType::kPair);
  oa.heartbeat_ivl_ns = 100 * kMs;
  oa.heartbeat_ttl_ns = 500 * kMs;
  oa.heartbeat_timeout_ns = 50 * kMs;
  ZmtpConnection a(oa, 0);
  ZmtpConnection b(opts(SocketType::kPair), 0);
  pump(a, b);
  ASSERT_TRUE(a.active());
  EXPECT_EQ(a.next_deadline_ns(), 100 * kMs);
  a.handle_timeout(100 * kMs);  // sends PING (TTL 5 ds), arms the 50 ms timeout
  Bytes ping = take_output(a);
  ASSERT_EQ(ping.size(), 2 + 5 + 2u);
  EXPECT_EQ(std::string(ping.begin() + 3, ping.begin() + 7), "PING");
  EXPECT_EQ(ping[7], 0);
  EXPECT_EQ(ping[8], 5);
  b.feed(ping, 100 * kMs);
  parts(b, 100 * kMs);  // b answers PONG and arms a's TTL of 500 ms
  EXPECT_EQ(b.next_deadline_ns(), 600 * kMs);
  a.feed(take_output(b), 120 * kMs);  // the PONG is traffic: timeout disarmed
  parts(a, 120 * kMs);
  EXPECT_EQ(a.next_deadline_ns(), 200 * kMs);
  a.handle_timeout(200 * kMs);  // next PING; b stays silent this time
  take_output(a);
  EXPECT_EQ(a.next_deadline_ns(), 250 * kMs);
  a.handle_timeout(250 * kMs);
  auto ev = events(a);
  EXPECT_EQ(ev.back().reason, CloseReason::kHeartbeatTimeout);
  // b, hearing nothing after the first PING, drops a when the TTL runs out.
  b.handle_timeout(600 * kMs);
  EXPECT_EQ(events(b).back().reason, CloseReason::kHeartbeatTimeout);
}

// Regression (libzmq test_heartbeats, mock PING): a PING whose context is above RFC 37's 16
// bytes closed the connection as malformed; libzmq answers each PING, in order, with a PONG
// that echoes the context's first 16 bytes.
TEST(ZmtpConnectionTest, PongEchoesAtMostSixteenContextBytes) {
  ZmtpConnection conn(opts(SocketType::kRouter), 0);
  conn.feed(cat({greeting(), ready("DEALER")}), 0);
  ASSERT_TRUE(conn.active());
  take_output(conn);
  Bytes small_ctx{'L', 'O', 'L'};
  Bytes big_ctx{'L', 'O', 'L'};
  big_ctx.resize(58, 'z');
  Bytes small_ping{0, 0};
  small_ping.insert(small_ping.end(), small_ctx.begin(), small_ctx.end());
  Bytes big_ping{0, 0};
  big_ping.insert(big_ping.end(), big_ctx.begin(), big_ctx.end());
  conn.feed(cat({frame(wire::make_command("PING", small_ping)),
                 frame(wire::make_command("PING", big_ping))}),
            0);
  parts(conn);
  Bytes first16(big_ctx.begin(), big_ctx.begin() + 16);
  Bytes expected = cat({frame(wire::make_pong(small_ctx)), frame(wire::make_pong(first16))});
  EXPECT_EQ(take_output(conn), expected);
  EXPECT_EQ(expected[1], 8);    // as libzmq's test reads them: 4 + "PONG" + 3 bytes
  EXPECT_EQ(expected[11], 21);  // 4 + "PONG" + 16 bytes
  EXPECT_FALSE(conn.closed());
}

TEST(ZmtpConnectionTest, PeerCloseDeliversBufferedMessagesFirst) {
  ZmtpConnection conn(opts(SocketType::kPull), 0);
  Msg m1 = Msg::copy_of(std::string_view("one"));
  Msg m2 = Msg::copy_of(std::string_view("two"));
  conn.feed(cat({greeting(), ready("PUSH"), frame(m1), frame(m2)}), 0);
  conn.handle_eof(0);
  EXPECT_FALSE(conn.closed());
  EXPECT_EQ(parts(conn), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(conn.closed());
  EXPECT_EQ(events(conn).back().reason, CloseReason::kPeerClosed);
}

TEST(ZmtpConnectionTest, BackpressureStopsReading) {
  ZmtpConnection conn(opts(SocketType::kPull), 0);
  conn.feed(cat({greeting(), ready("PUSH")}), 0);
  Bytes lots;
  Msg m = Msg::copy_of(std::string_view("0123456789"));
  for (int i = 0; i < 10000; ++i) {
    Bytes f = frame(m);
    lots.insert(lots.end(), f.begin(), f.end());
  }
  size_t used = conn.feed(lots, 0);  // nobody pulls: the decoder fills and refuses more
  EXPECT_LT(used, lots.size());
  EXPECT_TRUE(conn.read_buffer().empty());
  EXPECT_FALSE(parts(conn).empty());
  EXPECT_FALSE(conn.read_buffer().empty());
}

RC_GTEST_PROP(ZmtpConnectionTest, AnySplitDeliversTheSameMessages, ()) {
  auto bodies = *rc::gen::container<std::vector<std::string>>(rc::gen::arbitrary<std::string>());
  auto chunk = *rc::gen::inRange<size_t>(1, 200);
  ZmtpConnection a(opts(SocketType::kDealer, "id"), 0);
  ZmtpConnection b(opts(SocketType::kDealer), 0);
  pump(a, b, chunk);
  RC_ASSERT(a.active() && b.active());
  for (const auto& body : bodies) a.send_part(Msg::copy_of(std::string_view(body)));
  pump(a, b, chunk);
  RC_ASSERT(parts(b) == bodies);
}

}  // namespace
}  // namespace zlab::proto

namespace zlab::proto {
namespace {

using namespace test_util;

ZmtpOptions plain(SocketType t, bool server) {
  ZmtpOptions o = options_for(t);
  o.security.name = "PLAIN";
  o.security.as_server = server;
  o.security.plain_username = "admin";
  o.security.plain_password = "secret";
  return o;
}

// The handler's 7-frame reply to `request`, with this status and user id.
std::vector<Msg> answer(const std::vector<Msg>& request, std::string_view status) {
  std::vector<std::string_view> parts = {"", "1.0", request[2].view(), status, "", "admin", ""};
  std::vector<Msg> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out.push_back(Msg::copy_of(parts[i]));
    out.back().set_more(i + 1 < parts.size());
  }
  return out;
}

TEST(ZmtpSecurityTest, MechanismMismatchEndsBothSidesWithLibzmqsCode) {
  ZmtpConnection a(plain(SocketType::kDealer, false), 0);
  ZmtpConnection b(opts(SocketType::kDealer), 0);  // NULL
  pump(a, b);
  EXPECT_FALSE(a.can_send());
  for (ZmtpConnection* c : {&a, &b}) {
    auto ev = events(*c);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().reason, CloseReason::kMechanismMismatch);
    EXPECT_EQ(ev.back().protocol_error, protocol_error::kZmtpMechanismMismatch);
    EXPECT_TRUE(parts(*c).empty());
  }
}

TEST(ZmtpSecurityTest, PlainHandshakeWaitsForZapThenCarriesData) {
  ZmtpConnection client(plain(SocketType::kDealer, false), 0);
  ZmtpOptions so = plain(SocketType::kRouter, true);
  so.peer_address = "10.1.1.1";
  ZmtpConnection server(so, 0);
  pump(client, server, 3);
  std::vector<Msg> request;
  ASSERT_TRUE(server.poll_zap_request(&request));
  EXPECT_FALSE(server.active());
  server.handle_zap_reply(answer(request, "200"), false, 0);
  pump(client, server, 3);
  ASSERT_TRUE(client.active());
  ASSERT_TRUE(server.active());
  EXPECT_EQ(*server.peer_metadata()->find("User-Id"), "admin");
  EXPECT_EQ(*server.peer_metadata()->find("Peer-Address"), "10.1.1.1");
  client.send_part(Msg::copy_of(std::string_view("hello")));
  pump(client, server);
  EXPECT_EQ(parts(server), std::vector<std::string>{"hello"});
}

TEST(ZmtpSecurityTest, PlainRefusalReachesTheClientAsAuth) {
  ZmtpConnection client(plain(SocketType::kDealer, false), 0);
  ZmtpConnection server(plain(SocketType::kRouter, true), 0);
  pump(client, server);
  std::vector<Msg> request;
  ASSERT_TRUE(server.poll_zap_request(&request));
  server.handle_zap_reply(answer(request, "400"), false, 0);
  pump(client, server);
  auto se = events(server);
  ASSERT_EQ(se.size(), 2u);
  EXPECT_EQ(se[0].kind, ConnEvent::Kind::kAuthFailed);
  EXPECT_EQ(se[0].value, 400);
  EXPECT_EQ(se[1].reason, CloseReason::kAuthFailed);
  EXPECT_EQ(se[1].protocol_error, 0u);
  auto ce = events(client);
  ASSERT_EQ(ce.size(), 2u);
  EXPECT_EQ(ce[0].kind, ConnEvent::Kind::kAuthFailed);
  EXPECT_EQ(ce[0].value, 400);
  EXPECT_EQ(ce[1].reason, CloseReason::kPeerError);
}

// Oversized handshake commands (a HELLO past ZMQ_MAXMSGSIZE): refused before the mechanism
// or ZAP sees them.
TEST(ZmtpSecurityTest, OversizedHelloIsRefusedBeforeZap) {
  ZmtpOptions so = plain(SocketType::kRouter, true);
  so.max_msg_size = 100;
  ZmtpConnection server(so, 0);
  std::string user(255, 'u');
  std::string body = std::string(1, char(255)) + user + std::string(1, char(3)) + "pwd";
  Bytes in = greeting(3, 1, "PLAIN");
  Bytes f = frame(wire::make_command("HELLO", wire::as_bytes(body)));
  in.insert(in.end(), f.begin(), f.end());
  server.feed(in, 0);
  auto ev = events(server);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kTooLarge);
  std::vector<Msg> request;
  EXPECT_FALSE(server.poll_zap_request(&request));
}

// A data frame during the PLAIN handshake is out of sequence and never delivered.
TEST(ZmtpSecurityTest, DataBeforeThePlainHandshakeIsRefused) {
  ZmtpConnection server(plain(SocketType::kRouter, true), 0);
  Bytes in = greeting(3, 1, "PLAIN");
  Msg data = Msg::copy_of(std::string_view("sneaky"));
  Bytes f = frame(data);
  in.insert(in.end(), f.begin(), f.end());
  server.feed(in, 0);
  auto ev = events(server);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kInvalidSequence);
  EXPECT_EQ(ev.back().protocol_error, protocol_error::kZmtpInvalidSequence);
  EXPECT_TRUE(parts(server).empty());
}

}  // namespace
}  // namespace zlab::proto

namespace zlab::proto {
namespace {

using namespace test_util;

// libzmq's test key pairs as bytes (rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 and
// Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID).
const std::string kServerPublic(
    "\x54\xfc\xba\x24\xe9\x32\x49\x96\x93\x16\xfb\x61\x7c\x87\x2b\xb0"
    "\xc1\xd1\xff\x14\x80\x04\x27\xc5\x94\xcb\xfa\xcf\x1b\xc2\xd6\x52",
    32);
const std::string kServerSecret(
    "\x8e\x0b\xdd\x69\x76\x28\xb9\x1d\x8f\x24\x55\x87\xee\x95\xc5\xb0"
    "\x4d\x48\x96\x3f\x79\x25\x98\x77\xb4\x9c\xd9\x06\x3a\xea\xd3\xb7",
    32);
const std::string kClientPublic(
    "\xbb\x88\x47\x1d\x65\xe2\x65\x9b\x30\xc5\x5a\x53\x21\xce\xbb\x5a"
    "\xab\x2b\x70\xa3\x98\x64\x5c\x26\xdc\xa2\xb2\xfc\xb4\x3f\xc5\x18",
    32);
const std::string kClientSecret(
    "\x7b\xb8\x64\xb4\x89\xaf\xa3\x67\x1f\xbe\x69\x10\x1f\x94\xb3\x89"
    "\x72\xf2\x48\x16\xdf\xb0\x1b\x51\x65\x6b\x3f\xec\x8d\xfd\x08\x88",
    32);

ZmtpOptions curve(SocketType t, bool server) {
  ZmtpOptions o = options_for(t);
  o.security.name = "CURVE";
  o.security.as_server = server;
  o.security.curve_public_key = server ? kServerPublic : kClientPublic;
  o.security.curve_secret_key = server ? kServerSecret : kClientSecret;
  if (!server) o.security.curve_server_key = kServerPublic;
  uint8_t seed = server ? 3 : 7;
  o.security.random = [seed](std::span<uint8_t> out) mutable {
    for (uint8_t& b : out) b = seed++;
  };
  return o;
}

// Drives a CURVE pair to READY with `chunk`-byte reads, answering the server's ZAP request.
void curve_handshake(ZmtpConnection& client, ZmtpConnection& server, size_t chunk) {
  pump(client, server, chunk);
  std::vector<Msg> request;
  ASSERT_TRUE(server.poll_zap_request(&request));
  server.handle_zap_reply({}, true, 0);  // no handler: admitted (not enforced)
  pump(client, server, chunk);
}

// The whole CURVE handshake and sealed traffic, read one byte at a time (a split at every
// byte), then in 7-byte pieces: the same messages arrive, subscriptions and PINGs included.
TEST(ZmtpSecurityTest, CurveSurvivesAnySplit) {
  for (size_t chunk : {size_t(1), size_t(7)}) {
    ZmtpOptions co = curve(SocketType::kSub, false);
    ZmtpOptions so = curve(SocketType::kPub, true);
    so.heartbeat_ivl_ns = 10 * kMs;
    ZmtpConnection client(co, 0);
    ZmtpConnection server(so, 0);
    curve_handshake(client, server, chunk);
    ASSERT_TRUE(client.active()) << chunk;
    ASSERT_TRUE(server.active()) << chunk;
    client.send_part(Msg::copy_of(std::string_view("\x01topic")));
    pump(client, server, chunk);
    EXPECT_EQ(parts(server), std::vector<std::string>{"\x01topic"});
    Msg head = Msg::copy_of(std::string_view("topic.head"));
    head.set_more(true);
    server.send_part(std::move(head));
    server.send_part(Msg::copy_of(std::string_view(std::string(1000, 'z'))));
    server.handle_timeout(20 * kMs);  // a PING, sealed like everything else
    Bytes wire = take_output(server);
    EXPECT_EQ(std::string(wire.begin(), wire.end()).find("PING"), std::string::npos);
    client.feed(wire, 20 * kMs);
    EXPECT_EQ(parts(client, 20 * kMs),
              (std::vector<std::string>{"topic.head+", std::string(1000, 'z')}));
    pump(client, server, chunk, 20 * kMs);  // the PONG goes back
    EXPECT_TRUE(client.active());
    EXPECT_TRUE(server.active());
  }
}

// A MESSAGE replayed on the wire: the receiver refuses it as out of sequence and closes; what
// came before it was delivered, nothing after.
TEST(ZmtpSecurityTest, CurveReplayedMessageEndsTheConnection) {
  ZmtpConnection client(curve(SocketType::kPush, false), 0);
  ZmtpConnection server(curve(SocketType::kPull, true), 0);
  curve_handshake(client, server, SIZE_MAX);
  client.send_part(Msg::copy_of(std::string_view("once")));
  Bytes wire = take_output(client);
  server.feed(wire, 0);
  EXPECT_EQ(parts(server), std::vector<std::string>{"once"});
  server.feed(wire, 0);  // the same bytes again
  EXPECT_TRUE(parts(server).empty());
  auto ev = events(server);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kInvalidSequence);
  EXPECT_EQ(ev.back().protocol_error, protocol_error::kZmtpInvalidSequence);
}

}  // namespace
}  // namespace zlab::proto
