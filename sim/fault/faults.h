// Faults as named options and as plain data.
//
// Every fault kind has a name (latency, bandwidth, small_buffers, split_io, loss, reset,
// partition, one_way_partition, crash, clock_drift, slow_consumer, late_bind). For each seed a
// run draws a random subset of them and their parameters (swarm testing: a run with only a
// few faults on finds what a run with all of them on would bury), from the world's one Rng.
// The result is a FaultSchedule: link parameters, host clock drifts, boot delays and a list of
// timed fault events, all plain values. A schedule can also be written by hand or shrunk (issue
// 6) and applied to a world as it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/base/rng.h"
#include "sim/net/network.h"

namespace zlab::sim {

class World;

enum class FaultKind : uint8_t {
  kLatency,          // per-link latency spread, jitter, delay spikes
  kBandwidth,        // per-link bandwidth limits
  kSmallBuffers,     // tiny send/receive buffers and segments: backpressure everywhere
  kSplitIo,          // reads and writes cut at random points
  kLoss,             // lost segments, retransmitted after an RTO (delay, head-of-line)
  kReset,            // RST mid-stream on a live connection
  kPartition,        // both ways: heartbeats time out
  kOneWayPartition,  // one direction only
  kCrash,            // a host crashes and restarts
  kClockDrift,       // host clocks run fast or slow (heartbeat timing)
  kSlowConsumer,     // receivers pause or read at a rate, HWMs of 1..50: mute states, drops
  kLateBind,         // binding hosts boot late: connects are refused and retried first
  // The ZAP handler (rfc 27; sim/world/zap_handler.h), drawn only where one serves
  // (FaultTargets::zap), so the draws of worlds without one are unchanged:
  kZapSlow,    // it answers each request late
  kZapSilent,  // it takes requests and never answers
  kZapAbsent,  // nothing is bound at inproc://zeromq.zap.01
  // udp datagrams (sim/net/datagram_net.h), drawn only where the scenario sends them
  // (FaultTargets::udp), so the draws of every other world are unchanged:
  kDgramLoss,     // datagrams lost for good (no retransmission)
  kDgramDup,      // datagrams delivered twice
  kDgramReorder,  // datagrams delayed at random: later ones overtake earlier ones
};
inline constexpr int kFaultKindCount = 18;
inline constexpr bool fault_is_zap(FaultKind kind) {
  return kind >= FaultKind::kZapSlow && kind <= FaultKind::kZapAbsent;
}
inline constexpr bool fault_is_datagram(FaultKind kind) { return kind >= FaultKind::kDgramLoss; }

std::string_view fault_name(FaultKind kind);
std::string_view fault_description(FaultKind kind);
std::optional<FaultKind> fault_from_name(std::string_view name);
// Faults that may lose messages in flight (a connection dies): exactly-once is not promised
// while they act, only at-most-once, order, and recovery afterwards.
bool fault_is_lossy(FaultKind kind);

struct FaultEvent {
  enum class Type : uint8_t { kPartition, kOneWayPartition, kReset, kCrash, kPause, kRate };
  Type type;
  int64_t at_ns;
  int64_t duration_ns = 0;  // partition, crash (down time), pause, rate
  uint32_t a = 0;           // host (from, crashed, consumer), or the reset's pick
  uint32_t b = 0;           // host (to)
  uint32_t value = 0;       // rate: messages per second
};

struct FaultSchedule {
  uint32_t enabled = 0;  // bit (1 << FaultKind)
  NetParams net;
  std::vector<int32_t> drift_ppm;      // per host; empty: none
  std::vector<int64_t> boot_delay_ns;  // per host; empty: all boot at 0
  int32_t hwm = 0;  // every socket's ZMQ_SNDHWM and ZMQ_RCVHWM (slow_consumer); 0: default
  std::vector<FaultEvent> events;  // in time order
  int64_t window_end_ns = 0;       // every fault is over by then
  int64_t zap_delay_min_ns = 0;    // zap_slow: each ZAP reply waits min..max
  int64_t zap_delay_max_ns = 0;

  bool has(FaultKind kind) const { return (enabled >> int(kind)) & 1u; }
  bool lossy() const;
  int64_t boot_delay(uint32_t host) const {
    return host < boot_delay_ns.size() ? boot_delay_ns[host] : 0;
  }
};

// What the scenario tells the draw: its hosts and their roles.
struct FaultTargets {
  uint32_t hosts = 0;
  std::vector<uint32_t> crashable;  // hosts that may crash (and restart)
  std::vector<uint32_t> consumers;  // hosts whose receiving actors use Ctx::recv_paced
  std::vector<uint32_t> binders;    // hosts that bind (late_bind delays their boot)
  bool small_hwm = true;            // slow_consumer may also shrink every socket's HWM
  bool zap = false;                 // a ZAP handler serves: the zap_* faults may be drawn
  bool udp = false;                 // udp datagrams flow: the dgram_* faults may be drawn
  int64_t window_ns = 4'000'000'000;
};

// Which faults a draw may use: all (swarm: each with probability 1/2), or exactly `only`.
struct FaultChoice {
  bool swarm = true;
  uint32_t only = 0;  // when !swarm
};

FaultSchedule draw_faults(Rng& rng, const FaultTargets& targets, const FaultChoice& choice);
// Sets the world's network parameters and clocks and schedules the events. Call before the
// first connection; boot delays are the scenario's to use (FaultSchedule::boot_delay).
void apply_faults(const FaultSchedule& schedule, World& world);
// One line for a run's header: "loss(4.1%) reset(x3) crash(x1: h2 for 800ms)".
std::string describe_faults(const FaultSchedule& schedule);
std::string faults_json(const FaultSchedule& schedule);
// "loss,reset" -> a mask; false on an unknown name, an empty list or an empty item.
bool parse_fault_list(std::string_view list, uint32_t* mask, std::string* bad);

}  // namespace zlab::sim
