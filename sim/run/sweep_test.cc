// The CI sweep: seeds 1..12 of every scenario under swarm faults, split over Bazel's test
// shards (shard_count in BUILD) by the sweep itself, so every shard runs every test here
// (gtest's own sharding, which would hand each test to one shard, is switched off in main).
// A failure prints the command that reproduces it.
#include "sim/run/sweep.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace zlab::sim {
namespace {

uint32_t env_u32(const char* name, uint32_t fallback) {
  const char* v = std::getenv(name);
  return v ? uint32_t(std::strtoul(v, nullptr, 10)) : fallback;
}

TEST(SweepTest, SwarmSeedsOfEveryScenarioPass) {
  // Tell Bazel this test shards itself.
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) {
    if (std::FILE* f = std::fopen(status, "w")) std::fclose(f);
  }
  SweepSpec spec;
  spec.first_seed = 1;
  spec.last_seed = 12;
  spec.shard_index = env_u32("TEST_SHARD_INDEX", 0);
  spec.shard_count = env_u32("TEST_TOTAL_SHARDS", 1);
  spec.jobs = 1;
  SweepResult r = sweep(spec);
  EXPECT_GT(r.results.size(), 0u);
  for (const RunResult& x : r.results) {
    EXPECT_TRUE(x.passed) << result_header(x) << "\n  reproduce: " << x.repro << "\n"
                          << result_json(x);
  }
  std::printf("%s\n", sweep_json(spec, r).c_str());
}

TEST(SweepTest, ShardsSplitTheWorkWithoutOverlap) {
  SweepSpec spec;
  spec.first_seed = 5;
  spec.last_seed = 6;
  spec.scenarios = {"pair", "dealer_dealer"};
  size_t total = 0;
  for (uint32_t i = 0; i < 3; ++i) {
    spec.shard_index = i;
    spec.shard_count = 3;
    total += sweep(spec).results.size();
  }
  EXPECT_EQ(total, 4u);
}

}  // namespace
}  // namespace zlab::sim

int main(int argc, char** argv) {
  unsetenv("GTEST_SHARD_INDEX");
  unsetenv("GTEST_TOTAL_SHARDS");
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
