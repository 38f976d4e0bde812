// The timer queue against a look at every owner (what the I/O thread did before): the same
// owners due at every wake-up and the same earliest deadline, while deadlines move earlier
// (the queue told) and later (not told), owners come and go.
#include "engine/real/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "engine/real/io_thread.h"

namespace zlab::real {
namespace {

struct FakeOwner : IoOwner {
  std::atomic<int64_t> deadline{INT64_MAX};
  void on_io(uint32_t, bool, uint32_t) override {}
  void on_timer(int64_t) override {}
  int64_t deadline_ns() const override { return deadline.load(); }
  bool finished() const override { return false; }
};

// As real::Socket::set_deadline: the queue is told only of a deadline moving earlier.
void set_deadline(TimerQueue& q, FakeOwner& o, int64_t deadline_ns) {
  int64_t old = o.deadline.exchange(deadline_ns);
  if (deadline_ns < old) q.moved_earlier(&o);
}

struct Model {
  std::vector<std::unique_ptr<FakeOwner>> owners;
  std::set<FakeOwner*> known;
  int64_t earliest() const {
    int64_t next = INT64_MAX;
    for (FakeOwner* o : known) next = std::min(next, o->deadline_ns());
    return next;
  }
  std::set<IoOwner*> due(int64_t now_ns) const {
    std::set<IoOwner*> due;
    for (FakeOwner* o : known)
      if (o->deadline_ns() <= now_ns) due.insert(o);
    return due;
  }
};

int64_t random_deadline(std::mt19937_64& rng, int64_t now_ns) {
  if (rng() % 8 == 0) return INT64_MAX;
  return now_ns + int64_t(rng() % 1000) - 50;  // some already past
}

TEST(TimerQueueTest, TakesExactlyTheDueOwnersAtEveryWake) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    TimerQueue q;
    Model m;
    int64_t now_ns = 0;
    for (int i = 0; i < 300; ++i) {
      m.owners.push_back(std::make_unique<FakeOwner>());
      m.owners.back()->deadline = random_deadline(rng, now_ns);
      q.add(m.owners.back().get());
      m.known.insert(m.owners.back().get());
    }
    for (int step = 0; step < 2000; ++step) {
      FakeOwner& o = *m.owners[rng() % m.owners.size()];
      switch (rng() % 6) {
        case 0:  // earlier
          set_deadline(q, o, std::min(o.deadline_ns(), now_ns + 1000) - int64_t(rng() % 500));
          break;
        case 1:  // later, or none
          set_deadline(
              q, o,
              o.deadline_ns() == INT64_MAX ? INT64_MAX : o.deadline_ns() + int64_t(rng() % 500));
          break;
        case 2:
          set_deadline(q, o, random_deadline(rng, now_ns));
          break;
        case 3:  // gone, or back
          if (m.known.erase(&o)) {
            q.remove(&o);
          } else {
            q.add(&o);
            m.known.insert(&o);
          }
          break;
        default: {  // a wake-up: serve the due owners, each moving its deadline
          ASSERT_EQ(q.next_ns(), m.earliest()) << "seed " << seed << " step " << step;
          now_ns += int64_t(rng() % 200);
          std::set<IoOwner*> expected = m.due(now_ns);
          std::vector<IoOwner*> due;
          q.take_due(now_ns, &due);
          ASSERT_EQ(std::set<IoOwner*>(due.begin(), due.end()), expected)
              << "seed " << seed << " step " << step;
          ASSERT_EQ(due.size(), expected.size()) << "an owner taken twice";
          for (IoOwner* d : due) {
            static_cast<FakeOwner*>(d)->deadline = random_deadline(rng, now_ns + 100);
            q.refile(d);
          }
        }
      }
      ASSERT_EQ(q.next_ns(), m.earliest()) << "seed " << seed << " step " << step;
      ASSERT_LE(q.entries(), 2 * m.known.size() + 65);
    }
  }
}

TEST(TimerQueueTest, AnOwnerLeftDueIsTakenAgainAtTheNextWake) {
  TimerQueue q;
  FakeOwner o;
  o.deadline = 10;
  q.add(&o);
  std::vector<IoOwner*> due;
  q.take_due(10, &due);
  ASSERT_EQ(due.size(), 1u);
  q.refile(&o);  // served, deadline unchanged: still due
  due.clear();
  q.take_due(11, &due);
  EXPECT_EQ(due.size(), 1u);
  EXPECT_EQ(q.next_ns(), INT64_MAX);  // taken, not yet refiled
}

}  // namespace
}  // namespace zlab::real
