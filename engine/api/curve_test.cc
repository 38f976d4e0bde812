#include <errno.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <string.h>

#include <string>

#include "engine/api/zmq.h"

namespace {

TEST(Curve, KeypairGivesMatchingZ85Keys) {
  char pub[41], sec[41], derived[41];
  ASSERT_EQ(zmq_curve_keypair(pub, sec), 0);
  EXPECT_EQ(strlen(pub), 40u);
  EXPECT_EQ(strlen(sec), 40u);
  ASSERT_EQ(zmq_curve_public(derived, sec), 0);
  EXPECT_STREQ(derived, pub);
  char pub2[41], sec2[41];
  ASSERT_EQ(zmq_curve_keypair(pub2, sec2), 0);
  EXPECT_STRNE(sec, sec2);  // fresh randomness each time
}

// rfc 32's test vector pair (the keys libzmq's own tests use).
TEST(Curve, PublicOfAKnownSecret) {
  char pub[41];
  ASSERT_EQ(zmq_curve_public(pub, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"), 0);
  EXPECT_STREQ(pub, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
}

TEST(Curve, BadSecretIsEinval) {
  char pub[41];
  memset(pub, 'x', sizeof pub);
  for (const char* bad : {"", "short", "0123456789abcdefghijklmnopqrstuvwxyzABCDE",
                          "0123456789abcdefghijklmnopqrstuvwxyzABC~"}) {
    errno = 0;
    EXPECT_EQ(zmq_curve_public(pub, bad), -1) << bad;
    EXPECT_EQ(errno, EINVAL) << bad;
  }
  EXPECT_EQ(pub[0], 'x');
}

TEST(Curve, CapabilityAgrees) { EXPECT_EQ(zmq_has("curve"), 1); }

}  // namespace
