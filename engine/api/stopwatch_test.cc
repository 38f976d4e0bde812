#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/api/zmq.h"

namespace {

TEST(Stopwatch, MeasuresMicroseconds) {
  void* watch = zmq_stopwatch_start();
  ASSERT_NE(watch, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const unsigned long elapsed = zmq_stopwatch_stop(watch);
  EXPECT_GE(elapsed, 20000ul);
  EXPECT_LT(elapsed, 5000000ul);  // Generous: loaded CI machines, sanitizers.
}

TEST(Stopwatch, IntermediateIsMonotonicAndKeepsTheWatch) {
  void* watch = zmq_stopwatch_start();
  unsigned long previous = 0;
  for (int i = 0; i < 1000; ++i) {
    const unsigned long now = zmq_stopwatch_intermediate(watch);
    EXPECT_GE(now, previous);
    previous = now;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(zmq_stopwatch_intermediate(watch), previous + 2000);
  EXPECT_GE(zmq_stopwatch_stop(watch), previous + 2000);
}

TEST(Stopwatch, WatchesAreIndependent) {
  void* first = zmq_stopwatch_start();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  void* second = zmq_stopwatch_start();
  const unsigned long second_elapsed = zmq_stopwatch_stop(second);
  const unsigned long first_elapsed = zmq_stopwatch_stop(first);
  EXPECT_GE(first_elapsed, second_elapsed + 10000);
}

TEST(Stopwatch, NullWatchReadsZero) {
  EXPECT_EQ(zmq_stopwatch_intermediate(nullptr), 0ul);
  EXPECT_EQ(zmq_stopwatch_stop(nullptr), 0ul);
}

}  // namespace
