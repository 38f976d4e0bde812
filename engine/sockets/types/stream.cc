// STREAM: raw TCP peers addressed by routing id. A zero-length message announces a
// connection and its end (ZMQ_STREAM_NOTIFY); sending one closes the connection.
#include "engine/sockets/types/types.h"

namespace zlab {

namespace {

// A notification carries the connection's properties like its data does: zmq_msg_gets on
// its routing-id part answers Peer-Address.
Msg notification(const Peer& peer) {
  Msg note;
  if (peer.conn) note.set_metadata(peer.conn->peer_metadata());
  return note;
}

}  // namespace

bool StreamRouting::attach(Peer& peer) {
  if (peer.routing_id.empty() || find(peer.routing_id) != nullptr) {
    peer.routing_id = generate_id();
    // libzmq reports the id it generated last as the socket's ZMQ_ROUTING_ID: a client
    // STREAM learns its server's id that way (test_stream's stream-to-stream case).
    last_generated_id_ = peer.routing_id;
  }
  by_id_[peer.routing_id] = &peer;
  peer.attached = true;
  fq_.attach(&peer);
  // The connect notification, once there is a connection (a peer named by
  // ZMQ_CONNECT_ROUTING_ID is attached at connect(), before it has one: see handshaken()).
  if (notify_ && peer.conn) peer.in.write_control(notification(peer));
  return true;
}

void StreamRouting::handshaken(Peer& peer) {
  if (notify_) peer.in.write_control(notification(peer));
}

void StreamRouting::connection_lost(Peer& peer) {
  // The disconnect notification comes after whatever the peer sent before leaving.
  // Never lost, even into a full pipe: the application must learn the peer is gone. A
  // connection the application closed itself gets none: it knows (libzmq sends none either,
  // and test_stream_disconnect fails on one).
  if (notify_ && peer.attached && !peer.closed_by_app) peer.in.write_control(notification(peer));
}

Err StreamRouting::send(Msg& part) {
  if (!sending_) {
    if (!part.more()) {
      part.reset();
      return Err::kOk;
    }
    Peer* peer = find(part.view());
    if (peer == nullptr || peer->out_dead) return Err::kHostUnreachable;
    if (!peer->writable()) return Err::kAgain;
    out_peer_ = peer;
    sending_ = true;
    part.reset();
    return Err::kOk;
  }
  // The data part ends the message whatever its MORE flag says.
  sending_ = false;
  Peer* peer = out_peer_;
  out_peer_ = nullptr;
  if (peer == nullptr) {
    part.reset();
    return Err::kOk;
  }
  if (part.empty()) {
    services_.close_after_flush(*peer);
    return Err::kOk;
  }
  part.set_more(false);
  peer->out.write(std::move(part));
  return Err::kOk;
}

Err StreamRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id != opt::kStreamNotify) return Err::kNotSupported;
  auto v = bool_option(value);
  if (!v) return Err::kInvalid;
  notify_ = *v;
  return Err::kOk;
}

void StreamRouting::option_changed(int id) {
  if (id == opt::kRoutingId) last_generated_id_.reset();  // the application's value wins again
}

Err StreamRouting::get_option(int id, uint8_t* out, size_t* size) {
  if (id != opt::kRoutingId || !last_generated_id_) return Err::kNotSupported;
  const std::string& v = *last_generated_id_;
  if (*size < v.size()) return Err::kInvalid;
  std::copy(v.begin(), v.end(), out);
  *size = v.size();
  return Err::kOk;
}

}  // namespace zlab
