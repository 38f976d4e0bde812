#include "engine/real/timer_queue.h"

#include <algorithm>

#include "engine/real/io_thread.h"

namespace zlab::real {

void TimerQueue::add(IoOwner* owner) {
  Filed& filed = filed_[owner];
  file(owner, filed, owner->deadline_ns());
}

void TimerQueue::remove(IoOwner* owner) { filed_.erase(owner); }  // its entries die with it

void TimerQueue::moved_earlier(IoOwner* owner) {
  auto it = filed_.find(owner);
  if (it != filed_.end()) file(owner, it->second, owner->deadline_ns());
}

void TimerQueue::file(IoOwner* owner, Filed& filed, int64_t deadline_ns) {
  if (deadline_ns == INT64_MAX) return;
  // A live entry at or before the deadline already covers it (re-filed when it reaches the top).
  if (filed.seq != 0 && filed.deadline_ns <= deadline_ns) return;
  filed = Filed{next_seq_++, deadline_ns};
  heap_.push_back(Entry{deadline_ns, filed.seq, owner});
  std::push_heap(heap_.begin(), heap_.end(), later);
  // Dead entries are dropped when they reach the top; bound them when deadlines keep moving
  // earlier (each move leaves one behind).
  if (heap_.size() > 2 * filed_.size() + 64) compact();
}

bool TimerQueue::live(const Entry& e) const {
  auto it = filed_.find(e.owner);
  return it != filed_.end() && it->second.seq == e.seq;
}

void TimerQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

// Until the top is live and at its owner's current deadline: drops dead entries and files
// again those whose owner's deadline moved.
void TimerQueue::settle_top() {
  while (!heap_.empty()) {
    Entry top = heap_.front();
    if (!live(top)) {
      pop();
      continue;
    }
    int64_t now_deadline_ns = top.owner->deadline_ns();
    if (now_deadline_ns == top.deadline_ns) return;
    pop();
    Filed& filed = filed_[top.owner];
    filed = Filed{};
    file(top.owner, filed, now_deadline_ns);
  }
}

int64_t TimerQueue::next_ns() {
  settle_top();
  return heap_.empty() ? INT64_MAX : heap_.front().deadline_ns;
}

void TimerQueue::take_due(int64_t now_ns, std::vector<IoOwner*>* due) {
  for (settle_top(); !heap_.empty() && heap_.front().deadline_ns <= now_ns; settle_top()) {
    IoOwner* owner = heap_.front().owner;
    pop();
    filed_[owner] = Filed{};
    due->push_back(owner);
  }
}

void TimerQueue::compact() {
  heap_.erase(
      std::remove_if(heap_.begin(), heap_.end(), [this](const Entry& e) { return !live(e); }),
      heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), later);
}

}  // namespace zlab::real
