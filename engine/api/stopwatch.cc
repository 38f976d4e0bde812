// zmq_stopwatch_*: elapsed microseconds on the monotonic clock (libzmq's perf-tool helper).
// The watch is a heap cell holding the start time; zmq_stopwatch_stop frees it.
// A NULL watch (libzmq would crash) reads as 0 microseconds.
#include <errno.h>

#include <chrono>
#include <new>

#include "engine/api/zmq.h"

namespace {

using Clock = std::chrono::steady_clock;
static_assert(Clock::is_steady, "the stopwatch needs a monotonic clock");

struct Stopwatch {
  Clock::time_point start;
};

}  // namespace

extern "C" void* zmq_stopwatch_start(void) {
  Stopwatch* watch = new (std::nothrow) Stopwatch{Clock::now()};
  if (watch == nullptr) errno = ENOMEM;
  return watch;
}

extern "C" unsigned long zmq_stopwatch_intermediate(void* watch) {
  if (watch == nullptr) return 0;
  const auto elapsed = Clock::now() - static_cast<Stopwatch*>(watch)->start;
  return static_cast<unsigned long>(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

extern "C" unsigned long zmq_stopwatch_stop(void* watch) {
  const unsigned long elapsed = zmq_stopwatch_intermediate(watch);
  delete static_cast<Stopwatch*>(watch);
  return elapsed;
}
