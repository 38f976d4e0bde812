// ZmtpConnection with a ZMTP 2.0 peer (rfc 15), as libzmq 4.3.4 and JeroMQ 0.3 speak it: the
// greeting staged as libzmq's, every byte split of the peer's bytes, socket types, malformed
// greetings and identity frames, and a 2.0 peer of a socket with security.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/proto/connection_test_util.h"
#include "engine/proto/zmtp_connection.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::proto {
namespace {

using namespace test_util;  // Bytes, take_output, events, parts
namespace zb = wire::bytes;

ZmtpOptions opts(SocketType t, std::string id = {}) {
  ZmtpOptions o = options_for(t);
  o.routing_id = std::move(id);
  return o;
}

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }
uint8_t zmq_number(SocketType t) { return uint8_t(socket_type_info(t).zmq_value); }

// A 2.0 PUSH peer with identity "peer-id": greeting, identity frame, then a two-part message
// and a one-part one.
std::string push_peer_bytes() {
  return zb::greeting_v2(zmq_number(SocketType::kPush), 8) + zb::frame("peer-id") +
         zb::message({"a", "b"}) + zb::frame("hello");
}

TEST(Zmtp20Test, OurGreetingIsStagedAsLibzmqs) {
  ZmtpConnection conn(opts(SocketType::kPull, "me"), 0);
  EXPECT_EQ(s(take_output(conn)), zb::raw_signature(3));  // identity "me": length + 1
  std::string peer = push_peer_bytes();
  conn.feed(b(peer.substr(0, 9)), 0);
  EXPECT_TRUE(take_output(conn).empty());
  conn.feed(b(peer.substr(9, 1)), 0);
  EXPECT_EQ(take_output(conn), Bytes{3});  // its signature came: our version major
  conn.feed(b(peer.substr(10, 1)), 0);
  // Its revision byte says 2.0: our socket type, and our greeting is complete at 12 bytes.
  EXPECT_EQ(take_output(conn), Bytes{zmq_number(SocketType::kPull)});
  conn.feed(b(peer.substr(11, 1)), 0);
  EXPECT_EQ(s(take_output(conn)), zb::frame("me"));  // our identity, as rfc 15's grammar
  EXPECT_FALSE(conn.active());                       // until its identity has come
  conn.feed(b(peer.substr(12)), 0);
  EXPECT_TRUE(conn.active());
  EXPECT_TRUE(conn.peer_speaks_zmtp20());
}

// Whatever the split of the peer's bytes, the same bytes go out and the same messages come in.
TEST(Zmtp20Test, EveryByteSplitOfTheGreetingReadsTheSame) {
  std::string peer = push_peer_bytes();
  for (size_t split = 0; split <= peer.size(); ++split) {
    SCOPED_TRACE(split);
    ZmtpConnection conn(opts(SocketType::kPull), 0);
    Bytes out = take_output(conn);
    EXPECT_EQ(conn.feed(b(peer.substr(0, split)), 0), split);
    Bytes more = take_output(conn);
    out.insert(out.end(), more.begin(), more.end());
    EXPECT_EQ(conn.feed(b(peer.substr(split)), 0), peer.size() - split);
    more = take_output(conn);
    out.insert(out.end(), more.begin(), more.end());
    EXPECT_EQ(s(out), zb::raw_signature(1) + "\x03\x07" + zb::frame(""));
    EXPECT_EQ(parts(conn), (std::vector<std::string>{"a+", "b", "hello"}));
    auto ev = events(conn);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, ConnEvent::Kind::kHandshakeSucceeded);
    EXPECT_FALSE(ev[0].reported);  // libzmq reports no handshake with a 2.0 peer
    EXPECT_EQ(conn.peer_type(), SocketType::kPush);
    EXPECT_EQ(*conn.peer_metadata()->find("Identity"), "peer-id");
    EXPECT_EQ(*conn.peer_metadata()->find("Socket-Type"), "PUSH");
    EXPECT_EQ(conn.peer_minor_version(), 0);
  }
}

// Both directions over 2.0: our frames are rfc 15's (a subscription is a message, never a
// SUBSCRIBE command), and no heartbeat is armed (2.0 has no PING).
TEST(Zmtp20Test, CarriesFramesBothWaysWithoutCommands) {
  ZmtpOptions o = opts(SocketType::kSub);
  o.heartbeat_ivl_ns = 100 * kMs;
  ZmtpConnection sub(o, 0);
  take_output(sub);
  sub.feed(b(zb::greeting_v2(zmq_number(SocketType::kPub)) + zb::frame("")), 0);
  ASSERT_TRUE(sub.active());
  take_output(sub);
  EXPECT_EQ(sub.next_deadline_ns(), kNever);
  sub.send_part(Msg::copy_of(std::string_view("\x01topic")));
  EXPECT_EQ(s(take_output(sub)), zb::subscribe_v30("topic"));
  sub.feed(b(zb::message({"topic", std::string(300, 'x')})), 0);
  EXPECT_EQ(parts(sub), (std::vector<std::string>{"topic+", std::string(300, 'x')}));
}

// rfc 15 "Socket Compatibility": the greeting's socket type is checked against ours (libzmq
// does not check it; zlab checks every transport's peer, as with 3.x READY). XPUB and XSUB
// announce their own numbers (as libzmq's options.type) and are PUB and SUB to the check.
TEST(Zmtp20Test, SocketTypesAreCheckedAsAtA3xHandshake) {
  const SocketType ours[] = {SocketType::kPair,   SocketType::kPub,  SocketType::kSub,
                             SocketType::kReq,    SocketType::kRep,  SocketType::kDealer,
                             SocketType::kRouter, SocketType::kPull, SocketType::kPush,
                             SocketType::kXPub,   SocketType::kXSub};
  for (SocketType self : ours) {
    for (SocketType peer : ours) {
      SCOPED_TRACE(std::string(socket_type_info(self).name) + " <- " +
                   std::string(socket_type_info(peer).name));
      ZmtpConnection conn(opts(self), 0);
      take_output(conn);
      conn.feed(b(zb::greeting_v2(zmq_number(peer)) + zb::frame("") + zb::frame("x")), 0);
      Bytes out = take_output(conn);
      if (compatible(self, peer)) {
        EXPECT_TRUE(conn.active());
        continue;
      }
      auto ev = events(conn);
      ASSERT_EQ(ev.size(), 1u);
      EXPECT_EQ(ev[0].reason, CloseReason::kIncompatiblePeer);
      EXPECT_EQ(ev[0].protocol_error, protocol_error::kZmtpInvalidMetadata);
      // Our greeting's last pieces, then no identity frame and no ERROR (2.0 has no commands).
      EXPECT_EQ(out, (Bytes{3, zmq_number(self)}));
      EXPECT_TRUE(parts(conn).empty());
      EXPECT_TRUE(conn.finished());
    }
  }
}

struct Malformed {
  const char* name;
  std::string bytes;
  CloseReason reason;
};

// A malformed 2.0 greeting or identity ends the connection with a clear reason; nothing is
// delivered, and no ERROR goes to a peer that has no commands.
TEST(Zmtp20Test, MalformedGreetingsAndIdentitiesAreRefused) {
  const uint8_t pull = zmq_number(SocketType::kPull);
  std::string zmtp10 = zb::greeting_v2(pull);
  zmtp10[wire::kRevisionAt] = char(wire::kRevisionZmtp10);
  std::vector<Malformed> cases = {
      {"revision 0x00: ZMTP 1.0 framing", zmtp10 + zb::frame("") + zb::frame("x"),
       CloseReason::kLegacyPeer},
      {"unknown socket type", zb::greeting_v2(0x20) + zb::frame("") + zb::frame("x"),
       CloseReason::kBadGreeting},
      {"identity frame with MORE", zb::greeting_v2(pull) + zb::frame("id", true) + zb::frame("x"),
       CloseReason::kMalformedFrame},
      {"command flag on the identity", zb::greeting_v2(pull) + zb::raw_frame(0x04, "\x05READY"),
       CloseReason::kMalformedFrame},
      {"command flag after the identity",
       zb::greeting_v2(pull) + zb::frame("") + zb::raw_frame(0x04, "\x04PING\0\0"),
       CloseReason::kMalformedFrame},
      {"reserved flag bits", zb::greeting_v2(pull) + zb::frame("") + zb::raw_frame(0x10, "x"),
       CloseReason::kMalformedFrame},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ZmtpConnection conn(opts(SocketType::kPush), 0);
    take_output(conn);
    conn.feed(b(c.bytes), 0);
    EXPECT_TRUE(parts(conn).empty());
    auto ev = events(conn);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().kind, ConnEvent::Kind::kClosed);
    EXPECT_EQ(ev.back().reason, c.reason) << close_reason_name(ev.back().reason);
    EXPECT_FALSE(ev.back().detail.empty());
    std::string written = s(take_output(conn));
    // Our greeting's last pieces (none for a ZMTP 1.0 peer), then no ERROR.
    if (written.size() > 2) {
      EXPECT_FALSE(zb::parse_frames(written.substr(2)).has_command("ERROR"));
    }
    EXPECT_TRUE(conn.finished());
  }
}

// ZMTP 2.0 has no security: with PLAIN or CURVE, or NULL with a ZAP domain, a 2.0 peer is
// refused as libzmq refuses it (handshake_v2_0: zap_enabled), with DISCONNECTED alone.
TEST(Zmtp20Test, APeerOfASocketWithSecurityIsRefusedWithDisconnectedAlone) {
  ZmtpOptions plain = opts(SocketType::kPull);
  plain.security.name = "PLAIN";
  plain.security.as_server = true;
  ZmtpOptions zap = opts(SocketType::kPull);
  zap.security.zap_domain = "global";
  for (const ZmtpOptions& o : {plain, zap}) {
    SCOPED_TRACE(o.security.name);
    ZmtpConnection conn(o, 0);
    take_output(conn);
    conn.feed(b(zb::greeting_v2(zmq_number(SocketType::kPush)) + zb::frame("") + zb::frame("x")),
              0);
    EXPECT_TRUE(parts(conn).empty());
    auto ev = events(conn);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].reason, CloseReason::kLegacyPeer);
    EXPECT_EQ(ev[0].protocol_error, 0u);  // no HANDSHAKE_FAILED_PROTOCOL
    EXPECT_EQ(ev[0].value, 0);            // no HANDSHAKE_FAILED_NO_DETAIL
    EXPECT_EQ(take_output(conn), (Bytes{3, zmq_number(SocketType::kPull)}));  // no identity
    EXPECT_TRUE(conn.finished());
  }
}

// A ZMTP 3.x peer still gets the whole 3.1 greeting once its version major has come.
TEST(Zmtp20Test, A3xPeerGetsTheRestOfTheGreetingAfterItsMajor) {
  ZmtpConnection conn(opts(SocketType::kPull), 0);
  take_output(conn);
  std::string peer = zb::greeting();
  conn.feed(b(peer.substr(0, 10)), 0);
  EXPECT_EQ(take_output(conn), Bytes{3});
  conn.feed(b(peer.substr(10, 1)), 0);
  EXPECT_EQ(s(take_output(conn)), zb::greeting().substr(11));
}

}  // namespace
}  // namespace zlab::proto
