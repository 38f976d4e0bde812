// What was sent and what arrived, checked as it happens.
//
// A flow is one sender's sequence of messages (one sender incarnation, to one receiver or to
// whichever receiver a round-robin picks). Per flow: no message arrives twice; per flow and
// receiver: sequence numbers only go up (TCP and pipes keep order; a lost connection may leave
// a gap, never a reordering). At the end: every message marked `must` arrived (liveness after
// the faults), or every message at all when the run promised exactly-once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zlab::sim {

class Ledger {
 public:
  void sent(const std::string& flow, uint64_t seq, bool must);
  // Records a violation (duplicate, reordering, never sent) if there is one.
  void received(const std::string& flow, uint64_t seq, const std::string& receiver, int64_t t);
  // A violation found by a scenario (a torn message, a wrong reply...).
  void violation(std::string what);

  // Every `must` message arrived (exact: every message).
  bool complete(bool exact) const;
  // Every flow with `must` messages got at least one of them through (liveness where the
  // pattern may drop some).
  bool every_must_flow_progressed() const;
  std::vector<std::string> missing(bool exact, size_t max) const;
  const std::vector<std::string>& violations() const { return violations_; }
  // Holes between the first and last message a receiver got from a flow, summed over the
  // receiver keys that start with `receiver` ("h1 via " : every connection of h1).
  uint64_t gaps(const std::string& flow, const std::string& receiver) const;
  uint64_t sent_count() const { return sent_; }
  uint64_t received_count() const { return received_; }
  uint64_t must_count() const { return must_; }

 private:
  struct Flow {
    std::map<uint64_t, bool> sent;  // seq -> must
    std::map<uint64_t, int> got;    // seq -> times received
    std::map<std::string, uint64_t> last;
    std::map<std::string, std::pair<uint64_t, uint64_t>> span;  // receiver -> first, count
  };
  std::map<std::string, Flow> flows_;
  std::vector<std::string> violations_;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
  uint64_t must_ = 0;
};

}  // namespace zlab::sim
