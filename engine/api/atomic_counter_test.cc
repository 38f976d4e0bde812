#include <gtest/gtest.h>
#include <limits.h>

#include <thread>
#include <vector>

#include "engine/api/zmq.h"

namespace {

class AtomicCounter : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(counter_ = zmq_atomic_counter_new(), nullptr); }
  void TearDown() override { zmq_atomic_counter_destroy(&counter_); }
  void* counter_ = nullptr;
};

TEST_F(AtomicCounter, StartsAtZero) { EXPECT_EQ(zmq_atomic_counter_value(counter_), 0); }

TEST_F(AtomicCounter, IncReturnsThePreviousValue) {
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), 0);
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), 1);
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), 2);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), 3);
}

TEST_F(AtomicCounter, DecSaysWhetherTheCounterIsStillNonZero) {
  zmq_atomic_counter_set(counter_, 2);
  EXPECT_EQ(zmq_atomic_counter_dec(counter_), 1);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), 1);
  EXPECT_EQ(zmq_atomic_counter_dec(counter_), 0);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), 0);
}

TEST_F(AtomicCounter, DecBelowZeroWrapsAndIsNonZero) {
  EXPECT_EQ(zmq_atomic_counter_dec(counter_), 1);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), -1);
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), -1);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), 0);
}

TEST_F(AtomicCounter, SetStoresNegativeAndExtremeValues) {
  zmq_atomic_counter_set(counter_, -5);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), -5);
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), -5);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), -4);
  zmq_atomic_counter_set(counter_, INT_MAX);
  EXPECT_EQ(zmq_atomic_counter_inc(counter_), INT_MAX);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), INT_MIN);  // 32-bit wrap, no UB.
  zmq_atomic_counter_set(counter_, INT_MIN);
  EXPECT_EQ(zmq_atomic_counter_dec(counter_), 1);
  EXPECT_EQ(zmq_atomic_counter_value(counter_), INT_MAX);
}

TEST_F(AtomicCounter, ConcurrentIncrementsAndDecrementsBalance) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kPerThread; ++i) zmq_atomic_counter_inc(counter_);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(zmq_atomic_counter_value(counter_), kThreads * kPerThread);

  // Exactly one decrement observes the counter reaching zero.
  std::atomic<int> zero_seen{0};
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, &zero_seen] {
      for (int i = 0; i < kPerThread; ++i) {
        if (zmq_atomic_counter_dec(counter_) == 0) ++zero_seen;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(zmq_atomic_counter_value(counter_), 0);
  EXPECT_EQ(zero_seen.load(), 1);
}

TEST(AtomicCounterHandles, CountersAreIndependent) {
  void* a = zmq_atomic_counter_new();
  void* b = zmq_atomic_counter_new();
  zmq_atomic_counter_set(a, 10);
  zmq_atomic_counter_inc(b);
  EXPECT_EQ(zmq_atomic_counter_value(a), 10);
  EXPECT_EQ(zmq_atomic_counter_value(b), 1);
  zmq_atomic_counter_destroy(&a);
  zmq_atomic_counter_destroy(&b);
}

TEST(AtomicCounterHandles, DestroyClearsTheHandleAndToleratesNull) {
  void* counter = zmq_atomic_counter_new();
  zmq_atomic_counter_destroy(&counter);
  EXPECT_EQ(counter, nullptr);
  zmq_atomic_counter_destroy(&counter);  // Already NULL: nothing to free.
  zmq_atomic_counter_destroy(nullptr);
}

TEST(AtomicCounterHandles, NullCounterIsIgnored) {
  zmq_atomic_counter_set(nullptr, 3);
  EXPECT_EQ(zmq_atomic_counter_inc(nullptr), 0);
  EXPECT_EQ(zmq_atomic_counter_dec(nullptr), 0);
  EXPECT_EQ(zmq_atomic_counter_value(nullptr), 0);
}

}  // namespace
