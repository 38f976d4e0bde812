// Runs properties with RapidCheck and turns each into one zlab-conformance/1 result record
// (reports/schema.md): PASS only when every case passed and at least one was exercised.
#pragma once

#include <cstdint>
#include <map>
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
  // Shrinking stops after this many runs of the body or this much wall time, whichever comes
  // first: the smallest failing case found so far is then reported (and replayed).
  int max_shrink_tries = 200;
  int64_t shrink_budget_ms = 30'000;
  // All the properties of a run together: once *shrink_spent_ms (shrinking and replaying
  // failures so far; the caller owns it, nullptr: no total) reaches shrink_total_ms, a
  // failure is no longer shrunk, only replayed once. So a badly broken engine, where every
  // property fails, still gives its full report in minutes.
  int64_t* shrink_spent_ms = nullptr;
  int64_t shrink_total_ms = 60'000;
  CaseLimits case_limits;
  // A case that has not returned this long after its wall limit is hung: the watchdog reports
  // it (a FAIL line on stdout with the case's log) and ends the process with kHungExit.
  int64_t hang_grace_ms = 30'000;
  // Not empty: a FAIL's shrunk case is replayed once more with recording on, and its worlds'
  // traces and pcapngs go here as RULE-SEED.jsonl/.pcapng (the rule id with / as -).
  std::string artifacts_dir;
};

// conform_runner's exit status after a hung case (conformance/run restarts after that rule).
constexpr int kHungExit = 3;

struct RuleResult {
  std::string rule;
  std::string socket_type;
  std::string column;
  // PASS, FAIL, NOT-EXERCISED, or FLAKY: a case failed, but the replay of the shrunk case
  // passed, so the verdict depends on something the inputs do not fix (scheduling).
  std::string status;
  int runs = 0;
  int exercised = 0;
  std::map<std::string, int64_t> evidence;  // summed over cases
  double duration_ms = 0;
  // Why a case could not be checked on this implementation (Unobservable), if one could not.
  std::string unobservable;
  // FAIL and FLAKY.
  std::string expected;
  std::string actual;  // FAIL: what the shrunk case's replay saw; FLAKY: the first failure
  std::vector<std::string> minimal_sequence;  // the shrunk case
  std::string replay;
  std::vector<std::string> case_log;  // what the failing case did (setup and latest steps)
  // The first failing case, as RapidCheck drew it (before shrinking), and the world seeds of
  // that case and of the shrunk case's replay (0: no Lab was made).
  std::vector<std::string> first_sequence;
  uint64_t first_world_seed = 0;
  uint64_t replay_world_seed = 0;
  std::string replay_outcome;  // FLAKY: what the shrunk case's replay did instead of failing
  // Every simulated world's trace hash and every case's outcome, shrinking included, folded
  // (run_fingerprint()): the same for two runs of the same property and seed.
  uint64_t trace_hash = 0;
  std::vector<std::string> artifacts;  // FAIL: the recorded replay's trace and pcapng files
  int shrink_tries = 0;                // runs of the body spent shrinking
  bool shrink_budget_hit = false;
};

bool glob_match(std::string_view pattern, std::string_view text);
// A rule id as a file name stem: rule/REQ/alternation -> rule-REQ-alternation.
std::string file_stem(std::string_view rule);
RuleResult run_property(const Property& p, const RunConfig& config);
// A planted failure, to test what reports a failure (never used in a real verdict): the
// property runs its real body, then fails every case that draws a number above 2 from
// 0..9, so RapidCheck shrinks to 3 and the shrunk case replays the real body's worlds.
// conform_runner plants it in the rule named by ZLAB_CONFORM_PLANT.
Property planted_failure(Property p);
// How two runs of one property with one seed differ (outcome, counts, evidence, failure, trace
// hash); empty when they do not. Durations are not compared.
std::string difference(const RuleResult& a, const RuleResult& b);
// One JSON object on one line (the fields of a zlab-conformance/1 result).
std::string to_json_line(const RuleResult& r, uint64_t seed);

}  // namespace zlab::conform
