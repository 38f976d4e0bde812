// Virtual time and the events that move it: a queue ordered by (time, sequence number), so two
// events at the same nanosecond run in the order they were scheduled. Time never flows on its
// own: run_next() jumps straight to the next event.
//
// An event is plain data (a target, a kind and two numbers) rather than a closure: scheduling
// allocates nothing, and a target that goes away is handled by the target's own bookkeeping
// (events carry ids and generations, never pointers into things that may die).
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace zlab::sim {

struct Event;

class EventTarget {
 public:
  virtual void on_event(const Event& event) = 0;

 protected:
  ~EventTarget() = default;
};

struct Event {
  int64_t at_ns;
  uint64_t seq;
  EventTarget* target;
  uint32_t kind;
  uint64_t a;
  uint64_t b;
};

class EventQueue {
 public:
  int64_t now_ns() const { return now_ns_; }
  // Schedules at `at_ns`, or now if that is in the past.
  void schedule(int64_t at_ns, EventTarget* target, uint32_t kind, uint64_t a = 0, uint64_t b = 0);
  void schedule_in(int64_t delay_ns, EventTarget* target, uint32_t kind, uint64_t a = 0,
                   uint64_t b = 0) {
    schedule(now_ns_ + delay_ns, target, kind, a, b);
  }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // INT64_MAX when empty.
  int64_t next_at_ns() const { return heap_.empty() ? INT64_MAX : heap_.top().at_ns; }
  // Runs the next event if it is due at or before `limit_ns`; false if none is.
  bool run_next(int64_t limit_ns = INT64_MAX);
  // Moves time forward to `t` with nothing run (the end of a run at its time limit).
  void advance_to(int64_t t) {
    if (t > now_ns_) now_ns_ = t;
  }
  uint64_t dispatched() const { return dispatched_; }

 private:
  struct Later {
    bool operator()(const Event& x, const Event& y) const {
      return x.at_ns != y.at_ns ? x.at_ns > y.at_ns : x.seq > y.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  int64_t now_ns_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t dispatched_ = 0;
};

}  // namespace zlab::sim
