// Runs properties with RapidCheck and turns each into one zlab-conformance/1 result record
// (reports/schema.md): PASS only when every case passed and at least one was exercised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conformance/harness/property.h"

namespace zlab::conform {

struct RunConfig {
  uint64_t seed = 1;   // RapidCheck's seed; the simulated world's seeds are drawn from it
  int cases = 20;      // test cases per property
  int max_size = 100;  // RapidCheck size bound
  std::string only;    // a glob over rule ids ("socket/PUSH/*"); empty: all
  std::string replay_prefix = "./zlab conform";
};

struct RuleResult {
  std::string rule;
  std::string socket_type;
  std::string column;
  std::string status;  // PASS, FAIL, NOT-EXERCISED
  int runs = 0;
  int exercised = 0;
  std::map<std::string, int64_t> evidence;  // summed over cases
  double duration_ms = 0;
  // FAIL only.
  std::string expected;
  std::string actual;
  std::vector<std::string> minimal_sequence;
  std::string replay;
};

bool glob_match(std::string_view pattern, std::string_view text);
RuleResult run_property(const Property& p, const RunConfig& config);
// One JSON object on one line (the fields of a zlab-conformance/1 result).
std::string to_json_line(const RuleResult& r, uint64_t seed);

}  // namespace zlab::conform
