#include "engine/sockets/msg_ring.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab {
namespace {

Msg part(int n) { return Msg::copy_of(std::string_view(std::to_string(n))); }

TEST(MsgRingTest, KeepsOrderAcrossWrapAndGrowth) {
  MsgRing ring;
  int next_in = 0, next_out = 0;
  // Fill, drain part of it, fill again: the head wraps before the ring grows (8 -> 16 -> 32).
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 7; ++i) ring.push_back(part(next_in++));
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(ring.front().view(), std::to_string(next_out++));
      ring.pop_front();
    }
  }
  EXPECT_EQ(ring.size(), size_t(next_in - next_out));
  for (size_t i = 0; i < ring.size(); ++i) EXPECT_EQ(ring[i].view(), std::to_string(next_out + i));
  ring.pop_back();  // the newest goes (a rolled-back unfinished message)
  EXPECT_EQ(ring[ring.size() - 1].view(), std::to_string(next_in - 2));
  while (!ring.empty()) {
    EXPECT_EQ(ring.front().view(), std::to_string(next_out++));
    ring.pop_front();
  }
  EXPECT_EQ(next_out, next_in - 1);
}

TEST(MsgRingTest, ALargeRingGivesItsStorageBackWhenItDrains) {
  MsgRing ring;
  for (int i = 0; i < 1000; ++i) ring.push_back(part(i));
  EXPECT_EQ(ring.capacity(), 1024u);
  while (!ring.empty()) ring.pop_front();
  EXPECT_EQ(ring.capacity(), 1024u);  // a default HWM's burst: kept for the next one
  for (size_t i = 0; i < MsgRing::kKeepSlots + 1; ++i) ring.push_back(part(int(i)));
  EXPECT_GT(ring.capacity(), MsgRing::kKeepSlots);
  ring.pop_back();
  EXPECT_GT(ring.capacity(), MsgRing::kKeepSlots);  // not drained yet
  ring.clear();
  EXPECT_EQ(ring.capacity(), 0u);  // an unbounded backlog's storage goes once it drains
  EXPECT_TRUE(ring.empty());
}

TEST(MsgRingTest, MovedFromRingIsEmpty) {
  MsgRing a;
  for (int i = 0; i < 3; ++i) a.push_back(part(i));
  MsgRing b = std::move(a);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is defined empty
  EXPECT_EQ(a.capacity(), 0u);
  a.push_back(part(9));  // usable again
  EXPECT_EQ(a.front().view(), "9");
  EXPECT_EQ(b[2].view(), "2");
}

}  // namespace
}  // namespace zlab
