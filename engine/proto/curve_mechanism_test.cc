#include "engine/proto/curve_mechanism.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

namespace zlab::proto {
namespace {

struct Keys {
  std::string pub, sec;
};

Keys keypair(uint8_t seed) {
  uint8_t secret[32];
  std::memset(secret, seed, sizeof secret);
  uint8_t pub[32];
  EXPECT_EQ(crypto_scalarmult_base(pub, secret), 0);
  return {std::string(reinterpret_cast<char*>(pub), 32),
          std::string(reinterpret_cast<char*>(secret), 32)};
}

// A deterministic random source: the same seed gives the same bytes.
RandomBytes counter_random(uint8_t seed) {
  auto state = std::make_shared<uint8_t>(seed);
  return [state](std::span<uint8_t> out) {
    for (uint8_t& b : out) b = (*state)++ * 37 + 11;
  };
}

const Keys kServer = keypair(1);
const Keys kClient = keypair(2);

MechanismConfig client_config(uint8_t seed = 5) {
  MechanismConfig c;
  c.name = "CURVE";
  c.own_properties = {{"Socket-Type", "DEALER"}};
  c.curve_public_key = kClient.pub;
  c.curve_secret_key = kClient.sec;
  c.curve_server_key = kServer.pub;
  c.random = counter_random(seed);
  return c;
}

MechanismConfig server_config(uint8_t seed = 9) {
  MechanismConfig c;
  c.name = "CURVE";
  c.as_server = true;
  c.own_properties = {{"Socket-Type", "ROUTER"}};
  c.curve_public_key = kServer.pub;
  c.curve_secret_key = kServer.sec;
  c.zap_request_id = "4";
  c.random = counter_random(seed);
  return c;
}

std::vector<Msg> drain(Mechanism& m) {
  std::vector<Msg> out;
  Msg c;
  while (m.poll_command(&c)) out.push_back(std::move(c));
  return out;
}

Msg one(Mechanism& m) {
  auto all = drain(m);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? Msg() : std::move(all[0]);
}

Msg altered(const Msg& m, size_t at) {
  Msg out = Msg::copy_of(std::span<const uint8_t>(m.data(), m.size()));
  out.mutable_data()[at] ^= 0x01;
  out.set_command(true);
  return out;
}

Msg truncated(const Msg& m, size_t size) {
  Msg out = Msg::copy_of(std::span<const uint8_t>(m.data(), size));
  out.set_command(true);
  return out;
}

std::vector<Msg> zap_reply(std::string_view status) {
  std::vector<std::string_view> parts = {"", "1.0", "4", status, "", "client-1", ""};
  std::vector<Msg> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out.push_back(Msg::copy_of(parts[i]));
    out.back().set_more(i + 1 < parts.size());
  }
  return out;
}

// Runs the handshake to the point `upto` names: 1 HELLO given to the server, 2 WELCOME given to
// the client, 3 INITIATE given to the server (ZAP answered 200), 4 READY given to the client.
struct Pair {
  explicit Pair(MechanismConfig server_cfg = server_config()) : server(std::move(server_cfg)) {}
  CurveClient client{client_config()};
  CurveServer server;
  Msg hello, welcome, initiate, ready;

  void run(int upto) {
    client.start();
    server.start();
    hello = one(client);
    if (upto < 1) return;
    server.handle_command(hello);
    welcome = one(server);
    if (upto < 2) return;
    client.handle_command(welcome);
    initiate = one(client);
    if (upto < 3) return;
    server.handle_command(initiate);
    std::vector<Msg> request;
    if (server.poll_zap_request(&request)) server.handle_zap_reply(zap_reply("200"), false);
    ready = one(server);
    if (upto < 4) return;
    client.handle_command(ready);
  }
};

void expect_failure(const Mechanism& m, uint32_t code) {
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().protocol_error, code) << m.failure().detail;
}

TEST(CurveMechanismTest, HandshakeThenSealedMessagesBothWays) {
  Pair p;
  p.run(4);
  ASSERT_EQ(p.client.status(), Mechanism::Status::kReady);
  ASSERT_EQ(p.server.status(), Mechanism::Status::kReady);
  EXPECT_EQ(p.hello.size(), 1u + 5 + 194);
  EXPECT_EQ(p.welcome.size(), 1u + 7 + 160);
  ASSERT_EQ(p.server.peer_properties().size(), 2u);
  EXPECT_EQ(p.server.peer_properties()[1], (wire::Property{"User-Id", "client-1"}));
  EXPECT_EQ(p.client.peer_properties()[0].second, "ROUTER");
  // The ZAP request carried the client's long-term key.
  Msg m = Msg::copy_of(std::string_view("secret payload"));
  m.set_more(true);
  ASSERT_TRUE(p.client.encode(&m));
  EXPECT_EQ(m.view().find("secret payload"), std::string_view::npos);
  EXPECT_FALSE(m.command());  // libzmq sends MESSAGE as a data frame
  ASSERT_TRUE(p.server.decode(&m));
  EXPECT_EQ(m.view(), "secret payload");
  EXPECT_TRUE(m.more());
  Msg back = wire::make_ping(0, {});
  ASSERT_TRUE(p.server.encode(&back));
  ASSERT_TRUE(p.client.decode(&back));
  EXPECT_TRUE(back.command());
  EXPECT_EQ(command_name(back), "PING");
}

TEST(CurveMechanismTest, ZapRequestNamesTheClientKey) {
  Pair p;
  p.run(2);
  p.server.handle_command(p.initiate);
  std::vector<Msg> request;
  ASSERT_TRUE(p.server.poll_zap_request(&request));
  ASSERT_EQ(request.size(), 8u);
  EXPECT_EQ(request[6].view(), "CURVE");
  EXPECT_EQ(request[7].view(), kClient.pub);
}

TEST(CurveMechanismTest, SameRandomnessSameBytes) {
  Pair a, b;
  a.run(4);
  b.run(4);
  EXPECT_EQ(a.hello.view(), b.hello.view());
  EXPECT_EQ(a.welcome.view(), b.welcome.view());
  EXPECT_EQ(a.initiate.view(), b.initiate.view());
  EXPECT_EQ(a.ready.view(), b.ready.view());
}

// --- bad input, one case each ---

TEST(CurveMechanismTest, HelloOfWrongSizeIsMalformed) {
  Pair p;
  p.run(0);
  p.server.handle_command(truncated(p.hello, 199));
  expect_failure(p.server, protocol_error::kZmtpMalformedCommandHello);
}

TEST(CurveMechanismTest, HelloWithAnotherVersionIsMalformed) {
  Pair p;
  p.run(0);
  p.server.handle_command(altered(p.hello, 7));  // version 1.0 -> 1.1
  expect_failure(p.server, protocol_error::kZmtpMalformedCommandHello);
}

// rfc 26's HELLO fields libzmq 4.3.4 never looks at: its 72 padding octets SHALL be zero, and
// its signature box SHALL hold 64 zero octets (div/curve/hello-fields-unchecked).
TEST(CurveMechanismTest, HelloWithNonZeroPaddingIsMalformed) {
  for (size_t at : {8u, 40u, 79u}) {
    Pair p;
    p.run(0);
    p.server.handle_command(altered(p.hello, at));
    expect_failure(p.server, protocol_error::kZmtpMalformedCommandHello);
    EXPECT_TRUE(drain(p.server).empty()) << "no WELCOME for padding byte " << at;
  }
}

// A HELLO made by hand with a transient key of its own, its signature box sealing `signature`.
Msg hello_signing(const std::array<uint8_t, 64>& signature) {
  Keys transient = keypair(77);
  std::vector<uint8_t> body(6 + 2 + 72 + 32 + 8 + 80, 0);
  std::memcpy(body.data(), "\x05HELLO", 6);
  body[6] = 1;
  std::memcpy(body.data() + 80, transient.pub.data(), 32);
  body[119] = 1;  // short nonce 1
  uint8_t nonce[crypto_box_NONCEBYTES] = {};
  std::memcpy(nonce, "CurveZMQHELLO---", 16);
  nonce[23] = 1;
  EXPECT_EQ(crypto_box_easy(body.data() + 120, signature.data(), 64, nonce,
                            reinterpret_cast<const uint8_t*>(kServer.pub.data()),
                            reinterpret_cast<const uint8_t*>(transient.sec.data())),
            0);
  Msg m = Msg::copy_of(std::span<const uint8_t>(body));
  m.set_command(true);
  return m;
}

TEST(CurveMechanismTest, HelloSigningZerosIsWelcomed) {
  CurveServer server(server_config());
  server.start();
  server.handle_command(hello_signing({}));
  EXPECT_NE(server.status(), Mechanism::Status::kFailed) << server.failure().detail;
  EXPECT_EQ(drain(server).size(), 1u);  // the WELCOME: the hand-made HELLO is a valid one
}

TEST(CurveMechanismTest, HelloSigningNonZeroOctetsIsMalformed) {
  std::array<uint8_t, 64> signature{};
  signature[63] = 1;
  CurveServer server(server_config());
  server.start();
  server.handle_command(hello_signing(signature));
  expect_failure(server, protocol_error::kZmtpMalformedCommandHello);
  EXPECT_TRUE(drain(server).empty());
}

TEST(CurveMechanismTest, HelloForAnotherServerKeyDoesNotOpen) {
  MechanismConfig c = client_config();
  c.curve_server_key = keypair(7).pub;
  CurveClient client(c);
  CurveServer server(server_config());
  client.start();
  server.start();
  server.handle_command(one(client));
  expect_failure(server, protocol_error::kZmtpCryptographic);
  EXPECT_TRUE(drain(server).empty());
}

TEST(CurveMechanismTest, TamperedHelloBoxDoesNotOpen) {
  Pair p;
  p.run(0);
  p.server.handle_command(altered(p.hello, 150));
  expect_failure(p.server, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, WelcomeOfWrongSizeIsRefused) {
  Pair p;
  p.run(1);
  p.client.handle_command(truncated(p.welcome, 100));
  expect_failure(p.client, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, TamperedWelcomeDoesNotOpen) {
  Pair p;
  p.run(1);
  p.client.handle_command(altered(p.welcome, 100));
  expect_failure(p.client, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, TruncatedInitiateIsMalformed) {
  Pair p;
  p.run(2);
  p.server.handle_command(truncated(p.initiate, 200));
  expect_failure(p.server, protocol_error::kZmtpMalformedCommandInitiate);
}

TEST(CurveMechanismTest, InitiateWithABadCookieIsRefused) {
  Pair p;
  p.run(2);
  p.server.handle_command(altered(p.initiate, 1 + 8 + 30));  // inside the cookie's box
  expect_failure(p.server, protocol_error::kZmtpCryptographic);
}

// A cookie is good for the connection that made it only: another server connection (another
// cookie key and transient key) refuses an INITIATE replayed to it.
TEST(CurveMechanismTest, ReplayedInitiateIsRefusedByAnotherConnection) {
  Pair p;
  p.run(2);
  CurveServer other(server_config(77));
  other.start();
  other.handle_command(p.hello);
  drain(other);
  other.handle_command(p.initiate);
  expect_failure(other, protocol_error::kZmtpCryptographic);
}

// rfc 26: the vouch names the server's long-term key; a vouch for another server is refused
// (found by ./zlab fuzz --mechanism CURVE, curve-initiate/vouch-wrong-server: zlab, like
// libzmq 4.3.4, checked only the transient key in it). The client's INITIATE is opened and
// boxed again with a vouch for another key, everything else unchanged.
TEST(CurveMechanismTest, VouchForAnotherServerKeyIsRefused) {
  Pair p;
  p.run(2);
  uint8_t t_sec[32];
  counter_random(5)(t_sec);  // the client's first random bytes: its transient secret
  uint8_t t_pub[32];
  ASSERT_EQ(crypto_scalarmult_base(t_pub, t_sec), 0);
  auto key = [](const std::string& k) { return reinterpret_cast<const uint8_t*>(k.data()); };
  // WELCOME: name 8, nonce 16, Box[S' + cookie](S->C').
  uint8_t welcome_nonce[24] = {'W', 'E', 'L', 'C', 'O', 'M', 'E', '-'};
  std::memcpy(welcome_nonce + 8, p.welcome.data() + 8, 16);
  uint8_t welcome_plain[128];
  ASSERT_EQ(crypto_box_open_easy(welcome_plain, p.welcome.data() + 24, 144, welcome_nonce,
                                 key(kServer.pub), t_sec),
            0);
  const uint8_t* s_transient = welcome_plain;
  // INITIATE: name 9, cookie 96, short nonce 8, Box[C + vouch + metadata](C'->S').
  const uint8_t* cmd = p.initiate.data();
  size_t box_size = p.initiate.size() - 113;
  uint8_t nonce[24];
  std::memcpy(nonce, "CurveZMQINITIATE", 16);
  std::memcpy(nonce + 16, cmd + 105, 8);
  std::vector<uint8_t> plain(box_size - 16);
  ASSERT_EQ(crypto_box_open_easy(plain.data(), cmd + 113, box_size, nonce, s_transient, t_sec), 0);
  uint8_t vouch_nonce[24] = {'V', 'O', 'U', 'C', 'H', '-', '-', '-'};
  std::memcpy(vouch_nonce + 8, plain.data() + 32, 16);
  uint8_t vouch_plain[64];
  std::memcpy(vouch_plain, t_pub, 32);
  std::memcpy(vouch_plain + 32, key(keypair(3).pub), 32);  // another server's key
  ASSERT_EQ(crypto_box_easy(plain.data() + 48, vouch_plain, 64, vouch_nonce, s_transient,
                            key(kClient.sec)),
            0);
  std::vector<uint8_t> forged(cmd, cmd + 113);
  forged.resize(113 + box_size);
  ASSERT_EQ(
      crypto_box_easy(forged.data() + 113, plain.data(), plain.size(), nonce, s_transient, t_sec),
      0);
  Msg initiate = Msg::copy_of(std::span<const uint8_t>(forged));
  initiate.set_command(true);
  p.server.handle_command(initiate);
  expect_failure(p.server, protocol_error::kZmtpKeyExchange);
}

TEST(CurveMechanismTest, TamperedInitiateBoxDoesNotOpen) {
  Pair p;
  p.run(2);
  p.server.handle_command(altered(p.initiate, p.initiate.size() - 3));
  expect_failure(p.server, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, TruncatedReadyIsMalformed) {
  Pair p;
  p.run(3);
  p.client.handle_command(truncated(p.ready, 20));
  expect_failure(p.client, protocol_error::kZmtpMalformedCommandReady);
}

TEST(CurveMechanismTest, TamperedReadyDoesNotOpen) {
  Pair p;
  p.run(3);
  p.client.handle_command(altered(p.ready, p.ready.size() - 1));
  expect_failure(p.client, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, ReplayedMessageNonceIsInvalidSequence) {
  Pair p;
  p.run(4);
  Msg m = Msg::copy_of(std::string_view("once"));
  ASSERT_TRUE(p.client.encode(&m));
  Msg copy = Msg::copy_of(std::span<const uint8_t>(m.data(), m.size()));
  ASSERT_TRUE(p.server.decode(&m));
  EXPECT_FALSE(p.server.decode(&copy));
  expect_failure(p.server, protocol_error::kZmtpInvalidSequence);
}

TEST(CurveMechanismTest, OutOfOrderMessagesAreInvalidSequence) {
  Pair p;
  p.run(4);
  Msg first = Msg::copy_of(std::string_view("1"));
  Msg second = Msg::copy_of(std::string_view("2"));
  ASSERT_TRUE(p.client.encode(&first));
  ASSERT_TRUE(p.client.encode(&second));
  ASSERT_TRUE(p.server.decode(&second));
  EXPECT_FALSE(p.server.decode(&first));
  expect_failure(p.server, protocol_error::kZmtpInvalidSequence);
}

TEST(CurveMechanismTest, TamperedMessageDoesNotOpen) {
  Pair p;
  p.run(4);
  Msg m = Msg::copy_of(std::string_view("payload"));
  ASSERT_TRUE(p.client.encode(&m));
  Msg bad = altered(m, m.size() - 1);
  EXPECT_FALSE(p.server.decode(&bad));
  expect_failure(p.server, protocol_error::kZmtpCryptographic);
}

TEST(CurveMechanismTest, ShortMessageIsMalformed) {
  Pair p;
  p.run(4);
  Msg m = Msg::copy_of(std::string_view("\x07MESSAGE\0\0\0\0\0\0\0\x09", 16));
  EXPECT_FALSE(p.server.decode(&m));
  expect_failure(p.server, protocol_error::kZmtpMalformedCommandMessage);
}

TEST(CurveMechanismTest, ClearFrameAfterHandshakeIsUnexpected) {
  Pair p;
  p.run(4);
  Msg m = Msg::copy_of(std::string_view("plain text"));
  EXPECT_FALSE(p.server.decode(&m));
  expect_failure(p.server, protocol_error::kZmtpUnexpectedCommand);
}

TEST(CurveMechanismTest, ZapDenialSendsErrorAndReportsAuth) {
  Pair p;
  p.run(2);
  p.server.handle_command(p.initiate);
  std::vector<Msg> request;
  ASSERT_TRUE(p.server.poll_zap_request(&request));
  p.server.handle_zap_reply(zap_reply("400"), false);
  ASSERT_EQ(p.server.status(), Mechanism::Status::kFailed);
  EXPECT_TRUE(p.server.failure().send_error);
  EXPECT_EQ(p.server.failure().error_reason, "400");
  int status = 0;
  ASSERT_TRUE(p.server.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
  p.client.handle_command(wire::make_error("400"));
  ASSERT_TRUE(p.client.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

TEST(CurveMechanismTest, NoHandlerAllowsUnlessEnforced) {
  Pair p;
  p.run(2);
  p.server.handle_command(p.initiate);
  p.server.handle_zap_reply({}, true);
  EXPECT_EQ(drain(p.server).size(), 1u);  // READY
  MechanismConfig c = server_config();
  c.zap_domain = "d";
  c.zap_enforce_domain = true;
  Pair q(c);
  q.run(2);
  q.server.handle_command(q.initiate);
  q.server.handle_zap_reply({}, true);
  ASSERT_EQ(q.server.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(q.server.failure().no_detail_errno, EFAULT);
}

TEST(CurveMechanismTest, CommandBeforeHelloIsUnexpected) {
  CurveServer s(server_config());
  s.start();
  s.handle_command(wire::make_ready({{"Socket-Type", "DEALER"}}));
  expect_failure(s, protocol_error::kZmtpUnexpectedCommand);
}

}  // namespace
}  // namespace zlab::proto
