#include "sim/world/sim_socket.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace zlab::sim {
namespace {

constexpr int kDontWait = 1;  // ZMQ_DONTWAIT: the core never blocks anyway
constexpr int kMaxSettleRounds = 100000;
constexpr int kMaxTimerFiresAtOneInstant = 10000;

// One stream of the network as the engine's pumps see it.
class NetStream final : public ByteStream {
 public:
  NetStream(Network& net, EndRef end) : net_(net), end_(end) {}
  Status read(std::span<uint8_t> into, size_t* n, Err* err) override {
    IoStatus st = net_.read(end_, into, n, err);
    moved += *n;
    return map(st);
  }
  Status writev(const wire::IoSlice* slices, size_t count, size_t* n, Err* err) override {
    Slice local[64];
    count = std::min<size_t>(count, 64);
    for (size_t i = 0; i < count; ++i) local[i] = Slice{slices[i].data, slices[i].size};
    IoStatus st = net_.writev(end_, local, count, n, err);
    moved += *n;
    return map(st);
  }
  size_t moved = 0;
  bool ended = false;  // EOF or an error was reported

 private:
  Status map(IoStatus st) {
    switch (st) {
      case IoStatus::kOk:
        return Status::kOk;
      case IoStatus::kWouldBlock:
        return Status::kWouldBlock;
      case IoStatus::kEof:
        ended = true;
        return Status::kEof;
      case IoStatus::kError:
        ended = true;
        return Status::kError;
    }
    return Status::kError;
  }
  Network& net_;
  EndRef end_;
};

}  // namespace

std::string_view monitor_event_name(uint16_t event) {
  switch (event) {
    case monitor::kConnected:
      return "connected";
    case monitor::kConnectDelayed:
      return "connect_delayed";
    case monitor::kConnectRetried:
      return "connect_retried";
    case monitor::kListening:
      return "listening";
    case monitor::kBindFailed:
      return "bind_failed";
    case monitor::kAccepted:
      return "accepted";
    case monitor::kAcceptFailed:
      return "accept_failed";
    case monitor::kClosed:
      return "closed";
    case monitor::kCloseFailed:
      return "close_failed";
    case monitor::kDisconnected:
      return "disconnected";
    case monitor::kMonitorStopped:
      return "monitor_stopped";
    case monitor::kHandshakeFailedNoDetail:
      return "handshake_failed_no_detail";
    case monitor::kHandshakeSucceeded:
      return "handshake_succeeded";
    case monitor::kHandshakeFailedProtocol:
      return "handshake_failed_protocol";
    case monitor::kHandshakeFailedAuth:
      return "handshake_failed_auth";
    default:
      return "unknown";
  }
}

SimSocket::SimSocket(SocketEnv env, uint32_t id, SocketType type, uint64_t seed)
    : env_(env),
      id_(id),
      type_(type),
      name_("s" + std::to_string(id) + " " + std::string(socket_type_info(type).name)),
      core_(std::make_unique<SocketCore>(type, seed)) {
  trace("socket", 0, 0, name_);
}

SimSocket::~SimSocket() = default;

void SimSocket::trace(std::string_view event, uint64_t conn, int64_t bytes,
                      std::string_view detail) {
  env_.trace->record(env_.queue->now_ns(), env_.net->host_name(env_.host), conn, event, bytes,
                     detail);
}

int64_t SimSocket::now_ns() { return env_.clock->local(env_.queue->now_ns()); }

// --- application side ---

Err SimSocket::bind(std::string_view endpoint) {
  if (!core_) return Err::kTerminated;
  Err err = bind_through(*core_, *this, endpoint);
  settle();
  return err;
}

Err SimSocket::connect(std::string_view endpoint) {
  if (!core_) return Err::kTerminated;
  Err err = core_->connect(endpoint, now_ns());
  settle();
  return err;
}

Err SimSocket::connect_peer(std::string_view endpoint, uint32_t* routing_id) {
  if (!core_) return Err::kTerminated;
  Err err = core_->connect_peer(endpoint, now_ns(), routing_id);
  settle();
  return err;
}

Err SimSocket::join(std::string_view group) {
  if (!core_) return Err::kTerminated;
  Err err = core_->join(group, now_ns());
  settle();
  return err;
}

Err SimSocket::leave(std::string_view group) {
  if (!core_) return Err::kTerminated;
  Err err = core_->leave(group, now_ns());
  settle();
  return err;
}

Err SimSocket::unbind(std::string_view endpoint) {
  if (!core_) return Err::kTerminated;
  Err err = core_->unbind(endpoint, now_ns());
  settle();
  return err;
}

Err SimSocket::disconnect(std::string_view endpoint) {
  if (!core_) return Err::kTerminated;
  Err err = core_->disconnect(endpoint, now_ns());
  settle();
  return err;
}

Err SimSocket::set_option(int option, std::span<const uint8_t> value) {
  if (!core_) return Err::kTerminated;
  Err err = core_->set_option(option, value, now_ns());
  settle();
  return err;
}

Err SimSocket::set_int(int option, int value) {
  return set_option(option, {reinterpret_cast<const uint8_t*>(&value), sizeof value});
}

Err SimSocket::set_bytes(int option, std::string_view value) {
  return set_option(option, {reinterpret_cast<const uint8_t*>(value.data()), value.size()});
}

int SimSocket::get_int(int option) {
  int v = 0;
  size_t size = sizeof v;
  if (!core_ || core_->get_option(option, reinterpret_cast<uint8_t*>(&v), &size) != Err::kOk) {
    return -1;
  }
  return v;
}

std::string SimSocket::last_endpoint() { return core_ ? core_->options().last_endpoint : ""; }

Err SimSocket::send(Msg& part, int flags) {
  if (!core_ || closing_) return Err::kTerminated;
  PacketSink* sink = env_.net->packet_sink();
  uint64_t dropped = sink != nullptr ? core_->dropped_messages() : 0;
  Err err = core_->send(part, flags & ~kDontWait, now_ns());
  if (err == Err::kAgain) ++mutes_;
  if (sink != nullptr) note_pressure(sink, err, core_->dropped_messages() > dropped);
  settle(err != Err::kAgain);
  return err;
}

void SimSocket::note_pressure(PacketSink* sink, Err err, bool dropped) {
  // Only the changes: a socket that stays mute (or keeps dropping) is one event.
  std::string_view host = env_.net->host_name(env_.host);
  int64_t now = env_.queue->now_ns();
  if (err == Err::kAgain && !mute_) {
    mute_ = true;
    sink->event(now, env_.host, 0,
                std::string(host) + "/" + name_ + " mute: send would block (HWM or no peer)");
  } else if (err == Err::kOk && mute_) {
    mute_ = false;
    sink->event(now, env_.host, 0, std::string(host) + "/" + name_ + " no longer mute");
  }
  // A PUB at a slow subscriber's HWM drops one message in a few: one event when drops start,
  // and one when none has come for kQuietNs, with how many there were, not one per toggle.
  constexpr int64_t kQuietNs = 100'000'000;
  if (dropped) {
    if (!dropping_) {
      sink->event(now, env_.host, 0,
                  std::string(host) + "/" + name_ + " HWM reached: drops messages");
    }
    dropping_ = true;
    ++drops_in_episode_;
    last_drop_ns_ = now;
  } else if (err == Err::kOk && dropping_ && now - last_drop_ns_ >= kQuietNs) {
    dropping_ = false;
    sink->event(now, env_.host, 0,
                std::string(host) + "/" + name_ + " below its HWM again (" +
                    std::to_string(drops_in_episode_) + " dropped)");
    drops_in_episode_ = 0;
  }
}

Err SimSocket::recv(Msg* part) {
  if (!core_ || closing_) return Err::kTerminated;
  Err err = core_->recv(part, now_ns());
  settle(err != Err::kAgain);
  return err;
}

uint32_t SimSocket::events() { return core_ && !closing_ ? core_->events(now_ns()) : 0; }

uint32_t SimSocket::ready_mask() {
  if (!core_ || closing_) return kReadyErr;
  return core_->events(now_ns());
}

void SimSocket::close() {
  if (!core_ || closing_) return;
  closing_ = true;
  trace("socket_close", 0, 0, name_);
  core_->close(now_ns());
  settle();
}

void SimSocket::kill() {
  if (!core_) return;
  trace("socket_killed", 0, 0, name_);
  // The network already forgot this host's ends and listeners (and its udp sockets).
  udp_listeners_.clear();
  udp_streams_.clear();
  streams_.clear();
  by_conn_.clear();
  listeners_.clear();
  by_listener_.clear();
  told_.clear();
  core_.reset();
  changed();
}

uint64_t SimSocket::monitor_count(uint16_t event) const {
  auto it = monitor_counts_.find(event);
  return it == monitor_counts_.end() ? 0 : it->second;
}

// --- running the core ---

void SimSocket::request_settle() {
  if (settle_scheduled_) return;
  settle_scheduled_ = true;
  env_.queue->schedule_in(0, this, kSettle);
}

bool SimSocket::pump_stream(StreamId id) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.connecting) return false;
  Stream& st = it->second;
  EndRef end = st.end;
  bool progress = false;
  if (!st.eof_given && !st.error_given && env_.net->readable(end) &&
      !core_->read_buffer(id).empty()) {
    NetStream ns(*env_.net, end);
    pump_in(*core_, id, ns, now_ns(), 64);  // the clock is read only when bytes move
    if (ns.ended) {
      // One EOF or error per stream: the core closes the stream when it is ready to.
      auto again = streams_.find(id);
      if (again != streams_.end()) again->second.eof_given = true;
    }
    progress = ns.moved > 0 || ns.ended;
    it = streams_.find(id);  // the reads may have closed the stream
    if (it == streams_.end()) return progress;
  }
  if (!it->second.error_given && core_->wants_write(id) && env_.net->writable(end)) {
    NetStream ns(*env_.net, end);
    pump_out(*core_, id, ns, now_ns(), 64);
    if (ns.ended) {
      auto again = streams_.find(id);
      if (again != streams_.end()) again->second.error_given = true;
    }
    progress = progress || ns.moved > 0 || ns.ended;
  }
  return progress;
}

void SimSocket::tell(StreamId id) {
  auto at = std::lower_bound(told_.begin(), told_.end(), id);
  if (at == told_.end() || *at != id) told_.insert(at, id);
}

void SimSocket::take_core_news() {
  StreamId id;
  while (core_->poll_dirty(&id)) tell(id);
}

bool SimSocket::pump_told_streams() {
  bool progress = false;
  StreamId next = 0;
  for (;;) {
    auto it = std::lower_bound(told_.begin(), told_.end(), next);
    if (it == told_.end()) break;
    StreamId id = *it;
    check_untold(next, id);  // what a pump of every stream would have visited before this one
    bool moved = pump_stream(id);
    if (!moved) {  // nothing to move: untold until the core or the network says otherwise
      auto at = std::lower_bound(told_.begin(), told_.end(), id);
      if (at != told_.end() && *at == id) told_.erase(at);
    }
    take_core_news();
    progress = moved || progress;
    if (id == std::numeric_limits<StreamId>::max()) break;
    next = id + 1;
  }
  check_untold(next, uint64_t(std::numeric_limits<StreamId>::max()) + 1);
  return progress;
}

bool SimSocket::could_move(StreamId id, const Stream& st) {
  if (st.connecting) return false;
  if (!st.eof_given && !st.error_given && env_.net->readable(st.end) &&
      !core_->read_buffer(id).empty()) {
    return true;
  }
  return !st.error_given && core_->wants_write(id) && env_.net->writable(st.end);
}

// The contract pump_told_streams relies on, checked in debug builds (which every sim test and
// conformance run uses): pumping only the told streams gives what pumping all of them in id
// order would, so an untold stream that could move bytes where that pump would have looked at
// it is a lost wake-up. [from, to) are stream ids. (read_buffer may compact, which moves where
// later reads split; on an untold readable stream it is a no-op, as its last pump found it
// empty and the core tells when it consumes: debug and optimised traces agree, 2,100 of 2,100.)
void SimSocket::check_untold(uint64_t from, uint64_t to) {
#ifndef NDEBUG
  for (auto it = streams_.lower_bound(StreamId(std::min<uint64_t>(from, UINT32_MAX)));
       it != streams_.end() && it->first >= from && it->first < to; ++it) {
    const auto& [id, st] = *it;
    if (std::binary_search(told_.begin(), told_.end(), id) || !could_move(id, st)) continue;
    bool in = env_.net->readable(st.end) && !core_->read_buffer(id).empty();
    report_engine_error(name_ + ": stream " + std::to_string(id) + " could " +
                        (in ? "read" : "write") + " but neither the core nor the network said so");
    return;
  }
#else
  (void)from;
  (void)to;
#endif
}

void SimSocket::settle(bool notify) {
  if (!core_) return;
  if (in_settle_) {
    settle_again_ = true;
    return;
  }
  in_settle_ = true;
  for (int round = 0;; ++round) {
    settle_again_ = false;
    // ZAP replies reach the core from here, never from inside carry_out's zap_request.
    std::vector<std::pair<StreamId, std::vector<Msg>>> replies;
    replies.swap(zap_replies_);
    for (auto& [id, frames] : replies) core_->handle_zap_reply(id, frames, false, now_ns());
    carry_out(*core_, *this);
    bool progress = pump_told_streams();
    std::vector<StreamId>& ids = settle_ids_;  // reused: settle runs once at a time
    ids.clear();
    for (const auto& [id, st] : udp_streams_) ids.push_back(id);
    for (StreamId id : ids) progress = pump_datagrams(id) || progress;
    if (!progress && !settle_again_) break;
    if (round == kMaxSettleRounds) {
      report_engine_error(name_ +
                          ": the streams never settled (the core keeps asking to move bytes)");
      break;
    }
  }
  check_untold(0, uint64_t(std::numeric_limits<StreamId>::max()) + 1);
  drain_monitor();
  in_settle_ = false;
  if (closing_ && core_->finished()) {
    trace("socket_finished", 0, 0, name_);
    for (auto& [eid, lid] : listeners_) env_.net->unlisten(lid);
    for (auto& [sid, st] : streams_) env_.net->close(st.end);
    close_datagrams();
    core_.reset();
  }
  if (notify) changed();
}

void SimSocket::report_engine_error(std::string what) {
  trace("engine_error", 0, 0, what);
  if (env_.engine_error != nullptr && env_.engine_error->empty()) *env_.engine_error = what;
  if (engine_error_.empty()) engine_error_ = std::move(what);
}

void SimSocket::drain_monitor() {
  MonitorEvent ev;
  while (core_->poll_monitor_event(&ev)) {
    ++monitor_counts_[ev.event];
    uint64_t conn = 0;
    if (auto it = streams_.find(ev.stream); it != streams_.end()) conn = it->second.end.conn;
    std::string detail = name_ + " " + ev.endpoint;
    if (!ev.detail.empty()) detail += " (" + ev.detail + ")";
    std::string event = "mon_";
    event += monitor_event_name(ev.event);
    trace(event, conn, 0, detail);
  }
}

// --- Driver ---

bool SimSocket::parse_tcp(const Endpoint& endpoint, std::string* host, uint16_t* port,
                          bool* any_port) {
  size_t colon = endpoint.address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = endpoint.address.substr(0, colon);
  std::string_view p = std::string_view(endpoint.address).substr(colon + 1);
  *any_port = p == "*" || p == "0";
  if (*any_port) {
    *port = 0;
    return true;
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value == 0 || value > 65535) {
    return false;
  }
  *port = uint16_t(value);
  return true;
}

Err SimSocket::listen_udp(EndpointId id, const Endpoint& endpoint, std::string* resolved) {
  UdpAddress address;
  if (env_.dgram == nullptr) return Err::kProtoNotSupported;
  if (Err err = parse_udp_address(endpoint.address, true, &address); err != Err::kOk) return err;
  const std::string& me = env_.net->host_name(env_.host);
  std::string group = address.multicast ? address.host : std::string();
  if (!address.multicast && address.host != "*" && address.host != me &&
      address.host != "localhost") {
    return Err::kAddrNotAvailable;
  }
  DgramId socket = 0;
  Err err = env_.dgram->bind(env_.host, address.port, group, this, &socket);
  if (err != Err::kOk) return err;
  udp_listeners_[id] = socket;
  *resolved = endpoint.text;  // libzmq's LAST_ENDPOINT for udp: as given
  return Err::kOk;
}

Err SimSocket::open_datagram(StreamId id, EndpointId listener, const Endpoint& endpoint,
                             DatagramRole role, const SocketOptions& options) {
  (void)options;  // one interface per host: hops and loop change nothing here
  if (env_.dgram == nullptr) return Err::kProtoNotSupported;
  // DGRAM's addressed datagrams (each naming its peer) are the real driver's only.
  if (role == DatagramRole::kAddressed) return Err::kProtoNotSupported;
  UdpStream stream;
  if (role == DatagramRole::kReceive) {
    auto it = udp_listeners_.find(listener);
    if (it == udp_listeners_.end()) return Err::kInvalid;
    stream.socket = it->second;
    udp_listeners_.erase(it);
  } else {
    UdpAddress address;
    if (Err err = parse_udp_address(endpoint.address, false, &address); err != Err::kOk) return err;
    stream.to = address.host == "localhost" ? env_.net->host_name(env_.host) : address.host;
    stream.port = address.port;
    if (Err err = env_.dgram->open(env_.host, &stream.socket); err != Err::kOk) return err;
  }
  udp_streams_[id] = std::move(stream);
  return Err::kOk;
}

void SimSocket::on_datagram(DgramId id) {
  (void)id;
  request_settle();
}

namespace {

// One simulated udp socket as the driver's DatagramPort.
class SimDatagramPort final : public DatagramPort {
 public:
  SimDatagramPort(DatagramNet& net, DgramId socket, const std::string& to, uint16_t port)
      : net_(net), socket_(socket), to_(to), port_(port) {}
  Status receive(std::span<uint8_t> into, size_t* n, Err* err) override {
    (void)err;
    if (net_.receive(socket_, into, n) != IoStatus::kOk) return Status::kWouldBlock;
    ++moved;
    return Status::kOk;
  }
  Status send(const wire::IoSlice* slices, size_t count, Err* err) override {
    std::vector<uint8_t> datagram;
    for (size_t i = 0; i < count; ++i) {
      datagram.insert(datagram.end(), slices[i].data, slices[i].data + slices[i].size);
    }
    *err = net_.send(socket_, to_, port_, datagram);
    ++moved;  // sent, or lost: either way it is gone (kHostUnreachable: no such host)
    return *err == Err::kOk ? Status::kOk : Status::kError;
  }
  int moved = 0;

 private:
  DatagramNet& net_;
  DgramId socket_;
  const std::string& to_;
  uint16_t port_;
};

}  // namespace

bool SimSocket::pump_datagrams(StreamId id) {
  auto it = udp_streams_.find(id);
  if (it == udp_streams_.end()) return false;
  SimDatagramPort port(*env_.dgram, it->second.socket, it->second.to, it->second.port);
  int64_t now = now_ns();
  if (env_.dgram->readable(it->second.socket)) pump_datagrams_in(*core_, id, port, now, 64);
  if (udp_streams_.count(id) && core_->wants_write(id)) {
    pump_datagrams_out(*core_, id, port, now, 64);
  }
  return port.moved > 0;
}

void SimSocket::close_datagrams() {
  for (auto& [eid, socket] : udp_listeners_) env_.dgram->close(socket);
  for (auto& [sid, st] : udp_streams_) env_.dgram->close(st.socket);
  udp_listeners_.clear();
  udp_streams_.clear();
}

Err SimSocket::listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
                      std::string* resolved) {
  if (endpoint.transport == Transport::kUdp) return listen_udp(id, endpoint, resolved);
  if (endpoint.transport != Transport::kTcp) return Err::kProtoNotSupported;
  std::string host;
  uint16_t port = 0;
  bool any_port = false;
  if (!parse_tcp(endpoint, &host, &port, &any_port)) return Err::kInvalid;
  const std::string& me = env_.net->host_name(env_.host);
  if (host != "*" && host != me && host != "0.0.0.0" && host != "localhost") {
    return Err::kAddrNotAvailable;
  }
  uint16_t bound = 0;
  ListenerId lid = 0;
  ConnectOptions buffers;  // what accepted connections get, as from a real listener
  buffers.sndbuf = options.sndbuf > 0 ? size_t(options.sndbuf) : 0;
  buffers.rcvbuf = options.rcvbuf > 0 ? size_t(options.rcvbuf) : 0;
  Err err = env_.net->listen(env_.host, port, this, &bound, &lid, buffers);
  if (err != Err::kOk) return err;
  listeners_[id] = lid;
  by_listener_[lid] = id;
  *resolved = "tcp://" + me + ":" + std::to_string(bound);
  return Err::kOk;
}

ConnectResult SimSocket::connect(StreamId id, const Endpoint& endpoint,
                                 const SocketOptions& options) {
  using Kind = ConnectResult::Kind;
  if (endpoint.transport != Transport::kTcp) return {Kind::kFailed, Err::kProtoNotSupported, {}};
  std::string host;
  uint16_t port = 0;
  bool any_port = false;
  if (!parse_tcp(endpoint, &host, &port, &any_port) || any_port) {
    return {Kind::kFailed, Err::kInvalid, {}};
  }
  if (host == "localhost") host = env_.net->host_name(env_.host);
  ConnectOptions co;
  co.timeout_ns =
      options.connect_timeout_ms > 0 ? int64_t(options.connect_timeout_ms) * 1'000'000 : 0;
  co.sndbuf = options.sndbuf > 0 ? size_t(options.sndbuf) : 0;
  co.rcvbuf = options.rcvbuf > 0 ? size_t(options.rcvbuf) : 0;
  EndRef end;
  Err err = env_.net->connect(env_.host, host, port, this, co, &end);
  if (err != Err::kOk) return {Kind::kFailed, err, {}};
  Stream st;
  st.end = end;
  st.connecting = true;
  streams_[id] = st;
  by_conn_[end.conn] = id;
  env_.net->set_owner_tag(end, uint64_t(id) + 1);
  return {Kind::kInProgress, Err::kOk, {}};
}

void SimSocket::set_interest(StreamId id, bool read, bool write) {
  // What the stream wants is asked again when it is pumped (the network may have changed
  // meanwhile): only that it changed matters here.
  (void)read;
  (void)write;
  tell(id);
}

void SimSocket::set_deadline(int64_t deadline_ns) {
  int64_t at = env_.clock->global_at(deadline_ns);
  if (at >= timer_at_) return;  // an earlier timer is armed; it re-arms when it fires
  timer_at_ = at;
  ++timer_gen_;
  env_.queue->schedule(at, this, kTimer, timer_gen_);
}

void SimSocket::close_stream(StreamId id) {
  if (auto u = udp_streams_.find(id); u != udp_streams_.end()) {
    env_.dgram->close(u->second.socket);
    udp_streams_.erase(u);
    return;
  }
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  env_.net->close(it->second.end);
  by_conn_.erase(it->second.end.conn);
  streams_.erase(it);
}

void SimSocket::shutdown_write(StreamId id) {
  auto it = streams_.find(id);
  if (it != streams_.end()) env_.net->shutdown_write(it->second.end);
}

void SimSocket::close_listener(EndpointId id) {
  if (auto u = udp_listeners_.find(id); u != udp_listeners_.end()) {
    env_.dgram->close(u->second);  // never handed to a stream
    udp_listeners_.erase(u);
    return;
  }
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  env_.net->unlisten(it->second);
  by_listener_.erase(it->second);
  listeners_.erase(it);
}

bool SimSocket::zap_request(StreamId id, std::vector<Msg> frames) {
  if (zap_handler_) {  // the socket's own answerer (fuzz/sim): answered on the next settle
    zap_replies_.emplace_back(id, zap_handler_(frames));
    settle_again_ = true;
    request_settle();
    return true;
  }
  // The world's handler actor. Traced only when a handler takes it, so worlds without one
  // keep their traces.
  size_t n = frames.size();
  if (env_.zap == nullptr || !env_.zap->route_zap(env_.host, this, id, std::move(frames))) {
    return false;
  }
  trace("zap_request", id, int64_t(n));
  return true;
}

void SimSocket::deliver_zap_reply(StreamId stream, std::vector<Msg> frames) {
  if (!core_) return;
  trace("zap_reply", stream, int64_t(frames.size()));
  core_->handle_zap_reply(stream, frames, /*no_handler=*/false, now_ns());
  settle();
}

// --- network owner ---

void SimSocket::on_connect_result(EndRef end, Err err) {
  if (!core_) return;
  auto it = by_conn_.find(end.conn);
  if (it == by_conn_.end()) return;
  StreamId id = it->second;
  if (err == Err::kOk) {
    streams_[id].connecting = false;
    tell(id);
    core_->handle_connected(id, env_.net->peer_address(end), now_ns());
  } else {
    // The network has forgotten the attempt; so does the driver.
    by_conn_.erase(it);
    streams_.erase(id);
    core_->handle_connect_failed(id, err, now_ns());
  }
  settle();
}

void SimSocket::on_ready(EndRef end) {
  (void)end;  // on_changed told its stream already
  settle();
}

void SimSocket::on_changed(EndRef end, uint64_t tag) {
  if (!core_) return;
  if (tag != 0) {  // the stream's id + 1, set when the stream was made
    tell(StreamId(tag - 1));
    return;
  }
  auto it = by_conn_.find(end.conn);
  if (it == by_conn_.end()) return;
  auto st = streams_.find(it->second);
  if (st != streams_.end() && st->second.end.side == end.side) {
    tell(it->second);
    return;
  }
  // Both ends of one connection are this socket's (it connected to itself): by_conn_ names
  // one of them.
  for (const auto& [id, stream] : streams_) {
    if (stream.end.conn == end.conn && stream.end.side == end.side) tell(id);
  }
}

EndOwner* SimSocket::on_accept(ListenerId listener, EndRef end, const std::string& peer) {
  auto it = by_listener_.find(listener);
  if (!core_ || it == by_listener_.end()) {
    env_.net->close(end);
    return nullptr;
  }
  StreamId id = core_->handle_accepted(it->second, peer, now_ns());
  Stream st;
  st.end = end;
  streams_[id] = st;
  by_conn_[end.conn] = id;
  env_.net->set_owner_tag(end, uint64_t(id) + 1);
  tell(id);
  request_settle();  // not from inside the network's accept
  return this;
}

void SimSocket::on_event(const Event& event) {
  if (!core_) return;
  if (event.kind == kSettle) {
    settle_scheduled_ = false;
    settle();
    return;
  }
  if (event.kind != kTimer || event.a != timer_gen_) return;
  timer_at_ = INT64_MAX;
  int64_t now_global = env_.queue->now_ns();
  timer_fires_at_same_time_ = now_global == last_timer_fire_ ? timer_fires_at_same_time_ + 1 : 0;
  last_timer_fire_ = now_global;
  if (timer_fires_at_same_time_ > kMaxTimerFiresAtOneInstant) {
    report_engine_error(name_ +
                        ": the core's deadline stays due after handle_timeout (timer spin)");
    return;
  }
  int64_t now = now_ns();
  if (core_->next_deadline_ns() <= now) core_->handle_timeout(now);
  settle();
}

}  // namespace zlab::sim
