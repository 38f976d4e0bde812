// Same seed and scenario, same trace, byte for byte (its hash); another seed, another trace.
#include <gtest/gtest.h>

#include "sim/run/runner.h"
#include "sim/run/sweep.h"

namespace zlab::sim {
namespace {

TEST(DeterminismTest, EveryScenarioTwiceGivesTheSameTraceHash) {
  SweepSpec spec;
  spec.first_seed = 1;
  spec.last_seed = 3;
  spec.twice = true;
  spec.jobs = 2;
  SweepResult r = sweep(spec);
  EXPECT_EQ(r.results.size(), 3 * all_scenarios().size());
  EXPECT_EQ(r.nondeterministic, 0u);
  for (const RunResult& x : r.results) {
    EXPECT_TRUE(x.passed) << result_json(x);
    EXPECT_GT(x.trace_lines, 100u);
  }
}

TEST(DeterminismTest, AnotherSeedIsAnotherRun) {
  RunRequest a, b;
  a.scenario = b.scenario = "push_pull";
  a.seed = 1;
  b.seed = 2;
  EXPECT_NE(run_scenario(a).trace_hash, run_scenario(b).trace_hash);
}

TEST(DeterminismTest, TheTraceFileHashesToTheReportedHash) {
  RunRequest req;
  req.seed = 4;
  req.scenario = "pair";
  req.trace_path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") +
                   "/pair-4.jsonl";
  RunResult r = run_scenario(req);
  std::FILE* f = std::fopen(req.trace_path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  EXPECT_EQ(fnv1a(Trace::kFnvOffset, text), r.trace_hash);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, r.trace_lines);
}

}  // namespace
}  // namespace zlab::sim
