// Every scenario, by name.
#include <algorithm>

#include "sim/scenario/scenario.h"

namespace zlab::sim {

std::unique_ptr<Scenario> make_push_pull();

namespace {

constexpr ScenarioInfo kScenarios[] = {
    {"push_pull", "2 PUSH -> 2 PULL: exactly-once in order, blocking at HWM, reconnect",
     make_push_pull},
};

}  // namespace

std::span<const ScenarioInfo> all_scenarios() { return kScenarios; }

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const ScenarioInfo& s : kScenarios) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace zlab::sim
