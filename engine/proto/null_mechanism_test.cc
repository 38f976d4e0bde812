#include "engine/proto/null_mechanism.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/proto/zap.h"

namespace zlab::proto {
namespace {

MechanismConfig config() {
  MechanismConfig c;
  c.own_properties = {{"Socket-Type", "DEALER"}, {"Identity", "me"}};
  c.peer_address = "10.0.0.1";
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

// The handler's reply: delimiter, version, id, status, text, user, metadata.
std::vector<Msg> reply(std::string_view id, std::string_view status, std::string_view user = "",
                       std::vector<uint8_t> metadata = {}) {
  std::vector<std::string_view> parts = {"", "1.0", id, status, "text", user};
  std::vector<Msg> out;
  for (auto p : parts) {
    out.push_back(Msg::copy_of(p));
    out.back().set_more(true);
  }
  out.push_back(Msg::copy_of(std::span<const uint8_t>(metadata)));
  return out;
}

TEST(NullMechanismTest, ReadyBothWaysGivesThePeersProperties) {
  NullMechanism m(config());
  m.start();
  auto sent = drain(m);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(command_name(sent[0]), "READY");
  auto props = wire::encode_properties({{"Socket-Type", "ROUTER"}, {"X-Hello", "x"}});
  m.handle_command(wire::make_command("READY", props));
  ASSERT_EQ(m.status(), Mechanism::Status::kReady);
  EXPECT_EQ(m.peer_properties().size(), 2u);
  EXPECT_EQ(m.peer_properties()[1].second, "x");
}

TEST(NullMechanismTest, UnknownCommandIsUnexpected) {
  NullMechanism m(config());
  m.start();
  m.handle_command(command("HELLO", ""));
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().protocol_error, protocol_error::kZmtpUnexpectedCommand);
  EXPECT_TRUE(m.failure().send_error);
}

TEST(NullMechanismTest, SecondReadyIsUnexpected) {
  NullMechanism m(config());
  m.handle_command(wire::make_ready({{"Socket-Type", "ROUTER"}}));
  m.handle_command(wire::make_ready({{"Socket-Type", "ROUTER"}}));
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().protocol_error, protocol_error::kZmtpUnexpectedCommand);
}

TEST(NullMechanismTest, TruncatedMetadataIsInvalidMetadata) {
  NullMechanism m(config());
  m.start();
  m.handle_command(command("READY", std::string_view("\x0bSocket-Type\x00\x00", 14)));
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().protocol_error, protocol_error::kZmtpInvalidMetadata);
}

TEST(NullMechanismTest, PeerErrorWithZapStatusIsAnAuthFailure) {
  NullMechanism m(config());
  m.start();
  m.handle_command(wire::make_error("400"));
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().reason, CloseReason::kPeerError);
  EXPECT_EQ(m.failure().protocol_error, 0u);  // libzmq reports AUTH only
  int status = 0;
  ASSERT_TRUE(m.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

TEST(NullMechanismTest, TruncatedErrorIsMalformed) {
  NullMechanism m(config());
  m.handle_command(command("ERROR", std::string_view("\x05"
                                                     "ab",
                                                     3)));
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(m.failure().protocol_error, protocol_error::kZmtpMalformedCommandError);
}

TEST(NullMechanismTest, WithADomainZapIsAskedBeforeReady) {
  MechanismConfig c = config();
  c.zap_domain = "global";
  c.zap_request_id = "7";
  NullMechanism m(c);
  m.start();
  EXPECT_TRUE(drain(m).empty());
  std::vector<Msg> request;
  ASSERT_TRUE(m.poll_zap_request(&request));
  std::vector<std::string> got;
  for (auto& f : request) got.emplace_back(f.view());
  EXPECT_EQ(got, (std::vector<std::string>{"", "1.0", "7", "global", "10.0.0.1", "", "NULL"}));
  EXPECT_FALSE(request.back().more());
  EXPECT_TRUE(m.waiting_for_zap());
  auto meta = wire::encode_properties({{"Hello", "World"}});
  auto r = reply("7", "200", "alice", meta);
  m.handle_zap_reply(r, false);
  auto sent = drain(m);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(command_name(sent[0]), "READY");
  m.handle_command(wire::make_ready({{"Socket-Type", "ROUTER"}}));
  ASSERT_EQ(m.status(), Mechanism::Status::kReady);
  auto& props = m.peer_properties();
  ASSERT_EQ(props.size(), 3u);
  EXPECT_EQ(props[1], (wire::Property{"User-Id", "alice"}));
  EXPECT_EQ(props[2], (wire::Property{"Hello", "World"}));
}

TEST(NullMechanismTest, ZapDenialSendsErrorWithTheStatus) {
  MechanismConfig c = config();
  c.zap_domain = "global";
  NullMechanism m(c);
  m.start();
  auto r = reply("1", "400");
  m.handle_zap_reply(r, false);
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_TRUE(m.failure().send_error);
  EXPECT_EQ(m.failure().error_reason, "400");
  int status = 0;
  ASSERT_TRUE(m.poll_auth_failure(&status));
  EXPECT_EQ(status, 400);
}

TEST(NullMechanismTest, ZapTemporaryFailureClosesWithoutError) {
  MechanismConfig c = config();
  c.zap_domain = "global";
  NullMechanism m(c);
  m.start();
  auto r = reply("1", "300");
  m.handle_zap_reply(r, false);
  ASSERT_EQ(m.status(), Mechanism::Status::kFailed);
  EXPECT_FALSE(m.failure().send_error);
}

TEST(NullMechanismTest, NoHandlerIsAllowedUnlessEnforced) {
  MechanismConfig c = config();
  c.zap_domain = "global";
  NullMechanism open(c);
  open.start();
  open.handle_zap_reply({}, true);
  EXPECT_EQ(drain(open).size(), 1u);  // READY
  c.zap_enforce_domain = true;
  NullMechanism enforced(c);
  enforced.start();
  enforced.handle_zap_reply({}, true);
  ASSERT_EQ(enforced.status(), Mechanism::Status::kFailed);
  EXPECT_EQ(enforced.failure().no_detail_errno, EFAULT);
}

// One test per malformed ZAP reply: each is refused with libzmq's ZAP protocol error.
TEST(NullMechanismTest, MalformedZapRepliesAreProtocolErrors) {
  struct Case {
    std::vector<Msg> frames;
    uint32_t code;
  };
  std::vector<Case> cases;
  cases.push_back({reply("1", "200"), 0});
  auto short_reply = reply("1", "200");
  short_reply.pop_back();
  short_reply.back().set_more(false);
  cases.push_back({std::move(short_reply), protocol_error::kZapMalformedReply});
  auto long_reply = reply("1", "200");
  long_reply.back().set_more(true);
  long_reply.push_back(Msg::copy_of(std::string_view("extra")));
  cases.push_back({std::move(long_reply), protocol_error::kZapMalformedReply});
  auto no_delimiter = reply("1", "200");
  no_delimiter[0] = Msg::copy_of(std::string_view("x"));
  no_delimiter[0].set_more(true);
  cases.push_back({std::move(no_delimiter), protocol_error::kZapUnspecified});
  auto version = reply("1", "200");
  version[1] = Msg::copy_of(std::string_view("2.0"));
  version[1].set_more(true);
  cases.push_back({std::move(version), protocol_error::kZapBadVersion});
  cases.push_back({reply("BADREQID", "200"), protocol_error::kZapBadRequestId});
  cases.push_back({reply("1", "201"), protocol_error::kZapInvalidStatusCode});
  cases.push_back({reply("1", "600"), protocol_error::kZapInvalidStatusCode});
  cases.push_back({reply("1", "200", "", {3, 'a'}), protocol_error::kZapInvalidMetadata});
  for (size_t i = 0; i < cases.size(); ++i) {
    MechanismConfig c = config();
    c.zap_domain = "d";
    NullMechanism m(c);
    m.start();
    m.handle_zap_reply(cases[i].frames, false);
    if (cases[i].code == 0) {
      EXPECT_EQ(m.status(), Mechanism::Status::kHandshaking) << i;
    } else {
      ASSERT_EQ(m.status(), Mechanism::Status::kFailed) << i;
      EXPECT_EQ(m.failure().protocol_error, cases[i].code) << i;
      EXPECT_EQ(m.failure().reason, CloseReason::kZapFailure) << i;
    }
  }
}

}  // namespace
}  // namespace zlab::proto
