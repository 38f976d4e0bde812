// The draft types on the real driver, over tcp, ipc and inproc: CLIENT/SERVER with routing ids,
// PEER's connect_peer, RADIO/DISH groups and join/leave, SCATTER/GATHER, CHANNEL.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "engine/real/context.h"
#include "engine/real/socket.h"

namespace zlab::real {
namespace {

constexpr int kDontWait = 1;

std::shared_ptr<Socket> make(Context& ctx, SocketType type) {
  Err err;
  auto s = ctx.create_socket(type, &err);
  EXPECT_EQ(err, Err::kOk);
  int timeout_ms = 5000;
  EXPECT_EQ(s->set_option(opt::kRcvTimeo,
                          {reinterpret_cast<const uint8_t*>(&timeout_ms), sizeof timeout_ms}),
            Err::kOk);
  return s;
}

std::string last_endpoint(Socket& s) {
  char buf[256];
  size_t size = sizeof buf;
  EXPECT_EQ(s.get_option(opt::kLastEndpoint, reinterpret_cast<uint8_t*>(buf), &size), Err::kOk);
  return std::string(buf, size - 1);
}

Err send(Socket& s, std::string_view body, uint32_t routing_id = 0, std::string_view group = {},
         int flags = 0) {
  Msg m = Msg::copy_of(body);
  m.set_routing_id(routing_id);
  EXPECT_EQ(m.set_group(group), Err::kOk);
  return s.send(m, flags);
}

class DraftRealTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Binds `s` on this test's transport; returns the endpoint to connect to.
  std::string bind(Socket& s, const std::string& name) {
    std::string ep = GetParam() == "inproc" ? "inproc://draft-" + name
                     : GetParam() == "ipc"  ? "ipc://*"
                                            : "tcp://127.0.0.1:*";
    EXPECT_EQ(s.bind(ep), Err::kOk);
    return last_endpoint(s);
  }
};

TEST_P(DraftRealTest, ClientServerRoundTripByRoutingId) {
  Context ctx;
  auto server = make(ctx, SocketType::kServer);
  auto client = make(ctx, SocketType::kClient);
  ASSERT_EQ(client->connect(bind(*server, "cs")), Err::kOk);
  ASSERT_EQ(send(*client, "request"), Err::kOk);
  Msg req;
  ASSERT_EQ(server->recv(&req, 0), Err::kOk);
  EXPECT_EQ(req.view(), "request");
  ASSERT_NE(req.routing_id(), 0u);
  EXPECT_EQ(send(*server, "reply", req.routing_id()), Err::kOk);
  EXPECT_EQ(send(*server, "lost", req.routing_id() + 1), Err::kHostUnreachable);
  EXPECT_EQ(send(*server, "part", req.routing_id(), {}, kSendMore), Err::kInvalid);
  Msg rep;
  ASSERT_EQ(client->recv(&rep, 0), Err::kOk);
  EXPECT_EQ(rep.view(), "reply");
  server->close();
  client->close();
}

TEST_P(DraftRealTest, PeerConnectPeerGivesTheIdToSendWith) {
  Context ctx;
  auto a = make(ctx, SocketType::kPeer);
  auto b = make(ctx, SocketType::kPeer);
  uint32_t id = 0;
  ASSERT_EQ(b->connect_peer(bind(*a, "peer"), &id), Err::kOk);
  ASSERT_NE(id, 0u);
  ASSERT_EQ(send(*b, "hello", id), Err::kOk);
  Msg m;
  ASSERT_EQ(a->recv(&m, 0), Err::kOk);
  EXPECT_EQ(m.view(), "hello");
  ASSERT_EQ(send(*a, "back", m.routing_id()), Err::kOk);
  ASSERT_EQ(b->recv(&m, 0), Err::kOk);
  EXPECT_EQ(m.view(), "back");
  EXPECT_EQ(m.routing_id(), id);
  a->close();
  b->close();
}

TEST_P(DraftRealTest, RadioDishGroupsJoinAndLeave) {
  Context ctx;
  auto radio = make(ctx, SocketType::kRadio);
  auto dish = make(ctx, SocketType::kDish);
  std::string ep = bind(*radio, "rd");
  ASSERT_EQ(dish->join("Movies"), Err::kOk);
  ASSERT_EQ(dish->connect(ep), Err::kOk);
  // The JOIN travels to the RADIO asynchronously: send until the first arrives.
  Msg m;
  bool arrived = false;
  for (int i = 0; i < 500 && !arrived; ++i) {
    ASSERT_EQ(send(*radio, "warm-up", 0, "Movies"), Err::kOk);
    arrived = dish->recv(&m, kDontWait) == Err::kOk;
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(arrived);
  EXPECT_EQ(m.group(), "Movies");
  ASSERT_EQ(send(*radio, "tv", 0, "TV"), Err::kOk);
  ASSERT_EQ(send(*radio, "film", 0, "Movies"), Err::kOk);
  do {  // warm-ups still on their way come first
    ASSERT_EQ(dish->recv(&m, 0), Err::kOk);
  } while (m.view() == "warm-up");
  EXPECT_EQ(m.view(), "film");  // TV was never joined
  EXPECT_EQ(dish->join("Movies"), Err::kInvalid);
  EXPECT_EQ(dish->leave("TV"), Err::kInvalid);
  ASSERT_EQ(dish->leave("Movies"), Err::kOk);
  ASSERT_EQ(dish->join("TV"), Err::kOk);
  // After the LEAVE and JOIN reach the RADIO (in order, on one connection), only TV arrives.
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(send(*radio, "film", 0, "Movies"), Err::kOk);
    ASSERT_EQ(send(*radio, "tv", 0, "TV"), Err::kOk);
    if (dish->recv(&m, kDontWait) == Err::kOk && m.view() == "tv") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(m.view(), "tv");
  while (dish->recv(&m, kDontWait) == Err::kOk) EXPECT_EQ(m.view(), "tv");
  radio->close();
  dish->close();
}

TEST_P(DraftRealTest, ScatterGatherAndChannel) {
  Context ctx;
  auto gather = make(ctx, SocketType::kGather);
  auto scatter = make(ctx, SocketType::kScatter);
  ASSERT_EQ(scatter->connect(bind(*gather, "sg")), Err::kOk);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(send(*scatter, std::to_string(i)), Err::kOk);
  Msg m;
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(gather->recv(&m, 0), Err::kOk);
    EXPECT_EQ(m.view(), std::to_string(i));
  }
  auto a = make(ctx, SocketType::kChannel);
  auto b = make(ctx, SocketType::kChannel);
  ASSERT_EQ(b->connect(bind(*a, "ch")), Err::kOk);
  ASSERT_EQ(send(*b, "ping"), Err::kOk);
  ASSERT_EQ(a->recv(&m, 0), Err::kOk);
  EXPECT_EQ(m.view(), "ping");
  ASSERT_EQ(send(*a, "pong"), Err::kOk);
  ASSERT_EQ(b->recv(&m, 0), Err::kOk);
  EXPECT_EQ(m.view(), "pong");
  for (auto* s : {&gather, &scatter, &a, &b}) (*s)->close();
}

INSTANTIATE_TEST_SUITE_P(Transports, DraftRealTest, ::testing::Values("tcp", "ipc", "inproc"));

}  // namespace
}  // namespace zlab::real
