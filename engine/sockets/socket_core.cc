#include "engine/sockets/socket_core.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

#include "engine/proto/datagram_connection.h"
#include "engine/proto/raw_connection.h"
#include "engine/proto/zmtp_connection.h"
#include "engine/sockets/security_options.h"
#include "engine/sockets/strategies.h"

namespace zlab {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNever = INT64_MAX;

int64_t ms_to_ns(int ms) { return int64_t(ms) * kNsPerMs; }

}  // namespace

SocketCore::SocketCore(SocketType type, uint64_t seed)
    : type_(type), traits_(socket_traits(type)), rng_state_(seed ^ 0x9E3779B97F4A7C15ull) {
  options_.type = socket_type_info(type).zmq_value;
  if (traits_.linger_ms) options_.linger_ms = *traits_.linger_ms;  // XSUB's, SUB's, DISH's 0
  routing_ = make_routing(type, *this);
  intercepts_all_ = routing_->intercepts_all();
  can_send_ = socket_type_info(type).can_send;
  can_recv_ = socket_type_info(type).can_recv;
}

SocketCore::~SocketCore() {
  // Routing first: it holds pointers to peers.
  routing_.reset();
}

uint32_t SocketCore::random_u32() {
  // splitmix64: small, fast, and enough for ids and jitter; the seed comes from the driver.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return uint32_t((z ^ (z >> 31)) >> 32);
}

void SocketCore::emit(uint16_t event, int64_t value, const std::string& endpoint, StreamId stream,
                      std::string detail) {
  constexpr size_t kMaxQueuedEvents = 4096;  // a monitor nobody reads must not grow forever
  if (monitor_.size() >= kMaxQueuedEvents) monitor_.pop_front();
  monitor_.push_back(MonitorEvent{event, value, endpoint, stream, std::move(detail)});
}

bool SocketCore::poll_zap_request(StreamId* stream, std::vector<Msg>* frames) {
  if (zap_requests_.empty()) return false;
  *stream = zap_requests_.front().first;
  *frames = std::move(zap_requests_.front().second);
  zap_requests_.pop_front();
  return true;
}

void SocketCore::handle_zap_reply(StreamId stream, std::span<const Msg> frames, bool no_handler,
                                  int64_t now_ns) {
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) return;
  peer->conn->handle_zap_reply(frames, no_handler, now_ns);
  pump_peer(*peer, now_ns);
}

bool SocketCore::poll_monitor_event(MonitorEvent* event) {
  if (monitor_.empty()) return false;
  *event = std::move(monitor_.front());
  monitor_.pop_front();
  return true;
}

void SocketCore::mark_dirty(StreamId stream) {
  if (stream != kNoStream) dirty_.push_back(stream);
}

bool SocketCore::poll_dirty(StreamId* stream) {
  while (!dirty_.empty()) {
    *stream = dirty_.back();
    dirty_.pop_back();
    // Duplicates are harmless but wasteful: skip a stream listed again right below.
    if (!dirty_.empty() && dirty_.back() == *stream) continue;
    return true;
  }
  return false;
}

bool SocketCore::poll_action(IoAction* action) {
  if (actions_.empty()) return false;
  *action = std::move(actions_.front());
  actions_.pop_front();
  return true;
}

Peer* SocketCore::peer_of(StreamId stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : it->second;
}

// --- options ---

Err SocketCore::set_option(int id, std::span<const uint8_t> value, int64_t now_ns) {
  Err err = routing_->set_option(id, value);
  if (err != Err::kNotSupported) {
    flush_all(now_ns);
    return err;
  }
  if (id == opt::kRcvMore || id == opt::kEvents || id == opt::kFd || id == opt::kType) {
    return Err::kInvalid;
  }
  err = set_generic_option(options_, id, value);
  if (err == Err::kNotSupported) return Err::kInvalid;  // an unknown option is EINVAL in zmq
  if (err == Err::kOk) routing_->option_changed(id);
  if (err == Err::kOk && (id == opt::kSndHwm || id == opt::kRcvHwm)) apply_hwms(now_ns);
  return err;
}

// A new HWM applies to the pipes of peers already there, as libzmq's does: a pipe above a
// lowered mark takes nothing more until it drains below it, and a raised one has room at once.
void SocketCore::apply_hwms(int64_t now_ns) {
  std::vector<uint32_t> ids;
  for (auto& [id, peer] : peers_) {
    peer->out.set_hwm(options_.sndhwm);
    peer->in.set_hwm(options_.rcvhwm);
    if (peer->conn) ids.push_back(id);
  }
  // Room in an in pipe: take what the connections hold back.
  for (uint32_t id : ids) {
    if (Peer* peer = find_peer(id)) pump_peer(*peer, now_ns);
  }
  reap_dead_peers();
}

Err SocketCore::get_option(int id, uint8_t* out, size_t* size) const {
  if (id == opt::kRcvMore) {
    int v = rcvmore_ ? 1 : 0;
    return put_padded(&v, sizeof v, out, size);  // a larger buffer is zeroed, as libzmq's
  }
  Err err = routing_->get_option(id, out, size);
  if (err != Err::kNotSupported) return err;
  err = get_generic_option(options_, id, out, size);
  return err == Err::kNotSupported ? Err::kInvalid : err;
}

// --- application side ---

Err SocketCore::send(Msg& part, int flags, int64_t now_ns) {
  if (closing_) return Err::kTerminated;
  if (!can_send_) return Err::kNotSupported;
  part.set_more(flags & kSendMore);
  part.set_command(false);
  // A subscription an inproc peer made before this send counts for it, as with libzmq's pipes.
  take_inproc_wakes(now_ns);
  Err err = routing_->send(part);
  if (err == Err::kOk) flush_all(now_ns);
  return err;
}

Err SocketCore::recv(Msg* part, int64_t now_ns) {
  if (closing_) return Err::kTerminated;
  if (!can_recv_) return Err::kNotSupported;
  take_inproc_wakes(now_ns);
  Err err = routing_->recv(part);
  if (err == Err::kOk) rcvmore_ = part->more();
  // Reading made room: take more from connections that were held back by the HWM.
  if (!held_back_.empty()) pump_held_back(now_ns);
  reap_dead_peers();
  return err;
}

uint32_t SocketCore::events(int64_t now_ns) {
  uint32_t ev = 0;
  take_inproc_wakes(now_ns);
  if (can_recv_ && routing_->has_in()) ev |= kPollIn;
  if (can_send_ && routing_->has_out()) ev |= kPollOut;
  return ev;
}

// --- endpoints ---

// As libzmq keys its endpoints: a bind by the address it resolved to (ZMQ_LAST_ENDPOINT; so
// "tcp://127.0.0.1:*" names no endpoint, the port it got does), a connect by its text as given.
// Other spellings of the same address are the driver's to resolve (it may look names up).
SocketCore::EndpointRec* SocketCore::find_endpoint(std::string_view text, bool is_bind) {
  for (auto& [id, rec] : endpoints_) {
    if (rec.is_bind != is_bind) continue;
    if ((is_bind ? rec.resolved : rec.endpoint.text) == text) return &rec;
  }
  return nullptr;
}

std::optional<BindRequest> SocketCore::bind(std::string_view text, Err* err) {
  if (closing_) {
    *err = Err::kTerminated;
    return std::nullopt;
  }
  ParsedEndpoint parsed = parse_endpoint(text);
  if (!parsed.endpoint) {
    *err = parsed.err;
    return std::nullopt;
  }
  if (!traits_.binds.has(parsed.endpoint->transport)) {  // STREAM: tcp only
    *err = Err::kNoCompatProto;
    return std::nullopt;
  }
  if (Err e = check_datagram_role(*parsed.endpoint, DatagramRole::kReceive); e != Err::kOk) {
    *err = e;
    return std::nullopt;
  }
  EndpointId id = next_endpoint_id_++;
  endpoints_.emplace(id, EndpointRec(id, *parsed.endpoint, true));
  *err = Err::kOk;
  return BindRequest{id, *parsed.endpoint};
}

bool SocketCore::has_listener(const Endpoint& endpoint) {
  return endpoint.transport != Transport::kInproc && endpoint.transport != Transport::kUdp;
}

Err SocketCore::check_datagram_role(const Endpoint& endpoint, DatagramRole role) const {
  if (endpoint.transport != Transport::kUdp) return Err::kOk;
  // Which types bind (receive) and connect (send) udp is their traits' (DISH, RADIO), checked
  // before this: only the address is left to check.
  UdpAddress address;
  return parse_udp_address(endpoint.address, role == DatagramRole::kReceive, &address);
}

Err SocketCore::complete_bind(EndpointId listener, Err result, std::string resolved,
                              int64_t now_ns) {
  auto it = endpoints_.find(listener);
  if (it == endpoints_.end()) return Err::kInvalid;
  if (result != Err::kOk) {
    emit(monitor::kBindFailed, 0, it->second.endpoint.text, kNoStream,
         std::string(err_name(result)));
    endpoints_.erase(it);
    return result;
  }
  it->second.bound = true;
  it->second.resolved = resolved.empty() ? it->second.endpoint.text : std::move(resolved);
  options_.last_endpoint = it->second.resolved;
  // libzmq reports no events for inproc endpoints (no listener, session or engine there), nor
  // for udp ones (no listener there either: the session's engine is the bound socket).
  if (has_listener(it->second.endpoint)) emit(monitor::kListening, listener, it->second.resolved);
  if (it->second.endpoint.transport == Transport::kUdp) {
    // The bound socket is the one datagram endpoint: its peer exists at once (no accept).
    Endpoint endpoint = it->second.endpoint;
    StreamId stream = handle_accepted(listener, {}, now_ns);
    actions_.push_back(
        IoAction{IoAction::Kind::kOpenDatagram, stream, endpoint, listener, bound_datagram_role()});
  }
  return Err::kOk;
}

Err SocketCore::connect(std::string_view text, int64_t now_ns) {
  if (closing_) return Err::kTerminated;
  ParsedEndpoint parsed = parse_endpoint(text);
  if (!parsed.endpoint) return parsed.err;
  if (!traits_.connects.has(parsed.endpoint->transport)) return Err::kNoCompatProto;
  if (parsed.endpoint->transport == Transport::kTcp) {
    if (Err err = check_tcp_connect_address(parsed.endpoint->address); err != Err::kOk) return err;
  }
  if (Err err = check_datagram_role(*parsed.endpoint, DatagramRole::kSend); err != Err::kOk) {
    return err;
  }
  EndpointId id = next_endpoint_id_++;
  EndpointRec& rec = endpoints_.emplace(id, EndpointRec(id, *parsed.endpoint, false)).first->second;
  rec.resolved = rec.endpoint.text;
  rec.current_ivl_ms = options_.reconnect_ivl_ms;
  rec.connect_routing_id = std::move(options_.connect_routing_id);
  options_.connect_routing_id.clear();
  options_.last_endpoint = rec.endpoint.text;
  start_connect(rec, now_ns);
  return Err::kOk;
}

Err SocketCore::connect_peer(std::string_view text, int64_t now_ns, uint32_t* routing_id) {
  *routing_id = 0;
  if (!traits_.connect_peer) return Err::kNotSupported;  // PEER's
  if (options_.immediate) return Err::kFault;
  EndpointId id = next_endpoint_id_;
  if (Err err = connect(text, now_ns); err != Err::kOk) return err;
  auto it = endpoints_.find(id);
  if (it == endpoints_.end() || it->second.peer == nullptr) return Err::kFault;
  *routing_id = routing_->routing_id_of(*it->second.peer);
  return Err::kOk;
}

Err SocketCore::join(std::string_view group, int64_t now_ns) {
  if (closing_) return Err::kTerminated;
  Err err = routing_->join(group);
  if (err == Err::kOk) flush_all(now_ns);
  return err;
}

Err SocketCore::leave(std::string_view group, int64_t now_ns) {
  if (closing_) return Err::kTerminated;
  Err err = routing_->leave(group);
  if (err == Err::kOk) flush_all(now_ns);
  return err;
}

void SocketCore::start_connect(EndpointRec& rec, int64_t now_ns) {
  timers_changed();
  (void)now_ns;
  // Unless ZMQ_IMMEDIATE, a connect()ed peer exists (and queues messages) before its
  // connection does: libzmq's semantics, and why PUSH can send before the peer is up.
  if (rec.peer == nullptr && !options_.immediate &&
      routing_->attach_before_handshake(!rec.connect_routing_id.empty())) {
    Peer& peer = new_peer(rec, true);
    rec.peer = &peer;
    if (!routing_->attach(peer)) {
      remove_peer(peer);
      rec.peer = nullptr;
    }
  }
  rec.stream = next_stream_id_++;
  rec.reconnect_at_ns = kNever;
  if (rec.endpoint.transport == Transport::kUdp) {
    // Nothing to connect: the driver opens a socket that sends there (libzmq: no events).
    actions_.push_back(
        IoAction{IoAction::Kind::kOpenDatagram, rec.stream, rec.endpoint, 0, DatagramRole::kSend});
    return;
  }
  actions_.push_back(IoAction{IoAction::Kind::kConnect, rec.stream, rec.endpoint});
  if (rec.endpoint.transport != Transport::kInproc) {
    emit(monitor::kConnectDelayed, 0, rec.endpoint.text, rec.stream);
  }
}

Err SocketCore::unbind(std::string_view text, int64_t now_ns) {
  timers_changed();
  (void)now_ns;
  EndpointRec* rec = find_endpoint(text, true);
  if (rec == nullptr || !rec->bound) return Err::kNoEntry;
  EndpointId id = rec->id;
  actions_.push_back(IoAction{IoAction::Kind::kCloseListener, id, rec->endpoint});
  if (rec->endpoint.transport == Transport::kInproc) {
    // libzmq's inproc unbind only takes the name back: pipes already made live on (its
    // socket_base term_endpoint); there is no listener, so no event either.
    endpoints_.erase(id);
    return Err::kOk;
  }
  if (has_listener(rec->endpoint)) emit(monitor::kClosed, id, rec->resolved);
  // Connections accepted through this endpoint go with it, as in libzmq.
  std::vector<Peer*> doomed;
  for (auto& [pid, peer] : peers_) {
    if (peer->endpoint == id) doomed.push_back(peer.get());
  }
  // What they delivered stays readable: libzmq's sessions end these pipes, and the socket's
  // end reads on to the end (unlike zmq_disconnect, where the socket ends them itself).
  for (Peer* peer : doomed) disconnect_peer(*peer);
  endpoints_.erase(id);
  return Err::kOk;
}

Err SocketCore::disconnect(std::string_view text, int64_t now_ns) {
  timers_changed();
  (void)now_ns;
  EndpointRec* rec = find_endpoint(text, false);
  if (rec == nullptr) return Err::kNoEntry;
  EndpointId id = rec->id;
  Peer* peer = rec->peer;
  if (peer == nullptr && rec->stream != kNoStream) peer = peer_of(rec->stream);
  if (rec->stream != kNoStream && peer_of(rec->stream) == nullptr) {
    // Still connecting: the driver drops the attempt.
    actions_.push_back(IoAction{IoAction::Kind::kCloseStream, rec->stream, rec->endpoint});
  }
  endpoints_.erase(id);
  if (peer != nullptr) {
    peer->from_connect = false;  // no reconnect: the endpoint is gone
    drop_unread(*peer);
    disconnect_peer(*peer);
  }
  return Err::kOk;
}

void SocketCore::close(int64_t now_ns) {
  timers_changed();
  if (closing_) return;
  closing_ = true;
  for (auto& [id, rec] : endpoints_) {
    if (rec.is_bind && rec.bound) {
      actions_.push_back(IoAction{IoAction::Kind::kCloseListener, id, rec.endpoint});
      // libzmq's listener reports its closing (none for inproc, which has no listener).
      if (has_listener(rec.endpoint)) emit(monitor::kClosed, id, rec.resolved);
    }
  }
  if (options_.linger_ms >= 0) linger_deadline_ns_ = now_ns + ms_to_ns(options_.linger_ms);
  // Nothing will ever read what is queued inbound.
  for (auto& [id, peer] : peers_) peer->in.clear();
  check_linger(now_ns);
}

// Runs after every driver input while closing: the last peer may go at any time (its
// connection ends), and with no linger deadline nothing else would notice the socket is done.
void SocketCore::check_linger(int64_t now_ns) {
  if (!closing_) return;
  timers_changed();
  bool expired = now_ns >= linger_deadline_ns_;
  std::vector<Peer*> done;
  for (auto& [id, peer] : peers_) {
    bool drained = peer->out.empty() && (!peer->conn || peer->conn->pending_bytes() == 0);
    if (expired || drained || peer->out_dead) done.push_back(peer.get());
  }
  for (Peer* peer : done) {
    if (peer->conn) {
      peer->conn->close(proto::CloseReason::kLocalClose, "socket closed");
      release_stream(peer->stream, peer, now_ns);
    } else {
      for (auto& [eid, rec] : endpoints_) {
        if (rec.peer == peer && rec.stream != kNoStream) {
          actions_.push_back(IoAction{IoAction::Kind::kCloseStream, rec.stream, rec.endpoint});
          rec.stream = kNoStream;
        }
      }
    }
    remove_peer(*peer);
  }
  if (expired) {
    for (auto& [stream, conn] : draining_) {
      actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    }
    draining_.clear();
    for (StreamId stream : error_closes_.take_all()) {
      actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    }
  }
  if (peers_.empty()) {
    for (auto& [eid, rec] : endpoints_) {
      if (!rec.is_bind && rec.stream != kNoStream && peer_of(rec.stream) == nullptr) {
        actions_.push_back(IoAction{IoAction::Kind::kCloseStream, rec.stream, rec.endpoint});
      }
      rec.reconnect_at_ns = kNever;
    }
    endpoints_.clear();
  }
}

bool SocketCore::finished() const {
  return closing_ && peers_.empty() && draining_.empty() && error_closes_.empty() &&
         endpoints_.empty();
}

// --- peers and connections ---

Peer& SocketCore::new_peer(EndpointRec& rec, bool from_connect) {
  auto peer = std::make_unique<Peer>();
  peer->id = next_peer_id_++;
  peer->endpoint = rec.id;
  peer->from_connect = from_connect;
  peer->in.set_hwm(options_.rcvhwm);
  peer->out.set_hwm(options_.sndhwm);
  peer->in.set_conflate(options_.conflate);
  peer->out.set_conflate(options_.conflate);
  peer->out.notify_writes_to(&written_, peer->id);
  if (from_connect) peer->routing_id = rec.connect_routing_id;
  Peer& ref = *peer;
  peers_.emplace(ref.id, std::move(peer));
  return ref;
}

proto::MechanismConfig SocketCore::security_config(StreamId stream) {
  proto::MechanismConfig c;
  c.name = mechanism_name(options_.mechanism);
  c.as_server = options_.as_server;
  c.zap_domain = options_.zap_domain;
  c.zap_enforce_domain = options_.zap_enforce_domain;
  // Unique per connection: the driver matches replies to requests by it.
  c.zap_request_id = std::to_string(stream);
  c.routing_id = options_.routing_id;
  c.plain_username = options_.plain_username;
  c.plain_password = options_.plain_password;
  c.curve_public_key = options_.curve_public_key;
  c.curve_secret_key = options_.curve_secret_key;
  c.curve_server_key = options_.curve_server_key;
  if (random_source_) {
    c.random = random_source_;
  } else {
    c.random = [this](std::span<uint8_t> out) {
      for (uint8_t& b : out) b = uint8_t(random_u32());
    };
  }
  return c;
}

std::unique_ptr<proto::Connection> SocketCore::make_connection(
    StreamId stream, const Endpoint& endpoint, bool connecting, std::string peer_address,
    int source_fd, bool as_server, int64_t now_ns) {
  if (traits_.raw) {  // STREAM
    return std::make_unique<proto::RawConnection>(std::move(peer_address), now_ns, source_fd);
  }
  if (endpoint.transport == Transport::kUdp) {
    return std::make_unique<proto::DatagramConnection>(
        connecting ? DatagramRole::kSend : bound_datagram_role(), now_ns);
  }
  proto::ZmtpOptions o;
  o.socket_type = type_;
  o.profile = traits_.wire;
  o.routing_id = options_.routing_id;
  (void)as_server;  // the side comes from the security options (security_config)
  o.handshake_ivl_ns = ms_to_ns(options_.handshake_ivl_ms);
  o.heartbeat_ivl_ns = ms_to_ns(options_.heartbeat_ivl_ms);
  o.heartbeat_ttl_ns = ms_to_ns(options_.heartbeat_ttl_ms);
  o.heartbeat_timeout_ns =
      options_.heartbeat_timeout_ms < 0 ? -1 : ms_to_ns(options_.heartbeat_timeout_ms);
  o.max_msg_size = options_.max_msg_size;
  o.extra_properties = options_.app_metadata;  // ZMQ_METADATA: in our READY (or INITIATE)
  o.peer_address = std::move(peer_address);
  if (endpoint.transport == Transport::kWs) {
    WsAddress address = split_ws_address(endpoint.address);
    proto::WsOptions ws;
    ws.client = connecting;
    ws.host = std::move(address.host_port);
    ws.path = std::move(address.path);
    // The key nonce and masking keys: from the driver-seeded generator, never a fixed value.
    ws.seed = (uint64_t(random_u32()) << 32) | random_u32();
    o.websocket = std::move(ws);
  }
  o.source_fd = source_fd;
  o.security = security_config(stream);
  return std::make_unique<proto::ZmtpConnection>(o, now_ns);
}

StreamId SocketCore::handle_accepted(EndpointId listener, std::string peer_address, int64_t now_ns,
                                     int source_fd) {
  auto it = endpoints_.find(listener);
  StreamId stream = next_stream_id_++;
  if (it == endpoints_.end() || closing_) {
    actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    return stream;
  }
  Peer& peer = new_peer(it->second, false);
  if (it->second.endpoint.transport != Transport::kUdp) {  // udp accepts nothing (libzmq too)
    emit(monitor::kAccepted, stream, it->second.resolved, stream);
  }
  Endpoint endpoint = it->second.endpoint;
  attach_connection(peer, stream, endpoint, false, std::move(peer_address), source_fd, false,
                    now_ns);
  return stream;
}

void SocketCore::handle_connected(StreamId stream, std::string peer_address, int64_t now_ns,
                                  int source_fd) {
  EndpointRec* rec = nullptr;
  for (auto& [id, r] : endpoints_) {
    if (!r.is_bind && r.stream == stream) rec = &r;
  }
  if (rec == nullptr) {  // disconnected meanwhile
    actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    return;
  }
  rec->current_ivl_ms = options_.reconnect_ivl_ms;
  bool reconnect = rec->peer != nullptr && rec->peer->handshaken;
  if (rec->peer == nullptr) rec->peer = &new_peer(*rec, true);
  if (rec->endpoint.transport != Transport::kUdp) {  // a udp socket connects nothing (libzmq too)
    emit(monitor::kConnected, stream, rec->endpoint.text, stream);
  }
  uint32_t id = rec->peer->id;
  Endpoint endpoint = rec->endpoint;
  attach_connection(*rec->peer, stream, endpoint, true, std::move(peer_address), source_fd, false,
                    now_ns);
  Peer* peer = find_peer(id);
  if (peer == nullptr) return;
  if (reconnect && peer->attached) routing_->reconnected(*peer);
  flush(*peer, now_ns);
}

void SocketCore::handle_connect_failed(StreamId stream, Err err, int64_t now_ns) {
  for (auto& [id, rec] : endpoints_) {
    if (!rec.is_bind && rec.stream == stream) {
      rec.stream = kNoStream;
      emit(monitor::kClosed, 0, rec.endpoint.text, stream, std::string(err_name(err)));
      if (err == Err::kConnRefused && (options_.reconnect_stop & kReconnectStopConnRefused)) {
        give_up_connect(rec);
      } else {
        schedule_reconnect(rec, now_ns);
      }
      return;
    }
  }
}

// ZMQ_RECONNECT_STOP's CONN_REFUSED: the connect ends as libzmq's session does (it stays listed
// for zmq_disconnect, and makes no new connection); its peer and what was queued for it go.
void SocketCore::give_up_connect(EndpointRec& rec) {
  timers_changed();
  rec.reconnect_at_ns = INT64_MAX;
  Peer* peer = rec.peer;
  rec.peer = nullptr;
  if (peer == nullptr) return;
  mark_out_dead(*peer);
  peer->out.clear();
  reap_dead_peers();
}

// ZMQ_RECONNECT_STOP's HANDSHAKE_FAILED: a connection closed or timed out before its handshake
// finished counts as a protocol failure (libzmq: a peer that is no ZMTP peer), so the connect
// is not made again.
bool SocketCore::stops_reconnect(const proto::ConnEvent& closed) const {
  if (!(options_.reconnect_stop & kReconnectStopHandshakeFailed) || closed.after_handshake) {
    return false;
  }
  return closed.reason == proto::CloseReason::kPeerClosed ||
         closed.reason == proto::CloseReason::kStreamError ||
         closed.reason == proto::CloseReason::kHandshakeTimeout;
}

void SocketCore::schedule_reconnect(EndpointRec& rec, int64_t now_ns) {
  timers_changed();
  if (options_.reconnect_ivl_ms < 0 ||
      (closing_ && (rec.peer == nullptr || rec.peer->out.empty()))) {
    return;
  }
  // libzmq's backoff: the current interval plus jitter below the base interval; the interval
  // doubles up to ZMQ_RECONNECT_IVL_MAX when that is set above the base.
  int base = std::max(options_.reconnect_ivl_ms, 1);
  int jitter = int(random_u32() % uint32_t(base));
  int ivl = rec.current_ivl_ms;
  int wait_ms = ivl < std::numeric_limits<int>::max() - jitter ? ivl + jitter : ivl;
  if (options_.reconnect_ivl_max_ms > options_.reconnect_ivl_ms) {
    rec.current_ivl_ms = int(std::min<int64_t>(int64_t(ivl) * 2, options_.reconnect_ivl_max_ms));
  }
  rec.reconnect_at_ns = now_ns + ms_to_ns(wait_ms);
  emit(monitor::kConnectRetried, wait_ms, rec.endpoint.text);
}

void SocketCore::attach_connection(Peer& peer, StreamId stream, const Endpoint& endpoint,
                                   bool connecting, std::string peer_address, int source_fd,
                                   bool as_server, int64_t now_ns) {
  peer.stream = stream;
  peer.out_dead = false;
  peer.conn = make_connection(stream, endpoint, connecting, std::move(peer_address), source_fd,
                              as_server, now_ns);
  streams_[stream] = &peer;
  process_events(peer, now_ns);
  mark_dirty(stream);
}

Peer* SocketCore::find_peer(uint32_t id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : it->second.get();
}

// Processing events may end a peer: after each step it is looked up again by id.
void SocketCore::pump_peer(Peer& peer, int64_t now_ns) {
  uint32_t id = peer.id;
  pull(peer, now_ns);
  process_events(peer, now_ns);
  if (Peer* alive = find_peer(id)) flush(*alive, now_ns);
}

void SocketCore::pull(Peer& peer, int64_t now_ns) {
  if (!peer.conn) return;
  touch_deadline(peer);
  Msg part;
  // Take whole messages while the pipe has room; a started message is always finished.
  while (peer.in.can_write() && peer.conn->poll_part(&part, now_ns)) {
    if (routing_->intercept(peer, part)) continue;
    peer.in.write(std::move(part));
  }
  if (!peer.in.can_write() && !peer.held_back) {  // the HWM stopped it: recv() takes more
    peer.held_back = true;
    held_back_.push_back(peer.id);
  }
  mark_dirty(peer.stream);
}

// Not a deadline touch: sending only ever moves a connection's deadline later (a failed encode
// closes it: kNever), which the deadline queue finds by itself; this runs on every zmq_send.
void SocketCore::flush(Peer& peer, int64_t now_ns) {
  if (!peer.conn) return;
  if (!peer.conn->active()) return;
  Msg part;
  bool wrote = false;
  while (peer.out.can_read() && (peer.out.reading() || peer.conn->can_send())) {
    peer.out.read(&part);
    peer.conn->send_part(std::move(part));
    wrote = true;
  }
  if (wrote) mark_dirty(peer.stream);
  if (peer.close_after_flush && peer.out.empty()) {
    peer.close_after_flush = false;
    peer.conn->close(proto::CloseReason::kLocalClose, "closed by the application");
    process_events(peer, now_ns);
  }
}

// Marks only: the caller is inside the routing, whose state closing must not change under it;
// flush_all() at the end of send() does the close.
void SocketCore::close_after_flush(Peer& peer) {
  peer.close_after_flush = true;
  peer.closed_by_app = true;
  written_.push_back(peer.id);
}

// The peers whose out pipes were written since the last call (Pipe::notify_writes_to), not
// every peer: a peer with messages left over is flushed again when its connection makes room
// (handle_written) or comes up (its handshake, a reconnect).
void SocketCore::flush_all(int64_t now_ns) {
  if (written_.empty()) return;
  flushing_.swap(written_);
  for (uint32_t id : flushing_) {
    // By id: flushing may close a connection, and that may remove the peer.
    Peer* peer = find_peer(id);
    if (peer == nullptr) continue;
    peer->out.clear_notice();
    flush(*peer, now_ns);
  }
  flushing_.clear();
}

void SocketCore::pump_held_back(int64_t now_ns) {
  pumping_.swap(held_back_);
  for (uint32_t id : pumping_) {
    Peer* peer = find_peer(id);
    if (peer == nullptr) continue;
    peer->held_back = false;
    if (!peer->in.can_write()) {
      peer->held_back = true;  // still full
      held_back_.push_back(id);
    } else if (peer->conn) {
      pump_peer(*peer, now_ns);  // lists it again if the HWM stops it again
    }
  }
  pumping_.clear();
}

void SocketCore::process_events(Peer& peer, int64_t now_ns) {
  if (!peer.conn) return;
  touch_deadline(peer);
  std::vector<Msg> zap;
  while (peer.conn->poll_zap_request(&zap)) zap_requests_.emplace_back(peer.stream, std::move(zap));
  proto::ConnEvent ev;
  while (peer.conn && peer.conn->poll_event(&ev)) {
    auto rec = endpoints_.find(peer.endpoint);
    std::string where = rec != endpoints_.end() ? rec->second.resolved : std::string();
    if (ev.kind == proto::ConnEvent::Kind::kAuthFailed) {
      emit(monitor::kHandshakeFailedAuth, ev.value, where, peer.stream, ev.detail);
    } else if (ev.kind == proto::ConnEvent::Kind::kHandshakeSucceeded) {
      peer.handshaken = true;
      if (ev.reported) {
        emit(monitor::kHandshakeSucceeded, 0, where, peer.stream);
      } else {
        ++unreported_handshakes_;
      }
      send_hello(peer);
      if (!peer.attached) {
        if (!routing_->attach(peer)) {
          peer.conn->close(proto::CloseReason::kLocalClose, "refused by the socket type");
          continue;
        }
      } else {
        routing_->handshaken(peer);
      }
      uint32_t id = peer.id;
      flush(peer, now_ns);
      if (find_peer(id) == nullptr) return;
      pull(peer, now_ns);
    } else {
      if (ev.value != 0) {
        emit(monitor::kHandshakeFailedNoDetail, ev.value, where, peer.stream, ev.detail);
      }
      if (ev.protocol_error != 0) {
        emit(monitor::kHandshakeFailedProtocol, int64_t(ev.protocol_error), where, peer.stream,
             ev.detail);
      }
      emit(monitor::kDisconnected, peer.stream, where, peer.stream, ev.detail);
      connection_lost(peer, ev.reason, ev.after_handshake,
                      proto::ends_session(ev) || stops_reconnect(ev), now_ns);
      return;
    }
  }
}

// --- inproc: peers over a link shared with the other socket ---

void SocketCore::handle_inproc_connected(StreamId stream, std::shared_ptr<InprocLink> link,
                                         int64_t now_ns) {
  EndpointRec* rec = nullptr;
  for (auto& [id, r] : endpoints_) {
    if (!r.is_bind && r.stream == stream) rec = &r;
  }
  if (rec == nullptr) {  // disconnected meanwhile
    link->close(kConnecterSide);
    return;
  }
  rec->stream = kNoStream;  // the link is the connection: no stream for the driver to move
  if (rec->peer == nullptr) rec->peer = &new_peer(*rec, true);
  // A lingering socket still hands over what it queued: the link then holds it for the reader.
  attach_link(*rec->peer, std::move(link), kConnecterSide, now_ns);
  check_linger(now_ns);
}

void SocketCore::handle_inproc_accepted(EndpointId listener, std::shared_ptr<InprocLink> link,
                                        int64_t now_ns) {
  auto it = endpoints_.find(listener);
  if (it == endpoints_.end() || !it->second.bound || closing_) {
    link->close(kBinderSide);
    return;
  }
  // ZMQ_DISCONNECT_MSG: the connecter writes it last when it leaves, as libzmq's pipe does.
  if (traits_.takes_disconnect_msg && !options_.disconnect_msg.empty()) {
    link->set_farewell(kBinderSide, options_.disconnect_msg);
  }
  attach_link(new_peer(it->second, false), std::move(link), kBinderSide, now_ns);
}

std::vector<PipeStats> SocketCore::pipe_stats() const {
  std::vector<PipeStats> out;
  for (const auto& [id, peer] : peers_) {
    if (peer->out_dead) continue;  // gone, kept only until its last messages are read
    PipeStats stats;
    stats.stream = peer->stream;
    if (auto rec = endpoints_.find(peer->endpoint); rec != endpoints_.end()) {
      stats.endpoint =
          rec->second.resolved.empty() ? rec->second.endpoint.text : rec->second.resolved;
    }
    stats.outbound = uint64_t(std::max<int64_t>(peer->out.messages(), 0));
    stats.inbound = uint64_t(std::max<int64_t>(peer->in.messages(), 0));
    out.push_back(std::move(stats));
  }
  return out;
}

// ZMQ_HELLO_MSG (draft): the first message on each new ZMTP connection, ahead of whatever is
// queued for the peer, as libzmq's hello session (it bypasses the routing, like a command).
void SocketCore::send_hello(Peer& peer) {
  if (!traits_.sends_hello_msg || options_.hello_msg.empty()) return;
  if (peer.conn && peer.conn->can_send()) {
    peer.conn->send_part(Msg::copy_of(std::string_view(options_.hello_msg)));
  }
}

// ZMQ_DISCONNECT_MSG (draft): an accepted peer whose handshaken connection is lost leaves it
// behind as its last message (its unfinished one dropped), for the application to read as
// from that peer; libzmq gives it for accepted connections only.
void SocketCore::take_disconnect_msg(Peer& peer) {
  if (!traits_.takes_disconnect_msg || options_.disconnect_msg.empty()) return;
  if (peer.from_connect || !peer.attached || peer.closed_by_app) return;
  peer.in.rollback();
  peer.in.write_control(Msg::copy_of(std::string_view(options_.disconnect_msg)));
}

void SocketCore::attach_link(Peer& peer, std::shared_ptr<InprocLink> link, int side,
                             int64_t now_ns) {
  peer.link = std::move(link);
  peer.link_side = side;
  peer.link_closed = false;
  peer.out_dead = false;
  ++inproc_peers_;
  // One waker per socket: the wake-ups of every link name their peer there (take_inproc_wakes).
  assert(!waker_ || waker_ == peer.link->waker(side));
  waker_ = peer.link->waker(side);
  peer.link->inbound(side).set_reader_token(peer.id);
  peer.link->outbound(side).set_writer_token(peer.id);
  // ZMQ_HELLO_MSG over inproc is the link's first message; what was queued for the peer
  // before the link existed (a connect before the bind) follows it, as libzmq writes the hello
  // into the pipe at zmq_connect. From here on the pipes are the link's, bounded by both
  // sides' HWMs.
  SharedPipe& out = peer.link->outbound(side);
  if (traits_.sends_hello_msg && !options_.hello_msg.empty() && !out.writing()) {
    out.write(Msg::copy_of(std::string_view(options_.hello_msg)));
  }
  peer.out.attach_shared(&out, true);
  peer.in.attach_shared(&peer.link->inbound(side), false);
  peer.link->announce(side, type_, options_.routing_id);
  update_inproc(peer, now_ns);
}

void SocketCore::update_inproc(Peer& peer, int64_t now_ns) {
  (void)now_ns;
  int other = 1 - peer.link_side;
  if (!peer.handshaken && peer.link->announced(other)) {
    // The other side's announcement is this connection's handshake: its routing id is known.
    // Socket types are checked as at a ZMTP handshake, which libzmq skips over inproc
    // (div/inproc/no-socket-type-check: zlab follows RFC 37 on every transport).
    if (!compatible(type_, peer.link->type(other))) {
      peer.out_dead = true;
      remove_peer(peer);
      return;
    }
    peer.handshaken = true;
    peer.announced_id = peer.link->routing_id(other);
    if (!peer.attached) {
      if (!routing_->attach(peer)) {  // PAIR's second peer, a ROUTER id clash
        peer.out_dead = true;
        remove_peer(peer);
        return;
      }
    } else {
      routing_->handshaken(peer);
    }
  }
  if (peer.attached && intercepts_all_) {
    Msg part;
    while (peer.in.read(&part)) routing_->intercept(peer, part);
  }
  // A message may have landed: its fair queue asks this peer again.
  if (peer.fair_queue != nullptr) peer.fair_queue->activate(&peer);
  if (!peer.out_dead && peer.link->peer_closed(peer.link_side)) inproc_lost(peer);
}

// The peers whose links woke this socket since the last call, not every linked peer: each
// wake-up names its peer (PipeWaker::wake_for). Runs at the start of every send, recv and
// events too, so what another socket did before this call counts (a subscription before a
// send, a message before a recv), as with libzmq's pipes.
void SocketCore::take_inproc_wakes(int64_t now_ns) {
  if (!waker_ || !waker_->has_woken()) return;
  waker_->take_woken(&woken_);
  for (uint32_t id : woken_) {
    if (Peer* peer = find_peer(id); peer != nullptr && peer->link) update_inproc(*peer, now_ns);
  }
  woken_.clear();
}

void SocketCore::handle_inproc_activity(int64_t now_ns) {
  take_inproc_wakes(now_ns);
  reap_dead_peers();
  check_linger(now_ns);
}

// The other side left. What it sent stays readable; nothing more can be sent. inproc has no
// reconnection (as in libzmq): a connect's peer is not kept for another link.
void SocketCore::inproc_lost(Peer& peer) {
  if (peer.attached) routing_->connection_lost(peer);
  for (auto& [id, rec] : endpoints_) {
    if (rec.peer == &peer) rec.peer = nullptr;
  }
  peer.from_connect = false;
  mark_out_dead(peer);
  close_link(peer);
  reap_dead_peers();
}

void SocketCore::close_link(Peer& peer) {
  if (!peer.link || peer.link_closed) return;
  peer.link_closed = true;
  peer.link->close(peer.link_side);
}

void SocketCore::connection_lost(Peer& peer, proto::CloseReason reason, bool after_handshake,
                                 bool session_over, int64_t now_ns) {
  StreamId stream = peer.stream;
  // Whatever was received of a message that will never be finished is dropped; a message
  // partly handed to the dead connection loses its remaining parts: messages are atomic.
  peer.in.rollback();
  Msg part;
  while (peer.out.reading() && peer.out.read(&part)) {
  }
  if (peer.attached) routing_->connection_lost(peer);  // ROUTER_NOTIFY's notice first,
  if (after_handshake) take_disconnect_msg(peer);      // then the disconnect message (libzmq)
  // A stream the peer closed or that failed takes nothing more: what the connection still had
  // to write goes with it (waiting to write it would keep a closing socket lingering forever).
  bool stream_gone =
      reason == proto::CloseReason::kPeerClosed || reason == proto::CloseReason::kStreamError;
  release_stream(stream, &peer, now_ns, !stream_gone);
  EndpointRec* rec = nullptr;
  if (peer.from_connect) {
    for (auto& [id, r] : endpoints_) {
      if (r.peer == &peer) rec = &r;
    }
  }
  // A connect()ed peer that was usable before its handshake keeps its pipes for the next
  // connection; types that know peers by identity get a fresh peer each time. A connection
  // the application closed is not made again (libzmq ends that connect's session), nor one
  // that ended in a protocol error (libzmq's session gives up: the peer is no ZMTP peer of ours).
  bool retry = !peer.closed_by_app && !session_over;
  if (rec != nullptr && retry && !options_.immediate &&
      routing_->attach_before_handshake(!rec->connect_routing_id.empty()) &&
      options_.reconnect_ivl_ms >= 0) {
    rec->stream = kNoStream;
    schedule_reconnect(*rec, now_ns);  // the peer and its queued messages wait for it
    return;
  }
  if (rec != nullptr) {
    rec->stream = kNoStream;
    rec->peer = nullptr;
    if (retry) schedule_reconnect(*rec, now_ns);
  }
  mark_out_dead(peer);
  peer.out.clear();
  reap_dead_peers();
}

void SocketCore::release_stream(StreamId stream, Peer* peer, int64_t now_ns, bool drain) {
  timers_changed();
  if (stream == kNoStream) return;
  streams_.erase(stream);
  if (peer != nullptr && peer->conn) {
    std::unique_ptr<proto::Connection> conn = std::move(peer->conn);
    peer->stream = kNoStream;
    bool refused = drain && conn->sent_error();
    if (refused) error_closes_.start(stream, now_ns);  // its input is read and dropped now
    if (drain && !conn->finished()) {
      // Write what it still has (an ERROR command) before closing the stream.
      draining_[stream] = std::move(conn);
      mark_dirty(stream);
      return;
    }
    if (refused) {
      shut_down_after_error(stream);
      return;
    }
  }
  actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
}

void SocketCore::shut_down_after_error(StreamId stream) {
  actions_.push_back(IoAction{IoAction::Kind::kShutdownWrite, stream, Endpoint{}});
  mark_dirty(stream);  // the driver reads it until the peer closes
}

void SocketCore::close_refused(StreamId stream) {
  timers_changed();
  error_closes_.erase(stream);
  draining_.erase(stream);
  actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
}

void SocketCore::disconnect_peer(Peer& peer) {
  close_link(peer);
  if (peer.conn) {
    peer.conn->close(proto::CloseReason::kLocalClose, "disconnected");
    emit(monitor::kDisconnected, peer.stream, std::string(), peer.stream, "disconnected");
    peer.from_connect = false;
    StreamId stream = peer.stream;
    release_stream(stream, &peer, /*now_ns=*/0);  // a local close sends no ERROR: no drain
  }
  mark_out_dead(peer);
  peer.out.clear();
  if (peer.in.empty()) remove_peer(peer);
}

// zmq_disconnect ends the peer's pipes from the socket's side, which in libzmq makes them
// unreadable at once: what the endpoint delivered and the application has not read yet is
// dropped. A message being read keeps its remaining parts (the routing is mid-message).
void SocketCore::drop_unread(Peer& peer) { peer.in.drop_unread(); }

void SocketCore::remove_peer(Peer& peer) {
  close_link(peer);
  if (peer.link) --inproc_peers_;
  if (peer.attached) routing_->detach(peer);
  peer.attached = false;
  for (auto& [id, rec] : endpoints_) {
    if (rec.peer == &peer) rec.peer = nullptr;
  }
  if (peer.stream != kNoStream) streams_.erase(peer.stream);
  dropped_by_removed_peers_ += peer.dropped_messages;
  peers_.erase(peer.id);
}

// The peers marked out_dead (mark_out_dead), not every peer: one goes once nothing it
// delivered is left to read.
void SocketCore::reap_dead_peers() {
  if (dead_.empty()) return;
  std::vector<uint32_t> ids;
  ids.swap(dead_);
  for (uint32_t id : ids) {
    Peer* peer = find_peer(id);
    if (peer == nullptr || !peer->out_dead) continue;  // gone, or reconnected meanwhile
    if (!peer->conn && peer->in.empty()) {
      remove_peer(*peer);
    } else {
      dead_.push_back(id);
    }
  }
}

void SocketCore::mark_out_dead(Peer& peer) {
  if (peer.out_dead) return;
  peer.out_dead = true;
  dead_.push_back(peer.id);
}

void SocketCore::for_each_peer(void (*fn)(Peer&, void*), void* arg) {
  for (auto& [id, peer] : peers_) {
    if (peer->attached) fn(*peer, arg);
  }
}

uint64_t SocketCore::dropped_messages() const {
  uint64_t n = dropped_by_removed_peers_ + routing_->dropped_messages();
  for (const auto& [id, peer] : peers_) n += peer->dropped_messages;
  return n;
}

// --- driver side: bytes and time ---

std::span<uint8_t> SocketCore::read_buffer(StreamId stream) {
  if (error_closes_.contains(stream)) return error_closes_.discard_buffer(stream);
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) return {};
  return peer->conn->read_buffer();
}

void SocketCore::handle_read(StreamId stream, size_t n, int64_t now_ns) {
  if (error_closes_.contains(stream)) {
    // The peer's bytes after our ERROR are dropped; past the budget the stream closes anyway.
    if (!error_closes_.handle_read(stream, n)) close_refused(stream);
    check_linger(now_ns);
    return;
  }
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) return;
  peer->conn->handle_read(n, now_ns);
  pump_peer(*peer, now_ns);
  check_linger(now_ns);
}

void SocketCore::handle_eof(StreamId stream, int64_t now_ns) {
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) {
    if (error_closes_.contains(stream)) {
      close_refused(stream);  // the peer closed (or reset): nothing left to protect
    } else if (draining_.erase(stream) > 0) {
      actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    }
    check_linger(now_ns);
    return;
  }
  peer->conn->handle_eof(now_ns);
  pump_peer(*peer, now_ns);
  check_linger(now_ns);  // a closing socket may have lost its last peer
}

void SocketCore::handle_stream_error(StreamId stream, Err err, int64_t now_ns) {
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) {
    if (error_closes_.contains(stream)) {
      close_refused(stream);  // the peer closed (or reset): nothing left to protect
    } else if (draining_.erase(stream) > 0) {
      actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
    }
    check_linger(now_ns);
    return;
  }
  // A reset loses what was in flight; what was fully received is still delivered.
  peer->conn->close(proto::CloseReason::kStreamError, std::string(err_name(err)));
  pump_peer(*peer, now_ns);
  // A broken stream takes nothing more: what the connection still had to write is lost, not
  // left draining (a lingering socket would wait for it for ever).
  if (error_closes_.contains(stream)) {
    close_refused(stream);
  } else if (draining_.erase(stream) > 0) {
    actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
  }
  check_linger(now_ns);
}

size_t SocketCore::poll_transmit(StreamId stream, wire::IoSlice* out, size_t max) const {
  if (auto it = draining_.find(stream); it != draining_.end()) {
    return it->second->poll_transmit(out, max);
  }
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) return 0;
  return peer->conn->poll_transmit(out, max);
}

bool SocketCore::stream_active(StreamId stream) const {
  Peer* peer = peer_of(stream);
  return peer != nullptr && peer->conn && peer->conn->active();
}

bool SocketCore::wants_write(StreamId stream) const {
  if (auto it = draining_.find(stream); it != draining_.end()) {
    return it->second->pending_bytes() > 0;
  }
  Peer* peer = peer_of(stream);
  return peer != nullptr && peer->conn && peer->conn->pending_bytes() > 0;
}

void SocketCore::handle_written(StreamId stream, size_t n, int64_t now_ns) {
  if (auto it = draining_.find(stream); it != draining_.end()) {
    it->second->handle_written(n, now_ns);
    if (it->second->finished()) {
      draining_.erase(it);
      if (error_closes_.contains(stream)) {
        shut_down_after_error(stream);  // the ERROR is out: FIN after it, read until EOF
      } else {
        actions_.push_back(IoAction{IoAction::Kind::kCloseStream, stream, Endpoint{}});
      }
    }
    check_linger(now_ns);
    return;
  }
  Peer* peer = peer_of(stream);
  if (peer == nullptr || !peer->conn) return;
  peer->conn->handle_written(n, now_ns);
  flush(*peer, now_ns);  // room in the connection: move more messages out of the pipe
  check_linger(now_ns);  // the last bytes written may be what a closing socket waited for
}

void SocketCore::touch_deadline(const Peer& peer) {
  deadlines_.touch(peer.id);
  if (deadlines_.touched_count() > 4096) {  // nobody asked for a while: bound the list
    deadlines_.settle([this](uint32_t id, int64_t* at_ns) { return peer_deadline(id, at_ns); });
  }
}

bool SocketCore::peer_deadline(uint32_t id, int64_t* at_ns) const {
  Peer* peer = find_peer(id);
  if (peer == nullptr) return false;
  *at_ns = peer->conn ? peer->conn->next_deadline_ns() : kNever;
  return true;
}

int64_t SocketCore::compute_next_deadline_ns() {
  if (timers_stale_) {  // linger, refused streams, reconnects: recomputed only after a change
    timers_stale_ = false;
    timers_ns_ = error_closes_.next_deadline_ns();
    if (closing_) timers_ns_ = std::min(timers_ns_, linger_deadline_ns_);
    for (const auto& [id, rec] : endpoints_) timers_ns_ = std::min(timers_ns_, rec.reconnect_at_ns);
  }
  return std::min(timers_ns_, deadlines_.earliest([this](uint32_t id, int64_t* at_ns) {
    return peer_deadline(id, at_ns);
  }));
}

void SocketCore::handle_timeout(int64_t now_ns) {
  timers_changed();
  for (StreamId stream : error_closes_.take_expired(now_ns)) close_refused(stream);
  for (auto& [id, rec] : endpoints_) {
    if (!rec.is_bind && rec.reconnect_at_ns <= now_ns) start_connect(rec, now_ns);
  }
  std::vector<uint32_t> due;
  for (auto& [id, peer] : peers_) {
    if (peer->conn && peer->conn->next_deadline_ns() <= now_ns) due.push_back(id);
  }
  for (uint32_t id : due) {
    Peer* peer = find_peer(id);
    if (peer == nullptr || !peer->conn) continue;
    peer->conn->handle_timeout(now_ns);
    mark_dirty(peer->stream);
    pump_peer(*peer, now_ns);
  }
  check_linger(now_ns);
}

}  // namespace zlab
