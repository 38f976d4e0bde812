#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>

#include "engine/api/zmq.h"

namespace {

TEST(Curve, KeypairIsNotSupportedYet) {
  char pub[41], sec[41];
  memset(pub, 'x', sizeof pub);
  memset(sec, 'y', sizeof sec);
  errno = 0;
  EXPECT_EQ(zmq_curve_keypair(pub, sec), -1);
  EXPECT_EQ(errno, ENOTSUP);
  EXPECT_EQ(pub[0], 'x');
  EXPECT_EQ(sec[40], 'y');
}

TEST(Curve, PublicIsNotSupportedYet) {
  char pub[41];
  memset(pub, 'x', sizeof pub);
  errno = 0;
  EXPECT_EQ(zmq_curve_public(pub, "0123456789abcdefghijklmnopqrstuvwxyzABCD"), -1);
  EXPECT_EQ(errno, ENOTSUP);
  EXPECT_EQ(pub[0], 'x');
}

TEST(Curve, CapabilityAgrees) { EXPECT_EQ(zmq_has("curve"), 0); }

}  // namespace
