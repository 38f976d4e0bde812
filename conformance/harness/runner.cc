#include "conformance/harness/runner.h"

#include <rapidcheck.h>

#include <chrono>
#include <sstream>

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

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty() || (pattern[0] != '?' && pattern[0] != text[0])) return false;
  return glob_match(pattern.substr(1), text.substr(1));
}

RuleResult run_property(const Property& p, const RunConfig& config) {
  RuleResult r;
  r.rule = p.rule;
  r.socket_type = p.socket_type;
  r.column = p.column;
  bool failed = false;  // cases after the first failure are shrinking: they do not count
  auto body = [&] {
    Evidence e;
    set_current_evidence(&e);
    try {
      p.body();
    } catch (...) {
      set_current_evidence(nullptr);
      failed = true;
      throw;
    }
    set_current_evidence(nullptr);
    if (failed) return;
    ++r.runs;
    if (e.was_exercised()) ++r.exercised;
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
  rc::detail::TestResult result = rc::detail::checkTestable(body, meta, params);
  r.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  if (result.match(failure)) {
    r.status = "FAIL";
    r.actual = failure.description;
    r.expected = "the rule holds (" + p.rule + ")";
    for (const auto& [type, value] : failure.counterExample) {
      r.minimal_sequence.push_back(type + ": " + value);
    }
    r.replay = config.replay_prefix + " --only '" + p.rule + "' --seed " +
               std::to_string(config.seed) + " --cases " + std::to_string(config.cases);
  } else if (result.match(gave_up)) {
    r.status = "FAIL";
    r.actual = "gave up: " + gave_up.description;
    r.expected = "enough valid cases";
    r.replay =
        config.replay_prefix + " --only '" + p.rule + "' --seed " + std::to_string(config.seed);
  } else {
    r.status = r.exercised > 0 ? "PASS" : "NOT-EXERCISED";
  }
  return r;
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
  out << "},\"duration_ms\":" << r.duration_ms << ",\"failure\":";
  if (r.status != "FAIL") {
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
    out << "],\"faults\":[]}";
  }
  out << "}";
  return out.str();
}

}  // namespace zlab::conform
