// One run: a scenario, a seed, a fault schedule (drawn from the seed, or given), the world run
// to its end, and a verdict with everything needed to reproduce it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/fault/faults.h"
#include "sim/scenario/registry.h"
#include "sim/scenario/scenario.h"

namespace zlab::sim {

struct RunRequest {
  uint64_t seed = 1;
  std::string scenario;
  FaultChoice choice;                     // swarm unless told otherwise
  std::optional<FaultSchedule> schedule;  // used as is instead of a draw (issue 6 shrinks it)
  RunParams params;
  std::string trace_path;  // write the JSON-lines trace here; empty: only hash it
  bool trace_payload = false;
  std::string pcap_path;  // write a pcapng of the run here (sim/pcap/capture.h); empty: none
};

struct RunResult {
  uint64_t seed = 0;
  std::string scenario;
  std::string faults;  // describe_faults()
  bool passed = false;
  std::vector<std::string> failures;
  std::string outcome;  // outcome_name()
  bool exact = false;   // exactly-once was promised
  uint64_t trace_hash = 0;
  uint64_t trace_lines = 0;
  uint64_t events = 0;
  int64_t virtual_ns = 0;
  double wall_ms = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t disconnects = 0;
  uint64_t drops = 0;                   // counted by sockets at their HWM
  uint64_t mutes = 0;                   // sends that found a socket mute
  uint64_t datagrams_lost = 0;          // udp datagrams the network lost (dgram_loss)
  uint64_t datagrams_duplicated = 0;    // ... and delivered twice (dgram_dup)
  std::string repro;                    // the one command that reproduces this run
  std::vector<std::string> trace_tail;  // the last trace lines, for failures
};

RunResult run_scenario(const RunRequest& request);
std::string repro_command(const RunRequest& request);
// One JSON object (one line).
std::string result_json(const RunResult& result);
// The run's header: "seed=7 scenario=push_pull faults: loss(3.1%) crash(...)".
std::string result_header(const RunResult& result);

}  // namespace zlab::sim
