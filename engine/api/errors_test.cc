#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>

#include <set>
#include <string>
#include <thread>

#include "engine/api/zmq.h"

namespace {

TEST(Errno, ReadsTheCallingThreadsErrno) {
  errno = EAGAIN;
  EXPECT_EQ(zmq_errno(), EAGAIN);
  errno = ETERM;
  EXPECT_EQ(zmq_errno(), ETERM);
  errno = 0;
  EXPECT_EQ(zmq_errno(), 0);
}

TEST(Errno, IsPerThread) {
  errno = EINVAL;
  int seen_in_thread = -1;
  std::thread t([&] {
    errno = ENOTSUP;
    seen_in_thread = zmq_errno();
  });
  t.join();
  EXPECT_EQ(seen_in_thread, ENOTSUP);
  EXPECT_EQ(zmq_errno(), EINVAL);
}

TEST(Errno, ZmqNumbersSitAboveHausnumero) {
  EXPECT_EQ(ZMQ_HAUSNUMERO, 156384712);
  EXPECT_EQ(EFSM, ZMQ_HAUSNUMERO + 51);
  EXPECT_EQ(ENOCOMPATPROTO, ZMQ_HAUSNUMERO + 52);
  EXPECT_EQ(ETERM, ZMQ_HAUSNUMERO + 53);
  EXPECT_EQ(EMTHREAD, ZMQ_HAUSNUMERO + 54);
  // Linux has every POSIX errno the header would otherwise invent.
  EXPECT_LT(ENOTSUP, ZMQ_HAUSNUMERO);
  EXPECT_LT(EHOSTUNREACH, ZMQ_HAUSNUMERO);
}

TEST(Strerror, ZmqErrorsHaveTheirOwnDistinctMessages) {
  std::set<std::string> seen;
  for (int e : {EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD}) {
    const char* text = zmq_strerror(e);
    ASSERT_NE(text, nullptr);
    EXPECT_GT(strlen(text), 5u) << e;
    EXPECT_EQ(std::string(text).find("Unknown error"), std::string::npos) << e;
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(Strerror, HostUnreachableKeepsLibzmqWording) {
  EXPECT_STREQ(zmq_strerror(EHOSTUNREACH), "Host unreachable");
}

TEST(Strerror, OtherNumbersComeFromTheCLibrary) {
  for (int e : {0, EINVAL, EAGAIN, ENOTSUP, EPROTONOSUPPORT, EADDRINUSE, EINTR, ENOMEM}) {
    const std::string expected = strerror(e);
    EXPECT_EQ(zmq_strerror(e), expected) << e;
  }
}

TEST(Strerror, UnknownNumbersAreDescribedNotNull) {
  for (int e : {-1, 9999, ZMQ_HAUSNUMERO, ZMQ_HAUSNUMERO + 1, ZMQ_HAUSNUMERO + 55, 2147483647}) {
    const char* text = zmq_strerror(e);
    ASSERT_NE(text, nullptr) << e;
    EXPECT_EQ(std::string(text), strerror(e)) << e;
  }
}

TEST(Strerror, LeavesErrnoAlone) {
  errno = EAGAIN;
  zmq_strerror(123456);
  zmq_strerror(ETERM);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(Strerror, ThreadsGetTheirOwnTextForUnknownNumbers) {
  std::string in_thread;
  const char* mine = zmq_strerror(70001);
  std::thread t([&] { in_thread = zmq_strerror(70002); });
  t.join();
  EXPECT_STREQ(mine, "Unknown error 70001");
  EXPECT_EQ(in_thread, "Unknown error 70002");
}

}  // namespace
