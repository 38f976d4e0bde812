#include "sim/base/rng.h"

#include <gtest/gtest.h>

#include <vector>

namespace zlab::sim {
namespace {

TEST(RngTest, SplitmixMatchesTheReferenceSequence) {
  // Reference values of splitmix64 seeded with 1234567 (from the published C code).
  uint64_t state = 1234567;
  EXPECT_EQ(splitmix64(&state), 6457827717110365317ull);
  EXPECT_EQ(splitmix64(&state), 3203168211198807973ull);
}

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(42), b(42), c(43);
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a.next());
    vb.push_back(b.next());
    vc.push_back(c.next());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
}

TEST(RngTest, BelowAndRangeStayInBoundsAndCoverThem) {
  Rng r(7);
  std::vector<int> seen(10);
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = r.below(10);
    ASSERT_LT(v, 10u);
    ++seen[v];
    int64_t x = r.range(-3, 3);
    ASSERT_GE(x, -3);
    ASSERT_LE(x, 3);
  }
  for (int count : seen) EXPECT_GT(count, 800);  // roughly uniform
  EXPECT_EQ(r.range(5, 5), 5);
  r.range(INT64_MIN, INT64_MAX);  // the full range does not overflow
}

TEST(RngTest, ChanceIsRoughlyItsProbability) {
  Rng r(9);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += r.chance_ppm(250'000);
  EXPECT_GT(hits, 24000);
  EXPECT_LT(hits, 26000);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(r.chance_ppm(0));
    EXPECT_TRUE(r.chance_ppm(1'000'000));
  }
}

}  // namespace
}  // namespace zlab::sim
