// The routing strategies on bare peers (no connections): turn order of the load balancer.
#include "engine/sockets/strategies.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zlab {
namespace {

std::unique_ptr<Peer> peer_with_id(uint32_t id) {
  auto p = std::make_unique<Peer>();
  p->id = id;
  return p;
}

// Sends one single-part message; returns the id of the peer that got it (0: none).
uint32_t send_one(LoadBalancer& lb) {
  Msg m = Msg::copy_of("x");
  Peer* to = nullptr;
  if (lb.send(m, &to) != Err::kOk) return 0;
  return to->id;
}

// test_spec_req's round_robin_out: services that connected in turn are served in that order,
// whatever order their handshakes finished in (and so the order they were attached).
TEST(LoadBalancerTest, TurnsFollowConnectionOrderNotAttachOrder) {
  std::vector<std::unique_ptr<Peer>> peers;
  for (uint32_t id = 1; id <= 5; ++id) peers.push_back(peer_with_id(id));
  LoadBalancer lb;
  for (uint32_t index : {2u, 0u, 4u, 1u, 3u}) lb.attach(peers[index].get());
  std::vector<uint32_t> got;
  for (int i = 0; i < 10; ++i) got.push_back(send_one(lb));
  EXPECT_EQ(got, (std::vector<uint32_t>{1, 2, 3, 4, 5, 1, 2, 3, 4, 5}));
}

TEST(LoadBalancerTest, ALateComerAfterTheNextPeerWaitsItsTurn) {
  auto a = peer_with_id(1);
  auto b = peer_with_id(2);
  auto c = peer_with_id(3);
  LoadBalancer lb;
  lb.attach(a.get());
  lb.attach(c.get());
  EXPECT_EQ(send_one(lb), 1u);
  EXPECT_EQ(send_one(lb), 3u);
  EXPECT_EQ(send_one(lb), 1u);  // c is next now
  lb.attach(b.get());           // b sorts between a and c: it is next, before c
  EXPECT_EQ(send_one(lb), 2u);
  EXPECT_EQ(send_one(lb), 3u);
  EXPECT_EQ(send_one(lb), 1u);
}

TEST(LoadBalancerTest, ANewcomerBeforeTheNextPeerDoesNotSkipIt) {
  auto a = peer_with_id(1);
  auto b = peer_with_id(2);
  auto c = peer_with_id(3);
  LoadBalancer lb;
  lb.attach(b.get());
  lb.attach(c.get());
  EXPECT_EQ(send_one(lb), 2u);  // c is next
  lb.attach(a.get());           // sorts first, behind the rotation
  EXPECT_EQ(send_one(lb), 3u);
  EXPECT_EQ(send_one(lb), 1u);
  EXPECT_EQ(send_one(lb), 2u);
}

}  // namespace
}  // namespace zlab
