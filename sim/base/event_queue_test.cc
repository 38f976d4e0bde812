#include "sim/base/event_queue.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace zlab::sim {
namespace {

struct Recorder final : EventTarget {
  explicit Recorder(EventQueue& q) : queue(q) {}
  void on_event(const Event& e) override {
    seen.emplace_back(queue.now_ns(), e.kind);
    if (e.kind == 99) queue.schedule_in(0, this, 100);  // scheduled from inside an event
  }
  EventQueue& queue;
  std::vector<std::pair<int64_t, uint32_t>> seen;
};

TEST(EventQueueTest, OrderedByTimeThenBySchedulingOrder) {
  EventQueue q;
  Recorder r(q);
  q.schedule(30, &r, 1);
  q.schedule(10, &r, 2);
  q.schedule(30, &r, 3);
  q.schedule(10, &r, 4);
  while (q.run_next()) {
  }
  std::vector<std::pair<int64_t, uint32_t>> want = {{10, 2}, {10, 4}, {30, 1}, {30, 3}};
  EXPECT_EQ(r.seen, want);
  EXPECT_EQ(q.now_ns(), 30);
  EXPECT_EQ(q.dispatched(), 4u);
}

TEST(EventQueueTest, TimeJumpsAndThePastMeansNow) {
  EventQueue q;
  Recorder r(q);
  q.schedule(1'000'000'000'000, &r, 1);
  ASSERT_TRUE(q.run_next());
  EXPECT_EQ(q.now_ns(), 1'000'000'000'000);
  q.schedule(5, &r, 99);  // in the past: runs now, and what it schedules runs after it
  q.schedule_in(0, &r, 2);
  while (q.run_next()) {
  }
  ASSERT_EQ(r.seen.size(), 4u);
  EXPECT_EQ(r.seen[1].second, 99u);
  EXPECT_EQ(r.seen[2].second, 2u);
  EXPECT_EQ(r.seen[3].second, 100u);
  EXPECT_EQ(q.now_ns(), 1'000'000'000'000);
}

TEST(EventQueueTest, RunNextRespectsTheLimit) {
  EventQueue q;
  Recorder r(q);
  q.schedule(50, &r, 1);
  EXPECT_FALSE(q.run_next(49));
  EXPECT_EQ(q.next_at_ns(), 50);
  EXPECT_TRUE(q.run_next(50));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.next_at_ns(), INT64_MAX);
}

}  // namespace
}  // namespace zlab::sim
