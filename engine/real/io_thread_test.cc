// The I/O thread's timers with real time: every owner served, never before its deadline,
// while deadlines move earlier and later; a deadline set while the thread sleeps with none
// wakes it; a finished owner is forgotten.
#include "engine/real/io_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace zlab::real {
namespace {

struct TimedOwner : IoOwner {
  std::atomic<int64_t> deadline{INT64_MAX};
  std::atomic<int64_t> served_at_ns{-1};  // the first on_timer's now
  std::atomic<int64_t> deadline_when_served{-1};
  std::atomic<bool> done{false};
  void on_io(uint32_t, bool, uint32_t) override {}
  void on_timer(int64_t now_ns) override {
    if (served_at_ns.load() < 0) {
      deadline_when_served = deadline.load();
      served_at_ns = now_ns;
    }
    deadline = INT64_MAX;
  }
  int64_t deadline_ns() const override { return deadline.load(); }
  bool finished() const override { return done.load(); }
};

// As real::Socket::set_deadline.
void set_deadline(IoThread& io, TimedOwner& o, int64_t deadline_ns) {
  int64_t old = o.deadline.exchange(deadline_ns);
  if (deadline_ns < old) io.deadline_moved_earlier(&o);
}

bool wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 1000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

TEST(IoThreadTest, EveryOwnerServedAtItsDeadlineAsDeadlinesMove) {
  IoThread io;
  std::mt19937_64 rng(7);
  constexpr int64_t kMs = 1'000'000;
  std::vector<std::shared_ptr<TimedOwner>> owners;
  int64_t start_ns = monotonic_ns();
  // Nobody due before the moves are done (a move later racing a wake-up that found the owner
  // due would make an on_timer look early, which a real socket's lock and core sort out).
  constexpr int64_t kFirstDeadlineMs = 1000;
  for (int i = 0; i < 500; ++i) {
    owners.push_back(std::make_shared<TimedOwner>());
    owners.back()->deadline = start_ns + (kFirstDeadlineMs + 50 + int64_t(rng() % 200)) * kMs;
    io.attach_owner(owners.back());
  }
  for (auto& o : owners) {  // half earlier, half later
    int64_t d = o->deadline.load();
    set_deadline(io, *o, rng() % 2 ? d - int64_t(rng() % 50) * kMs : d + int64_t(rng() % 50) * kMs);
  }
  ASSERT_LT(monotonic_ns(), start_ns + kFirstDeadlineMs * kMs) << "the moves took too long";
  ASSERT_TRUE(wait_for([&] {
    for (auto& o : owners)
      if (o->served_at_ns.load() < 0) return false;
    return true;
  })) << "an owner never served";
  for (auto& o : owners) EXPECT_GE(o->served_at_ns.load(), o->deadline_when_served.load());
}

TEST(IoThreadTest, ADeadlineSetWhileAsleepWithNoneWakesTheThread) {
  IoThread io;
  auto o = std::make_shared<TimedOwner>();
  io.attach_owner(o);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // asleep with no timeout
  set_deadline(io, *o, monotonic_ns() + 10'000'000);
  EXPECT_TRUE(wait_for([&] { return o->served_at_ns.load() >= 0; }));
}

TEST(IoThreadTest, AFinishedOwnerIsForgottenAtTheNextWake) {
  IoThread io;
  auto o = std::make_shared<TimedOwner>();
  io.attach_owner(o);
  ASSERT_EQ(io.owners(), 1u);
  o->done = true;
  io.owner_finished(o.get());
  io.post([] {});
  EXPECT_TRUE(wait_for([&] { return io.owners() == 0; }));
  EXPECT_EQ(o.use_count(), 1);
}

}  // namespace
}  // namespace zlab::real
