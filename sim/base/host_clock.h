// A simulated host's monotonic clock: an arbitrary offset (a host's clock never starts at zero)
// and a drift in parts per million against virtual time. The engine on a host only ever sees
// this clock (Driver::now_ns()), so heartbeat and reconnect timers run fast or slow with it.
//
//   local(t) = base_local + floor((t - base_global) * (1e6 + drift_ppm) / 1e6)
//
// A restart (host crash) starts the clock again from a new offset, as CLOCK_MONOTONIC does
// after a reboot.
#pragma once

#include <cstdint>

namespace zlab::sim {

class HostClock {
 public:
  HostClock() = default;
  HostClock(int64_t offset_ns, int32_t drift_ppm) : base_local_(offset_ns), drift_ppm_(drift_ppm) {}

  int32_t drift_ppm() const { return drift_ppm_; }
  // The host's reading at virtual time `global_ns` (>= the last restart).
  int64_t local(int64_t global_ns) const;
  // The earliest virtual time at which the host reads at least `local_ns`; INT64_MAX stays
  // INT64_MAX ("never").
  int64_t global_at(int64_t local_ns) const;
  // A local duration as virtual time (rounded up).
  int64_t global_duration(int64_t local_ns) const;
  // The clock starts again at `offset_ns` from virtual time `global_ns`.
  void restart(int64_t global_ns, int64_t offset_ns) {
    base_global_ = global_ns;
    base_local_ = offset_ns;
  }

 private:
  int64_t base_global_ = 0;
  int64_t base_local_ = 0;
  int32_t drift_ppm_ = 0;
};

}  // namespace zlab::sim
