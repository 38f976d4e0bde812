#include "sim/base/host_clock.h"

namespace zlab::sim {
namespace {

constexpr __int128 kMillion = 1'000'000;

// The clock is read on every simulated I/O: when the products fit in 64 bits (spans up to
// ~2.5 hours of virtual time) they are computed in 64 bits, with the same truncating division
// as the 128-bit path below, so the readings are identical and __divti3 is not called.
bool mul_fits(int64_t a, int64_t b, int64_t* product) {
  return !__builtin_mul_overflow(a, b, product);
}

// rate > 0 and numerator >= 0: the ceiling of numerator / rate.
int64_t ceil_div(int64_t numerator, int64_t rate) { return (numerator + rate - 1) / rate; }

}  // namespace

int64_t HostClock::local(int64_t global_ns) const {
  int64_t elapsed64 = 0, product = 0;
  if (!__builtin_sub_overflow(global_ns, base_global_, &elapsed64) &&
      mul_fits(elapsed64, 1'000'000 + int64_t(drift_ppm_), &product)) {
    return int64_t(uint64_t(base_local_) + uint64_t(product / 1'000'000));
  }
  __int128 elapsed = __int128(global_ns) - base_global_;
  return int64_t(base_local_ + elapsed * (kMillion + drift_ppm_) / kMillion);
}

int64_t HostClock::global_at(int64_t local_ns) const {
  if (local_ns == INT64_MAX) return INT64_MAX;
  if (local_ns <= base_local_) return base_global_;
  int64_t want64 = 0, scaled = 0;
  const int64_t rate64 = 1'000'000 + int64_t(drift_ppm_);
  if (!__builtin_sub_overflow(local_ns, base_local_, &want64) &&
      mul_fits(want64, 1'000'000, &scaled) && scaled <= INT64_MAX - rate64) {
    int64_t g = 0;
    if (!__builtin_add_overflow(base_global_, ceil_div(scaled, rate64), &g)) return g;
  }
  __int128 want = __int128(local_ns) - base_local_;
  __int128 rate = kMillion + drift_ppm_;
  __int128 elapsed = (want * kMillion + rate - 1) / rate;  // ceil
  __int128 g = base_global_ + elapsed;
  return g >= INT64_MAX ? INT64_MAX : int64_t(g);
}

int64_t HostClock::global_duration(int64_t local_ns) const {
  if (local_ns <= 0) return 0;
  int64_t scaled = 0;
  const int64_t rate64 = 1'000'000 + int64_t(drift_ppm_);
  if (mul_fits(local_ns, 1'000'000, &scaled) && scaled <= INT64_MAX - rate64) {
    return ceil_div(scaled, rate64);
  }
  __int128 rate = kMillion + drift_ppm_;
  __int128 d = (__int128(local_ns) * kMillion + rate - 1) / rate;
  return d >= INT64_MAX ? INT64_MAX : int64_t(d);
}

}  // namespace zlab::sim
