// The owners of an I/O thread in deadline order, so that a wake-up costs the owners that are
// due (O(due · log n)), not a look at every owner.
//
// Owners publish their deadlines themselves (IoOwner::deadline_ns, an atomic); the queue is
// told only when one moves earlier (moved_earlier). A deadline that moves later leaves an
// early entry behind, which is filed again at the owner's current deadline when it reaches the
// top: so the top is always some owner's current deadline, and no owner's deadline is earlier.
// Not thread-safe: the I/O thread's lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace zlab::real {

class IoOwner;  // io_thread.h

class TimerQueue {
 public:
  // Files `owner` at its current deadline; it stays known until remove.
  void add(IoOwner* owner);
  void remove(IoOwner* owner);
  // The owner's deadline moved earlier (or from none): file it again. Unknown owners: ignored.
  void moved_earlier(IoOwner* owner);
  // The earliest deadline of all owners (INT64_MAX: none).
  int64_t next_ns();
  // Appends the owners due at `now_ns` (deadline <= now_ns), taking them out of the queue until
  // refile (an owner served leaves its deadline where it wants it).
  void take_due(int64_t now_ns, std::vector<IoOwner*>* due);
  void refile(IoOwner* owner) { moved_earlier(owner); }
  size_t entries() const { return heap_.size(); }

 private:
  struct Entry {
    int64_t deadline_ns;
    uint64_t seq;  // matches the owner's Filed::seq while the entry is live
    IoOwner* owner;
  };
  struct Filed {
    uint64_t seq = 0;  // 0: no live entry
    int64_t deadline_ns = INT64_MAX;
  };
  static bool later(const Entry& a, const Entry& b) { return a.deadline_ns > b.deadline_ns; }
  void file(IoOwner* owner, Filed& filed, int64_t deadline_ns);
  bool live(const Entry& e) const;
  void pop();
  void settle_top();
  void compact();

  std::vector<Entry> heap_;  // a min-heap on deadline_ns, with dead entries left in
  std::unordered_map<IoOwner*, Filed> filed_;
  uint64_t next_seq_ = 1;
};

}  // namespace zlab::real
