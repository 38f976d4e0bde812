#include "conformance/harness/runner.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <chrono>
#include <thread>

#include "conformance/harness/expect.h"

namespace zlab::conform {
namespace {

TEST(RunnerTest, GlobMatching) {
  EXPECT_TRUE(glob_match("socket/*/mute", "socket/PUB/mute"));
  EXPECT_TRUE(glob_match("*", "rule/REQ/x"));
  EXPECT_TRUE(glob_match("socket/P?B/*", "socket/PUB/outgoing"));
  EXPECT_FALSE(glob_match("socket/*/mute", "socket/PUB/outgoing"));
  EXPECT_FALSE(glob_match("socket/PUB", "socket/PUB/mute"));
  // Classes, as the front door's fnmatch reads them (one glob selects the same rules in both).
  EXPECT_TRUE(glob_match("rule/XPUB/[vmn]*", "rule/XPUB/manual"));
  EXPECT_FALSE(glob_match("rule/XPUB/[vmn]*", "rule/XPUB/welcome-message"));
  EXPECT_TRUE(glob_match("rule/[a-c]*/x", "rule/curve/x"));
  EXPECT_FALSE(glob_match("rule/[!a-c]*/x", "rule/curve/x"));
  EXPECT_TRUE(glob_match("rule/[]]", "rule/]"));
  EXPECT_TRUE(glob_match("a[b", "a[b"));  // unterminated: a literal '['
  EXPECT_FALSE(glob_match("a[b]", "a["));
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

// In a mixed run, a case whose sockets all came from the peer implementation (a draw without
// the row's type) tested only the peers: neither its failure nor its pass is the row's.
TEST(RunnerTest, ACaseWithoutItsSocketUnderTestIsNotExercised) {
  RunConfig config;
  config.cases = 10;
  Property peers_only{"rule/PUB/x", "PUB", "k", [] {
                        note_case_socket(/*under_test=*/false, "jeromq");  // an XPUB draw
                        evidence().exercised();
                        RC_ASSERT(false);  // the peers failed
                      }};
  RuleResult r = run_property(peers_only, config);
  EXPECT_EQ(r.status, "NOT-EXERCISED");
  EXPECT_NE(r.unobservable.find("no PUB socket"), std::string::npos) << r.unobservable;
  // With the socket under test made too, the failure is the row's.
  Property with_subject{"rule/PUB/y", "PUB", "k", [] {
                          note_case_socket(/*under_test=*/false, "jeromq");
                          note_case_socket(/*under_test=*/true, "jeromq");
                          evidence().exercised();
                          RC_ASSERT(false);
                        }};
  EXPECT_EQ(run_property(with_subject, config).status, "FAIL");
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

// EXPECT_RULE's failure names what was expected, with its values, and the condition.
TEST(RunnerTest, AnExplainedCheckSaysWhatWasExpected) {
  RunConfig config;
  config.seed = 7;
  Property bad{"rule/X/explained", "X", "k", [] {
                 int n = *rc::gen::inRange(0, 1000);
                 evidence().exercised();
                 bool small = n < 100;
                 EXPECT_RULE(small, "a number below 100, got " << n);
               }};
  RuleResult r = run_property(bad, config);
  EXPECT_EQ(r.status, "FAIL");
  EXPECT_NE(r.actual.find("expected a number below 100, got 100 [small was false]"),
            std::string::npos)
      << r.actual;
}

// A failure that does not come back when its shrunk case is replayed (here: only the first
// run of the body fails, as a thread running late would make it) is FLAKY, never FAIL, and
// keeps the first failure's message and inputs.
TEST(RunnerTest, AFailureWhoseReplayPassesIsFlaky) {
  RunConfig config;
  config.seed = 7;
  int calls = 0;
  Property flaky{"rule/X/flaky", "X", "k", [&] {
                   int n = *rc::gen::inRange(0, 1000);
                   evidence().exercised();
                   note_world_seed(uint64_t(n) + 1);
                   RC_ASSERT(++calls > 1);
                 }};
  RuleResult r = run_property(flaky, config);
  EXPECT_EQ(r.status, "FLAKY");
  EXPECT_NE(r.actual.find("++calls > 1"), std::string::npos) << r.actual;
  ASSERT_EQ(r.first_sequence.size(), 1u);
  EXPECT_EQ(r.first_world_seed, std::stoull(r.first_sequence[0].substr(5)) + 1);
  EXPECT_NE(r.replay_world_seed, 0u);
  EXPECT_EQ(r.replay_outcome, "no exceptions thrown");
  std::string line = to_json_line(r, 7);
  EXPECT_NE(line.find("\"status\":\"FLAKY\""), std::string::npos);
  EXPECT_NE(line.find("\"first_world_seed\":"), std::string::npos);
  EXPECT_NE(line.find("\"replay_world_seed\":"), std::string::npos);
}

// A failure that reproduces stays FAIL even when every other run passes or fails at random:
// the verdict is the shrunk case's replay.
TEST(RunnerTest, AReproducedFailureIsFail) {
  RunConfig config;
  Property bad{"rule/X/bad", "X", "k", [] {
                 int n = *rc::gen::inRange(0, 1000);
                 evidence().exercised();
                 RC_ASSERT(n < 500);
               }};
  RuleResult r = run_property(bad, config);
  EXPECT_EQ(r.status, "FAIL");
  EXPECT_EQ(r.minimal_sequence, std::vector<std::string>{"int: 500"});
  EXPECT_FALSE(r.shrink_budget_hit);
}

// Shrinking stops at its budget; the smallest failing case found by then is replayed and
// reported (FAIL, since it still fails), and the report says the budget ran out.
TEST(RunnerTest, ShrinkingStopsAtItsBudget) {
  RunConfig config;
  config.max_shrink_tries = 3;
  int runs = 0;
  Property bad{"rule/X/bad", "X", "k", [&] {
                 std::vector<int> v =
                     *rc::gen::container<std::vector<int>>(rc::gen::inRange(1000, 1'000'000));
                 ++runs;
                 evidence().exercised();
                 RC_ASSERT(v.size() < 5u);
               }};
  RuleResult r = run_property(bad, config);
  EXPECT_EQ(r.status, "FAIL");
  EXPECT_TRUE(r.shrink_budget_hit);
  EXPECT_EQ(r.shrink_tries, 3);
  EXPECT_EQ(r.minimal_sequence.size(), 1u);
  EXPECT_LT(runs, 100);  // unbounded, shrinking takes hundreds of runs
  EXPECT_NE(to_json_line(r, 1).find("\"shrink_budget_hit\":true"), std::string::npos);
}

// Once the run's total shrink budget is spent, a failure is not shrunk but still replayed.
TEST(RunnerTest, ARunsTotalShrinkBudgetIsShared) {
  RunConfig config;
  int64_t spent_ms = 0;
  config.shrink_spent_ms = &spent_ms;
  config.shrink_total_ms = 0;  // already spent
  Property bad{"rule/X/bad", "X", "k", [] {
                 int n = *rc::gen::inRange(0, 1000);
                 evidence().exercised();
                 RC_ASSERT(n < 500);
               }};
  RuleResult r = run_property(bad, config);
  EXPECT_EQ(r.status, "FAIL");  // the replay of the unshrunk case failed again
  EXPECT_TRUE(r.shrink_budget_hit);
  EXPECT_EQ(r.shrink_tries, 0);
  ASSERT_EQ(r.minimal_sequence.size(), 1u);
  EXPECT_GE(std::stoi(r.minimal_sequence[0].substr(5)), 500);  // "int: N", as first drawn
}

// A case that never returns is reported by the watchdog: its FAIL line (with what the case
// did so far) on stdout, and the process ends with kHungExit rather than hanging the run.
TEST(RunnerDeathTest, AHungCaseIsReportedAndEndsTheRunner) {
  RunConfig config;
  config.case_limits.wall_ms = 100;
  config.hang_grace_ms = 200;
  Property hung{"rule/X/hung", "X", "k", [] {
                  case_log().note("lab: sim, world seed 99");
                  note_world_seed(99);
                  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
                }};
  EXPECT_EXIT(run_property(hung, config), ::testing::ExitedWithCode(kHungExit),
              "a case hung: no return after .* s \\(world seed 99\\)");
}

// --check-determinism compares two runs: the same property and seed agree; a property whose
// worlds trace differently, or whose outcome changes, is caught and the field named.
TEST(RunnerTest, DifferenceFindsWhatChangedBetweenTwoRuns) {
  RunConfig config;
  config.cases = 5;
  Property same{"rule/X/same", "X", "k", [] {
                  int n = *rc::gen::inRange(0, 100);
                  fold_into_fingerprint(uint64_t(n));  // as a simulated world's trace hash
                  evidence().exercised();
                }};
  RuleResult a = run_property(same, config);
  EXPECT_EQ(difference(a, run_property(same, config)), "");
  uint64_t worlds = 0;
  Property drifting{"rule/X/drifting", "X", "k", [&] {
                      fold_into_fingerprint(++worlds);  // a world that traces differently
                      evidence().exercised();
                    }};
  RuleResult b = run_property(drifting, config);
  EXPECT_NE(difference(b, run_property(drifting, config)).find("trace hash"), std::string::npos);
  int calls = 0;
  Property flipping{"rule/X/flipping", "X", "k", [&] {
                      evidence().exercised();
                      RC_ASSERT(++calls > 3);
                    }};
  RuleResult c = run_property(flipping, config);
  std::string diff = difference(c, run_property(flipping, config));
  EXPECT_EQ(diff.rfind("status: FAIL vs PASS", 0), 0u) << diff;
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
