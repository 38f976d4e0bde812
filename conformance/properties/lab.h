// A simulated network for one property case: hosts, sockets, virtual time moved on by the
// property itself, and a fault schedule drawn from a generated fault mask (so RapidCheck
// shrinks faults towards none). Sockets are driven without actors: every call is
// non-blocking, and waiting means running the world forward in virtual time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/fault/faults.h"
#include "sim/world/world.h"

namespace zlab::conform {

using Parts = std::vector<std::string>;

// Fault kinds that keep every connection alive and every message intact: a property that
// promises exact behaviour (rotation, exactly-once) may run under any mix of these.
uint32_t benign_fault_mask();
std::string fault_names(uint32_t mask);

class Lab {
 public:
  // `fault_mask`: which fault kinds the draw may use (0: none).
  Lab(uint64_t seed, uint32_t fault_mask, uint32_t hosts);

  sim::World& world() { return *world_; }
  const sim::FaultSchedule& faults() const { return faults_; }
  // A socket on host `host` ("h<host>"), with test defaults: linger 0, fast reconnect.
  sim::SimSocket* socket(uint32_t host, SocketType type);
  std::string endpoint(uint32_t host, int port) const;

  // Runs the world for `ms` of virtual time.
  void advance_ms(int64_t ms);
  // Runs the world until `done()` or `timeout_ms` passes; returns done().
  bool wait_for(const std::function<bool()>& done, int64_t timeout_ms = 30'000);
  // Until the faults are over (their schedule's window end).
  void wait_out_faults();

  // Non-blocking whole messages. send: false with *err when the first part is refused.
  bool send(sim::SimSocket* s, const Parts& parts, Err* err = nullptr);
  std::optional<Parts> recv(sim::SimSocket* s, Err* err = nullptr);
  uint64_t handshakes(sim::SimSocket* s) const;
  uint64_t protocol_failures(sim::SimSocket* s) const;

 private:
  std::unique_ptr<sim::World> world_;
  sim::FaultSchedule faults_;
  uint32_t hosts_;
};

}  // namespace zlab::conform
