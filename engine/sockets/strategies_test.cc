// The routing strategies on bare peers (no connections): turn order of the load balancer.
#include "engine/sockets/strategies.h"

#include <gtest/gtest.h>

#include <cstdlib>
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

// Writes one whole single-part message into the peer's in pipe (as the core's pull() does).
void deliver(Peer& peer, const std::string& body) { peer.in.write(Msg::copy_of(body)); }

// The many-peers goal: an empty peer leaves the active list once found empty, so with one
// busy peer among many idle ones the queue asks one peer, not all of them.
TEST(FairQueueTest, IdlePeersLeaveTheActiveListAndAWriteBringsThemBack) {
  std::vector<std::unique_ptr<Peer>> peers;
  FairQueue fq;
  for (uint32_t id = 1; id <= 1000; ++id) {
    peers.push_back(peer_with_id(id));
    fq.attach(peers.back().get());
  }
  EXPECT_EQ(fq.active(), 1000u);  // attached peers are asked once
  EXPECT_FALSE(fq.has_in());
  EXPECT_EQ(fq.active(), 0u);
  deliver(*peers[700], "a");
  EXPECT_EQ(fq.active(), 1u);
  ASSERT_TRUE(fq.has_in());
  Msg got;
  Peer* from = nullptr;
  ASSERT_EQ(fq.recv(&got, &from), Err::kOk);
  EXPECT_EQ(from->id, 701u);
  EXPECT_EQ(got.view(), "a");
  EXPECT_FALSE(fq.has_in());
  EXPECT_EQ(fq.active(), 0u);
}

// Fairness survives the list's reordering: while two peers both have messages waiting, the
// counts taken from them differ by at most one (rule/PULL/fair-queue).
TEST(FairQueueTest, PeersWithBacklogsTakeTurns) {
  std::vector<std::unique_ptr<Peer>> peers;
  FairQueue fq;
  const std::vector<int> backlog = {1, 5, 2, 7, 3};
  for (uint32_t id = 1; id <= backlog.size(); ++id) {
    peers.push_back(peer_with_id(id));
    fq.attach(peers.back().get());
  }
  int total = 0;
  for (size_t i = 0; i < backlog.size(); ++i) {
    for (int j = 0; j < backlog[i]; ++j, ++total) deliver(*peers[i], std::to_string(j));
  }
  std::vector<int> taken(backlog.size(), 0);
  for (int r = 0; r < total; ++r) {
    Msg got;
    Peer* from = nullptr;
    ASSERT_EQ(fq.recv(&got, &from), Err::kOk);
    size_t i = from->id - 1;
    EXPECT_EQ(got.view(), std::to_string(taken[i]));  // in order from each peer
    ++taken[i];
    for (size_t a = 0; a < backlog.size(); ++a) {
      for (size_t b = 0; b < backlog.size(); ++b) {
        if (taken[a] < backlog[a] && taken[b] < backlog[b]) {
          EXPECT_LE(std::abs(taken[a] - taken[b]), 1) << "after " << r + 1 << " messages";
        }
      }
    }
  }
  EXPECT_FALSE(fq.has_in());
}

// A peer served while it was the only one listed does not go first again when others are
// listed after it: over tcp a SUB read one PUB's message as soon as it landed (ZMQ_EVENTS on the
// I/O thread), then took that PUB's next message before the other PUB's (order 0 0 1 1 where
// socket/SUB/incoming wants one from each sender per round).
TEST(FairQueueTest, APeerServedAloneWaitsForThoseListedAfterIt) {
  auto a = peer_with_id(1);
  auto b = peer_with_id(2);
  FairQueue fq;
  fq.attach(a.get());
  fq.attach(b.get());
  EXPECT_FALSE(fq.has_in());  // both found empty: the list is empty
  deliver(*a, "a1");
  deliver(*a, "a2");
  Msg got;
  Peer* from = nullptr;
  ASSERT_EQ(fq.recv(&got, &from), Err::kOk);
  EXPECT_EQ(from->id, 1u);
  deliver(*b, "b1");
  deliver(*b, "b2");
  std::string order;
  while (fq.recv(&got, &from) == Err::kOk) order += std::to_string(from->id);
  EXPECT_EQ(order, "212");
}

TEST(FairQueueTest, ADetachedPeerIsNeverAskedAgain) {
  auto a = peer_with_id(1);
  auto b = peer_with_id(2);
  FairQueue fq;
  fq.attach(a.get());
  fq.attach(b.get());
  deliver(*a, "x");
  fq.detach(a.get());
  EXPECT_EQ(a->fair_queue, nullptr);
  deliver(*a, "y");  // its pipe's hook is gone: it is not listed again
  EXPECT_EQ(fq.active(), 1u);
  EXPECT_FALSE(fq.has_in());
}

}  // namespace
}  // namespace zlab
