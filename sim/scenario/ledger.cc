#include "sim/scenario/ledger.h"

namespace zlab::sim {

void Ledger::sent(const std::string& flow, uint64_t seq, bool must) {
  flows_[flow].sent[seq] = must;
  ++sent_;
  if (must) ++must_;
}

void Ledger::violation(std::string what) {
  if (violations_.size() < 50) violations_.push_back(std::move(what));
}

void Ledger::received(const std::string& flow, uint64_t seq, const std::string& receiver,
                      int64_t t) {
  ++received_;
  Flow& f = flows_[flow];
  std::string where = " (" + receiver + " at t=" + std::to_string(t) + ")";
  if (f.sent.count(seq) == 0) {
    violation("never sent: " + flow + "#" + std::to_string(seq) + where);
  }
  if (++f.got[seq] == 2) {
    violation("duplicate: " + flow + "#" + std::to_string(seq) + where);
  }
  auto last = f.last.find(receiver);
  if (last != f.last.end() && seq <= last->second) {
    violation("out of order: " + flow + "#" + std::to_string(seq) + " after #" +
              std::to_string(last->second) + where);
  }
  f.last[receiver] = seq;
  auto [it, fresh] = f.span.try_emplace(receiver, seq, 0);
  ++it->second.second;
  (void)fresh;
}

bool Ledger::complete(bool exact) const {
  for (const auto& [name, f] : flows_) {
    for (const auto& [seq, must] : f.sent) {
      if ((exact || must) && f.got.count(seq) == 0) return false;
    }
  }
  return true;
}

bool Ledger::every_must_flow_progressed() const {
  for (const auto& [name, f] : flows_) {
    bool any_must = false;
    bool got_must = false;
    for (const auto& [seq, must] : f.sent) {
      if (!must) continue;
      any_must = true;
      if (f.got.count(seq) > 0) {
        got_must = true;
        break;
      }
    }
    if (any_must && !got_must) return false;
  }
  return true;
}

std::vector<std::string> Ledger::missing(bool exact, size_t max) const {
  std::vector<std::string> out;
  for (const auto& [name, f] : flows_) {
    size_t n = 0;
    uint64_t first = 0;
    for (const auto& [seq, must] : f.sent) {
      if ((exact || must) && f.got.count(seq) == 0) {
        if (n++ == 0) first = seq;
      }
    }
    if (n > 0 && out.size() < max) {
      out.push_back(name + ": " + std::to_string(n) + " missing" + (exact ? "" : " (must)") +
                    ", first #" + std::to_string(first));
    }
  }
  return out;
}

uint64_t Ledger::gaps(const std::string& flow, const std::string& receiver) const {
  auto f = flows_.find(flow);
  if (f == flows_.end()) return 0;
  uint64_t holes = 0;
  for (const auto& [key, span] : f->second.span) {
    if (key.compare(0, receiver.size(), receiver) != 0) continue;
    uint64_t range = f->second.last.at(key) - span.first + 1;
    holes += range - span.second;
  }
  return holes;
}

}  // namespace zlab::sim
