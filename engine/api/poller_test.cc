// zmq_poller_* (draft build) through zmq.h alone: sockets and fds, add/modify/remove, waits,
// timeouts, and libzmq 4.3.4's errors.
#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using zlab_api_test::close_now;
using zlab_api_test::elapsed_ms;
using zlab_api_test::make_socket;
using zlab_api_test::recv_str;
using zlab_api_test::send_str;

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = zmq_ctx_new();
    poller_ = zmq_poller_new();
    ASSERT_NE(poller_, nullptr);
  }
  void TearDown() override {
    if (poller_ != nullptr) {
      EXPECT_EQ(zmq_poller_destroy(&poller_), 0);
    }
    EXPECT_EQ(zmq_ctx_term(ctx_), 0);
  }
  // A connected PUSH -> PULL pair over tcp.
  void make_pipeline() {
    push_ = make_socket(ctx_, ZMQ_PUSH);
    pull_ = make_socket(ctx_, ZMQ_PULL);
    std::string ep = zlab_api_test::bind_any(pull_);
    ASSERT_EQ(zmq_connect(push_, ep.c_str()), 0);
  }
  void close_pipeline() {
    close_now(push_);
    close_now(pull_);
  }
  void* ctx_ = nullptr;
  void* poller_ = nullptr;
  void* push_ = nullptr;
  void* pull_ = nullptr;
};

int expect_errno(int rc) {
  EXPECT_EQ(rc, -1);
  return zmq_errno();
}

TEST(PollerHandles, NullAndForeignPollersAreEfault) {
  void* null_poller = nullptr;
  uint64_t not_a_poller = 7;
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_PAIR);
  zmq_poller_event_t event;
  zmq_fd_t fd = 0;
  for (void* p : {static_cast<void*>(nullptr), static_cast<void*>(&not_a_poller)}) {
    EXPECT_EQ(expect_errno(zmq_poller_size(p)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_add(p, s, nullptr, ZMQ_POLLIN)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_modify(p, s, ZMQ_POLLIN)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_remove(p, s)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_add_fd(p, 0, nullptr, ZMQ_POLLIN)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_modify_fd(p, 0, ZMQ_POLLIN)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_remove_fd(p, 0)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_wait(p, &event, 0)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_wait_all(p, &event, 1, 0)), EFAULT);
    EXPECT_EQ(expect_errno(zmq_poller_fd(p, &fd)), EFAULT);
  }
  EXPECT_EQ(expect_errno(zmq_poller_destroy(nullptr)), EFAULT);
  EXPECT_EQ(expect_errno(zmq_poller_destroy(&null_poller)), EFAULT);
  void* foreign = &not_a_poller;
  EXPECT_EQ(expect_errno(zmq_poller_destroy(&foreign)), EFAULT);
  EXPECT_EQ(foreign, &not_a_poller);  // left alone
  zmq_close(s);
  zmq_ctx_term(ctx);
}

TEST(PollerHandles, DestroyClearsThePointerAndTheOldOneIsRefused) {
  void* p = zmq_poller_new();
  void* copy = p;
  ASSERT_EQ(zmq_poller_destroy(&p), 0);
  EXPECT_EQ(p, nullptr);
  (void)copy;  // freed: using it would be a use after free, as in libzmq
}

TEST_F(PollerTest, BadSocketsAndFds) {
  uint64_t not_a_socket = 3;
  EXPECT_EQ(expect_errno(zmq_poller_add(poller_, nullptr, nullptr, ZMQ_POLLIN)), ENOTSOCK);
  EXPECT_EQ(expect_errno(zmq_poller_add(poller_, &not_a_socket, nullptr, ZMQ_POLLIN)), ENOTSOCK);
  EXPECT_EQ(expect_errno(zmq_poller_modify(poller_, nullptr, ZMQ_POLLIN)), ENOTSOCK);
  EXPECT_EQ(expect_errno(zmq_poller_remove(poller_, nullptr)), ENOTSOCK);
  EXPECT_EQ(expect_errno(zmq_poller_add_fd(poller_, -1, nullptr, ZMQ_POLLIN)), EBADF);
  EXPECT_EQ(expect_errno(zmq_poller_modify_fd(poller_, -1, ZMQ_POLLIN)), EBADF);
  EXPECT_EQ(expect_errno(zmq_poller_remove_fd(poller_, -1)), EBADF);
  void* closed = zmq_socket(ctx_, ZMQ_PAIR);
  zmq_close(closed);
  EXPECT_EQ(expect_errno(zmq_poller_add(poller_, closed, nullptr, ZMQ_POLLIN)), ENOTSOCK);
  EXPECT_EQ(zmq_poller_size(poller_), 0);
}

TEST_F(PollerTest, AddTwiceRemoveOrModifyUnknownAndBadEventsAreEinval) {
  void* s = make_socket(ctx_, ZMQ_PAIR);
  EXPECT_EQ(expect_errno(zmq_poller_remove(poller_, s)), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_modify(poller_, s, ZMQ_POLLIN)), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_add(poller_, s, nullptr, 0x100)), EINVAL);
  EXPECT_EQ(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN), 0);
  EXPECT_EQ(expect_errno(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN)), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_modify(poller_, s, 0x100)), EINVAL);
  EXPECT_EQ(zmq_poller_modify(poller_, s, 0), 0);  // no events is allowed
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_EQ(expect_errno(zmq_poller_remove_fd(poller_, fds[0])), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_modify_fd(poller_, fds[0], ZMQ_POLLIN)), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_add_fd(poller_, fds[0], nullptr, 0x100)), EINVAL);
  EXPECT_EQ(zmq_poller_add_fd(poller_, fds[0], nullptr, 0), 0);
  EXPECT_EQ(expect_errno(zmq_poller_add_fd(poller_, fds[0], nullptr, ZMQ_POLLIN)), EINVAL);
  EXPECT_EQ(expect_errno(zmq_poller_modify_fd(poller_, fds[0], 0x100)), EINVAL);
  EXPECT_EQ(zmq_poller_size(poller_), 2);
  EXPECT_EQ(zmq_poller_remove_fd(poller_, fds[0]), 0);
  EXPECT_EQ(zmq_poller_remove(poller_, s), 0);
  EXPECT_EQ(zmq_poller_size(poller_), 0);
  close(fds[0]);
  close(fds[1]);
  close_now(s);
}

TEST_F(PollerTest, WaitErrorsAsLibzmq) {
  zmq_poller_event_t event;
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, nullptr, 0)), EFAULT);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, nullptr, 1, 0)), EFAULT);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, &event, -1, 0)), EINVAL);
  // Empty: nothing could ever happen. With a timeout that is "nothing happened" (EAGAIN);
  // without one it could never return (EFAULT).
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 0)), EAGAIN);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, &event, 0, 0)), EAGAIN);
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, -1)), EFAULT);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, &event, 0, -1)), EFAULT);
  // An item that wants no events is the same.
  void* s = make_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_poller_add(poller_, s, nullptr, 0), 0);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, &event, 1, 0)), EAGAIN);
  EXPECT_EQ(expect_errno(zmq_poller_wait_all(poller_, &event, 1, -1)), EFAULT);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 50)), EAGAIN);
  EXPECT_GE(elapsed_ms(start), 50);
  close_now(s);
}

TEST_F(PollerTest, FdWithoutAThreadSafeSocketIsEinval) {
  zmq_fd_t fd = -1;
  EXPECT_EQ(expect_errno(zmq_poller_fd(poller_, &fd)), EINVAL);
  void* s = make_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN), 0);
  EXPECT_EQ(expect_errno(zmq_poller_fd(poller_, &fd)), EINVAL);
  close_now(s);
}

TEST_F(PollerTest, SocketReadinessWithUserDataAndTimeout) {
  make_pipeline();
  int tag = 0;
  ASSERT_EQ(zmq_poller_add(poller_, pull_, &tag, ZMQ_POLLIN), 0);
  zmq_poller_event_t event;
  // Nothing yet: a timed wait takes its whole timeout and says EAGAIN, the event zeroed.
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 100)), EAGAIN);
  EXPECT_GE(elapsed_ms(start), 100);
  EXPECT_EQ(event.socket, nullptr);
  EXPECT_EQ(event.user_data, nullptr);
  EXPECT_EQ(event.events, 0);

  ASSERT_EQ(send_str(push_, "H"), 1);
  ASSERT_EQ(zmq_poller_wait(poller_, &event, -1), 0);
  EXPECT_EQ(event.socket, pull_);
  EXPECT_EQ(event.fd, -1);
  EXPECT_EQ(event.user_data, &tag);
  EXPECT_EQ(event.events, ZMQ_POLLIN);
  EXPECT_EQ(recv_str(pull_), "H");
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 0)), EAGAIN);

  // POLLOUT on the sender; modify changes what is reported.
  ASSERT_EQ(zmq_poller_add(poller_, push_, nullptr, ZMQ_POLLOUT | ZMQ_POLLIN), 0);
  ASSERT_EQ(zmq_poller_wait(poller_, &event, 1000), 0);
  EXPECT_EQ(event.socket, push_);
  EXPECT_EQ(event.events, ZMQ_POLLOUT);  // only what the socket can do of what was asked
  ASSERT_EQ(zmq_poller_modify(poller_, push_, ZMQ_POLLIN), 0);
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 0)), EAGAIN);
  close_pipeline();
}

TEST_F(PollerTest, WakesWhenAMessageArrivesFromAnotherThread) {
  make_pipeline();
  ASSERT_EQ(zmq_poller_add(poller_, pull_, nullptr, ZMQ_POLLIN), 0);
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    send_str(push_, "late");
  });
  zmq_poller_event_t event;
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(zmq_poller_wait(poller_, &event, 5000), 0);
  EXPECT_LT(elapsed_ms(start), 4000);
  EXPECT_EQ(event.socket, pull_);
  sender.join();
  EXPECT_EQ(recv_str(pull_), "late");
  close_pipeline();
}

TEST_F(PollerTest, WaitAllReportsEveryReadyItemInOrderAndZeroesTheRest) {
  make_pipeline();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  ASSERT_EQ(zmq_poller_add(poller_, pull_, nullptr, ZMQ_POLLIN), 0);
  ASSERT_EQ(zmq_poller_add_fd(poller_, fds[0], fds, ZMQ_POLLIN), 0);
  ASSERT_EQ(zmq_poller_add(poller_, push_, nullptr, ZMQ_POLLOUT), 0);
  ASSERT_EQ(send_str(push_, "m"), 1);
  zmq_poller_event_t events[4];
  // Wait until the message is there (the pipe and POLLOUT are ready at once).
  for (int i = 0; i < 100; ++i) {
    if (zmq_poller_wait_all(poller_, events, 4, 1000) == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(zmq_poller_wait_all(poller_, events, 4, 1000), 3);
  EXPECT_EQ(events[0].socket, pull_);
  EXPECT_EQ(events[1].socket, nullptr);
  EXPECT_EQ(events[1].fd, fds[0]);
  EXPECT_EQ(events[1].user_data, fds);
  EXPECT_EQ(events[1].events, ZMQ_POLLIN);
  EXPECT_EQ(events[2].socket, push_);
  EXPECT_EQ(events[3].socket, nullptr);
  EXPECT_EQ(events[3].fd, -1);
  EXPECT_EQ(events[3].events, 0);
  // Room for fewer: the first ones.
  ASSERT_EQ(zmq_poller_wait_all(poller_, events, 2, 0), 2);
  EXPECT_EQ(events[0].socket, pull_);
  EXPECT_EQ(events[1].fd, fds[0]);
  // Removing an item takes it out of the results.
  ASSERT_EQ(zmq_poller_remove_fd(poller_, fds[0]), 0);
  ASSERT_EQ(zmq_poller_wait_all(poller_, events, 4, 0), 2);
  EXPECT_EQ(events[1].socket, push_);
  close(fds[0]);
  close(fds[1]);
  close_pipeline();
}

TEST_F(PollerTest, PlainFdWritabilityAndHangup) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(zmq_poller_add_fd(poller_, fds[1], nullptr, ZMQ_POLLOUT), 0);
  zmq_poller_event_t event;
  ASSERT_EQ(zmq_poller_wait(poller_, &event, 0), 0);
  EXPECT_EQ(event.fd, fds[1]);
  EXPECT_EQ(event.events, ZMQ_POLLOUT);
  ASSERT_EQ(zmq_poller_remove_fd(poller_, fds[1]), 0);
  ASSERT_EQ(zmq_poller_add_fd(poller_, fds[0], nullptr, ZMQ_POLLIN), 0);
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 0)), EAGAIN);
  close(fds[1]);  // the reader sees the hang-up
  ASSERT_EQ(zmq_poller_wait(poller_, &event, 1000), 0);
  EXPECT_EQ(event.fd, fds[0]);
  EXPECT_TRUE(event.events & ZMQ_POLLERR);
  close(fds[0]);
}

TEST_F(PollerTest, ASocketClosedWhileRegisteredFailsTheWaitWithEnotsock) {
  void* s = make_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN), 0);
  close_now(s);
  zmq_poller_event_t event;
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 0)), ENOTSOCK);
}

TEST_F(PollerTest, ContextTerminationEndsAWaitWithEterm) {
  void* s = make_socket(ctx_, ZMQ_PULL);
  ASSERT_EQ(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN), 0);
  std::thread shutdown([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    zmq_ctx_shutdown(ctx_);
  });
  zmq_poller_event_t event;
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 5000)), ETERM);
  shutdown.join();
  close_now(s);
}

TEST_F(PollerTest, ASignalInterruptsAWaitWithEintr) {
  void* s = make_socket(ctx_, ZMQ_PULL);
  ASSERT_EQ(zmq_poller_add(poller_, s, nullptr, ZMQ_POLLIN), 0);
  struct sigaction action = {};
  action.sa_handler = [](int) {};
  struct sigaction old;
  ASSERT_EQ(sigaction(SIGUSR1, &action, &old), 0);
  pthread_t waiter = pthread_self();
  std::thread signaller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pthread_kill(waiter, SIGUSR1);
  });
  zmq_poller_event_t event;
  EXPECT_EQ(expect_errno(zmq_poller_wait(poller_, &event, 5000)), EINTR);
  signaller.join();
  sigaction(SIGUSR1, &old, nullptr);
  close_now(s);
}

}  // namespace
