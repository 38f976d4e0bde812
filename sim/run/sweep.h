// Sweeps: every (seed, scenario) pair of a seed range, one shard of it, on J threads, merged
// into one JSON document. A failing run is run again (it is deterministic) to write its trace.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/run/runner.h"

namespace zlab::sim {

struct SweepSpec {
  uint64_t first_seed = 1;
  uint64_t last_seed = 1;
  uint32_t shard_index = 0;  // this shard of shard_count: items i with i % count == index
  uint32_t shard_count = 1;
  std::vector<std::string> scenarios;  // empty: all
  FaultChoice choice;
  RunParams params;
  int jobs = 1;
  bool twice = false;             // run each item twice and compare trace hashes
  std::string failure_trace_dir;  // write failing runs' traces here (empty: don't)
  std::function<void(size_t done, size_t total, size_t failed)> progress;
};

struct SweepResult {
  std::vector<RunResult> results;  // in (seed, scenario) order
  size_t failed = 0;
  size_t nondeterministic = 0;
  double wall_ms = 0;
};

SweepResult sweep(const SweepSpec& spec);
std::string sweep_json(const SweepSpec& spec, const SweepResult& result);

}  // namespace zlab::sim
