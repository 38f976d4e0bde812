// A conformance property: a RapidCheck property body bound to one rule id, and the evidence it
// records, so that a rule whose situation never came up (no mute state reached, a single peer
// where the rule is about several) is reported NOT-EXERCISED instead of passing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zlab::conform {

// What one test case saw.
class Evidence {
 public:
  // The case reached the situation the rule is about.
  void exercised() { exercised_ = true; }
  bool was_exercised() const { return exercised_; }
  // A named counter (peers connected, messages dropped, EAGAINs seen, ...).
  void count(std::string_view name, int64_t n = 1) { counters_[std::string(name)] += n; }
  void max(std::string_view name, int64_t n);
  const std::map<std::string, int64_t>& counters() const { return counters_; }

 private:
  bool exercised_ = false;
  std::map<std::string, int64_t> counters_;
};

// The evidence of the case being run (set by the runner around every case).
Evidence& evidence();
void set_current_evidence(Evidence* e);

struct Property {
  std::string rule;         // spec id, e.g. "socket/PUSH/outgoing" or "rule/REQ/strict-alternation"
  std::string socket_type;  // the matrix row
  std::string column;       // the matrix column (table column or rule kind)
  std::function<void()> body;  // generates its inputs with *rc::gen::..., asserts with RC_ASSERT
  // Needs the simulator itself (faults, raw TCP peers, crashes, virtual-time precision):
  // not run with --transport tcp.
  bool sim_only = false;
};

// Every property, by family (conformance/properties/catalogue.cc).
void add_table_properties(std::vector<Property>& out);
void add_rule_properties(std::vector<Property>& out);
std::vector<Property> catalogue();

}  // namespace zlab::conform
