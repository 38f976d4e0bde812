#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "engine/api/zmq.h"

namespace {

struct Log {
  std::vector<int> fired;
  void* timers = nullptr;
  int cancel_on_fire = -1;
};

void on_timer(int timer_id, void* arg) {
  auto* log = static_cast<Log*>(arg);
  log->fired.push_back(timer_id);
  if (log->cancel_on_fire >= 0) zmq_timers_cancel(log->timers, log->cancel_on_fire);
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST(Timers, EmptySetHasNoTimeout) {
  void* timers = zmq_timers_new();
  ASSERT_NE(timers, nullptr);
  EXPECT_EQ(zmq_timers_timeout(timers), -1);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_EQ(zmq_timers_destroy(&timers), 0);
  EXPECT_EQ(timers, nullptr);
}

TEST(Timers, FireWhenDueAndRepeat) {
  void* timers = zmq_timers_new();
  Log log;
  int fast = zmq_timers_add(timers, 20, on_timer, &log);
  int slow = zmq_timers_add(timers, 10000, on_timer, &log);
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(slow, 2);
  long timeout = zmq_timers_timeout(timers);
  EXPECT_GT(timeout, 0);
  EXPECT_LE(timeout, 20);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_TRUE(log.fired.empty());
  sleep_ms(30);
  EXPECT_EQ(zmq_timers_timeout(timers), 0);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_EQ(log.fired, std::vector<int>{fast});
  sleep_ms(30);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_EQ(log.fired, (std::vector<int>{fast, fast}));
  EXPECT_EQ(zmq_timers_destroy(&timers), 0);
}

TEST(Timers, CancelResetAndSetInterval) {
  void* timers = zmq_timers_new();
  Log log;
  int a = zmq_timers_add(timers, 20, on_timer, &log);
  int b = zmq_timers_add(timers, 20, on_timer, &log);
  EXPECT_EQ(zmq_timers_cancel(timers, a), 0);
  errno = 0;
  EXPECT_EQ(zmq_timers_cancel(timers, a), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(zmq_timers_reset(timers, a), -1);
  EXPECT_EQ(zmq_timers_set_interval(timers, a, 5), -1);
  EXPECT_EQ(zmq_timers_set_interval(timers, b, 1000), 0);
  EXPECT_GT(zmq_timers_timeout(timers), 500);
  EXPECT_EQ(zmq_timers_set_interval(timers, b, 10), 0);
  sleep_ms(15);
  EXPECT_EQ(zmq_timers_reset(timers, b), 0);  // starts the interval again
  EXPECT_GT(zmq_timers_timeout(timers), 0);
  sleep_ms(15);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_EQ(log.fired, std::vector<int>{b});
  EXPECT_EQ(zmq_timers_destroy(&timers), 0);
}

TEST(Timers, AHandlerMayCancelAnotherDueTimer) {
  void* timers = zmq_timers_new();
  Log log;
  log.timers = timers;
  int first = zmq_timers_add(timers, 1, on_timer, &log);
  int second = zmq_timers_add(timers, 2, on_timer, &log);
  log.cancel_on_fire = second;
  sleep_ms(10);
  EXPECT_EQ(zmq_timers_execute(timers), 0);
  EXPECT_EQ(log.fired, std::vector<int>{first});
  EXPECT_EQ(zmq_timers_destroy(&timers), 0);
}

TEST(Timers, BadInput) {
  Log log;
  errno = 0;
  EXPECT_EQ(zmq_timers_add(nullptr, 10, on_timer, &log), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(zmq_timers_timeout(nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(zmq_timers_execute(nullptr), -1);
  EXPECT_EQ(zmq_timers_cancel(nullptr, 1), -1);
  EXPECT_EQ(zmq_timers_destroy(nullptr), -1);
  void* none = nullptr;
  EXPECT_EQ(zmq_timers_destroy(&none), -1);
  EXPECT_EQ(errno, EFAULT);
  void* timers = zmq_timers_new();
  EXPECT_EQ(zmq_timers_add(timers, 10, nullptr, &log), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(zmq_timers_cancel(timers, 77), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(zmq_timers_destroy(&timers), 0);
  EXPECT_EQ(zmq_timers_destroy(&timers), -1);  // already NULL
}

}  // namespace
