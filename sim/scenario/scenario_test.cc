// The scenarios' shared helpers.
#include "sim/scenario/scenario.h"

#include <gtest/gtest.h>

#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

// On a slow clock (-100 ppm) the last global nanosecond before `at` is no local time at all:
// sleep_until slept 0 at the same instant forever (the 20000-seed sweep hung, session 7). It
// now wakes at or just after `at`.
TEST(ScenarioTest, SleepUntilOnASlowClockReachesItsTime) {
  World w(1);
  HostId h = w.add_host("h");
  w.set_drift(h, -100);
  w.set_livelock_limit(1000);  // the old loop ends as a livelock here instead of hanging
  int64_t woke = -1;
  w.spawn(h, "sleeper", [&](Ctx& ctx) -> Task<> {
    co_await sleep_until(ctx, 1);
    woke = ctx.world().now_ns();
  });
  RunOutcome out = w.run(sec(1));
  EXPECT_EQ(out.kind, RunOutcome::Kind::kDone) << out.detail;
  EXPECT_GE(woke, 1);
  EXPECT_LE(woke, 2);
}

}  // namespace
}  // namespace zlab::sim
