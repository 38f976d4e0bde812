#include "engine/proto/plain_mechanism.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zlab::proto {
namespace {

MechanismConfig client_config() {
  MechanismConfig c;
  c.name = "PLAIN";
  c.own_properties = {{"Socket-Type", "DEALER"}};
  c.plain_username = "admin";
  c.plain_password = "secret";
  return c;
}

MechanismConfig server_config() {
  MechanismConfig c;
  c.name = "PLAIN";
  c.as_server = true;
  c.own_properties = {{"Socket-Type", "ROUTER"}};
  c.zap_domain = "dom";
  c.zap_request_id = "9";
  c.peer_address = "127.0.0.1";
  return c;
}

std::vector<Msg> drain(Mechanism& m) {
  std::vector<Msg> out;
  Msg c;
  while (m.poll_command(&c)) out.push_back(std::move(c));
  return out;
}

Msg command(std::string_view name, std::string_view data) {
  return wire::make_command(name, wire::as_bytes(data));
}

std::vector<Msg> zap_reply(std::string_view status, std::string_view user = "admin") {
  std::vector<std::string_view> parts = {"", "1.0", "9", status, "", user, ""};
  std::vector<Msg> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out.push_back(Msg::copy_of(parts[i]));
    out.back().set_more(i + 1 < parts.size());
  }
  return out;
}

// Runs a server through HELLO and a ZAP 200: it has sent WELCOME.
void welcome(PlainServer& s) {
  s.handle_command(command("HELLO", std::string_view("\x05"
                                                     "admin\x06"
                                                     "secret",
                                                     13)));
  std::vector<Msg> request;
  ASSERT_TRUE(s.poll_zap_request(&request));
  s.handle_zap_reply(zap_reply("200"), false);
  auto sent = drain(s);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(command_name(sent[0]), "WELCOME");
}

TEST(PlainMechanismTest, ClientAndServerShakeHands) {
  PlainClient c(client_config());
  PlainServer s(server_config());
  c.start();
  s.start();
  auto hello = drain(c);
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].view().substr(1), std::string_view("HELLO\x05"
                                                        "admin\x06"
                                                        "secret",
                                                        18));
  s.handle_command(hello[0]);
  std::vector<Msg> request;
  ASSERT_TRUE(s.poll_zap_request(&request));
  std::vector<std::string> got;
  for (auto& f : request) got.emplace_back(f.view());
  EXPECT_EQ(got, (std::vector<std::string>{"", "1.0", "9", "dom", "127.0.0.1", "", "PLAIN", "admin",
                                           "secret"}));
  s.handle_zap_reply(zap_reply("200"), false);
  for (auto& m : drain(s)) c.handle_command(m);  // WELCOME
  for (auto& m : drain(c)) s.handle_command(m);  // INITIATE
  for (auto& m : drain(s)) c.handle_command(m);  // READY
  ASSERT_EQ(c.status(), Mechanism::Status::kReady);
  ASSERT_EQ(s.status(), Mechanism::Status::kReady);
  EXPECT_EQ(c.peer_properties()[0].second, "ROUTER");
  ASSERT_EQ(s.peer_properties().size(), 2u);
  EXPECT_EQ(s.peer_properties()[1], (wire::Property{"User-Id", "admin"}));
}

TEST(PlainMechanismTest, ServerWithoutHandlerRefusesWithEfault) {
  PlainServer s(server_config());
  s.handle_command(command("HELLO", std::string_view("\x01u\x01p", 4)));
  s.handle_zap_reply({}, true);
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(s.failure().no_detail_errno, EFAULT);
  EXPECT_TRUE(drain(s).empty());
}

TEST(PlainMechanismTest, WrongCredentialsGetErrorWithTheStatus) {
  PlainServer s(server_config());
  s.handle_command(command("HELLO", std::string_view("\x01u\x01p", 4)));
  s.handle_zap_reply(zap_reply("400"), false);
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(s.failure().reason, CloseReason::kAuthFailed);
  EXPECT_TRUE(s.failure().send_error);
  EXPECT_EQ(s.failure().error_reason, "400");
  int status = 0;
  ASSERT_TRUE(s.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

TEST(PlainMechanismTest, ClientReportsTheServersRefusalAsAuth) {
  PlainClient c(client_config());
  c.start();
  c.handle_command(wire::make_error("400"));
  ASSERT_EQ(c.status(), Mechanism::Status::kFailed);
  int status = 0;
  ASSERT_TRUE(c.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

// libzmq 4.3.4's PLAIN server sends its ERROR as 5e 'RROR' (div/plain/error-command-prefix).
TEST(PlainMechanismTest, ClientTakesLibzmqsErrorForm) {
  PlainClient c(client_config());
  c.start();
  Msg libzmq_error =
      Msg::copy_of(std::string_view("\x5eRROR\x03"
                                    "400",
                                    9));
  libzmq_error.set_command(true);
  c.handle_command(libzmq_error);
  ASSERT_EQ(c.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(c.failure().reason, CloseReason::kPeerError);
  int status = 0;
  ASSERT_TRUE(c.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

TEST(PlainMechanismTest, ServerSendsTheRfcErrorForm) {
  PlainServer s(server_config());
  s.handle_command(command("HELLO", std::string_view("\x01u\x01p", 4)));
  s.handle_zap_reply(zap_reply("500"), false);
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  // The connection encodes the ERROR from these (wire::make_error: 05 'ERROR' 03 '500').
  EXPECT_TRUE(s.failure().send_error);
  EXPECT_EQ(s.failure().error_reason, "500");
  EXPECT_EQ(wire::make_error(s.failure().error_reason).view(), std::string_view("\x05"
                                                                                "ERROR\x03"
                                                                                "500",
                                                                                10));
}

// Malformed HELLOs, one case each: MALFORMED_COMMAND_HELLO, no ZAP request, nothing sent.
TEST(PlainMechanismTest, MalformedHelloIsRefused) {
  const std::vector<std::string> bodies = {
      std::string(""),  // no username
      std::string("\x05"
                  "adm",
                  4),           // username truncated
      std::string("\x01u", 2),  // no password
      std::string("\x01u\x05"
                  "pa",
                  5),  // password truncated
      std::string("\x01u\x01p"
                  "extra",
                  9),  // trailing bytes
  };
  for (const auto& body : bodies) {
    PlainServer s(server_config());
    s.handle_command(command("HELLO", body));
    ASSERT_EQ(s.status(), Mechanism::Status::kFailed) << body;
    EXPECT_EQ(s.failure().protocol_error, protocol_error::kZmtpMalformedCommandHello) << body;
    std::vector<Msg> request;
    EXPECT_FALSE(s.poll_zap_request(&request));
    EXPECT_TRUE(drain(s).empty());
  }
}

TEST(PlainMechanismTest, ServerWantsHelloFirst) {
  PlainServer s(server_config());
  s.handle_command(wire::make_ready({{"Socket-Type", "DEALER"}}));
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(s.failure().protocol_error, protocol_error::kZmtpUnexpectedCommand);
}

TEST(PlainMechanismTest, CommandWhileZapDecidesIsAProtocolError) {
  PlainServer s(server_config());
  s.handle_command(command("HELLO", std::string_view("\x01u\x01p", 4)));
  s.handle_command(command("INITIATE", ""));
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(s.failure().protocol_error, protocol_error::kZmtpUnspecified);
}

TEST(PlainMechanismTest, InitiateWithBadMetadataIsInvalidMetadata) {
  PlainServer s(server_config());
  welcome(s);
  s.handle_command(command("INITIATE", std::string_view("\x03"
                                                        "ab",
                                                        3)));
  ASSERT_EQ(s.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(s.failure().protocol_error, protocol_error::kZmtpInvalidMetadata);
}

TEST(PlainMechanismTest, WelcomeWithDataIsMalformed) {
  PlainClient c(client_config());
  c.start();
  c.handle_command(command("WELCOME", "x"));
  ASSERT_EQ(c.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(c.failure().protocol_error, protocol_error::kZmtpMalformedCommandWelcome);
}

TEST(PlainMechanismTest, ReadyBeforeWelcomeIsUnexpected) {
  PlainClient c(client_config());
  c.start();
  c.handle_command(wire::make_ready({{"Socket-Type", "ROUTER"}}));
  ASSERT_EQ(c.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(c.failure().protocol_error, protocol_error::kZmtpUnexpectedCommand);
}

}  // namespace
}  // namespace zlab::proto
