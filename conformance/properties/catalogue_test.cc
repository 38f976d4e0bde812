// Every property in the catalogue passes, and is exercised, on a small budget: the CI side of
// ./zlab conform (which runs a larger budget and writes the report).
#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "conformance/harness/runner.h"

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
