// Every scenario with no fault, with each fault kind alone, and with all of them at once.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>

#include "sim/run/runner.h"

namespace zlab::sim {
namespace {

// -1: no fault; kFaultKindCount: all of them; else the one kind.
using Case = std::tuple<std::string, int>;

std::string fault_label(int k) {
  if (k < 0) return "none";
  if (k == kFaultKindCount) return "all";
  return std::string(fault_name(FaultKind(k)));
}

// Whether the scenario sends udp datagrams (the dgram_* faults act on it).
bool datagrams(std::string_view scenario) { return find_scenario(scenario)->make()->targets().udp; }

class ScenarioFaultTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScenarioFaultTest, Passes) {
  auto [scenario, k] = GetParam();
  for (uint64_t seed : {1, 2}) {
    RunRequest req;
    req.seed = seed;
    req.scenario = scenario;
    req.choice.swarm = false;
    req.choice.only = k < 0 ? 0 : k == kFaultKindCount ? (1u << kFaultKindCount) - 1 : 1u << k;
    RunResult r = run_scenario(req);
    ASSERT_TRUE(r.passed) << result_header(r) << "\n" << result_json(r);
    EXPECT_GT(r.received, 0u);
    // Patterns that never promise exactly-once, and those that close things on purpose.
    bool never_exact = scenario == "pub_sub" || scenario == "xpub_xsub" || scenario == "churn";
    bool closes = scenario == "stream" || scenario == "req_rep" || scenario == "req_router" ||
                  scenario == "churn";
    if (k < 0) {
      EXPECT_EQ(r.exact, !never_exact) << r.repro;
      if (!closes) {
        EXPECT_EQ(r.disconnects, 0u) << r.repro;
      }
    }
    // udp has no connection for a reset or a crash to end (the udp scenario checks loss).
    if ((k == int(FaultKind::kReset) || k == int(FaultKind::kCrash)) && !datagrams(scenario)) {
      EXPECT_GT(r.disconnects, 0u) << "the fault did nothing: " << r.repro;
    }
    // A datagram fault acts where datagrams flow: the udp scenario sees it.
    if (k == int(FaultKind::kDgramLoss)) {
      EXPECT_GT(r.datagrams_lost, 0u) << r.repro;
    }
    if (k == int(FaultKind::kDgramDup)) {
      EXPECT_GT(r.datagrams_duplicated, 0u) << r.repro;
    }
  }
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const ScenarioInfo& s : all_scenarios()) {
    for (int k = -1; k <= kFaultKindCount; ++k) {
      // No scenario serves ZAP: a zap_* fault alone would be the fault-free run again. Only
      // the udp scenario sends datagrams: for the others a dgram_* fault alone would be too.
      if (k >= 0 && k < kFaultKindCount &&
          (fault_is_zap(FaultKind(k)) || (fault_is_datagram(FaultKind(k)) && !datagrams(s.name)))) {
        continue;
      }
      out.emplace_back(std::string(s.name), k);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Matrix, ScenarioFaultTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::get<0>(info.param) + "_" +
                                  fault_label(std::get<1>(info.param));
                         });

RunResult sweep_seed(const std::string& scenario, uint64_t seed) {
  RunRequest req;
  req.seed = seed;
  req.scenario = scenario;
  req.choice.swarm = false;
  req.choice.only = (1u << kFaultKindCount) - 1;
  return run_scenario(req);
}

// Sweep failures (./zlab sim --seeds A..B --faults all), each a scenario bug fixed in the
// scenario (see the comments there), kept as regressions:
// - churn 185, 482, 1148, 1320 (1..1500): the ROUTER echo dropped a reply after SNDTIMEO while
//   a lossy link stalled, and the quiet DEALER waited for it for ever;
// - pub_sub 1080 (1..1500): see PubSub1080 below;
// - stream 113 (1..20000, 28 of 30 stream failures): the STREAM client closed a stalled
//   connection itself ([id, ""]) and waited for the next one's notification; as in libzmq that
//   connect is over, so it must connect anew;
// - req_rep 5147, xpub_xsub 3750 (1..20000): 17.5% and 18.3% loss kept on after the fault
//   window, with segments of 74 and 221 B, left ~2 KB/s: a large quiet-phase request (relaxed
//   REQ resending into the same connection) or the subscribers' backlog could not drain in the
//   30 s slack. Loss now ends with the window like every other fault, so the quiet phase
//   checks liveness.
using SweepSeed = std::pair<const char*, uint64_t>;

class SweepRegressionTest : public ::testing::TestWithParam<SweepSeed> {};

TEST_P(SweepRegressionTest, Passes) {
  RunResult r = sweep_seed(GetParam().first, GetParam().second);
  EXPECT_TRUE(r.passed) << result_header(r) << "\n" << result_json(r);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SweepRegressionTest,
                         ::testing::Values(SweepSeed{"churn", 185}, SweepSeed{"churn", 482},
                                           SweepSeed{"churn", 1148}, SweepSeed{"churn", 1320},
                                           SweepSeed{"stream", 113}, SweepSeed{"req_rep", 5147},
                                           SweepSeed{"xpub_xsub", 3750}),
                         [](const ::testing::TestParamInfo<SweepSeed>& info) {
                           return std::string(info.param.first) + "_" +
                                  std::to_string(info.param.second);
                         });

// pub_sub 1080: every quiet message to h3 was dropped at the PUB's HWM (the fault phase's
// backlog still draining through a lossy link); a message its sender counted as dropped is not
// owed.
TEST(SweepRegression, PubSub1080) {
  RunResult r = sweep_seed("pub_sub", 1080);
  EXPECT_TRUE(r.passed) << result_header(r) << "\n" << result_json(r);
  EXPECT_GT(r.drops, 0u);  // the situation is still the one the sweep found
}

// The checks have teeth: a network that silently loses bytes (which TCP never does) fails.
TEST(ScenarioChecksTest, ABrokenNetworkIsCaught) {
  for (const ScenarioInfo& info : all_scenarios()) {
    std::string scenario(info.name);
    RunRequest req;
    req.seed = 1;
    req.scenario = scenario;
    FaultSchedule broken;
    broken.net.debug_vanish_ppm = 50'000;
    req.schedule = broken;
    RunResult r = run_scenario(req);
    EXPECT_FALSE(r.passed) << scenario;
  }
}

}  // namespace
}  // namespace zlab::sim
