// Every scenario, by name (./zlab sim --list).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "sim/scenario/scenario.h"

namespace zlab::sim {

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Scenario> (*make)();
};

std::span<const ScenarioInfo> all_scenarios();
const ScenarioInfo* find_scenario(std::string_view name);

}  // namespace zlab::sim
