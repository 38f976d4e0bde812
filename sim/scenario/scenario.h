// Scenarios: socket patterns played by actors on simulated hosts, under a fault schedule,
// with assertions.
//
// Every run has the same shape in virtual time:
//
//   [0, window)              faults happen (the schedule's events all end inside it)
//   [window, quiet_at)       recovery: peers reconnect, subscriptions come back
//   [quiet_at, quiet_end)    quiet traffic: every message sent now must arrive
//   ... until the checker is satisfied, or the time limit (a liveness failure)
//
// The ledger checks as messages arrive (no duplicates, no reordering, nothing torn). When no
// fault that can lose a connection is on, the run also promises exactly-once: the checker
// waits for every message, and any disconnect is a failure.
//
// A scenario names its hosts h0..h(n-1); the harness adds "lab" (never faulted) for its
// checker.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/fault/faults.h"
#include "sim/scenario/ledger.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {

struct RunParams {
  int64_t window_ns = sec(4);
  int64_t recovery_ns = sec(5);
  int64_t quiet_ns = sec(1);
  int64_t slack_ns = sec(30);
  uint32_t scale = 1;  // multiplies message counts (benchmarks)
  int64_t limit_ns() const { return window_ns + recovery_ns + quiet_ns + slack_ns; }
};

class ScenarioEnv {
 public:
  ScenarioEnv(World& world, const FaultSchedule& faults, const RunParams& params, uint32_t hosts);

  World& world;
  const FaultSchedule& faults;
  const RunParams& params;
  Ledger ledger;

  HostId host(uint32_t i) const { return HostId(i); }
  HostId lab() const { return lab_; }
  int64_t quiet_at() const { return params.window_ns + params.recovery_ns; }
  int64_t quiet_end() const { return quiet_at() + params.quiet_ns; }
  // Whether a message sent now must arrive.
  bool must_now() const { return world.now_ns() >= quiet_at(); }
  // Window traffic stops at the window's end even if a sender got less out than it meant to
  // (backpressure, heavy loss): runs stay bounded, and the quiet phase starts on time.
  bool window_open() const { return world.now_ns() < params.window_ns; }
  // Exactly-once promised: no fault that loses connections, and no slow consumer (whose
  // backpressure may starve heartbeats: a timeout, then a lost connection, is allowed then).
  bool exact() const { return exact_; }
  // No fault that loses connections, no slow consumer: every connection should live through
  // the run (a disconnect is a failure unless the scenario closes things on purpose).
  bool lossless() const { return lossless_; }
  // For patterns that never promise exactly-once (PUB/SUB: late joiners miss messages).
  void never_exact() { exact_ = false; }
  // Scenarios whose applications close sockets or connections on purpose.
  void expect_disconnects() { expect_disconnects_ = true; }
  bool disconnects_expected() const { return expect_disconnects_; }

  // The scenarios' socket defaults: heartbeats (200 ms, timeout 2 s), reconnect 100 ms up to
  // 1 s, linger 0.
  void tune(SimSocket* s);
  // Boots a host at its boot delay (late_bind) and again after each restart.
  void boot(uint32_t host, BootFn fn);
  // Also required before the checker is satisfied.
  void require(std::function<bool()> done) { done_.push_back(std::move(done)); }
  // A violation, stamped with the time.
  void fail(const std::string& what);
  // A received test message (parts[first..]) at `receiver`, from the connection whose far
  // end is `peer` (its Peer-Address): checked and recorded. Order is checked per connection:
  // TCP promises nothing across connections, and after a reconnect the old connection's last
  // bytes may still arrive after the new one's first.
  void record(const std::vector<std::string>& parts, size_t first, const std::string& receiver,
              const std::string& peer);
  // The flow name of a sender: "h2.0" (host, incarnation), plus a suffix.
  std::string flow(HostId host, std::string_view suffix = {}) const;

  // Spawned by the harness on "lab": finishes once the quiet phase is over and the ledger and
  // every require() are satisfied.
  void start_checker();
  // Satisfied: the quiet phase is over and every `must` message arrived (exact: every one),
  // or, when sockets counted drops at their HWM (PUB, ROUTER and REP drop there by the spec),
  // every flow got some of its `must` messages through a while after the quiet phase.
  bool satisfied();
  uint64_t disconnects() const;
  // Messages the tuned sockets counted as dropped at their HWM (the most seen at once).
  uint64_t drops();
  // Sends that found a tuned socket mute (kAgain).
  uint64_t mutes() const;
  std::vector<SimSocket*>& sockets() { return sockets_; }

 private:
  HostId lab_;
  bool lossless_;
  bool exact_;
  bool expect_disconnects_ = false;
  std::vector<std::function<bool()>> done_;
  std::vector<SimSocket*> sockets_;  // tuned ones: their monitor counts
  uint64_t drops_seen_ = 0;
};

// Sleeps until virtual time `at_ns`.
Task<> sleep_until(Ctx& ctx, int64_t at_ns);

struct FlowOptions {
  uint64_t count = 100;               // messages during the fault window (at most)
  uint64_t quiet_count = 20;          // and after recovery (these must arrive)
  int64_t max_gap_ns = 20'000'000;    // a random pause of up to this after each
  std::vector<std::string> envelope;  // parts sent ahead of each test message
  // Record each message once per receiver: flow + "@" + receiver (PUB/SUB fan-out).
  std::vector<std::string> fanout;
};

// Messages `s` has dropped at an HWM so far (0 once it is gone).
uint64_t dropped_by(SimSocket* s);

// Sends a flow of test messages on `s`, paced over the fault window, then quiet_count more
// from quiet_at; records each in the ledger once sent. A failed send is a violation.
Task<> send_flow(Ctx& ctx, ScenarioEnv& env, SimSocket* s, std::string flow, FlowOptions o);

inline std::vector<std::string> no_envelope() { return {}; }

// Receives test messages on `s` forever (as a slow consumer), checking each one's envelope
// ("*" matches any part) and recording it; `fanout` appends "@" + this host to the flow.
Task<> receive_flow(Ctx& ctx, ScenarioEnv& env, SimSocket* s, std::vector<std::string> envelope,
                    bool fanout = false);

class Scenario {
 public:
  virtual ~Scenario() = default;
  // How many hosts and what roles (crashable, consumers, binders) for the fault draw.
  virtual FaultTargets targets() const = 0;
  // Sets boot programs and actors.
  virtual void start(ScenarioEnv& env) = 0;
  // Checks at the end, beyond the ledger's.
  virtual void finish(ScenarioEnv& env) { (void)env; }
};

}  // namespace zlab::sim
