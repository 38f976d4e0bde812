#include "engine/wire/ws_handshake.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab::wire {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr std::array<uint8_t, 16> kNonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// A request as libzmq 4.3.4's ws engine sends it (ws_engine.cpp), with RFC 6455's sample key.
std::string libzmq_request(std::string_view protocol = "ZWS2.0/NULL,ZWS2.0") {
  return "GET /roundtrip HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Protocol: " +
         std::string(protocol) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

std::string with_field_replaced(std::string request, std::string_view from, std::string_view to) {
  size_t at = request.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return request.replace(at, from.size(), to);
}

TEST(WsAcceptKey, Rfc6455Example) {
  // RFC 6455 §1.3's worked example.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsClientKey, Base64OfTheNonce) {
  EXPECT_EQ(ws_client_key(kNonce), "AQIDBAUGBwgJCgsMDQ4PEA==");
}

TEST(WsServerHandshake, AcceptsLibzmqRequestByteForByte) {
  WsServerHandshake hs;
  std::string request = libzmq_request();
  EXPECT_EQ(hs.feed(bytes_of(request)), request.size());
  ASSERT_EQ(hs.state(), WsServerHandshake::State::kComplete) << hs.error();
  EXPECT_EQ(hs.protocol(), "ZWS2.0/NULL");
  EXPECT_EQ(hs.path(), "/roundtrip");
  EXPECT_EQ(hs.reply(),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n");
}

TEST(WsServerHandshake, SplitAtEveryByteGivesTheSameResult) {
  std::string request = libzmq_request();
  for (size_t split = 0; split <= request.size(); ++split) {
    WsServerHandshake hs;
    size_t used = hs.feed(bytes_of(request).first(split));
    EXPECT_EQ(used, split);
    if (split < request.size()) {
      EXPECT_EQ(hs.state(), WsServerHandshake::State::kNeedMore) << split;
      hs.feed(bytes_of(request).subspan(split));
    }
    EXPECT_EQ(hs.state(), WsServerHandshake::State::kComplete) << split;
  }
}

TEST(WsServerHandshake, OneByteAtATime) {
  std::string request = libzmq_request();
  WsServerHandshake hs;
  for (char c : request) hs.feed(bytes_of(std::string_view(&c, 1)));
  EXPECT_EQ(hs.state(), WsServerHandshake::State::kComplete);
}

TEST(WsServerHandshake, StopsAtTheEndOfTheHead) {
  std::string request = libzmq_request() + "\x82\x81";  // a frame right behind it
  WsServerHandshake hs;
  EXPECT_EQ(hs.feed(bytes_of(request)), request.size() - 2);
  EXPECT_EQ(hs.state(), WsServerHandshake::State::kComplete);
}

TEST(WsServerHandshake, FieldNamesAnyCaseListsAndRepeats) {
  std::string request =
      "GET / HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
      "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: chat\r\n"
      "Sec-WebSocket-Protocol:  ZWS2.0/NULL \r\nsec-websocket-version: 13\r\n\r\n";
  WsServerHandshake hs;
  hs.feed(bytes_of(request));
  ASSERT_EQ(hs.state(), WsServerHandshake::State::kComplete) << hs.error();
  EXPECT_EQ(hs.protocol(), "ZWS2.0/NULL");
}

struct BadRequest {
  const char* what;
  std::string request;
  const char* error_contains;
};

TEST(WsServerHandshake, MalformedRequestsAreRefusedWithA400) {
  std::string good = libzmq_request();
  std::vector<BadRequest> cases = {
      {"POST", with_field_replaced(good, "GET ", "POST "), "expected start"},
      {"HTTP/1.0", with_field_replaced(good, "HTTP/1.1", "HTTP/1.0"), "request line"},
      {"no target", with_field_replaced(good, "GET /roundtrip ", "GET  "), "request line"},
      {"missing Upgrade", with_field_replaced(good, "Upgrade: websocket\r\n", ""), "Upgrade"},
      {"Upgrade: h2c", with_field_replaced(good, "Upgrade: websocket", "Upgrade: h2c"), "Upgrade"},
      {"missing Connection", with_field_replaced(good, "Connection: Upgrade\r\n", ""),
       "Connection"},
      {"missing key",
       with_field_replaced(good, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
       "Sec-WebSocket-Key"},
      {"short key", with_field_replaced(good, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ=="),
       "Sec-WebSocket-Key"},
      {"not base64",
       with_field_replaced(good, "dGhlIHNhbXBsZSBub25jZQ==", "!!!!!!!!!!!!!!!!!!!!!!=="),
       "Sec-WebSocket-Key"},
      {"version 8", with_field_replaced(good, "Version: 13", "Version: 8"), "Version"},
      {"wrong subprotocol", libzmq_request("ZWS2.0/CURVE"), "Sec-WebSocket-Protocol"},
      {"bare ZWS2.0 only", libzmq_request("ZWS2.0"), "Sec-WebSocket-Protocol"},
      {"no subprotocol",
       with_field_replaced(good, "Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n", ""),
       "Sec-WebSocket-Protocol"},
      {"bare LF", with_field_replaced(good, "Host: 127.0.0.1\r\n", "Host: 127.0.0.1\n"), "LF"},
      {"stray CR", with_field_replaced(good, "Host: 127", "Host:\r127"), "CR"},
      {"no colon", with_field_replaced(good, "Host: 127.0.0.1", "Host 127.0.0.1"), "':'"},
      {"folded", with_field_replaced(good, "Host: 127.0.0.1\r\n", "Host: 127.0.0.1\r\n  x\r\n"),
       "folded"},
      {"empty start line", "\r\n" + good, "expected start"},
      {"GETX", "GETX / HTTP/1.1\r\n\r\n", "expected start"},
      {"GET with two blanks", "GET  / HTTP/1.1\r\n\r\n", "request line"},
  };
  for (const auto& c : cases) {
    WsServerHandshake hs;
    hs.feed(bytes_of(c.request));
    EXPECT_EQ(hs.state(), WsServerHandshake::State::kFailed) << c.what;
    EXPECT_NE(hs.error().find(c.error_contains), std::string::npos) << c.what << ": " << hs.error();
    EXPECT_EQ(hs.reply().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << c.what;
  }
}

TEST(WsServerHandshake, AZmtpGreetingIsRefusedAtItsFirstByte) {
  const uint8_t greeting[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1};
  WsServerHandshake hs;
  EXPECT_EQ(hs.feed(greeting), 1u);
  EXPECT_EQ(hs.state(), WsServerHandshake::State::kFailed);
}

TEST(WsServerHandshake, OversizedHeadIsRefused) {
  std::string request = "GET / HTTP/1.1\r\nX-Padding: " + std::string(kMaxHeadBytes, 'a');
  WsServerHandshake hs;
  size_t used = hs.feed(bytes_of(request));
  EXPECT_EQ(hs.state(), WsServerHandshake::State::kFailed);
  EXPECT_EQ(used, kMaxHeadBytes + 1);  // stops reading at the first byte too many
  EXPECT_NE(hs.error().find("8192"), std::string::npos) << hs.error();
  // Nothing more is taken after a failure.
  EXPECT_EQ(hs.feed(bytes_of("\r\n\r\n")), 0u);
}

TEST(WsServerHandshake, HeadJustUnderTheLimitIsFine) {
  std::string request = libzmq_request();
  std::string pad = "X-Pad: ";
  size_t room = kMaxHeadBytes - request.size() - pad.size() - 2;
  request.insert(request.size() - 2, pad + std::string(room, 'a') + "\r\n");
  ASSERT_EQ(request.size(), kMaxHeadBytes);
  WsServerHandshake hs;
  hs.feed(bytes_of(request));
  EXPECT_EQ(hs.state(), WsServerHandshake::State::kComplete) << hs.error();
}

TEST(WsClientHandshake, RequestByteForByte) {
  WsClientHandshake hs("127.0.0.1:5555", "/path", kNonce);
  EXPECT_EQ(hs.request(),
            "GET /path HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"
            "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nSec-WebSocket-Version: 13\r\n\r\n");
  WsClientHandshake no_path("h", "", kNonce);
  EXPECT_EQ(no_path.request().rfind("GET / HTTP/1.1\r\n", 0), 0u);
}

TEST(WsClientHandshake, ClientAndServerAgree) {
  WsClientHandshake client("localhost:1", "/x", kNonce);
  WsServerHandshake server;
  server.feed(bytes_of(client.request()));
  ASSERT_EQ(server.state(), WsServerHandshake::State::kComplete) << server.error();
  std::string reply = server.reply();
  for (size_t split = 0; split <= reply.size(); ++split) {
    WsClientHandshake c("localhost:1", "/x", kNonce);
    EXPECT_EQ(c.feed(bytes_of(reply).first(split)), split);
    c.feed(bytes_of(reply).subspan(split));
    ASSERT_EQ(c.state(), WsClientHandshake::State::kComplete) << split << " " << c.error();
    EXPECT_EQ(c.protocol(), "ZWS2.0/NULL");
  }
}

std::string good_reply() {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         ws_accept_key(ws_client_key(kNonce)) + "\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n";
}

TEST(WsClientHandshake, MalformedRepliesAreRefused) {
  std::string good = good_reply();
  std::vector<BadRequest> cases = {
      {"400", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "refused"},
      {"200", with_field_replaced(good, "101 Switching Protocols", "200 OK"), "refused"},
      {"HTTP/1.0", with_field_replaced(good, "HTTP/1.1", "HTTP/1.0"), "expected start"},
      {"missing Upgrade", with_field_replaced(good, "Upgrade: websocket\r\n", ""), "Upgrade"},
      {"missing Connection", with_field_replaced(good, "Connection: Upgrade\r\n", ""),
       "Connection"},
      {"bad accept", with_field_replaced(good, "Accept: ", "Accept: x"), "Sec-WebSocket-Accept"},
      {"no accept",
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
       "Connection: Upgrade\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n",
       "Sec-WebSocket-Accept"},
      {"wrong subprotocol", with_field_replaced(good, "Protocol: ZWS2.0/NULL", "Protocol: ZWS2.0"),
       "did not offer"},
      {"no subprotocol", with_field_replaced(good, "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n", ""),
       "Sec-WebSocket-Protocol"},
      {"bare LF", with_field_replaced(good, "Upgrade: websocket\r\n", "Upgrade: websocket\n"),
       "LF"},
      {"oversized", "HTTP/1.1 101 OK\r\nX: " + std::string(kMaxHeadBytes, 'a'), "8192"},
  };
  for (const auto& c : cases) {
    WsClientHandshake hs("h", "/", kNonce);
    hs.feed(bytes_of(c.request));
    EXPECT_EQ(hs.state(), WsClientHandshake::State::kFailed) << c.what;
    EXPECT_NE(hs.error().find(c.error_contains), std::string::npos) << c.what << ": " << hs.error();
  }
}

}  // namespace
}  // namespace zlab::wire
