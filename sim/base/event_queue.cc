#include "sim/base/event_queue.h"

namespace zlab::sim {

void EventQueue::schedule(int64_t at_ns, EventTarget* target, uint32_t kind, uint64_t a,
                          uint64_t b) {
  if (at_ns < now_ns_) at_ns = now_ns_;
  heap_.push(Event{at_ns, next_seq_++, target, kind, a, b});
}

bool EventQueue::run_next(int64_t limit_ns) {
  if (heap_.empty() || heap_.top().at_ns > limit_ns) return false;
  Event event = heap_.top();
  heap_.pop();
  now_ns_ = event.at_ns;
  ++dispatched_;
  event.target->on_event(event);
  return true;
}

}  // namespace zlab::sim
