#include "sim/net/network.h"

#include <algorithm>
#include <cstring>

namespace zlab::sim {
namespace {

std::string hex_of(const uint8_t* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

}  // namespace

Network::Network(EventQueue& queue, Rng& rng, Trace& trace, NetParams params)
    : queue_(queue), rng_(rng), trace_(trace), params_(params) {}

Network::~Network() = default;

void Network::trace(HostId host, ConnId conn, std::string_view event, int64_t bytes,
                    std::string_view detail) {
  trace_.record(queue_.now_ns(), hosts_[host].name, conn, event, bytes, detail);
}

Network::Conn* Network::find(ConnId id) {
  return id < conn_index_.size() ? conn_index_[id] : nullptr;
}

const Network::Conn* Network::find(ConnId id) const {
  return id < conn_index_.size() ? conn_index_[id] : nullptr;
}

void Network::erase_conn(ConnId id) {
  if (id < conn_index_.size()) conn_index_[id] = nullptr;
  conns_.erase(id);
}

void Network::set_packet_sink(PacketSink* sink) {
  sink_ = sink;
  if (sink_ == nullptr) return;
  for (size_t i = 0; i < hosts_.size(); ++i) sink_->host(HostId(i), hosts_[i].name);
}

// --- hosts ---

HostId Network::add_host(std::string name) {
  hosts_.push_back(Host{});
  hosts_.back().name = std::move(name);
  HostId id = HostId(hosts_.size() - 1);
  if (sink_ != nullptr) sink_->host(id, hosts_.back().name);
  return id;
}

bool Network::resolve(std::string_view name, HostId* host) const {
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (hosts_[i].name == name) {
      *host = HostId(i);
      return true;
    }
  }
  return false;
}

void Network::set_blocked(HostId from, HostId to, bool blocked) {
  if (blocked) {
    blocked_.insert({from, to});
  } else {
    blocked_.erase({from, to});
  }
}

bool Network::blocked(HostId from, HostId to) const {
  return !blocked_.empty() && blocked_.count({from, to}) > 0;
}

void Network::crash(HostId host) {
  Host& h = hosts_[host];
  if (!h.up) return;
  h.up = false;
  for (auto& [port, id] : h.ports) listeners_.erase(id);
  h.ports.clear();
  std::vector<ConnId> touched;
  for (auto& [id, c] : conns_) {
    for (int side = 0; side < 2; ++side) {
      End& e = c.end[side];
      if (side == 1 && !c.established) continue;
      if (e.host != host || e.closed || e.incarnation != h.incarnation) continue;
      e.closed = true;
      e.owner = nullptr;
      c.dir[side].out.truncate(c.dir[side].wire);  // unsent bytes die with the host
      c.dir[side].fin_queued = false;
      c.dir[1 - side].in.clear();
      touched.push_back(id);
    }
  }
  trace(host, 0, "crash", 0);
  if (sink_ != nullptr) {
    sink_->event(queue_.now_ns(), host, 0,
                 h.name + " crashed: its connections are gone without a packet");
  }
  for (ConnId id : touched) {
    if (Conn* c = find(id)) maybe_forget(*c);
  }
}

void Network::restart(HostId host) {
  Host& h = hosts_[host];
  if (h.up) return;
  h.up = true;
  ++h.incarnation;
  trace(host, 0, "restart", 0);
  if (sink_ != nullptr) sink_->event(queue_.now_ns(), host, 0, h.name + " restarted");
}

// --- links ---

Network::Link Network::link(HostId from, HostId to) {
  if (links_.size() <= from) links_.resize(size_t(from) + 1);
  std::vector<std::optional<Link>>& row = links_[from];
  if (row.size() <= to) row.resize(size_t(to) + 1);
  if (row[to]) return *row[to];
  // Drawn on first use, so the draws come in the order the links are first used.
  Link l{params_.loopback_latency_ns, 0};
  if (from != to) {
    l.latency_ns = rng_.range(params_.latency_min_ns,
                              std::max(params_.latency_min_ns, params_.latency_max_ns));
    if (params_.bandwidth_max_bps > 0) {
      l.bandwidth_bps = uint64_t(
          rng_.range(int64_t(std::max<uint64_t>(1, params_.bandwidth_min_bps)),
                     int64_t(std::max(params_.bandwidth_min_bps, params_.bandwidth_max_bps))));
    }
  }
  row[to] = l;
  return l;
}

int64_t Network::segment_delay(HostId from, HostId to, uint8_t* lost_out) {
  int64_t d = link(from, to).latency_ns;
  if (params_.jitter_ns > 0) d += rng_.range(0, params_.jitter_ns);
  if (params_.spike_ppm > 0 && rng_.chance_ppm(params_.spike_ppm)) d += params_.spike_ns;
  if (params_.loss_ppm > 0 && from != to && queue_.now_ns() < params_.loss_until_ns) {
    int64_t rto = params_.rto_min_ns;
    for (int lost = 0; lost < 3 && rng_.chance_ppm(params_.loss_ppm); ++lost) {
      d += rto;
      rto = std::min(rto * 2, params_.rto_max_ns);
      ++stats_.retransmits;
      if (lost_out != nullptr) ++*lost_out;
    }
  }
  return d;
}

uint16_t Network::ephemeral_port(Host& host) {
  for (;;) {
    uint16_t p = host.next_ephemeral;
    host.next_ephemeral = p == 65535 ? 49152 : uint16_t(p + 1);
    if (host.ports.count(p) == 0) return p;
  }
}

// --- listening ---

Err Network::listen(HostId host, uint16_t port, ListenOwner* owner, uint16_t* bound, ListenerId* id,
                    const ConnectOptions& buffers) {
  Host& h = hosts_[host];
  if (!h.up) return Err::kAddrNotAvailable;
  if (port == 0) port = ephemeral_port(h);
  if (h.ports.count(port) > 0) return Err::kAddrInUse;
  ListenerId lid = next_listener_++;
  listeners_[lid] = Listener{host, port, owner, buffers.sndbuf, buffers.rcvbuf};
  h.ports[port] = lid;
  *bound = port;
  *id = lid;
  trace(host, 0, "listen", 0, std::to_string(port));
  return Err::kOk;
}

void Network::unlisten(ListenerId id) {
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  Host& h = hosts_[it->second.host];
  auto p = h.ports.find(it->second.port);
  if (p != h.ports.end() && p->second == id) h.ports.erase(p);
  trace(it->second.host, 0, "unlisten", 0, std::to_string(it->second.port));
  listeners_.erase(it);
}

// --- connecting ---

Err Network::connect(HostId from, std::string_view to_host, uint16_t port, EndOwner* owner,
                     const ConnectOptions& options, EndRef* end) {
  HostId to = 0;
  if (!resolve(to_host, &to)) return Err::kHostUnreachable;
  Host& h = hosts_[from];
  ConnId id = next_conn_++;
  Conn& c = conns_[id];
  if (conn_index_.size() <= id) conn_index_.resize(size_t(id) + 1, nullptr);
  conn_index_[id] = &c;
  c.id = id;
  End& cli = c.end[0];
  cli.host = from;
  cli.incarnation = h.incarnation;
  cli.owner = owner;
  cli.port = ephemeral_port(h);
  cli.address = h.name + ":" + std::to_string(cli.port);
  cli.sndbuf = options.sndbuf > 0 ? options.sndbuf : params_.sndbuf;
  cli.rcvbuf = options.rcvbuf > 0 ? options.rcvbuf : params_.rcvbuf;
  c.end[1].host = to;
  c.dst_port = port;
  int64_t timeout = options.timeout_ns > 0 ? options.timeout_ns : params_.connect_timeout_ns;
  c.syn_deadline = queue_.now_ns() + timeout;
  ++stats_.connects;
  trace(from, id, "connect", 0, std::string(to_host) + ":" + std::to_string(port));
  queue_.schedule_in(link(from, to).latency_ns, this, kSyn, id);
  *end = EndRef{id, 0};
  return Err::kOk;
}

void Network::on_syn(Conn& c) {
  End& cli = c.end[0];
  ConnId id = c.id;
  if (cli.closed) {  // given up, or its host crashed, before the SYN got there
    erase_conn(id);
    return;
  }
  HostId to = c.end[1].host;
  Host& dh = hosts_[to];
  int64_t now = queue_.now_ns();
  if (!dh.up || blocked(cli.host, to) || blocked(to, cli.host)) {
    int64_t rto = std::min(params_.syn_rto_ns << std::min(c.syn_retries, 20),
                           std::max(params_.syn_rto_ns, params_.rto_max_ns));
    ++c.syn_retries;
    if (sink_ != nullptr && c.syn_retries == 1) {
      sink_->event(now, cli.host, id,
                   "SYN from " + cli.address + " to " + dh.name + ":" + std::to_string(c.dst_port) +
                       " not answered (" + (dh.up ? "partition" : "host down") + "): retrying");
    }
    if (now + rto >= c.syn_deadline) {
      queue_.schedule(c.syn_deadline, this, kConnectFailed, id, uint64_t(Err::kTimedOut));
    } else {
      queue_.schedule(now + rto, this, kSyn, id);
      trace(cli.host, id, "syn_retry", 0);
    }
    return;
  }
  auto port = dh.ports.find(c.dst_port);
  if (port == dh.ports.end()) {
    ++stats_.refused;
    trace(to, id, "refused", 0, std::to_string(c.dst_port));
    if (sink_ != nullptr) sink_->refused(now, id, {cli.host, cli.port}, {to, c.dst_port});
    queue_.schedule_in(link(to, cli.host).latency_ns, this, kConnectFailed, id,
                       uint64_t(Err::kConnRefused));
    return;
  }
  ListenerId lid = port->second;
  c.established = true;
  End& srv = c.end[1];
  srv.incarnation = dh.incarnation;
  srv.connected = true;
  srv.address = dh.name + ":" + std::to_string(c.dst_port);
  const Listener& listener = listeners_.at(lid);
  srv.sndbuf = listener.sndbuf > 0 ? listener.sndbuf : params_.sndbuf;
  srv.rcvbuf = listener.rcvbuf > 0 ? listener.rcvbuf : params_.rcvbuf;
  int64_t synack = now + link(to, cli.host).latency_ns;
  c.dir[1].last_arrive = synack;  // nothing the server sends overtakes the SYN-ACK
  queue_.schedule(synack, this, kSynAck, id);
  trace(to, id, "accept", 0, cli.address);
  if (sink_ != nullptr) sink_->opened(now, id, {cli.host, cli.port}, {to, c.dst_port});
  std::string peer = cli.address;
  EndOwner* owner = listeners_[lid].owner->on_accept(lid, EndRef{id, 1}, peer);
  if (Conn* again = find(id); again != nullptr && !again->end[1].closed) {
    again->end[1].owner = owner;
  }
}

// --- bytes ---

void Network::push_segment(Conn& c, int d, SegKind kind, uint32_t len) {
  Dir& dir = c.dir[d];
  int64_t now = queue_.now_ns();
  int64_t sent = kind == SegKind::kData ? std::max(now, dir.link_free_at) : now;
  uint8_t lost = 0;
  int64_t arrive =
      std::max(sent + segment_delay(c.end[d].host, c.end[1 - d].host, &lost), dir.last_arrive);
  dir.last_arrive = arrive;
  dir.flight.push_back(Segment{arrive, now, len, kind, 0, lost});
  if (kind == SegKind::kData) {
    if (sink_ != nullptr) sink_->sent(now, c.id, d, {dir.out.data() + dir.wire, len}, lost > 0);
    dir.wire += len;
    ++stats_.segments;
  }
  schedule_delivery(c, d);
}

void Network::schedule_delivery(Conn& c, int d) {
  Dir& dir = c.dir[d];
  if (dir.delivery_scheduled || dir.flight.empty()) return;
  dir.delivery_scheduled = true;
  queue_.schedule(dir.flight.front().arrive_at, this, kDeliver, c.id, uint64_t(d));
}

void Network::transmit(Conn& c, int d) {
  Dir& dir = c.dir[d];
  End& from = c.end[d];
  const End& to = c.end[1 - d];
  if (!c.established || from.err != Err::kOk) return;
  int64_t now = queue_.now_ns();
  for (;;) {
    size_t unsent = dir.out.size() - dir.wire;
    if (unsent == 0) {
      if (dir.fin_queued && !dir.fin_sent) {
        dir.fin_sent = true;
        push_segment(c, d, SegKind::kFin, 0);
      }
      return;
    }
    size_t used = dir.in.size() + dir.wire;
    if (used >= to.rcvbuf) {
      dir.window_blocked = true;  // the reader's window is shut: a read reopens it
      return;
    }
    if (dir.link_free_at > now) {
      if (!dir.tx_scheduled) {
        dir.tx_scheduled = true;
        queue_.schedule(dir.link_free_at, this, kTransmit, c.id, uint64_t(d));
      }
      return;
    }
    size_t seg = std::min({unsent, to.rcvbuf - used, params_.mss});
    uint64_t bw = link(from.host, to.host).bandwidth_bps;
    if (bw > 0) dir.link_free_at = now + int64_t((uint64_t(seg) * 1'000'000'000 + bw - 1) / bw);
    push_segment(c, d, SegKind::kData, uint32_t(seg));
  }
}

void Network::deliver(Conn& c, int d) {
  Dir& dir = c.dir[d];
  dir.delivery_scheduled = false;
  End& from = c.end[d];
  End& to = c.end[1 - d];
  int64_t now = queue_.now_ns();
  while (!dir.flight.empty() && dir.flight.front().arrive_at <= now) {
    Segment& seg = dir.flight.front();
    const Host& dst = hosts_[to.host];
    if (!dst.up || blocked(from.host, to.host)) {
      if (now - seg.first_sent >= params_.give_up_ns) {
        ++stats_.give_ups;
        fail_end(c, d, Err::kTimedOut, "retransmissions gave up");
        drop_outgoing(c, d);  // a closed sender's FIN or RST gives up too
        break;
      }
      int64_t rto =
          std::min(params_.rto_min_ns << std::min<int>(seg.retries, 20), params_.rto_max_ns);
      ++seg.retries;
      ++stats_.retransmits;
      seg.arrive_at = now + rto;
      break;
    }
    bool gone = to.incarnation != dst.incarnation || to.closed || to.err != Err::kOk;
    if (gone && seg.kind == SegKind::kData) {
      // Data for an end that no longer exists (closed, reset, or its host restarted): the
      // answer is RST, and the sender's end fails when it gets there.
      trace(to.host, c.id, "rst_reply", seg.len);
      if (sink_ != nullptr) {
        sink_->rst(now, c.id, 1 - d,
                   to.incarnation != dst.incarnation
                       ? "RST: data for a connection its host forgot (restarted)"
                       : "RST: data for a closed or reset end");
      }
      drop_outgoing(c, d);
      if (!from.closed) reply_rst(c, 1 - d);
      break;
    }
    Segment s = seg;
    dir.flight.pop_front();
    if (s.kind == SegKind::kData) {
      bool vanish = params_.debug_vanish_ppm > 0 && rng_.chance_ppm(params_.debug_vanish_ppm);
      if (!vanish) dir.in.append(dir.out.data(), s.len);
      if (sink_ != nullptr) {
        sink_->delivered(now, c.id, d, {dir.out.data(), s.len}, uint32_t(s.lost) + s.retries);
      }
      if (params_.trace_payload) {
        trace(to.host, c.id, "deliver", s.len, hex_of(dir.out.data(), s.len));
      } else {
        trace(to.host, c.id, "deliver", s.len);
      }
      dir.out.consume(s.len);
      dir.wire -= s.len;
      stats_.bytes_delivered += s.len;
      notify(c, 1 - d);
      notify(c, d);
    } else if (s.kind == SegKind::kFin) {
      // The peer's kernel answers a FIN while it still knows the connection (even closed).
      if (sink_ != nullptr && to.incarnation == dst.incarnation && to.err == Err::kOk) {
        sink_->fin(now, c.id, d);
      }
      if (!gone) {
        dir.eof = true;
        trace(to.host, c.id, "fin", 0);
        notify(c, 1 - d);
      }
    } else if (s.kind == SegKind::kRst) {
      if (sink_ != nullptr) sink_->rst(now, c.id, d, "RST: closed with unread input");
      if (!gone) fail_end(c, 1 - d, Err::kConnReset, "reset by peer");
    } else if (!gone) {  // kRstReply: its packet was written when it was sent
      fail_end(c, 1 - d, Err::kConnReset, "RST in reply to data");
    }
  }
  schedule_delivery(c, d);
  maybe_forget(c);
}

void Network::reply_rst(Conn& c, int side) {
  // Sent by side's kernel, behind what that side already put on the wire: segments of one
  // direction arrive in the order they were sent, as on Linux's loopback, where a peer reads
  // the bytes that left before an RST and then ECONNRESET. What side had not sent yet dies
  // with the connection (Linux purges the write queue when it resets).
  Dir& out = c.dir[side];
  out.out.truncate(out.wire);
  out.fin_queued = out.fin_sent;
  push_segment(c, side, SegKind::kRstReply, 0);
}

void Network::drop_outgoing(Conn& c, int d) {
  Dir& dir = c.dir[d];
  // Room to write, without a wake-up (the writer finds it when it next looks, as it always
  // has): noted only, for an owner that pumps what it was told of.
  End& e = c.end[d];
  if (!dir.out.empty() && !e.closed && e.owner != nullptr) {
    e.owner->on_changed(EndRef{c.id, uint8_t(d)}, e.owner_tag);
  }
  dir.out.clear();
  dir.wire = 0;
  dir.flight.clear();
  dir.window_blocked = false;
}

void Network::fail_end(Conn& c, int side, Err err, std::string_view why) {
  End& e = c.end[side];
  if (e.closed || e.err != Err::kOk) return;
  // A reset after the peer's FIN (Linux's CLOSE_WAIT) fails with EPIPE, not ECONNRESET
  // (tcp_reset; sim/net/linux_tcp_test.py).
  e.err = err == Err::kConnReset && c.dir[1 - side].eof ? Err::kBrokenPipe : err;
  drop_outgoing(c, side);
  trace(e.host, c.id, err == Err::kTimedOut ? "timed_out" : "reset", 0, why);
  if (sink_ != nullptr && err == Err::kTimedOut) {
    sink_->event(queue_.now_ns(), e.host, c.id,
                 std::string(why) + ": " + e.address + " fails with ETIMEDOUT");
  }
  notify(c, side);
}

void Network::notify(Conn& c, int side) {
  End& e = c.end[side];
  if (e.closed || e.owner == nullptr) return;
  e.owner->on_changed(EndRef{c.id, uint8_t(side)}, e.owner_tag);  // even with an event pending
  if (e.notify_pending) return;
  e.notify_pending = true;
  queue_.schedule_in(0, this, kNotify, c.id, uint64_t(side));
}

void Network::maybe_forget(Conn& c) {
  if (!c.end[0].closed || (c.established && !c.end[1].closed)) return;
  if (!c.dir[0].flight.empty() || !c.dir[1].flight.empty()) return;
  if (!c.established) return;  // the pending SYN event forgets it
  erase_conn(c.id);
}

IoStatus Network::read(EndRef ref, std::span<uint8_t> into, size_t* n, Err* err) {
  *n = 0;
  Conn* c = find(ref.conn);
  if (c == nullptr || c->end[ref.side].closed) {
    *err = Err::kNotConnected;
    return IoStatus::kError;
  }
  End& e = c->end[ref.side];
  Dir& dir = c->dir[1 - ref.side];
  if (!dir.in.empty() && !into.empty()) {
    size_t take = std::min(into.size(), dir.in.size());
    if (take > 1 && params_.split_ppm > 0 && rng_.chance_ppm(params_.split_ppm)) {
      take = 1 + rng_.below(take);
    }
    if (params_.read_max > 0) take = std::min(take, params_.read_max);
    std::memcpy(into.data(), dir.in.data(), take);
    dir.in.consume(take);
    *n = take;
    if (dir.window_blocked && !dir.tx_scheduled) {
      // The window update travels back to the writer.
      dir.window_blocked = false;
      dir.tx_scheduled = true;
      queue_.schedule_in(link(e.host, c->end[1 - ref.side].host).latency_ns, this, kTransmit,
                         ref.conn, uint64_t(1 - ref.side));
    }
    return IoStatus::kOk;
  }
  // A FIN that arrived comes first: on Linux, read() answers EOF once the peer's FIN is in,
  // even after an RST failed the connection (tcp_recvmsg looks at SOCK_DONE before sk_err;
  // probed over loopback); writes still fail.
  if (dir.eof) return IoStatus::kEof;
  // The error is reported once, to a read or a write, then reads give EOF (Linux: sock_error()
  // clears sk_err, and the reset connection is shut down for reading; probed over loopback).
  if (e.err != Err::kOk && e.err_reported) return IoStatus::kEof;
  if (e.err != Err::kOk) {
    e.err_reported = true;
    *err = e.err;
    return IoStatus::kError;
  }
  return IoStatus::kWouldBlock;
}

IoStatus Network::writev(EndRef ref, const Slice* slices, size_t count, size_t* n, Err* err) {
  *n = 0;
  Conn* c = find(ref.conn);
  if (c == nullptr || c->end[ref.side].closed) {
    *err = Err::kNotConnected;
    return IoStatus::kError;
  }
  End& e = c->end[ref.side];
  if (e.err != Err::kOk) {
    // Once reported (here or to a read), the reset end is shut down: EPIPE, as Linux's
    // tcp_sendmsg says for SEND_SHUTDOWN (sim/net/linux_tcp_test.py).
    *err = e.err_reported ? Err::kBrokenPipe : e.err;
    e.err_reported = true;
    return IoStatus::kError;
  }
  if (!e.connected) return IoStatus::kWouldBlock;
  Dir& dir = c->dir[ref.side];
  if (dir.fin_queued) {  // shut down for writing
    *err = Err::kNotConnected;
    return IoStatus::kError;
  }
  size_t room = e.sndbuf > dir.out.size() ? e.sndbuf - dir.out.size() : 0;
  if (room == 0) return IoStatus::kWouldBlock;
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += slices[i].size;
  size_t want = std::min(room, total);
  if (want > 1 && params_.split_ppm > 0 && rng_.chance_ppm(params_.split_ppm)) {
    want = 1 + rng_.below(want);
  }
  size_t done = 0;
  for (size_t i = 0; i < count && done < want; ++i) {
    size_t take = std::min(slices[i].size, want - done);
    dir.out.append(slices[i].data, take);
    done += take;
  }
  *n = done;
  if (done > 0) {
    trace(e.host, ref.conn, "write", int64_t(done));
    transmit(*c, ref.side);
  }
  return IoStatus::kOk;
}

bool Network::readable(EndRef ref) const {
  const Conn* c = find(ref.conn);
  if (c == nullptr || c->end[ref.side].closed) return false;
  const Dir& dir = c->dir[1 - ref.side];
  return !dir.in.empty() || dir.eof || c->end[ref.side].err != Err::kOk;
}

bool Network::writable(EndRef ref) const {
  const Conn* c = find(ref.conn);
  if (c == nullptr || c->end[ref.side].closed) return false;
  const End& e = c->end[ref.side];
  if (e.err != Err::kOk) return true;
  return e.connected && c->dir[ref.side].out.size() < e.sndbuf;
}

void Network::adopt(EndRef ref, EndOwner* owner) {
  Conn* c = find(ref.conn);
  if (c == nullptr || c->end[ref.side].closed) return;
  c->end[ref.side].owner = owner;
  notify(*c, ref.side);
}

void Network::set_owner_tag(EndRef ref, uint64_t tag) {
  Conn* c = find(ref.conn);
  if (c != nullptr) c->end[ref.side].owner_tag = tag;
}

void Network::close(EndRef ref) {
  Conn* c = find(ref.conn);
  if (c == nullptr) return;
  End& e = c->end[ref.side];
  if (e.closed) return;
  e.closed = true;
  e.owner = nullptr;
  if (!c->established) {
    trace(e.host, c->id, "connect_cancelled", 0);
    return;  // the pending SYN event forgets it
  }
  Dir& in = c->dir[1 - ref.side];
  Dir& out = c->dir[ref.side];
  if (e.err == Err::kOk) {
    if (!in.in.empty()) {
      // Unread input: Linux answers close() with RST, and unsent bytes are dropped.
      trace(e.host, c->id, "close_rst", int64_t(in.in.size()));
      out.out.truncate(out.wire);
      push_segment(*c, ref.side, SegKind::kRst, 0);
    } else {
      trace(e.host, c->id, "close", 0);
      out.fin_queued = true;
      transmit(*c, ref.side);
    }
  }
  in.in.clear();
  maybe_forget(*c);
}

void Network::shutdown_write(EndRef ref) {
  Conn* c = find(ref.conn);
  if (c == nullptr || !c->established) return;
  End& e = c->end[ref.side];
  Dir& out = c->dir[ref.side];
  if (e.closed || e.err != Err::kOk || out.fin_queued) return;
  trace(e.host, c->id, "shutdown_write", 0);
  out.fin_queued = true;
  transmit(*c, ref.side);
}

const std::string& Network::local_address(EndRef ref) const {
  static const std::string kNone;
  const Conn* c = find(ref.conn);
  return c == nullptr ? kNone : c->end[ref.side].address;
}

HostId Network::host_of(EndRef ref) const {
  const Conn* c = find(ref.conn);
  return c == nullptr ? 0 : c->end[ref.side].host;
}

// --- faults ---

std::vector<ConnId> Network::live_connections() const {
  std::vector<ConnId> out;
  for (const auto& [id, c] : conns_) {
    if (!c.established) continue;
    bool live = true;
    for (const End& e : c.end) live = live && !e.closed && e.err == Err::kOk;
    if (live) out.push_back(id);
  }
  return out;
}

void Network::reset(ConnId id) {
  Conn* c = find(id);
  if (c == nullptr) return;
  ++stats_.resets;
  trace(c->end[0].host, id, "inject_reset", 0);
  if (sink_ != nullptr) sink_->rst(queue_.now_ns(), id, 0, "RST injected (reset fault)");
  for (int side = 0; side < 2; ++side) fail_end(*c, side, Err::kConnReset, "reset mid-stream");
}

// --- events ---

void Network::on_event(const Event& event) {
  Conn* c = find(event.a);
  if (c == nullptr) return;
  switch (event.kind) {
    case kSyn:
      on_syn(*c);
      break;
    case kSynAck: {
      End& cli = c->end[0];
      if (cli.closed) return;
      cli.connected = true;
      trace(cli.host, c->id, "connected", 0);
      if (cli.owner != nullptr) cli.owner->on_connect_result(EndRef{c->id, 0}, Err::kOk);
      break;
    }
    case kConnectFailed: {
      Err err = Err(event.b);
      End& cli = c->end[0];
      EndOwner* owner = cli.closed ? nullptr : cli.owner;
      HostId host = cli.host;
      if (err == Err::kTimedOut) ++stats_.connect_timeouts;
      trace(host, c->id, "connect_failed", 0, err_name(err));
      if (sink_ != nullptr && err == Err::kTimedOut) {
        sink_->event(queue_.now_ns(), host, c->id, cli.address + ": connect timed out");
      }
      erase_conn(event.a);
      if (owner != nullptr) owner->on_connect_result(EndRef{event.a, 0}, err);
      break;
    }
    case kTransmit:
      c->dir[event.b].tx_scheduled = false;
      transmit(*c, int(event.b));
      break;
    case kDeliver:
      deliver(*c, int(event.b));
      break;
    case kNotify: {
      End& e = c->end[event.b];
      e.notify_pending = false;
      if (!e.closed && e.owner != nullptr) e.owner->on_ready(EndRef{c->id, uint8_t(event.b)});
      break;
    }
    default:
      break;
  }
}

}  // namespace zlab::sim
