#include "conformance/harness/runner.h"

#include <rapidcheck.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace zlab::conform {
namespace {

void json_string(std::ostringstream& out, std::string_view s) {
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          static const char* hex = "0123456789abcdef";
          out << "\\u00" << hex[c >> 4] << hex[c & 15];
        } else {
          out << char(c);
        }
    }
  }
  out << '"';
}

void json_strings(std::ostringstream& out, const std::vector<std::string>& v) {
  out << "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out << ",";
    json_string(out, v[i]);
  }
  out << "]";
}

}  // namespace

namespace {

// A [...] class at the start of `pattern` (as Python's fnmatch: [!...] negates, a-b ranges, a
// ']' first is literal). Sets *length to the class's length; 0 if unterminated (then '[' is a
// literal character, as in fnmatch).
bool class_matches(std::string_view pattern, char c, size_t* length) {
  size_t i = 1;
  bool negate = i < pattern.size() && pattern[i] == '!';
  if (negate) ++i;
  size_t first = i;
  bool hit = false;
  for (; i < pattern.size() && (pattern[i] != ']' || i == first); ++i) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      hit = hit || (pattern[i] <= c && c <= pattern[i + 2]);
      i += 2;
    } else {
      hit = hit || pattern[i] == c;
    }
  }
  *length = i < pattern.size() ? i + 1 : 0;
  return hit != negate;
}

}  // namespace

// The same globs as the Python front door's fnmatch (*, ?, [...]): one pattern, one selection.
bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  size_t length = 1;
  bool one = pattern[0] == '?' || pattern[0] == text[0];
  if (pattern[0] == '[') {
    size_t class_length = 0;
    bool hit = class_matches(pattern, text[0], &class_length);
    if (class_length > 0) {
      one = hit;
      length = class_length;
    }
  }
  return one && glob_match(pattern.substr(length), text.substr(1));
}

std::string file_stem(std::string_view rule) {
  std::string out(rule);
  for (char& c : out) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    if (!keep) c = '-';
  }
  return out;
}

namespace {

using rc::detail::CaseDescription;
using rc::detail::CaseResult;

std::vector<std::string> describe(const rc::detail::Example& example) {
  std::vector<std::string> out;
  for (const auto& [type, value] : example) out.push_back(type + ": " + value);
  return out;
}

// Sees every case RapidCheck finishes and every shrink it tries: the first failure is kept
// as it was (RapidCheck itself reports only what the final replay of the shrunk case said).
class Tracker final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const CaseDescription& d) override {
    if (have_first || d.result.type != CaseResult::Type::Failure) return;
    have_first = true;
    first_actual = d.result.description;
    first_sequence = describe(d.example());
    first_world_seed = case_world_seed();
    first_log = case_log().lines();
  }
  void onShrinkTried(const CaseDescription& d, bool accepted) override {
    if (!accepted) return;
    shrunk_actual = d.result.description;
    shrunk_sequence = describe(d.example());
    shrunk_log = case_log().lines();
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}

  bool have_first = false;
  std::string first_actual;
  std::vector<std::string> first_sequence;
  uint64_t first_world_seed = 0;
  std::vector<std::string> first_log;
  std::string shrunk_actual;  // the latest shrink that still failed
  std::vector<std::string> shrunk_sequence;
  std::vector<std::string> shrunk_log;
};

// Reports a case that stops returning: RapidCheck cannot time a case out, so a thread
// watches the clock, and past the wall limit plus a grace period prints the property's
// FAIL line (with what the case did so far) and ends the process.
class Watchdog {
 public:
  Watchdog(const Property& p, const RunConfig& config) : p_(p), config_(config) {
    thread_ = std::thread([this] { watch(); });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void case_running(bool running) { running_ = running; }

 private:
  void watch() {
    std::unique_lock lock(mu_);
    int64_t limit_ms = config_.case_limits.wall_ms + config_.hang_grace_ms;
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(500));
      if (stop_ || !running_ || case_wall_elapsed_ms() < limit_ms) continue;
      RuleResult r;
      r.rule = p_.rule;
      r.socket_type = p_.socket_type;
      r.column = p_.column;
      r.status = "FAIL";
      r.expected = "every case finishes within " + std::to_string(config_.case_limits.wall_ms) +
                   " ms of wall time";
      r.actual = "a case hung: no return after " + std::to_string(case_wall_elapsed_ms() / 1000) +
                 " s (world seed " + std::to_string(case_world_seed()) + ")";
      r.case_log = case_log().lines();
      r.replay = config_.replay_prefix + " --only '" + p_.rule + "' --seed " +
                 std::to_string(config_.seed) + " --cases " + std::to_string(config_.cases);
      std::printf("%s\n", to_json_line(r, config_.seed).c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "\n  %s\n  replay: %s\n", r.actual.c_str(), r.replay.c_str());
      for (const std::string& line : r.case_log) std::fprintf(stderr, "    %s\n", line.c_str());
      std::fflush(stderr);
      std::_Exit(kHungExit);
    }
  }

  const Property& p_;
  const RunConfig& config_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

enum class Phase { kSearch, kShrink, kReplay };

}  // namespace

RuleResult run_property(const Property& p, const RunConfig& config) {
  RuleResult r;
  r.rule = p.rule;
  r.socket_type = p.socket_type;
  r.column = p.column;
  set_case_row(p.socket_type);
  Tracker tracker;
  Watchdog watchdog(p, config);
  reset_run_fingerprint();
  set_case_limits(config.case_limits);
  // Cases after the first failure are shrinking (or the replay): they do not count.
  Phase phase = Phase::kSearch;
  auto shrink_start = std::chrono::steady_clock::now();
  bool last_failed = false;   // the latest case that ran threw a failure
  bool last_skipped = false;  // the latest case was not run: the shrink budget was spent
  auto over_budget = [&] {
    if (phase != Phase::kShrink) return false;
    if (r.shrink_budget_hit) return true;
    int64_t spent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - shrink_start)
                           .count();
    bool run_spent = config.shrink_spent_ms != nullptr &&
                     *config.shrink_spent_ms + spent_ms >= config.shrink_total_ms;
    r.shrink_budget_hit = r.shrink_tries >= config.max_shrink_tries ||
                          spent_ms >= config.shrink_budget_ms || run_spent;
    return r.shrink_budget_hit;
  };
  auto body = [&] {
    // Past the budget every further shrink "passes" without running: RapidCheck then rejects
    // the remaining candidates at once and keeps the smallest failing case it has.
    last_skipped = over_budget();
    if (last_skipped) {
      last_failed = false;
      return;
    }
    if (phase == Phase::kShrink) ++r.shrink_tries;
    Evidence e;
    set_current_evidence(&e);
    case_log().clear();
    note_world_seed(0);
    mark_case_start();
    watchdog.case_running(true);
    auto failed_now = [&] {
      watchdog.case_running(false);
      set_current_evidence(nullptr);
      last_failed = true;
      if (phase == Phase::kSearch) {
        phase = Phase::kShrink;
        shrink_start = std::chrono::steady_clock::now();
      }
    };
    struct FoldOutcome {  // 1 passed, 2 failed, 3 discarded: whichever way the case ends
      int outcome = 3;
      ~FoldOutcome() { fold_into_fingerprint(uint64_t(outcome)); }
    } fold;
    bool unobservable = false;
    try {
      try {
        p.body();
      } catch (const Unobservable& u) {  // neither a pass nor a failure: the rule was not seen
        r.unobservable = u.what;
        unobservable = true;
      } catch (const CaseResult& result) {  // a failure of the peers alone is not this column's
        if (result.type != CaseResult::Type::Failure || case_without_subject().empty()) throw;
      }
      if (std::string why = case_without_subject(); !why.empty()) {
        r.unobservable = why;
        unobservable = true;
      }
      fold.outcome = 1;
    } catch (const CaseResult& result) {
      if (result.type == CaseResult::Type::Failure) {
        fold.outcome = 2;
        failed_now();
      } else {
        watchdog.case_running(false);
        set_current_evidence(nullptr);
        last_failed = false;
      }
      throw;
    } catch (const rc::GenerationFailure&) {  // RapidCheck discards the case
      watchdog.case_running(false);
      set_current_evidence(nullptr);
      last_failed = false;
      throw;
    } catch (...) {
      fold.outcome = 2;
      failed_now();
      throw;
    }
    watchdog.case_running(false);
    set_current_evidence(nullptr);
    last_failed = false;
    if (phase != Phase::kSearch) return;
    ++r.runs;
    if (e.was_exercised() && !unobservable) ++r.exercised;
    for (const auto& [k, v] : e.counters()) r.evidence[k] += v;
  };
  rc::detail::TestMetadata meta;
  meta.id = p.rule;
  meta.description = p.rule;
  rc::detail::TestParams params;
  params.seed = config.seed;
  params.maxSuccess = config.cases;
  params.maxSize = config.max_size;
  auto start = std::chrono::steady_clock::now();
  rc::detail::Property property = rc::detail::toProperty(body);
  rc::detail::TestResult result = rc::detail::checkProperty(property, meta, params, tracker);
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  std::optional<rc::detail::Reproduce> reproduce;  // the shrunk case, for the recorded replay
  if (result.match(failure)) {
    reproduce = failure.reproduce;
    r.replay = config.replay_prefix + " --only '" + p.rule + "' --seed " +
               std::to_string(config.seed) + " --cases " + std::to_string(config.cases);
    r.expected = "the rule holds (" + p.rule + ")";
    r.first_sequence = tracker.first_sequence;
    r.first_world_seed = tracker.first_world_seed;
    // RapidCheck's last run of the body was the shrunk case's replay, unless the budget
    // skipped it: then replay it here, from RapidCheck's own record of the shrink path.
    bool replay_failed = last_failed;
    std::string replay_actual = failure.description;
    std::vector<std::string> replay_sequence = describe(failure.counterExample);
    if (last_skipped) {
      phase = Phase::kReplay;
      Tracker quiet;
      rc::detail::TestResult again =
          rc::detail::checkProperty(property, meta, params, quiet, {{meta.id, failure.reproduce}});
      rc::detail::FailureResult reproduced;
      replay_failed = again.match(reproduced);
      replay_actual = replay_failed ? reproduced.description : "the replay did not fail";
      replay_sequence =
          replay_failed ? describe(reproduced.counterExample) : tracker.shrunk_sequence;
    }
    r.replay_world_seed = case_world_seed();
    r.minimal_sequence = replay_sequence.empty() ? tracker.first_sequence : replay_sequence;
    if (replay_failed) {
      r.status = "FAIL";
      r.actual = replay_actual;
      r.case_log = case_log().lines();
    } else {
      r.status = "FLAKY";
      r.actual = tracker.first_actual;
      r.replay_outcome = replay_actual;
      r.case_log = tracker.first_log;
    }
  } else if (result.match(gave_up)) {
    r.status = "FAIL";
    r.actual = "gave up: " + gave_up.description;
    r.expected = "enough valid cases";
    r.replay =
        config.replay_prefix + " --only '" + p.rule + "' --seed " + std::to_string(config.seed);
  } else {
    r.status = r.exercised > 0 ? "PASS" : "NOT-EXERCISED";
  }
  r.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  r.trace_hash = run_fingerprint();
  // After the hash: recording is an extra replay, it must not change what a run reports.
  if (r.status == "FAIL" && reproduce && !config.artifacts_dir.empty()) {
    phase = Phase::kReplay;
    set_capture_stem(config.artifacts_dir + "/" + file_stem(p.rule) + "-" +
                     std::to_string(config.seed));
    Tracker quiet;
    rc::detail::checkProperty(property, meta, params, quiet, {{meta.id, *reproduce}});
    set_capture_stem("");
    r.artifacts = take_artifacts();
  }
  if (phase != Phase::kSearch && config.shrink_spent_ms != nullptr) {
    *config.shrink_spent_ms += std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - shrink_start)
                                   .count();
  }
  return r;
}

Property planted_failure(Property p) {
  std::function<void()> body = p.body;
  p.body = [body] {
    body();
    const int n = *rc::gen::inRange(0, 10);
    RC_ASSERT(n < 3);  // planted (ZLAB_CONFORM_PLANT): the reports' failure path under test
  };
  return p;
}

std::string difference(const RuleResult& a, const RuleResult& b) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : "; ") + s;
    return out;
  };
  auto counters = [](const std::map<std::string, int64_t>& m) {
    std::string out;
    for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + k + "=" + std::to_string(v);
    return out;
  };
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> fields = {
      {"status", {a.status, b.status}},
      {"runs", {std::to_string(a.runs), std::to_string(b.runs)}},
      {"exercised", {std::to_string(a.exercised), std::to_string(b.exercised)}},
      {"evidence", {counters(a.evidence), counters(b.evidence)}},
      {"failure", {a.actual, b.actual}},
      {"shrunk case", {join(a.minimal_sequence), join(b.minimal_sequence)}},
      {"trace hash", {std::to_string(a.trace_hash), std::to_string(b.trace_hash)}},
  };
  std::string out;
  for (const auto& [name, values] : fields) {
    if (values.first == values.second) continue;
    out += (out.empty() ? "" : "; ") + name + ": " + values.first + " vs " + values.second;
  }
  return out;
}

std::string to_json_line(const RuleResult& r, uint64_t seed) {
  std::ostringstream out;
  out << "{\"rule\":";
  json_string(out, r.rule);
  out << ",\"socket_type\":";
  json_string(out, r.socket_type);
  out << ",\"column\":";
  json_string(out, r.column);
  out << ",\"status\":";
  json_string(out, r.status);
  out << ",\"runs\":" << r.runs << ",\"exercised\":" << r.exercised << ",\"evidence\":{";
  bool first = true;
  for (const auto& [k, v] : r.evidence) {
    if (!first) out << ",";
    first = false;
    json_string(out, k);
    out << ":" << v;
  }
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r.trace_hash);
  out << "}";
  if (!r.unobservable.empty() && r.status == "NOT-EXERCISED") {
    out << ",\"note\":";
    json_string(out, "not observable: " + r.unobservable);
  }
  out << ",\"duration_ms\":" << r.duration_ms << ",\"trace_hash\":\"" << hash << "\",\"failure\":";
  if (r.status != "FAIL" && r.status != "FLAKY") {
    out << "null";
  } else {
    out << "{\"seed\":" << seed << ",\"expected\":";
    json_string(out, r.expected);
    out << ",\"actual\":";
    json_string(out, r.actual);
    out << ",\"replay\":";
    json_string(out, r.replay);
    out << ",\"minimal_sequence\":[";
    for (size_t i = 0; i < r.minimal_sequence.size(); ++i) {
      if (i) out << ",";
      json_string(out, r.minimal_sequence[i]);
    }
    out << "],\"faults\":[],\"case_log\":";
    json_strings(out, r.case_log);
    out << ",\"artifacts\":";
    json_strings(out, r.artifacts);
    out << ",\"shrink_tries\":" << r.shrink_tries
        << ",\"shrink_budget_hit\":" << (r.shrink_budget_hit ? "true" : "false");
    if (r.status == "FLAKY") {
      out << ",\"first_sequence\":";
      json_strings(out, r.first_sequence);
      out << ",\"first_world_seed\":" << r.first_world_seed
          << ",\"replay_world_seed\":" << r.replay_world_seed << ",\"replay_outcome\":";
      json_string(out, r.replay_outcome);
    }
    out << "}";
  }
  out << "}";
  return out.str();
}

}  // namespace zlab::conform
