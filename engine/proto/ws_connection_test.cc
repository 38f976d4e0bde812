// ZMTP over WebSocket (ZmtpOptions::websocket): the HTTP upgrade, READY as binary frames, data,
// heartbeats as WebSocket pings, close frames, and every way a peer can get it wrong.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "engine/proto/connection_test_util.h"
#include "engine/proto/zmtp_connection.h"
#include "engine/wire/ws_frame.h"
#include "engine/wire/ws_handshake.h"

namespace zlab::proto {
namespace {

using namespace test_util;  // Bytes, kMs, take_output, events, parts, pump

ZmtpOptions ws_opts(SocketType t, bool client) {
  ZmtpOptions o = options_for(t);
  WsOptions ws;
  ws.client = client;
  ws.host = "127.0.0.1:5555";
  ws.path = "/path";
  ws.seed = 12345;
  o.websocket = ws;
  return o;
}

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

Msg part(std::string_view s, bool more = false) {
  Msg m = Msg::copy_of(s);
  m.set_more(more);
  return m;
}

TEST(WsConnectionTest, ClientOpensWithTheUpgradeRequest) {
  ZmtpConnection client(ws_opts(SocketType::kReq, true), 0);
  std::string request = text(take_output(client));
  EXPECT_EQ(request.rfind("GET /path HTTP/1.1\r\nHost: 127.0.0.1:5555\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n"), std::string::npos);
  // Nothing else until the server has answered: no ZMTP greeting, no READY.
  EXPECT_EQ(request.find("\r\n\r\n"), request.size() - 4);
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  EXPECT_EQ(server.pending_bytes(), 0u);
}

// The subprotocol names the socket's mechanism, as libzmq's ws engine offers and accepts it:
// a PLAIN client offers only "ZWS2.0/PLAIN"; a PLAIN server answers it and runs PLAIN over the
// WebSocket frames (here up to its ZAP request); a NULL client is refused at the upgrade.
ZmtpOptions plain_ws_opts(SocketType t, bool client) {
  ZmtpOptions o = ws_opts(t, client);
  o.security.name = "PLAIN";
  o.security.as_server = !client;
  if (client) {
    o.security.plain_username = "admin";
    o.security.plain_password = "secret";
  }
  return o;
}

TEST(WsConnectionTest, SubprotocolNamesTheMechanism) {
  ZmtpConnection client(plain_ws_opts(SocketType::kPush, true), 0);
  std::string request = text(take_output(client));
  EXPECT_NE(request.find("Sec-WebSocket-Protocol: ZWS2.0/PLAIN\r\n"), std::string::npos) << request;
  EXPECT_EQ(request.find("ZWS2.0/NULL"), std::string::npos) << request;
}

TEST(WsConnectionTest, PlainRunsOverTheFramesUpToItsZapRequest) {
  ZmtpConnection client(plain_ws_opts(SocketType::kPush, true), 0);
  ZmtpConnection server(plain_ws_opts(SocketType::kPull, false), 0);
  pump(client, server, SIZE_MAX);
  std::vector<Msg> zap;
  ASSERT_TRUE(server.poll_zap_request(&zap)) << "HELLO did not reach the PLAIN server";
  ASSERT_EQ(zap.size(), 9u);  // the empty delimiter, then rfc 27's frames
  EXPECT_EQ(zap[6].view(), "PLAIN");
  EXPECT_EQ(zap[7].view(), "admin");
  EXPECT_EQ(zap[8].view(), "secret");
}

TEST(WsConnectionTest, NullClientIsRefusedByAPlainServerAtTheUpgrade) {
  ZmtpConnection client(ws_opts(SocketType::kPush, true), 0);
  ZmtpConnection server(plain_ws_opts(SocketType::kPull, false), 0);
  pump(client, server, SIZE_MAX);
  EXPECT_FALSE(server.active());
  EXPECT_FALSE(client.active());
  std::vector<ConnEvent> ev = events(server);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().kind, ConnEvent::Kind::kClosed);
  EXPECT_NE(ev.back().detail.find("ZWS2.0/PLAIN"), std::string::npos) << ev.back().detail;
}

TEST(WsConnectionTest, HandshakeSplitAtAnyChunkSize) {
  for (size_t chunk : {size_t(1), size_t(2), size_t(3), size_t(7), size_t(64), SIZE_MAX}) {
    ZmtpConnection client(ws_opts(SocketType::kDealer, true), 0);
    ZmtpConnection server(ws_opts(SocketType::kRouter, false), 0);
    pump(client, server, chunk);
    ASSERT_TRUE(client.active()) << chunk;
    ASSERT_TRUE(server.active()) << chunk;
    EXPECT_EQ(events(client).front().kind, ConnEvent::Kind::kHandshakeSucceeded);
    EXPECT_EQ(server.peer_type(), SocketType::kDealer);
    EXPECT_EQ(client.peer_type(), SocketType::kRouter);
    // ZWS2.0 carries subscriptions as messages: no 3.1 commands.
    EXPECT_EQ(client.peer_minor_version(), 0);
  }
}

TEST(WsConnectionTest, ServerRepliesThenReadyInOneRead) {
  // The client may get the 101 and the server's READY in one read: nothing is lost.
  ZmtpConnection client(ws_opts(SocketType::kPair, true), 0);
  ZmtpConnection server(ws_opts(SocketType::kPair, false), 0);
  server.feed(take_output(client), 0);
  Bytes reply_and_ready = take_output(server);
  std::string s = text(reply_and_ready);
  ASSERT_EQ(s.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  size_t head_end = s.find("\r\n\r\n") + 4;
  ASSERT_LT(head_end, s.size());
  // READY as libzmq frames it: binary, unmasked from a server, flags byte COMMAND (0x02).
  EXPECT_EQ(uint8_t(s[head_end]), 0x82);
  EXPECT_EQ(uint8_t(s[head_end + 2]), 0x02);
  EXPECT_EQ(s.substr(head_end + 3, 6), "\x05READY");
  client.feed(reply_and_ready, 0);
  server.feed(take_output(client), 0);
  EXPECT_TRUE(client.active());
  EXPECT_TRUE(server.active());
}

TEST(WsConnectionTest, DataBothWaysSmallAndLarge) {
  ZmtpConnection client(ws_opts(SocketType::kDealer, true), 0);
  ZmtpConnection server(ws_opts(SocketType::kDealer, false), 0);
  pump(client, server);
  std::string big(70000, 'b');
  client.send_part(part("head", true));
  client.send_part(part(""));
  client.send_part(part(big));
  server.send_part(part("reply"));
  // Parts are taken as they come: an untaken frame holds the decoder (backpressure).
  Bytes to_server = take_output(client);
  std::vector<std::string> at_server;
  for (size_t at = 0; at < to_server.size();) {
    size_t n = server.feed(std::span<const uint8_t>(to_server).subspan(
                               at, std::min<size_t>(1000, to_server.size() - at)),
                           0);
    at += n;
    auto got = parts(server);
    at_server.insert(at_server.end(), got.begin(), got.end());
    ASSERT_TRUE(n > 0 || !got.empty()) << "stalled at " << at;
  }
  pump(client, server);
  std::vector<std::string> at_client = parts(client);
  ASSERT_EQ(at_server.size(), 3u);
  EXPECT_EQ(at_server[0], "head+");
  EXPECT_EQ(at_server[1], "");
  EXPECT_TRUE(at_server[2] == big) << at_server[2].size();
  EXPECT_EQ(at_client, (std::vector<std::string>{"reply"}));
}

TEST(WsConnectionTest, SubscriptionsTravelAsMessages) {
  ZmtpConnection sub(ws_opts(SocketType::kSub, true), 0);
  ZmtpConnection pub(ws_opts(SocketType::kXPub, false), 0);
  pump(sub, pub);
  sub.send_part(
      part("\x01"
           "A"));
  Bytes wire_bytes = take_output(sub);
  // One binary frame: flags 0 (a message, not a SUBSCRIBE command), then 0x01 'A'.
  ASSERT_EQ(wire_bytes.size(), 2u + 4 + 3);
  const uint8_t* key = &wire_bytes[2];
  EXPECT_EQ(wire_bytes[6] ^ key[0], 0x00);
  EXPECT_EQ(wire_bytes[7] ^ key[1], 0x01);
  pub.feed(wire_bytes, 0);
  EXPECT_EQ(parts(pub), (std::vector<std::string>{"\x01"
                                                  "A"}));
}

TEST(WsConnectionTest, HeartbeatIsAWebSocketPingAnsweredByAPong) {
  ZmtpOptions co = ws_opts(SocketType::kReq, true);
  co.heartbeat_ivl_ns = 10 * kMs;
  ZmtpConnection client(co, 0);
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  pump(client, server);
  ASSERT_EQ(client.next_deadline_ns(), 10 * kMs);
  client.handle_timeout(10 * kMs);
  Bytes ping = take_output(client);
  ASSERT_EQ(ping.size(), 6u);  // masked, empty payload
  EXPECT_EQ(ping[0], 0x89);
  EXPECT_EQ(ping[1], 0x80);
  server.feed(ping, 11 * kMs);
  EXPECT_TRUE(parts(server).empty());
  Bytes pong = take_output(server);
  EXPECT_EQ(pong, (Bytes{0x8A, 0x00}));
  client.feed(pong, 12 * kMs);
  // The pong was traffic: the heartbeat timeout no longer runs, the connection lives.
  client.handle_timeout(19 * kMs);
  EXPECT_TRUE(client.active());
  EXPECT_EQ(client.next_deadline_ns(), 20 * kMs);
}

TEST(WsConnectionTest, HeartbeatWithoutAnswerTimesOut) {
  ZmtpOptions co = ws_opts(SocketType::kReq, true);
  co.heartbeat_ivl_ns = 10 * kMs;
  ZmtpConnection client(co, 0);
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  pump(client, server);
  events(client);
  client.handle_timeout(10 * kMs);
  take_output(client);
  client.handle_timeout(20 * kMs);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(events(client).back().reason, CloseReason::kHeartbeatTimeout);
}

TEST(WsConnectionTest, CloseFrameIsAnsweredAndEndsTheConnection) {
  ZmtpConnection client(ws_opts(SocketType::kPair, true), 0);
  ZmtpConnection server(ws_opts(SocketType::kPair, false), 0);
  pump(client, server);
  events(client);
  client.feed(Bytes{0x88, 0x02, 0x03, 0xE8}, 0);  // close, 1000
  parts(client);
  EXPECT_TRUE(client.closed());
  auto ev = events(client);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().reason, CloseReason::kPeerClosed);
  Bytes answer = take_output(client);
  ASSERT_EQ(answer.size(), 2u + 4 + 2);
  EXPECT_EQ(answer[0], 0x88);
  EXPECT_EQ(answer[6] ^ answer[2], 0x03);
  EXPECT_EQ(answer[7] ^ answer[3], 0xE8);
  EXPECT_TRUE(client.finished());
}

TEST(WsConnectionTest, MalformedFrameGetsClose1002) {
  ZmtpConnection client(ws_opts(SocketType::kPair, true), 0);
  ZmtpConnection server(ws_opts(SocketType::kPair, false), 0);
  pump(client, server);
  events(client);
  client.feed(Bytes{0x81, 0x01, 'x'}, 0);  // a text frame
  parts(client);
  EXPECT_TRUE(client.closed());
  auto ev = events(client);
  EXPECT_EQ(ev.back().reason, CloseReason::kMalformedFrame);
  EXPECT_NE(ev.back().detail.find("opcode"), std::string::npos) << ev.back().detail;
  Bytes answer = take_output(client);
  ASSERT_EQ(answer.size(), 8u);
  EXPECT_EQ(answer[6] ^ answer[2], 0x03);  // 1002 = 0x03EA
  EXPECT_EQ(answer[7] ^ answer[3], 0xEA);
}

TEST(WsConnectionTest, UnmaskedFrameFromAClientIsRefused) {
  ZmtpConnection client(ws_opts(SocketType::kPair, true), 0);
  ZmtpConnection server(ws_opts(SocketType::kPair, false), 0);
  pump(client, server);
  events(server);
  server.feed(Bytes{0x82, 0x02, 0x00, 'x'}, 0);
  parts(server);
  EXPECT_TRUE(server.closed());
  EXPECT_EQ(events(server).back().reason, CloseReason::kMalformedFrame);
}

TEST(WsConnectionTest, BadRequestGetsA400AndTheConnectionCloses) {
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";  // no Upgrade
  server.feed(bytes_of(request), 0);
  EXPECT_TRUE(server.closed());
  auto ev = events(server);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].reason, CloseReason::kBadWsHandshake);
  EXPECT_TRUE(is_protocol_failure(ev[0].reason));
  EXPECT_NE(ev[0].detail.find("Upgrade"), std::string::npos) << ev[0].detail;
  std::string reply = text(take_output(server));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
  EXPECT_TRUE(server.finished());
}

TEST(WsConnectionTest, ZmtpPeerOnAWsEndpointIsRefused) {
  // A tcp:// ZMTP client dialling a ws:// endpoint: its greeting is no HTTP request.
  ZmtpOptions zo = options_for(SocketType::kReq);
  ZmtpConnection zmtp(zo, 0);
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  pump(zmtp, server);
  EXPECT_TRUE(server.closed());
  EXPECT_EQ(events(server).back().reason, CloseReason::kBadWsHandshake);
}

TEST(WsConnectionTest, OversizedRequestIsRefused) {
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  std::string request = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a');
  size_t taken = server.feed(bytes_of(request), 0);
  EXPECT_LE(taken, wire::kMaxHeadBytes + 1024);  // stops reading soon after the limit
  EXPECT_TRUE(server.closed());
  EXPECT_EQ(events(server).back().reason, CloseReason::kBadWsHandshake);
}

TEST(WsConnectionTest, BadAcceptKeyFromTheServerIsRefused) {
  ZmtpConnection client(ws_opts(SocketType::kReq, true), 0);
  take_output(client);
  std::string reply =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
      "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n";
  client.feed(bytes_of(reply), 0);
  EXPECT_TRUE(client.closed());
  auto ev = events(client);
  EXPECT_EQ(ev.back().reason, CloseReason::kBadWsHandshake);
  EXPECT_NE(ev.back().detail.find("Sec-WebSocket-Accept"), std::string::npos);
  EXPECT_TRUE(client.finished());  // nothing to say to such a server
}

TEST(WsConnectionTest, HandshakeTimeoutCoversTheUpgrade) {
  ZmtpOptions so = ws_opts(SocketType::kRep, false);
  so.handshake_ivl_ns = 100 * kMs;
  ZmtpConnection server(so, 0);
  server.feed(bytes_of("GET / HTTP/1.1\r\n"), 0);
  server.handle_timeout(100 * kMs);
  EXPECT_TRUE(server.closed());
  EXPECT_EQ(events(server).back().reason, CloseReason::kHandshakeTimeout);
}

TEST(WsConnectionTest, MaxMsgSizeAppliesToBodies) {
  ZmtpConnection client(ws_opts(SocketType::kPush, true), 0);
  ZmtpOptions so = ws_opts(SocketType::kPull, false);
  so.max_msg_size = 100;  // READY (26 bytes here) is a frame too, as in libzmq
  ZmtpConnection server(so, 0);
  pump(client, server);
  ASSERT_TRUE(server.active());
  client.send_part(part(std::string(100, 'a')));
  client.send_part(part(std::string(101, 'b')));
  pump(client, server);
  EXPECT_EQ(parts(server), (std::vector<std::string>{std::string(100, 'a')}));
  EXPECT_TRUE(server.closed()) << server.active();
  EXPECT_EQ(events(server).back().reason, CloseReason::kTooLarge);
}

// Whatever a peer sends, before or after the upgrade, in whatever pieces: no crash, no hang,
// and a connection that ends says why.
RC_GTEST_PROP(WsConnectionProperty, ArbitraryBytesFromAClientNeverBreakTheServer,
              (std::vector<uint8_t> garbage, uint8_t mode, size_t chunk)) {
  ZmtpConnection server(ws_opts(SocketType::kRep, false), 0);
  if (mode % 3 == 1) {
    // Inside the HTTP head: header lines of random bytes.
    std::string start = "GET / HTTP/1.1\r\nUpgrade: websocket\r\n";
    garbage.insert(garbage.begin(), start.begin(), start.end());
  } else if (mode % 3 == 2) {
    // After the upgrade: random WebSocket frames.
    ZmtpConnection client(ws_opts(SocketType::kReq, true), 0);
    pump(client, server);
    RC_ASSERT(server.active());
  }
  size_t step = chunk % 13 + 1;
  for (size_t at = 0; at < garbage.size() && !server.closed(); at += step) {
    size_t n = std::min(step, garbage.size() - at);
    RC_ASSERT(server.feed(std::span<const uint8_t>(garbage).subspan(at, n), 0) <= n);
    parts(server);
    take_output(server);
  }
  for (const ConnEvent& e : events(server)) {
    if (e.kind == ConnEvent::Kind::kClosed) RC_ASSERT(!e.detail.empty());
  }
}

RC_GTEST_PROP(WsConnectionProperty, ArbitraryBytesFromAServerNeverBreakTheClient,
              (const std::vector<uint8_t>& garbage)) {
  ZmtpConnection client(ws_opts(SocketType::kReq, true), 0);
  take_output(client);
  client.feed(garbage, 0);
  parts(client);
  // Only a well-formed 101 with the right accept key can upgrade the connection.
  RC_ASSERT(!client.active());
}

}  // namespace
}  // namespace zlab::proto
