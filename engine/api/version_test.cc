#include <gtest/gtest.h>

#include "engine/api/zmq.h"

namespace {

TEST(Version, ReportsLibzmq434) {
  int major = -1, minor = -1, patch = -1;
  zmq_version(&major, &minor, &patch);
  EXPECT_EQ(major, 4);
  EXPECT_EQ(minor, 3);
  EXPECT_EQ(patch, 4);
}

TEST(Version, RuntimeMatchesCompileTimeMacros) {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  EXPECT_EQ(ZMQ_MAKE_VERSION(major, minor, patch), ZMQ_VERSION);
  EXPECT_EQ(ZMQ_VERSION, 40304);
}

TEST(Version, MakeVersionParenthesisesItsArguments) {
  EXPECT_EQ(ZMQ_MAKE_VERSION(1 + 1, 0, 0), 20000);
  EXPECT_EQ(ZMQ_MAKE_VERSION(0, 2 + 3, 1 - 1), 500);
}

TEST(Version, NullOutParametersAreSkipped) {
  int minor = 0;
  zmq_version(nullptr, &minor, nullptr);
  EXPECT_EQ(minor, 3);
}

}  // namespace
