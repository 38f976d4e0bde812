// The ZAP handler actor (sim/world/zap_handler.h): it sees what the socket asks, its answer
// decides, and its faults (late, silent, absent) act as drawn.
#include "sim/world/zap_handler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;

struct PlainPair {
  SimSocket* server;
  SimSocket* client;
};

// A PLAIN server PULL on h0 and a PUSH client on h1 with `password`.
PlainPair plain_pair(World& w, const std::string& password) {
  HostId h0 = w.add_host("h0");
  HostId h1 = w.add_host("h1");
  SimSocket* server = w.socket(h0, SocketType::kPull);
  EXPECT_EQ(server->set_int(opt::kPlainServer, 1), Err::kOk);
  EXPECT_EQ(server->set_bytes(opt::kZapDomain, "test"), Err::kOk);
  EXPECT_EQ(server->bind("tcp://*:5555"), Err::kOk);
  SimSocket* client = w.socket(h1, SocketType::kPush);
  EXPECT_EQ(client->set_bytes(opt::kPlainUsername, "admin"), Err::kOk);
  EXPECT_EQ(client->set_bytes(opt::kPlainPassword, password), Err::kOk);
  EXPECT_EQ(client->connect("tcp://h0:5555"), Err::kOk);
  return {server, client};
}

// 200 for admin/secret, 400 otherwise; records every request.
ZapAnswer checking(std::vector<ZapFrames>* seen) {
  return [seen](const ZapFrames& req) -> std::optional<ZapFrames> {
    seen->push_back(req);
    bool ok = req.size() == 9 && req[7] == "admin" && req[8] == "secret";
    return ZapFrames{"", "1.0", req.at(2), ok ? "200" : "400", "", ok ? "admin" : "", ""};
  };
}

// Sends "hello" and runs until `until_ns`; whether it arrived.
bool delivered(World& w, PlainPair p, int64_t until_ns) {
  Msg m = Msg::copy_of(std::string_view("hello"));
  EXPECT_EQ(p.client->send(m, 0), Err::kOk);
  w.run(until_ns);
  Msg got;
  return p.server->recv(&got) == Err::kOk && got.view() == "hello";
}

TEST(ZapHandlerTest, TheHandlerSeesThePlainRequestAndItsAnswerAdmits) {
  World w(1);
  PlainPair p = plain_pair(w, "secret");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  EXPECT_TRUE(delivered(w, p, 2'000 * kMs));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0][1], "1.0");
  EXPECT_EQ(seen[0][3], "test");
  EXPECT_EQ(seen[0][6], "PLAIN");
  EXPECT_EQ(w.zap_requests(0), 1u);
}

TEST(ZapHandlerTest, ARefusalReachesTheClientAsAnAuthFailure) {
  World w(2);
  PlainPair p = plain_pair(w, "wrong");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  EXPECT_FALSE(delivered(w, p, 2'000 * kMs));
  EXPECT_GE(seen.size(), 1u);
  EXPECT_GE(p.client->monitor_count(monitor::kHandshakeFailedAuth), 1u);
  EXPECT_EQ(p.server->monitor_count(monitor::kHandshakeSucceeded), 0u);
}

TEST(ZapHandlerTest, ASlowHandlerAdmitsLate) {
  World w(3);
  ZapFaults f;
  f.delay_min_ns = f.delay_max_ns = 500 * kMs;
  w.set_zap_faults(f);
  PlainPair p = plain_pair(w, "secret");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  EXPECT_FALSE(delivered(w, p, 400 * kMs));
  EXPECT_EQ(seen.size(), 0u);  // asked, but the answer is still being made
  EXPECT_EQ(w.zap_requests(0), 1u);
  w.run(2'000 * kMs);
  Msg got;
  EXPECT_EQ(p.server->recv(&got), Err::kOk);
}

TEST(ZapHandlerTest, ASilentHandlerAdmitsNobody) {
  World w(4);
  ZapFaults f;
  f.silent = true;
  w.set_zap_faults(f);
  PlainPair p = plain_pair(w, "secret");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  EXPECT_FALSE(delivered(w, p, 5'000 * kMs));
  EXPECT_EQ(seen.size(), 0u);
  EXPECT_GE(w.zap_requests(0), 1u);
  EXPECT_EQ(p.client->monitor_count(monitor::kHandshakeSucceeded), 0u);
}

TEST(ZapHandlerTest, AnAbsentHandlerIsNeverAsked) {
  World w(5);
  ZapFaults f;
  f.absent = true;
  w.set_zap_faults(f);
  PlainPair p = plain_pair(w, "secret");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  // As libzmq 4.3.4: a PLAIN server with no handler refuses every client.
  EXPECT_FALSE(delivered(w, p, 2'000 * kMs));
  EXPECT_EQ(seen.size(), 0u);
  EXPECT_EQ(w.zap_requests(0), 0u);
}

TEST(ZapHandlerTest, TheHandlerDiesWithItsHost) {
  World w(6);
  PlainPair p = plain_pair(w, "secret");
  std::vector<ZapFrames> seen;
  w.serve_zap(0, checking(&seen));
  w.crash_at(0, 1 * kMs);
  w.run(10 * kMs);
  EXPECT_EQ(w.zap_requests(0), 0u);
  (void)p;
}

}  // namespace
}  // namespace zlab::sim
