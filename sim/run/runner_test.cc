#include "sim/run/runner.h"

#include <gtest/gtest.h>

namespace zlab::sim {
namespace {

TEST(RunnerTest, PushPullPassesUnderSwarmFaults) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    RunRequest req;
    req.seed = seed;
    req.scenario = "push_pull";
    RunResult r = run_scenario(req);
    EXPECT_TRUE(r.passed) << result_header(r) << "\n" << result_json(r);
    EXPECT_GT(r.received, 0u);
  }
}

}  // namespace
}  // namespace zlab::sim
