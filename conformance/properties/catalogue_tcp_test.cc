// The catalogue's table properties on real sockets (zlab's real driver over loopback, zlab on
// both ends): the CI side of ./zlab conform --transport tcp. Mute-state properties are left
// to that command: on real loopback they need megabytes of traffic per case.
#include <gtest/gtest.h>

#include <cctype>

#include "conformance/harness/runner.h"
#include "conformance/properties/lab.h"

namespace zlab::conform {
namespace {

std::vector<Property> tcp_table_properties() {
  std::vector<Property> out;
  for (const Property& p : catalogue()) {
    bool table = p.rule.rfind("socket/", 0) == 0;
    bool mute = p.rule.size() >= 5 && p.rule.compare(p.rule.size() - 5, 5, "/mute") == 0;
    if (table && !mute && !p.sim_only) out.push_back(p);
  }
  return out;
}

class CatalogueTcpTest : public ::testing::TestWithParam<Property> {
 protected:
  void SetUp() override { set_current_transport(Transport::kTcp); }
  void TearDown() override { set_current_transport(Transport::kSim); }
};

TEST_P(CatalogueTcpTest, PassesAndIsExercisedOnRealTcp) {
  RunConfig config;
  config.seed = 1;
  config.cases = 2;
  RuleResult r = run_property(GetParam(), config);
  EXPECT_EQ(r.status, "PASS") << r.actual << "\nreplay: " << r.replay << " --transport tcp";
}

INSTANTIATE_TEST_SUITE_P(Table, CatalogueTcpTest, ::testing::ValuesIn(tcp_table_properties()),
                         [](const ::testing::TestParamInfo<Property>& info) {
                           std::string name = info.param.rule;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(CatalogueTcpTest, CoversEveryTableColumnButMute) {
  // Compatible, direction, pattern, outgoing and incoming of the eleven ZMTP types at least.
  EXPECT_GE(tcp_table_properties().size(), 55u);
}

}  // namespace
}  // namespace zlab::conform
