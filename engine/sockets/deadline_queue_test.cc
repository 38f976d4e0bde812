#include "engine/sockets/deadline_queue.h"

#include <gtest/gtest.h>

#include <map>

namespace zlab {
namespace {

constexpr int64_t kNever = DeadlineQueue::kNever;

// Peers by id and their current deadlines; a missing id is a peer that is gone.
struct Peers {
  std::map<uint32_t, int64_t> at_ns;
  int lookups = 0;
  auto lookup() {
    return [this](uint32_t id, int64_t* out) {
      ++lookups;
      auto it = at_ns.find(id);
      if (it == at_ns.end()) return false;
      *out = it->second;
      return true;
    };
  }
};

TEST(DeadlineQueue, EmptyHasNoDeadline) {
  DeadlineQueue q;
  Peers peers;
  EXPECT_EQ(q.earliest(peers.lookup()), kNever);
}

TEST(DeadlineQueue, TouchedPeersDeadlinesAreTakenIn) {
  DeadlineQueue q;
  Peers peers;
  peers.at_ns = {{1, 300}, {2, 100}, {3, kNever}};
  for (uint32_t id : {1u, 2u, 3u}) q.touch(id);
  EXPECT_EQ(q.earliest(peers.lookup()), 100);
}

TEST(DeadlineQueue, ADeadlineMovedEarlierCountsOnceTouched) {
  DeadlineQueue q;
  Peers peers;
  peers.at_ns = {{1, 300}, {2, 200}};
  q.touch(1);
  q.touch(2);
  ASSERT_EQ(q.earliest(peers.lookup()), 200);
  peers.at_ns[1] = 50;
  q.touch(1);
  EXPECT_EQ(q.earliest(peers.lookup()), 50);
}

TEST(DeadlineQueue, ADeadlineMovedLaterIsRightEvenUntouched) {
  DeadlineQueue q;
  Peers peers;
  peers.at_ns = {{1, 100}, {2, 200}};
  q.touch(1);
  q.touch(2);
  ASSERT_EQ(q.earliest(peers.lookup()), 100);
  peers.at_ns[1] = 500;  // a heartbeat rearmed later
  EXPECT_EQ(q.earliest(peers.lookup()), 200);
  peers.at_ns[2] = kNever;  // its connection closed
  EXPECT_EQ(q.earliest(peers.lookup()), 500);
}

TEST(DeadlineQueue, AGonePeerNoLongerCounts) {
  DeadlineQueue q;
  Peers peers;
  peers.at_ns = {{1, 100}, {2, 200}};
  q.touch(1);
  q.touch(2);
  ASSERT_EQ(q.earliest(peers.lookup()), 100);
  peers.at_ns.erase(1);
  EXPECT_EQ(q.earliest(peers.lookup()), 200);
  peers.at_ns.erase(2);
  q.touch(2);
  EXPECT_EQ(q.earliest(peers.lookup()), kNever);
}

// What the many-peers goal needs: asking again with nothing touched does not look at every
// peer, however many there are.
TEST(DeadlineQueue, AskingAgainLooksAtTheEarliestPeerOnly) {
  DeadlineQueue q;
  Peers peers;
  for (uint32_t id = 1; id <= 10000; ++id) {
    peers.at_ns[id] = 1000 + id;
    q.touch(id);
  }
  ASSERT_EQ(q.earliest(peers.lookup()), 1001);
  peers.lookups = 0;
  EXPECT_EQ(q.earliest(peers.lookup()), 1001);
  EXPECT_EQ(peers.lookups, 1);
}

// Deadlines that keep moving earlier leave stale entries behind; they are not kept for ever.
TEST(DeadlineQueue, StaleEntriesDoNotPileUp) {
  DeadlineQueue q;
  Peers peers;
  peers.at_ns = {{1, 1'000'000}, {2, 2'000'000}};
  q.touch(2);
  for (int64_t at = 1'000'000; at > 0; at -= 10) {
    peers.at_ns[1] = at;
    q.touch(1);
    ASSERT_EQ(q.earliest(peers.lookup()), at);
  }
  EXPECT_LT(q.queued_entries(), 200u);
}

}  // namespace
}  // namespace zlab
