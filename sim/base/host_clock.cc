#include "sim/base/host_clock.h"

namespace zlab::sim {
namespace {

constexpr __int128 kMillion = 1'000'000;

}  // namespace

int64_t HostClock::local(int64_t global_ns) const {
  __int128 elapsed = __int128(global_ns) - base_global_;
  return int64_t(base_local_ + elapsed * (kMillion + drift_ppm_) / kMillion);
}

int64_t HostClock::global_at(int64_t local_ns) const {
  if (local_ns == INT64_MAX) return INT64_MAX;
  if (local_ns <= base_local_) return base_global_;
  __int128 want = __int128(local_ns) - base_local_;
  __int128 rate = kMillion + drift_ppm_;
  __int128 elapsed = (want * kMillion + rate - 1) / rate;  // ceil
  __int128 g = base_global_ + elapsed;
  return g >= INT64_MAX ? INT64_MAX : int64_t(g);
}

int64_t HostClock::global_duration(int64_t local_ns) const {
  if (local_ns <= 0) return 0;
  __int128 rate = kMillion + drift_ppm_;
  __int128 d = (__int128(local_ns) * kMillion + rate - 1) / rate;
  return d >= INT64_MAX ? INT64_MAX : int64_t(d);
}

}  // namespace zlab::sim
