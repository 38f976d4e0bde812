// Every property in the catalogue passes, and is exercised, on a small budget: the CI side of
// ./zlab conform (which runs a larger budget and writes the report).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cctype>
#include <chrono>
#include <set>
#include <thread>

#include "conformance/harness/runner.h"
#include "conformance/properties/lab.h"

namespace zlab::conform {
namespace {

class CatalogueTest : public ::testing::TestWithParam<Property> {};

TEST_P(CatalogueTest, PassesAndIsExercised) {
  RunConfig config;
  config.seed = 1;
  config.cases = 5;
  RuleResult r = run_property(GetParam(), config);
  EXPECT_EQ(r.status, "PASS") << r.actual << "\nreplay: " << r.replay;
}

INSTANTIATE_TEST_SUITE_P(All, CatalogueTest, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<Property>& info) {
                           std::string name = info.param.rule;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// A case that never finishes (here: time runs on for ever) fails at its virtual-time limit,
// saying how far it got and what it did, instead of hanging the run.
TEST(CaseLimitsTest, ACasePastItsVirtualTimeLimitFailsWithItsLog) {
  RunConfig config;
  config.cases = 1;
  config.case_limits.virtual_ms = 5'000;
  Property forever{"rule/X/forever", "X", "k", [] {
                     Lab lab(7, 0, 2);
                     Sock* s = lab.socket(0, SocketType::kPush);
                     RC_ASSERT(s->bind("tcp://*:5555") == Err::kOk);
                     for (;;) lab.advance_ms(100);
                   }};
  RuleResult r = run_property(forever, config);
  EXPECT_EQ(r.status, "FAIL");
  EXPECT_NE(r.actual.find("virtual-time limit (5000 ms)"), std::string::npos) << r.actual;
  EXPECT_NE(r.actual.find("world seed 7"), std::string::npos) << r.actual;
  bool bind_logged = false;
  for (const std::string& line : r.case_log) bind_logged |= line == "PUSH on h0 bind tcp://*:5555";
  EXPECT_TRUE(bind_logged);
}

// The same on the wall clock: a case that takes too long in real time fails too.
TEST(CaseLimitsTest, ACasePastItsWallTimeLimitFails) {
  RunConfig config;
  config.cases = 1;
  config.case_limits.wall_ms = 200;
  Property slow{"rule/X/slow", "X", "k", [] {
                  Lab lab(7, 0, 1);
                  for (;;) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    lab.advance_ms(1);
                  }
                }};
  RuleResult r = run_property(slow, config);
  EXPECT_EQ(r.status, "FAIL");
  EXPECT_NE(r.actual.find("wall-time limit (200 ms)"), std::string::npos) << r.actual;
}

TEST(CatalogueTest, EveryRuleIdIsUniqueAndFromTheSpec) {
  std::set<std::string> seen;
  for (const Property& p : catalogue()) {
    EXPECT_TRUE(seen.insert(p.rule).second) << p.rule;
    EXPECT_TRUE(p.rule.rfind("socket/", 0) == 0 || p.rule.rfind("rule/", 0) == 0) << p.rule;
  }
  EXPECT_GE(seen.size(), 56u);
}

}  // namespace
}  // namespace zlab::conform
