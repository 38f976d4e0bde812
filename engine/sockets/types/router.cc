// ROUTER: routing ids for every peer (the peer's Identity, ZMQ_CONNECT_ROUTING_ID, or a
// generated 5-byte id), the id as the first part of every received message, the first part of
// every sent message choosing the peer. Unroutable messages are dropped, or fail with
// EHOSTUNREACH / EAGAIN under ZMQ_ROUTER_MANDATORY. ZMQ_ROUTER_NOTIFY (draft) announces peers.
#include <cstring>

#include "engine/sockets/types/types.h"

namespace zlab {
namespace {

// ZMQ_ROUTER_NOTIFY's bits, as zmq.h's ZMQ_NOTIFY_CONNECT and ZMQ_NOTIFY_DISCONNECT.
constexpr int kNotifyConnect = 1;
constexpr int kNotifyDisconnect = 2;

}  // namespace

RouterRouting::RouterRouting(SocketServices& services)
    : Routing(services), next_id_(services.random_u32()) {}

Peer* RouterRouting::find(std::string_view routing_id) {
  auto it = by_id_.find(routing_id);
  return it == by_id_.end() ? nullptr : it->second;
}

Err RouterRouting::peer_state(std::string_view routing_id, int* state) {
  Peer* peer = find(routing_id);
  if (peer == nullptr) return Err::kHostUnreachable;
  *state = peer->writable() ? kPeerWritable : 0;
  return Err::kOk;
}

std::string RouterRouting::generate_id() {
  // libzmq's form: a zero byte (reserved for generated ids) then a 32-bit counter.
  for (;;) {
    uint32_t n = next_id_++;
    std::string id{'\0', char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    if (find(id) == nullptr) return id;
  }
}

bool RouterRouting::attach(Peer& peer) {
  std::string id = peer.routing_id;
  if (id.empty() && peer.conn && peer.conn->peer_metadata() != nullptr) {
    if (const std::string* identity = peer.conn->peer_metadata()->find("Identity")) id = *identity;
  }
  if (id.empty()) id = peer.announced_id;  // inproc: announced on the link
  if (id.empty()) {
    id = generate_id();
  } else if (Peer* existing = find(id)) {
    if (!handover_) return false;  // the id is taken: the newcomer is refused
    // ZMQ_ROUTER_HANDOVER: the newcomer takes the id; the old connection is closed.
    by_id_.erase(id);
    existing->routing_id = generate_id();
    by_id_[existing->routing_id] = existing;
    services_.disconnect_peer(*existing);
  }
  peer.routing_id = id;
  by_id_[id] = &peer;
  peer.attached = true;
  fq_.attach(&peer);
  if (probe_router_ && peer.out.can_write()) peer.out.write(Msg());
  if (peer.handshaken) connection_up(peer);  // else handshaken() says when
  return true;
}

// libzmq's stream engine pushes the notices of ZMQ_ROUTER_NOTIFY into the peer's session: an
// empty message, read as [routing id][""], once the handshake is done and once a connection
// that finished it is lost. So only ZMTP connections give them (inproc has no engine), a
// connection that fails its handshake gives none, and one the application closed gives none
// (its session ends it, not an error). Each is a control write: one per connection event.
void RouterRouting::connection_up(Peer& peer) {
  if (!peer.conn) return;
  up_.insert(&peer);
  if (router_notify_ & kNotifyConnect) peer.in.write_control(Msg());
}

void RouterRouting::connection_lost(Peer& peer) {
  // The core has dropped the unfinished message from the peer already: the notice comes
  // after the last whole one.
  bool was_up = up_.erase(&peer) > 0;
  if (was_up && (router_notify_ & kNotifyDisconnect) && !peer.closed_by_app) {
    peer.in.write_control(Msg());
  }
}

void RouterRouting::detach(Peer& peer) {
  auto it = by_id_.find(peer.routing_id);
  if (it != by_id_.end() && it->second == &peer) by_id_.erase(it);
  if (out_peer_ == &peer) {
    out_peer_ = nullptr;
    dropping_ = sending_;
  }
  fq_.detach(&peer);
  up_.erase(&peer);
}

Err RouterRouting::send(Msg& part) {
  if (!sending_) {
    if (!part.more()) {
      part.reset();  // a routing id with nothing after it: silently ignored, as libzmq
      return Err::kOk;
    }
    Peer* peer = find(part.view());
    dropping_ = false;
    if (peer == nullptr || peer->out_dead) {
      if (mandatory_) return Err::kHostUnreachable;
      ++unroutable_dropped_;
      dropping_ = true;
    } else if (!peer->writable()) {
      if (mandatory_) return Err::kAgain;
      ++peer->dropped_messages;
      dropping_ = true;
    }
    out_peer_ = dropping_ ? nullptr : peer;
    sending_ = true;
    part.reset();
    return Err::kOk;
  }
  bool last = !part.more();
  if (!dropping_ && out_peer_ != nullptr) {
    out_peer_->out.write(std::move(part));
  } else {
    part.reset();
  }
  if (last) {
    sending_ = false;
    dropping_ = false;
    out_peer_ = nullptr;
  }
  return Err::kOk;
}

Err RouterRouting::recv(Msg* part) {
  if (has_pending_) {
    *part = std::move(pending_);
    has_pending_ = false;
    more_in_ = part->more();
    return Err::kOk;
  }
  if (more_in_) {
    Err err = fq_.recv(part);
    if (err == Err::kOk) more_in_ = part->more();
    return err;
  }
  Peer* from = nullptr;
  Err err = fq_.recv(&pending_, &from);
  if (err != Err::kOk) return err;
  has_pending_ = true;
  *part = Msg::copy_of(std::string_view(from->routing_id));
  part->set_more(true);
  part->set_metadata(pending_.metadata());
  return Err::kOk;
}

bool RouterRouting::has_in() { return has_pending_ || more_in_ || fq_.has_in(); }

bool RouterRouting::has_out() {
  if (!mandatory_) return true;
  for (auto& [id, peer] : by_id_) {
    if (peer->writable()) return true;
  }
  return false;
}

Err RouterRouting::set_option(int id, std::span<const uint8_t> value) {
  bool* field = nullptr;
  switch (id) {
    case opt::kRouterMandatory:
      field = &mandatory_;
      break;
    case opt::kRouterHandover:
      field = &handover_;
      break;
    case opt::kProbeRouter:
      field = &probe_router_;
      break;
    case opt::kRouterRaw: {
      auto v = bool_option(value, BoolForm::kNonNegative);
      return v && !*v ? Err::kOk : Err::kInvalid;  // raw mode: use a STREAM socket
    }
    case opt::kRouterNotify: {
      int v = 0;
      if (value.size() != sizeof v) return Err::kInvalid;
      std::memcpy(&v, value.data(), sizeof v);
      if (v < 0 || v > (kNotifyConnect | kNotifyDisconnect)) return Err::kInvalid;
      router_notify_ = v;
      return Err::kOk;
    }
    default:
      return Err::kNotSupported;
  }
  auto v = bool_option(value, BoolForm::kNonNegative);
  if (!v) return Err::kInvalid;
  *field = *v;
  return Err::kOk;
}

Err RouterRouting::get_option(int id, uint8_t* out, size_t* size) {
  if (id != opt::kRouterNotify) return Err::kNotSupported;
  return put_int_option(router_notify_, out, size);
}

}  // namespace zlab
