// Simulated udp: datagrams between the network's hosts, for udp:// (RADIO/DISH). What udp
// promises is little, and the model keeps to it:
//  * a datagram arrives whole or not at all, after the link's latency (the network's, drawn once
//    per ordered pair of hosts) plus jitter; no connection, no handshake, no retransmission;
//  * `dgram_loss_ppm`: a copy is lost; `dgram_dup_ppm`: it arrives twice; `dgram_reorder_ns`:
//    each copy waits up to that much more, so later datagrams overtake earlier ones;
//  * a partition (Network::blocked) or a receiving host that is down drops the copy;
//  * a receiver queues at most `dgram_queue` datagrams (its kernel buffer): more are dropped;
//  * unicast goes to the socket bound to the port on the target host ("*" binds every address);
//    a multicast group (a 224.0.0.0/4 literal) reaches every socket joined to it at that port,
//    on every host, the sender's too (ZMQ_MULTICAST_LOOP is on by default).
// Every send, arrival, loss, duplicate and drop is a trace line ("dgram_*"), and a packet for
// the capture (PacketSink::datagram). Owners hear of arrivals from the arrival's event.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/err.h"
#include "sim/base/event_queue.h"
#include "sim/base/rng.h"
#include "sim/base/trace.h"
#include "sim/net/network.h"

namespace zlab::sim {

using DgramId = uint64_t;

class DatagramOwner {
 public:
  // A datagram arrived for `id` (receive() has it).
  virtual void on_datagram(DgramId id) = 0;

 protected:
  ~DatagramOwner() = default;
};

struct DatagramStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t dropped = 0;  // partition, host down, receiver gone, receive queue full
};

class DatagramNet final : public EventTarget {
 public:
  DatagramNet(Network& net, EventQueue& queue, Rng& rng, Trace& trace);
  DatagramNet(const DatagramNet&) = delete;
  DatagramNet& operator=(const DatagramNet&) = delete;

  const DatagramStats& stats() const { return stats_; }

  // A receiving socket on `host` at `port` (0: ephemeral; *bound gets it). `group`: "" for
  // unicast, else the multicast group literal it joins (several sockets share a group's port).
  // kAddrInUse when a unicast socket holds the port; kInvalid for a group that is no multicast
  // literal; kAddrNotAvailable on a host that is down.
  Err bind(HostId host, uint16_t port, std::string_view group, DatagramOwner* owner, DgramId* id,
           uint16_t* bound = nullptr);
  // A sending socket on `host` (an ephemeral source port).
  Err open(HostId host, DgramId* id);
  // One datagram to `to` (a host name, or a multicast group literal) at `port`. kHostUnreachable
  // for an unknown host name (nothing is sent); otherwise kOk, whatever befalls the datagram.
  Err send(DgramId from, std::string_view to, uint16_t port, std::span<const uint8_t> bytes);
  // The next queued datagram: kOk (*n its full length; cut to `into`), kWouldBlock when none.
  IoStatus receive(DgramId id, std::span<uint8_t> into, size_t* n);
  bool readable(DgramId id) const;
  void close(DgramId id);
  // The host's sockets vanish with it (what was queued too).
  void crash(HostId host);

  void on_event(const Event& event) override;

 private:
  struct Socket {
    HostId host;
    uint16_t port;
    std::string group;  // joined multicast group, "" for none
    bool receiving;
    DatagramOwner* owner;
    std::deque<std::vector<uint8_t>> queue;
  };
  struct InFlight {
    DgramId to;
    HostId from_host;
    uint16_t from_port;
    uint32_t group_ip;  // 0: unicast
    std::vector<uint8_t> bytes;
    bool duplicate;
  };

  void launch(const Socket& from, DgramId from_id, DgramId to, uint32_t group_ip,
              std::span<const uint8_t> bytes);
  void arrive(uint64_t flight);
  void tell_sink(int64_t t_ns, const InFlight& d, HostId to_host, uint16_t to_port,
                 std::string_view comment);
  uint16_t ephemeral_port(HostId host);

  Network& net_;
  EventQueue& queue_;
  Rng& rng_;
  Trace& trace_;
  DatagramStats stats_;
  std::map<DgramId, Socket> sockets_;
  std::map<uint64_t, InFlight> flights_;
  std::map<HostId, uint16_t> next_ephemeral_;
  DgramId next_id_ = 1;
  uint64_t next_flight_ = 1;
};

// The IPv4 multicast group `text` names (network order as a number), or 0 if it is none.
uint32_t multicast_group_ipv4(std::string_view text);

}  // namespace zlab::sim
