#include "sim/base/host_clock.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace zlab::sim {
namespace {

TEST(HostClockTest, OffsetAndDrift) {
  HostClock fast(1'000'000, 10'000);  // +1%
  EXPECT_EQ(fast.local(0), 1'000'000);
  EXPECT_EQ(fast.local(1'000'000'000), 1'000'000 + 1'010'000'000);
  HostClock slow(0, -10'000);
  EXPECT_EQ(slow.local(1'000'000'000), 990'000'000);
  EXPECT_EQ(slow.global_duration(990'000'000), 1'000'000'000);
  EXPECT_EQ(slow.global_at(INT64_MAX), INT64_MAX);
  EXPECT_EQ(slow.global_at(-5), 0);
}

TEST(HostClockTest, RestartStartsFromANewOffset) {
  HostClock c(500, 0);
  c.restart(10'000, 7);
  EXPECT_EQ(c.local(10'000), 7);
  EXPECT_EQ(c.local(10'100), 107);
  EXPECT_EQ(c.global_at(107), 10'100);
}

RC_GTEST_PROP(HostClockTest, GlobalAtIsTheEarliestTimeTheClockReachesALocalReading, ()) {
  const auto offset = *rc::gen::inRange<int64_t>(-(int64_t(1) << 50), int64_t(1) << 50);
  const auto drift = *rc::gen::inRange<int32_t>(-200'000, 200'000);
  const auto delta = *rc::gen::inRange<int64_t>(0, int64_t(1) << 45);
  HostClock c(offset, drift);
  int64_t want = offset + delta;
  int64_t g = c.global_at(want);
  RC_ASSERT(c.local(g) >= want);
  RC_ASSERT(g == 0 || c.local(g - 1) < want);
}

}  // namespace
}  // namespace zlab::sim
