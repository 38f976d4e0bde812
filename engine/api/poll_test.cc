// zmq_poll through the C API: sockets and plain fds, exact timeouts, ETERM, bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;
using Clock = std::chrono::steady_clock;

class Poll : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = zmq_ctx_new();
    pull_ = make_socket(ctx_, ZMQ_PULL);
    push_ = make_socket(ctx_, ZMQ_PUSH);
    ASSERT_EQ(zmq_bind(pull_, "inproc://poll"), 0);
    ASSERT_EQ(zmq_connect(push_, "inproc://poll"), 0);
  }
  void TearDown() override {
    close_now(push_);
    close_now(pull_);
    EXPECT_EQ(zmq_ctx_term(ctx_), 0);
  }
  void* ctx_ = nullptr;
  void* pull_ = nullptr;
  void* push_ = nullptr;
};

TEST_F(Poll, TimeoutZeroOnlyLooks) {
  zmq_pollitem_t item = {pull_, 0, ZMQ_POLLIN, 0};
  auto start = Clock::now();
  EXPECT_EQ(zmq_poll(&item, 1, 0), 0);
  EXPECT_EQ(item.revents, 0);
  EXPECT_LT(elapsed_ms(start), 100);
}

TEST_F(Poll, TimeoutsAreHonouredNeverEarly) {
  zmq_pollitem_t item = {pull_, 0, ZMQ_POLLIN, 0};
  for (long timeout : {1L, 30L, 120L}) {
    auto start = Clock::now();
    EXPECT_EQ(zmq_poll(&item, 1, timeout), 0);
    long waited = elapsed_ms(start);
    EXPECT_GE(waited, timeout);
    EXPECT_LT(waited, timeout + 500);
  }
}

TEST_F(Poll, WakesWhenAMessageArrives) {
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    send_str(push_, "wake");
  });
  zmq_pollitem_t item = {pull_, 0, ZMQ_POLLIN, 0};
  auto start = Clock::now();
  EXPECT_EQ(zmq_poll(&item, 1, -1), 1);
  EXPECT_EQ(item.revents, ZMQ_POLLIN);
  EXPECT_GE(elapsed_ms(start), 40);
  sender.join();
  EXPECT_EQ(recv_str(pull_), "wake");
  // Already read: nothing left.
  EXPECT_EQ(zmq_poll(&item, 1, 10), 0);
}

TEST_F(Poll, InAndOutTogether) {
  zmq_pollitem_t items[2] = {{pull_, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0},
                             {push_, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0}};
  // The push side becomes writable once its inproc peer is attached.
  EXPECT_EQ(zmq_poll(items, 2, 5000), 1);
  EXPECT_EQ(items[0].revents, 0);
  EXPECT_EQ(items[1].revents, ZMQ_POLLOUT);
  send_str(push_, "x");
  items[1].events = ZMQ_POLLIN;
  EXPECT_EQ(zmq_poll(items, 2, 5000), 1);
  EXPECT_EQ(items[0].revents, ZMQ_POLLIN);
  EXPECT_EQ(items[1].revents, 0);
}

TEST_F(Poll, PlainFileDescriptors) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  zmq_pollitem_t items[2] = {{nullptr, fds[0], ZMQ_POLLIN, 0}, {pull_, 0, ZMQ_POLLIN, 0}};
  EXPECT_EQ(zmq_poll(items, 2, 20), 0);
  ASSERT_EQ(write(fds[1], "!", 1), 1);
  EXPECT_EQ(zmq_poll(items, 2, 1000), 1);
  EXPECT_EQ(items[0].revents, ZMQ_POLLIN);
  send_str(push_, "both");
  EXPECT_EQ(zmq_poll(&items[1], 1, 1000), 1);  // the message arrives a moment later
  EXPECT_EQ(zmq_poll(items, 2, 1000), 2);
  // The write end: writable. A closed peer shows as ZMQ_POLLERR (POLLHUP).
  zmq_pollitem_t out = {nullptr, fds[1], ZMQ_POLLOUT, 0};
  EXPECT_EQ(zmq_poll(&out, 1, 0), 1);
  EXPECT_EQ(out.revents, ZMQ_POLLOUT);
  close(fds[1]);
  zmq_pollitem_t hup = {nullptr, fds[0], 0, 0};
  char c;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  EXPECT_EQ(zmq_poll(&hup, 1, 1000), 1);
  EXPECT_EQ(hup.revents, ZMQ_POLLERR);
  close(fds[0]);
}

// As libzmq's: a socket's ZMQ_FD is readable after zmq_bind and zmq_connect, before any message
// (libzmq's test_poller polls that fd as a plain one and expects it), and quiet again once
// ZMQ_EVENTS was read.
TEST(PollFd, ZmqFdIsReadableAfterConnectAndBind) {
  void* ctx = zmq_ctx_new();
  for (bool bind : {false, true}) {
    void* s = make_socket(ctx, ZMQ_PULL);
    int fd = get_int(s, ZMQ_FD);
    (void)get_int(s, ZMQ_EVENTS);  // re-arms: the fd is quiet now
    zmq_pollitem_t item = {nullptr, fd, ZMQ_POLLIN, 0};
    EXPECT_EQ(zmq_poll(&item, 1, 0), 0);
    if (bind) {
      bind_any(s);
    } else {
      ASSERT_EQ(zmq_connect(s, "tcp://127.0.0.1:1"), 0);  // nobody there: no message will come
    }
    EXPECT_EQ(zmq_poll(&item, 1, 0), 1) << (bind ? "bind" : "connect");
    EXPECT_EQ(get_int(s, ZMQ_EVENTS), 0);
    EXPECT_EQ(zmq_poll(&item, 1, 0), 0);
    close_now(s);
  }
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// ZMQ_FD's contract, as libzmq's: it takes an edge for readiness the application has not seen
// since a ZMQ_EVENTS read or a call refused with EAGAIN. A refused recv re-arms it by itself
// (no ZMQ_EVENTS read in between), over inproc and tcp.
TEST(PollFd, ARefusedRecvRearmsZmqFdForTheNextArrival) {
  void* ctx = zmq_ctx_new();
  for (const char* endpoint : {"inproc://rearm", "tcp://127.0.0.1:*"}) {
    void* pull = make_socket(ctx, ZMQ_PULL);
    void* push = make_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(zmq_bind(pull, endpoint), 0);
    char bound[256];
    size_t size = sizeof bound;
    ASSERT_EQ(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, bound, &size), 0);
    ASSERT_EQ(zmq_connect(push, bound), 0);
    zmq_pollitem_t fd_item = {nullptr, get_int(pull, ZMQ_FD), ZMQ_POLLIN, 0};
    send_str(push, "one");
    zmq_pollitem_t socket_item = {pull, 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq_poll(&socket_item, 1, 5000), 1);  // reads ZMQ_EVENTS: the fd is drained
    char buf[8];
    EXPECT_EQ(zmq_recv(pull, buf, sizeof buf, 0), 3) << endpoint;
    EXPECT_EQ(zmq_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_EQ(zmq_poll(&fd_item, 1, 0), 0) << endpoint;  // nothing new yet
    send_str(push, "two");
    EXPECT_EQ(zmq_poll(&fd_item, 1, 5000), 1) << endpoint << ": the arrival took no edge";
    EXPECT_EQ(zmq_recv(pull, buf, sizeof buf, 0), 3);
    close_now(push);
    close_now(pull);
  }
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST_F(Poll, ManyMessagesManyPolls) {
  // The ZMQ_FD is edge-triggered: polling must still see every message, however they bunch.
  std::thread sender([&] {
    for (int i = 0; i < 2000; ++i) send_str(push_, std::to_string(i));
  });
  zmq_pollitem_t item = {pull_, 0, ZMQ_POLLIN, 0};
  int received = 0;
  while (received < 2000) {
    ASSERT_EQ(zmq_poll(&item, 1, 5000), 1) << "after " << received;
    while (true) {
      char buf[16];
      if (zmq_recv(pull_, buf, sizeof buf, ZMQ_DONTWAIT) < 0) break;
      ++received;
    }
  }
  sender.join();
}

TEST_F(Poll, BadInput) {
  errno = 0;
  EXPECT_EQ(zmq_poll(nullptr, -1, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(zmq_poll(nullptr, 1, 0), -1);
  EXPECT_EQ(errno, EFAULT);
  auto start = Clock::now();
  EXPECT_EQ(zmq_poll(nullptr, 0, 30), 0);  // nothing to watch: sleeps
  EXPECT_GE(elapsed_ms(start), 30);
  EXPECT_EQ(zmq_poll(nullptr, 0, 0), 0);
  alignas(8) char garbage[64] = {1, 2, 3};
  zmq_pollitem_t item = {garbage, 0, ZMQ_POLLIN, 0};
  EXPECT_EQ(zmq_poll(&item, 1, 0), -1);
  EXPECT_EQ(errno, ENOTSOCK);
}

TEST(PollTerm, ContextShutdownEndsAnInfinitePollWithEterm) {
  void* ctx = zmq_ctx_new();
  void* pull = zmq_socket(ctx, ZMQ_PULL);
  ASSERT_EQ(zmq_bind(pull, "inproc://poll-eterm"), 0);
  int rc = 0, err = 0;
  std::thread poller([&] {
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    rc = zmq_poll(&item, 1, -1);
    err = errno;
    zmq_close(pull);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
  poller.join();
  EXPECT_EQ(rc, -1);
  EXPECT_EQ(err, ETERM);
}

}  // namespace
