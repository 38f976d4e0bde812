// The earliest of many peers' connection deadlines (handshake, heartbeat), without walking
// every peer on each call: the driver asks for the socket's next deadline after every call, and
// a ROUTER with 10,000 peers must not pay 10,000 look-ups per message.
//
// A min-heap of (deadline, peer id) entries, settled lazily. Whoever may have changed a peer's
// deadline touches it; earliest() then re-reads the touched peers' deadlines and pushes the ones
// that changed. An entry whose peer is gone or whose deadline moved is dropped when it reaches
// the top (and the peer's current deadline queued instead), so a deadline that only moved later
// is right even untouched; one that moved earlier must be touched.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace zlab {

class DeadlineQueue {
 public:
  static constexpr int64_t kNever = INT64_MAX;

  // The peer's deadline may have changed.
  void touch(uint32_t id) {
    if (touched_.empty() || touched_.back() != id) touched_.push_back(id);
  }
  size_t touched_count() const { return touched_.size(); }
  // Nothing queued and nothing touched: earliest() would say kNever.
  bool idle() const { return touched_.empty() && heap_.empty(); }
  // Heap entries, stale ones included (tests: they must not pile up).
  size_t queued_entries() const { return heap_.size(); }

  // `deadline_of(id, &at_ns)`: false when the peer is gone, else its deadline (kNever: none).
  template <typename DeadlineOf>
  int64_t earliest(DeadlineOf deadline_of) {
    settle(deadline_of);
    while (!heap_.empty()) {
      Entry top = heap_.front();
      int64_t actual = kNever;
      bool alive = deadline_of(top.id, &actual);
      if (alive && actual == top.at_ns) return top.at_ns;
      pop();
      auto it = queued_.find(top.id);
      bool live_entry = it != queued_.end() && it->second == top.at_ns;
      if (!alive) {
        if (live_entry) queued_.erase(it);
      } else if (live_entry) {
        requeue(top.id, actual);  // it moved later untouched: queue where it is now
      }                           // else a stale duplicate: the peer's live entry is further down
    }
    return kNever;
  }

  // Takes in the touched peers now (bounds the touched list when nobody asks for a while).
  template <typename DeadlineOf>
  void settle(DeadlineOf deadline_of) {
    for (uint32_t id : touched_) {
      int64_t actual = kNever;
      if (!deadline_of(id, &actual)) {
        queued_.erase(id);  // gone: its entries are dropped when they reach the top
        continue;
      }
      auto it = queued_.find(id);
      if (it == queued_.end() ? actual != kNever : it->second != actual) requeue(id, actual);
    }
    touched_.clear();
    if (heap_.size() > 4 * queued_.size() + 64) rebuild();
  }

 private:
  struct Entry {
    int64_t at_ns;
    uint32_t id;
  };
  static bool later(const Entry& a, const Entry& b) { return a.at_ns > b.at_ns; }

  void requeue(uint32_t id, int64_t at_ns) {
    if (at_ns == kNever) {
      queued_.erase(id);
      return;
    }
    queued_[id] = at_ns;
    heap_.push_back(Entry{at_ns, id});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  // Stale entries piled up (deadlines that kept moving earlier): keep only the live ones.
  void rebuild() {
    heap_.clear();
    for (const auto& [id, at_ns] : queued_) heap_.push_back(Entry{at_ns, id});
    std::make_heap(heap_.begin(), heap_.end(), later);
  }

  std::vector<Entry> heap_;
  std::vector<uint32_t> touched_;
  std::unordered_map<uint32_t, int64_t> queued_;  // peer id -> the deadline of its live entry
};

}  // namespace zlab
