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

// The 64-bit fast paths give what the 128-bit formulas give, on both sides of where the products
// stop fitting in 64 bits (elapsed times of ~2.5 hours and up).
RC_GTEST_PROP(HostClockTest, ReadingsMatchThe128BitFormulasAtAnyScale, ()) {
  const auto shift = *rc::gen::inRange<int>(0, 63);
  const auto offset = *rc::gen::inRange<int64_t>(-(int64_t(1) << 60), int64_t(1) << 60);
  const auto drift = *rc::gen::inRange<int32_t>(-200'000, 200'000);
  const auto delta = *rc::gen::inRange<int64_t>(0, INT64_MAX >> shift);
  const __int128 rate = 1'000'000 + drift;
  HostClock c(offset, drift);
  RC_ASSERT(c.local(delta) == int64_t(offset + __int128(delta) * rate / 1'000'000));
  __int128 duration = (__int128(delta) * 1'000'000 + rate - 1) / rate;
  RC_ASSERT(c.global_duration(delta) == (duration >= INT64_MAX ? INT64_MAX : int64_t(duration)));
  if (delta > 0 && delta < INT64_MAX - (int64_t(1) << 60)) {
    __int128 at = (__int128(delta) * 1'000'000 + rate - 1) / rate;
    RC_ASSERT(c.global_at(offset + delta) == (at >= INT64_MAX ? INT64_MAX : int64_t(at)));
  }
}

}  // namespace
}  // namespace zlab::sim
