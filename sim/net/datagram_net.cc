#include "sim/net/datagram_net.h"

#include <algorithm>

#include "engine/base/ip_address.h"

namespace zlab::sim {
namespace {

enum EventKind : uint32_t { kArrive };

}  // namespace

uint32_t multicast_group_ipv4(std::string_view text) {
  std::optional<IpAddress> ip = parse_ipv4(text);
  if (!ip || (ip->bytes[0] & 0xF0) != 0xE0) return 0;
  return uint32_t(ip->bytes[0]) << 24 | uint32_t(ip->bytes[1]) << 16 | uint32_t(ip->bytes[2]) << 8 |
         uint32_t(ip->bytes[3]);
}

DatagramNet::DatagramNet(Network& net, EventQueue& queue, Rng& rng, Trace& trace)
    : net_(net), queue_(queue), rng_(rng), trace_(trace) {}

uint16_t DatagramNet::ephemeral_port(HostId host) {
  uint16_t& next = next_ephemeral_.try_emplace(host, uint16_t(32768)).first->second;
  for (;;) {
    uint16_t p = next;
    next = p == 49151 ? 32768 : uint16_t(p + 1);
    bool taken = std::any_of(sockets_.begin(), sockets_.end(), [&](const auto& entry) {
      return entry.second.host == host && entry.second.port == p;
    });
    if (!taken) return p;
  }
}

Err DatagramNet::bind(HostId host, uint16_t port, std::string_view group, DatagramOwner* owner,
                      DgramId* id, uint16_t* bound) {
  if (!net_.host_up(host)) return Err::kAddrNotAvailable;
  if (!group.empty() && multicast_group_ipv4(group) == 0) return Err::kInvalid;
  if (port == 0) port = ephemeral_port(host);
  for (const auto& [other, s] : sockets_) {
    // A group's port is shared (SO_REUSEPORT); a unicast port is one socket's.
    bool clash =
        s.host == host && s.port == port && s.receiving && (group.empty() || s.group.empty());
    if (clash) return Err::kAddrInUse;
  }
  *id = next_id_++;
  sockets_.emplace(*id, Socket{host, port, std::string(group), true, owner, {}});
  if (bound != nullptr) *bound = port;
  trace_.record(queue_.now_ns(), net_.host_name(host), *id, "dgram_bind", port, group);
  return Err::kOk;
}

Err DatagramNet::open(HostId host, DgramId* id) {
  if (!net_.host_up(host)) return Err::kAddrNotAvailable;
  *id = next_id_++;
  sockets_.emplace(*id, Socket{host, ephemeral_port(host), {}, false, nullptr, {}});
  return Err::kOk;
}

Err DatagramNet::send(DgramId from, std::string_view to, uint16_t port,
                      std::span<const uint8_t> bytes) {
  auto it = sockets_.find(from);
  if (it == sockets_.end()) return Err::kInvalid;
  const Socket& src = it->second;
  uint32_t group = multicast_group_ipv4(to);
  HostId target = 0;
  if (group == 0 && !net_.resolve(to, &target)) return Err::kHostUnreachable;
  ++stats_.sent;
  trace_.record(queue_.now_ns(), net_.host_name(src.host), from, "dgram_send",
                int64_t(bytes.size()), std::string(to) + ":" + std::to_string(port));
  // Every receiver it is for, in id order (deterministic).
  for (const auto& [id, s] : sockets_) {
    if (!s.receiving || s.port != port) continue;
    bool reaches =
        group != 0 ? multicast_group_ipv4(s.group) == group : s.group.empty() && s.host == target;
    if (reaches) launch(src, from, id, group, bytes);
  }
  return Err::kOk;
}

void DatagramNet::launch(const Socket& from, DgramId from_id, DgramId to, uint32_t group_ip,
                         std::span<const uint8_t> bytes) {
  const Socket& dst = sockets_.at(to);
  const NetParams& p = net_.params();
  InFlight d{to, from.host, from.port, group_ip, {bytes.begin(), bytes.end()}, false};
  int copies = 1;
  if (p.dgram_loss_ppm > 0 && rng_.chance_ppm(p.dgram_loss_ppm)) copies = 0;
  if (copies == 1 && p.dgram_dup_ppm > 0 && rng_.chance_ppm(p.dgram_dup_ppm)) copies = 2;
  if (p.debug_vanish_ppm > 0 && !d.bytes.empty() && rng_.chance_ppm(p.debug_vanish_ppm)) {
    d.bytes.pop_back();  // a cut datagram (testing the checks only)
  }
  if (copies == 0) {
    ++stats_.lost;
    trace_.record(queue_.now_ns(), net_.host_name(from.host), from_id, "dgram_lost",
                  int64_t(bytes.size()), net_.host_name(dst.host));
    tell_sink(queue_.now_ns(), d, dst.host, dst.port, "lost in the network (dgram_loss)");
    return;
  }
  for (int copy = 0; copy < copies; ++copy) {
    int64_t delay = net_.link_latency_ns(from.host, dst.host);
    if (p.jitter_ns > 0) delay += rng_.range(0, p.jitter_ns);
    if (p.dgram_reorder_ns > 0) delay += rng_.range(0, p.dgram_reorder_ns);
    d.duplicate = copy == 1;
    if (d.duplicate) ++stats_.duplicated;
    uint64_t flight = next_flight_++;
    flights_.emplace(flight, d);
    queue_.schedule_in(delay, this, kArrive, flight);
  }
}

void DatagramNet::on_event(const Event& event) {
  if (event.kind == kArrive) arrive(event.a);
}

void DatagramNet::arrive(uint64_t flight) {
  auto f = flights_.find(flight);
  if (f == flights_.end()) return;
  InFlight d = std::move(f->second);
  flights_.erase(f);
  int64_t now = queue_.now_ns();
  auto it = sockets_.find(d.to);
  std::string_view why;
  if (it == sockets_.end()) {
    why = "dropped: the receiving socket is gone";
  } else if (!net_.host_up(it->second.host)) {
    why = "dropped: the receiving host is down";
  } else if (net_.blocked(d.from_host, it->second.host)) {
    why = "dropped: partition";
  } else if (it->second.queue.size() >= net_.params().dgram_queue) {
    why = "dropped: the receiver's queue is full";
  }
  if (!why.empty()) {
    ++stats_.dropped;
    HostId host = it != sockets_.end() ? it->second.host : d.from_host;
    trace_.record(now, net_.host_name(host), d.to, "dgram_drop", int64_t(d.bytes.size()), why);
    if (it != sockets_.end()) tell_sink(now, d, it->second.host, it->second.port, why);
    return;
  }
  Socket& s = it->second;
  ++stats_.delivered;
  trace_.record(now, net_.host_name(s.host), d.to, "dgram_deliver", int64_t(d.bytes.size()),
                d.duplicate ? "duplicate" : "");
  tell_sink(now, d, s.host, s.port, d.duplicate ? "duplicated in the network (dgram_dup)" : "");
  s.queue.push_back(std::move(d.bytes));
  if (s.owner != nullptr) s.owner->on_datagram(it->first);
}

void DatagramNet::tell_sink(int64_t t_ns, const InFlight& d, HostId to_host, uint16_t to_port,
                            std::string_view comment) {
  PacketSink* sink = net_.packet_sink();
  if (sink == nullptr) return;
  sink->datagram(t_ns, {d.from_host, d.from_port}, {to_host, to_port}, d.group_ip, d.bytes,
                 comment);
}

IoStatus DatagramNet::receive(DgramId id, std::span<uint8_t> into, size_t* n) {
  auto it = sockets_.find(id);
  if (it == sockets_.end() || it->second.queue.empty()) return IoStatus::kWouldBlock;
  std::vector<uint8_t>& front = it->second.queue.front();
  std::copy_n(front.begin(), std::min(front.size(), into.size()), into.begin());
  *n = front.size();
  it->second.queue.pop_front();
  return IoStatus::kOk;
}

bool DatagramNet::readable(DgramId id) const {
  auto it = sockets_.find(id);
  return it != sockets_.end() && !it->second.queue.empty();
}

void DatagramNet::close(DgramId id) { sockets_.erase(id); }

void DatagramNet::crash(HostId host) {
  std::erase_if(sockets_, [&](const auto& entry) { return entry.second.host == host; });
}

}  // namespace zlab::sim
