// What a packet capture needs from a simulated run, told as it happens (virtual time): hosts,
// connections opening, refused, closing and reset, every delivered segment with its bytes and
// the transmissions of it that the network lost, and world events that put no packet on the
// wire (partitions, crashes, sockets going mute). The network and the world call it when one is
// passed in (World::set_packet_sink); nothing in the run depends on it, so a run with a sink is
// the same run as one without (same draws, same trace).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace zlab::sim {

using HostId = uint32_t;
using ConnId = uint64_t;

class PacketSink {
 public:
  struct Endpoint {
    HostId host;
    uint16_t port;
  };

  virtual ~PacketSink() = default;

  // A host exists (told once per host, before anything happens on it).
  virtual void host(HostId host, std::string_view name) = 0;
  // A SYN reached a listener: the handshake. The client is side 0 of the connection.
  virtual void opened(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) = 0;
  // A SYN reached a port nobody listens on: SYN, then RST from the server.
  virtual void refused(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) = 0;
  // Side `from` sent a segment (the next bytes of its stream); `lost`: the loss model lost
  // this transmission, the segment arrives after one or more retransmissions.
  virtual void sent(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
                    bool lost) = 0;
  // The oldest segment in flight from side `from` reached the other side, after
  // `retransmissions` transmissions of it were lost (the loss model) or held back (a
  // partition, a host down).
  virtual void delivered(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
                         uint32_t retransmissions) = 0;
  // Side `from` finished sending (its FIN arrived).
  virtual void fin(int64_t t_ns, ConnId conn, int from) = 0;
  // Side `from` aborted the connection (an RST on the wire); `why` says what caused it.
  virtual void rst(int64_t t_ns, ConnId conn, int from, std::string_view why) = 0;
  // A udp datagram (sim/net/datagram_net.h) from `from` to the socket at `to`; `group` is the
  // multicast group it was sent to (IPv4, network byte order, as a number), 0 for unicast.
  // `comment` says what befell this copy ("" arrived; lost, duplicated, dropped and why).
  virtual void datagram(int64_t t_ns, Endpoint from, Endpoint to, uint32_t group,
                        std::span<const uint8_t> bytes, std::string_view comment) {
    (void)t_ns;
    (void)from;
    (void)to;
    (void)group;
    (void)bytes;
    (void)comment;
  }
  // Something with no packet of its own, on `host` (and connection `conn`, or 0).
  virtual void event(int64_t t_ns, HostId host, ConnId conn, std::string_view what) = 0;
};

}  // namespace zlab::sim
