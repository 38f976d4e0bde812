#include <errno.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <atomic>
#include <string>
#include <vector>

#include "engine/api/zmq.h"

namespace {

void Increment(void* arg) { static_cast<std::atomic<int>*>(arg)->fetch_add(1); }

TEST(Threads, RunsTheFunctionWithItsArgumentBeforeCloseReturns) {
  std::atomic<int> count{0};
  void* thread = zmq_threadstart(&Increment, &count);
  ASSERT_NE(thread, nullptr);
  zmq_threadclose(thread);
  EXPECT_EQ(count.load(), 1);
}

TEST(Threads, ManyThreadsAtOnce) {
  std::atomic<int> count{0};
  std::vector<void*> threads;
  for (int i = 0; i < 32; ++i) threads.push_back(zmq_threadstart(&Increment, &count));
  for (void* t : threads) {
    ASSERT_NE(t, nullptr);
    zmq_threadclose(t);
  }
  EXPECT_EQ(count.load(), 32);
}

struct Observed {
  pthread_t self;
  bool all_signals_blocked = false;
  std::string name;
};

void Observe(void* arg) {
  Observed* seen = static_cast<Observed*>(arg);
  seen->self = pthread_self();
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  seen->all_signals_blocked = sigismember(&mask, SIGINT) == 1 && sigismember(&mask, SIGTERM) == 1 &&
                              sigismember(&mask, SIGUSR1) == 1 && sigismember(&mask, SIGPIPE) == 1;
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  seen->name = name;
}

TEST(Threads, RunsOnAnotherThreadWithSignalsBlockedAndLibzmqsName) {
  Observed seen;
  void* thread = zmq_threadstart(&Observe, &seen);
  ASSERT_NE(thread, nullptr);
  zmq_threadclose(thread);
  EXPECT_FALSE(pthread_equal(seen.self, pthread_self()));
  EXPECT_TRUE(seen.all_signals_blocked);
  EXPECT_EQ(seen.name, "ZMQapp");
}

TEST(Threads, CallersSignalMaskIsUnchanged) {
  sigset_t before, after;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  std::atomic<int> count{0};
  zmq_threadclose(zmq_threadstart(&Increment, &count));
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  for (int sig = 1; sig < NSIG; ++sig) {
    EXPECT_EQ(sigismember(&before, sig), sigismember(&after, sig)) << sig;
  }
}

TEST(Threads, NullFunctionIsEinval) {
  errno = 0;
  EXPECT_EQ(zmq_threadstart(nullptr, nullptr), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

TEST(Threads, CloseNullIsANoOp) { zmq_threadclose(nullptr); }

}  // namespace
