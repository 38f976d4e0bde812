// A udp datagram run for captures: one sender host sends RADIO-format datagrams (group length,
// group, body: engine/wire/udp_datagram.h) to a unicast receiver and to a multicast group two
// hosts joined, under the datagram faults (and a partition) drawn from the seed. The datagrams
// are what a RADIO puts on the wire; once RADIO and DISH sockets exist this run becomes their
// scenario (the same traffic, through SimSocket's udp streams).
#pragma once

#include <cstdint>
#include <string>

#include "sim/net/datagram_net.h"
#include "sim/net/packet_sink.h"

namespace zlab::sim {

struct UdpRunResult {
  std::string faults;  // describe_faults
  uint64_t trace_hash = 0;
  uint64_t sent = 0;       // datagrams sent
  uint64_t received = 0;   // datagrams the receivers read (every copy)
  uint64_t malformed = 0;  // received datagrams that did not decode (must stay 0)
  DatagramStats net;
};

// `fault_mask`: FaultKind bits to force (0: the seed's swarm draw over the udp faults).
UdpRunResult run_udp(uint64_t seed, uint32_t fault_mask, PacketSink* sink);

}  // namespace zlab::sim
