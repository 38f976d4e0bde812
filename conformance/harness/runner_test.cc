#include "conformance/harness/runner.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

namespace zlab::conform {
namespace {

TEST(RunnerTest, GlobMatching) {
  EXPECT_TRUE(glob_match("socket/*/mute", "socket/PUB/mute"));
  EXPECT_TRUE(glob_match("*", "rule/REQ/x"));
  EXPECT_TRUE(glob_match("socket/P?B/*", "socket/PUB/outgoing"));
  EXPECT_FALSE(glob_match("socket/*/mute", "socket/PUB/outgoing"));
  EXPECT_FALSE(glob_match("socket/PUB", "socket/PUB/mute"));
}

TEST(RunnerTest, PassNeedsAnExercisedCase) {
  RunConfig config;
  config.cases = 10;
  Property never{"rule/X/never", "X", "k", [] { RC_ASSERT(true); }};
  EXPECT_EQ(run_property(never, config).status, "NOT-EXERCISED");
  Property sometimes{"rule/X/sometimes", "X", "k", [] {
                       int n = *rc::gen::inRange(0, 10);
                       if (n < 5) evidence().exercised();
                     }};
  RuleResult r = run_property(sometimes, config);
  EXPECT_EQ(r.status, "PASS");
  EXPECT_EQ(r.runs, 10);
  EXPECT_GT(r.exercised, 0);
  EXPECT_LE(r.exercised, 10);
}

TEST(RunnerTest, FailureCarriesTheShrunkCaseAndTheReplayCommand) {
  RunConfig config;
  config.seed = 42;
  Property bad{"rule/X/bad", "X", "k", [] {
                 int n = *rc::gen::inRange(0, 1000);
                 evidence().exercised();
                 RC_ASSERT(n < 100);
               }};
  RuleResult r = run_property(bad, config);
  EXPECT_EQ(r.status, "FAIL");
  ASSERT_EQ(r.minimal_sequence.size(), 1u);
  EXPECT_EQ(r.minimal_sequence[0], "int: 100");  // shrunk to the smallest failing value
  EXPECT_EQ(r.replay, "./zlab conform --only 'rule/X/bad' --seed 42 --cases 20");
  // Replays are deterministic: same seed, same shrunk case.
  EXPECT_EQ(run_property(bad, config).minimal_sequence, r.minimal_sequence);
  std::string line = to_json_line(r, 42);
  EXPECT_NE(line.find("\"status\":\"FAIL\""), std::string::npos);
  EXPECT_NE(line.find("\"seed\":42"), std::string::npos);
}

TEST(RunnerTest, JsonEscapes) {
  RuleResult r;
  r.rule = "a\"b\\c\n";
  r.status = "PASS";
  std::string line = to_json_line(r, 1);
  EXPECT_NE(line.find("\"rule\":\"a\\\"b\\\\c\\n\""), std::string::npos);
}

}  // namespace
}  // namespace zlab::conform
