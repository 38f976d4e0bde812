// A RADIO/DISH run over udp:// in the simulator, for captures and for the datagram faults: a
// RADIO on h0 connects to a DISH on h1 (unicast, udp://h1:5555) and to a multicast group that
// DISHes on h1 and h2 bound (udp://239.1.2.3:5556), and sends 100 messages, "weather" and
// "news" in turn; the unicast DISH joined "weather", the group's DISHes "news" (over udp a
// RADIO sends every group to every udp peer: the joins filter at the DISH). All of it through
// the engine's udp streams (SimSocket, DatagramConnection), under the datagram faults (and a
// partition) drawn from the seed.
#pragma once

#include <cstdint>
#include <string>

#include "sim/net/datagram_net.h"
#include "sim/net/packet_sink.h"

namespace zlab::sim {

struct UdpRunResult {
  std::string faults;   // describe_faults
  std::string outcome;  // how the world's run ended
  uint64_t trace_hash = 0;
  uint64_t sent = 0;      // messages the RADIO sent
  uint64_t received = 0;  // messages the DISHes received (after their joins' filter)
  uint64_t wrong = 0;     // received in a group the DISH did not join, or damaged (must be 0)
  DatagramStats net;      // datagram copies: sent, delivered, lost, duplicated, dropped
};

// Messages each DISH is owed without faults: 50 "weather" to h1, 50 "news" to h1 and to h2.
inline constexpr uint64_t kUdpRunMessages = 100;
inline constexpr uint64_t kUdpRunOwed = 150;
// Datagram copies without faults: 100 to h1's unicast DISH, 100 to each of the two members.
inline constexpr uint64_t kUdpRunCopies = 300;

// `fault_mask`: FaultKind bits to force (0: the seed's swarm draw).
UdpRunResult run_udp(uint64_t seed, uint32_t fault_mask, PacketSink* sink);

}  // namespace zlab::sim
