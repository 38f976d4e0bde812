// A conformance property: a RapidCheck property body bound to one rule id, and the evidence it
// records, so that a rule whose situation never came up (no mute state reached, a single peer
// where the rule is about several) is reported NOT-EXERCISED instead of passing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
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

// What the case being run did so far (its world seed, sockets, binds, connects, how far time
// went): what a report shows when a case overruns its budget or hangs. Keeps the first lines
// (the setup) and the latest ones.
class CaseLog {
 public:
  void note(std::string line);
  std::vector<std::string> lines() const;  // also from the runner's watchdog thread
  void clear();

 private:
  mutable std::mutex mu_;
  static constexpr size_t kHead = 12;
  static constexpr size_t kTail = 24;
  std::vector<std::string> head_;
  std::vector<std::string> tail_;  // a ring of the latest kTail lines
  size_t next_ = 0;
  uint64_t skipped_ = 0;
};
// The log of the case being run (a scratch log when no runner is around).
CaseLog& case_log();
// The world seed of the case's (latest) Lab, so that reports can name it.
void note_world_seed(uint64_t seed);
uint64_t case_world_seed();

// The matrix row (socket type name) of the property being run: on a run with agents, the
// first socket of this type in a Lab is the socket under test (properties/agent.h).
const std::string& case_row();
void set_case_row(std::string row);

// Which side of a mixed run (--impl X --peer-impl Y) a case's sockets came from: a case that
// made sockets, none of them the socket under test (a draw without the matrix row's type, as
// an XPUB draw of a rule/PUB rule), tested only the peer implementation. The runner then ends
// the case NOT-EXERCISED with the reason (properties/agent.cc notes it); reset per case.
void note_case_socket(bool under_test, const std::string& peer_impl_name);
// Why the current case has no socket under test; empty when it has one or made no socket.
std::string case_without_subject();

// Thrown by a socket that cannot show what a property asked (an implementation that does not
// count its drops): the case ends unexercised, and the rule is NOT-EXERCISED with this reason.
struct Unobservable {
  std::string what;
};

// A fingerprint of what a run's cases did in the simulator: every simulated world's trace
// hash, folded in the order the worlds ended, and each case's outcome (the runner's). Two
// runs of one property with one seed must give the same (conform_runner
// --check-determinism).
void fold_into_fingerprint(uint64_t value);
uint64_t run_fingerprint();
void reset_run_fingerprint();

// Recording a failure's replay (conform_runner --artifacts DIR): while a stem is set, every
// simulated world a case makes writes its trace and its pcapng next to the stem
// (STEM.jsonl/.pcapng, then STEM-w2..., one pair per world). Real transports ignore it: their
// traffic is captured outside the process (conformance/run).
void set_capture_stem(std::string stem);
// The path (without extension) for the next world to record; empty when not recording.
std::string next_capture_path();
// Files written while recording, handed to the result once (take_artifacts empties the list).
void note_artifact(std::string path);
std::vector<std::string> take_artifacts();

// How long one case may run. A case past either limit fails (Lab checks at every step it
// takes); a case that stops returning altogether is reported by the runner's watchdog.
struct CaseLimits {
  int64_t wall_ms = 120'000;     // wall clock, both transports
  int64_t virtual_ms = 900'000;  // the simulator's virtual time (on tcp time is the wall's)
};
CaseLimits case_limits();
void set_case_limits(CaseLimits limits);
// Wall-clock milliseconds since the current case started (steady clock).
int64_t case_wall_elapsed_ms();
void mark_case_start();

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
