#include <gtest/gtest.h>

#include <chrono>

#include "engine/api/zmq.h"

namespace {

using Clock = std::chrono::steady_clock;

TEST(Sleep, SleepsWholeSeconds) {
  const auto start = Clock::now();
  zmq_sleep(1);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::seconds(1));
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST(Sleep, ZeroAndNegativeReturnAtOnce) {
  const auto start = Clock::now();
  zmq_sleep(0);
  zmq_sleep(-1);
  zmq_sleep(-2147483647 - 1);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
