// Every property, run twice with the same seed on the simulator, does the same: same
// outcome, counts and evidence, and the same trace hash in every simulated world. The CI side
// of ./zlab conform --check-determinism, on a small budget (two seeds, two cases each).
#include <gtest/gtest.h>

#include <cctype>

#include "conformance/harness/runner.h"
#include "conformance/properties/lab.h"

namespace zlab::conform {
namespace {

class DeterminismTest : public ::testing::TestWithParam<Property> {};

TEST_P(DeterminismTest, TwoRunsOfASeedAgree) {
  set_current_transport(Transport::kSim);
  for (uint64_t seed : {1, 2}) {
    RunConfig config;
    config.seed = seed;
    config.cases = 2;  // sizes 0 and 100
    RuleResult first = run_property(GetParam(), config);
    RuleResult second = run_property(GetParam(), config);
    EXPECT_EQ(difference(first, second), "") << "seed " << seed << ", replay: " << first.replay;
  }
}

INSTANTIATE_TEST_SUITE_P(All, DeterminismTest, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<Property>& info) {
                           std::string name = info.param.rule;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace zlab::conform
