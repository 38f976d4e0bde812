// zmq_atomic_counter_*: a heap-allocated 32-bit counter that threads update without locks.
//
// Same arithmetic as libzmq: the counter is unsigned 32-bit and wraps, the int the API passes
// and returns is that value reinterpreted; inc returns the value before the increment; dec
// returns 1 while the counter is still non-zero after the decrement and 0 once it reaches zero.
// A NULL counter is ignored (libzmq would crash): set/inc/dec do nothing and return 0.
#include <errno.h>
#include <stdint.h>

#include <atomic>
#include <new>

#include "engine/api/zmq.h"

namespace {

using Counter = std::atomic<uint32_t>;
static_assert(Counter::is_always_lock_free, "the counter must not need a lock");

Counter* AsCounter(void* counter) { return static_cast<Counter*>(counter); }

}  // namespace

extern "C" void* zmq_atomic_counter_new(void) {
  Counter* counter = new (std::nothrow) Counter(0);
  if (counter == nullptr) errno = ENOMEM;
  return counter;
}

extern "C" void zmq_atomic_counter_set(void* counter, int value) {
  if (counter == nullptr) return;
  AsCounter(counter)->store(static_cast<uint32_t>(value));
}

extern "C" int zmq_atomic_counter_inc(void* counter) {
  if (counter == nullptr) return 0;
  return static_cast<int>(AsCounter(counter)->fetch_add(1));
}

extern "C" int zmq_atomic_counter_dec(void* counter) {
  if (counter == nullptr) return 0;
  const uint32_t before = AsCounter(counter)->fetch_sub(1);
  return before - 1 != 0 ? 1 : 0;
}

extern "C" int zmq_atomic_counter_value(void* counter) {
  if (counter == nullptr) return 0;
  return static_cast<int>(AsCounter(counter)->load());
}

extern "C" void zmq_atomic_counter_destroy(void** counter_p) {
  if (counter_p == nullptr) return;
  delete AsCounter(*counter_p);
  *counter_p = nullptr;
}
