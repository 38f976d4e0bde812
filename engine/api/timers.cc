// zmq_timers_*: a set of timers the application runs from its own loop (zmq_timers_timeout
// says how long to wait, zmq_timers_execute calls the handlers that are due).
//
// Times are milliseconds on the monotonic clock. A due timer is rescheduled one interval after
// the moment it ran; a handler may add, cancel or reset timers (itself included) while it runs.
#include <errno.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <new>
#include <utility>
#include <vector>

#include "engine/api/zmq.h"

namespace {

int fail_with(int errno_value) {
  errno = errno_value;
  return -1;
}

constexpr uint64_t kTimersTag = 0x7a6c61622d746d72;  // "zlab-tmr"

struct Timer {
  size_t interval_ms;
  int64_t due_ms;
  zmq_timer_fn* handler;
  void* arg;
};

struct Timers {
  uint64_t tag = kTimersTag;
  std::map<int, Timer> timers;
  int next_id = 1;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t due_after(int64_t now, size_t interval_ms) {
  constexpr int64_t kFar = int64_t(1) << 60;  // far enough that adding `now` cannot overflow
  return now + (interval_ms > size_t(kFar) ? kFar : int64_t(interval_ms));
}

Timers* timers_of(void* p) {
  auto* t = static_cast<Timers*>(p);
  if (t == nullptr || t->tag != kTimersTag) {
    fail_with(EFAULT);
    return nullptr;
  }
  return t;
}

Timer* find_timer(Timers* t, int timer_id) {
  auto it = t->timers.find(timer_id);
  if (it == t->timers.end()) {
    fail_with(EINVAL);
    return nullptr;
  }
  return &it->second;
}

}  // namespace

extern "C" void* zmq_timers_new(void) {
  auto* t = new (std::nothrow) Timers();
  if (t == nullptr) errno = ENOMEM;
  return t;
}

extern "C" int zmq_timers_destroy(void** timers_p) {
  if (timers_p == nullptr) return fail_with(EFAULT);
  Timers* t = timers_of(*timers_p);
  if (t == nullptr) return -1;
  t->tag = 0;
  delete t;
  *timers_p = nullptr;
  return 0;
}

extern "C" int zmq_timers_add(void* timers, size_t interval, zmq_timer_fn handler, void* arg) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  if (handler == nullptr) return fail_with(EFAULT);
  if (t->next_id == INT32_MAX) return fail_with(ENOMEM);  // ids are never reused
  int id = t->next_id++;
  t->timers[id] = Timer{interval, due_after(now_ms(), interval), handler, arg};
  return id;
}

extern "C" int zmq_timers_cancel(void* timers, int timer_id) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  if (find_timer(t, timer_id) == nullptr) return -1;
  t->timers.erase(timer_id);
  return 0;
}

extern "C" int zmq_timers_set_interval(void* timers, int timer_id, size_t interval) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  Timer* timer = find_timer(t, timer_id);
  if (timer == nullptr) return -1;
  timer->interval_ms = interval;
  timer->due_ms = due_after(now_ms(), interval);
  return 0;
}

extern "C" int zmq_timers_reset(void* timers, int timer_id) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  Timer* timer = find_timer(t, timer_id);
  if (timer == nullptr) return -1;
  timer->due_ms = due_after(now_ms(), timer->interval_ms);
  return 0;
}

extern "C" long zmq_timers_timeout(void* timers) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  if (t->timers.empty()) return -1;
  int64_t next = INT64_MAX;
  for (const auto& [id, timer] : t->timers) next = std::min(next, timer.due_ms);
  int64_t left = next - now_ms();
  return left > 0 ? long(left) : 0;
}

extern "C" int zmq_timers_execute(void* timers) {
  Timers* t = timers_of(timers);
  if (t == nullptr) return -1;
  int64_t now = now_ms();
  // The timers due now, earliest first; each is looked up again before it runs, since an
  // earlier handler may have cancelled or rescheduled it.
  std::vector<std::pair<int64_t, int>> due;
  for (const auto& [id, timer] : t->timers) {
    if (timer.due_ms <= now) due.emplace_back(timer.due_ms, id);
  }
  std::sort(due.begin(), due.end());
  for (const auto& [when, id] : due) {
    auto it = t->timers.find(id);
    if (it == t->timers.end() || it->second.due_ms > now) continue;
    Timer timer = it->second;
    it->second.due_ms = due_after(now, timer.interval_ms);  // before the handler: it may reset it
    timer.handler(id, timer.arg);
  }
  return 0;
}
