// What makes a socket type: how it routes outgoing and incoming messages. One small class per
// type (sockets/types/), each built from the strategies in strategies.h. The SocketCore owns
// peers, endpoints and connections and tells the routing when peers come and go.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "engine/base/err.h"
#include "engine/base/msg.h"
#include "engine/base/socket_type.h"
#include "engine/sockets/endpoint.h"
#include "engine/sockets/options.h"
#include "engine/sockets/peer.h"
#include "engine/sockets/socket_traits.h"

namespace zlab {

// Services of the core a routing may use.
class SocketServices {
 public:
  virtual ~SocketServices() = default;
  virtual const SocketOptions& options() const = 0;
  // A random 32-bit value from the seeded source the driver gave the socket.
  virtual uint32_t random_u32() = 0;
  // Closes a peer's connection (STREAM close request, ROUTER handover).
  virtual void disconnect_peer(Peer& peer) = 0;
  // Closes a peer's connection once what is queued for it has been written (STREAM).
  virtual void close_after_flush(Peer& peer) = 0;
  // Every peer attached to the routing (for resubscription, welcome messages).
  virtual void for_each_peer(void (*fn)(Peer&, void*), void* arg) = 0;
};

// Routing::peer_state's bit: the peer can take a message (ZMQ_POLLOUT's value).
inline constexpr int kPeerWritable = 2;

class Routing {
 public:
  // The type's facts for the core and the connection (socket_traits.h): a plain ZMTP type's.
  // A class that differs declares its own kTraits.
  static constexpr SocketTraits kTraits{};

  explicit Routing(SocketServices& services) : services_(services) {}
  virtual ~Routing() = default;

  // Whether a connect()ed peer may be used before its handshake (the default, unless
  // ZMQ_IMMEDIATE). Types that need the peer's identity first say no, unless the application
  // named the peer itself with ZMQ_CONNECT_ROUTING_ID.
  virtual bool attach_before_handshake(bool has_connect_routing_id) const {
    (void)has_connect_routing_id;
    return true;
  }
  // A peer joins; returns false to refuse it (PAIR's second peer, ROUTER id clash).
  virtual bool attach(Peer& peer) = 0;
  virtual void detach(Peer& peer) = 0;
  // A connect()ed peer got a new connection after losing one (SUB resubscribes).
  virtual void reconnected(Peer&) {}
  // A peer's connection completed its handshake (for peers attached before it).
  virtual void handshaken(Peer&) {}
  // A peer's connection ended (before detach, while its pipes still exist).
  virtual void connection_lost(Peer&) {}
  // A part arrived from a peer's connection; the routing may consume it (XPUB
  // subscriptions) by returning true, or let the core queue it by returning false.
  virtual bool intercept(Peer&, Msg&) { return false; }
  // Whether intercept() takes every part (XPUB, PUB): the core then feeds it what arrives over
  // inproc too, where parts land in the peer's pipe directly.
  virtual bool intercepts_all() const { return false; }

  virtual Err send(Msg& part) = 0;
  virtual Err recv(Msg* part) = 0;
  virtual bool has_in() = 0;
  virtual bool has_out() = 0;

  // Type-specific options; kNotSupported when the option is not this type's.
  virtual Err set_option(int, std::span<const uint8_t>) { return Err::kNotSupported; }
  virtual Err get_option(int, uint8_t*, size_t*) { return Err::kNotSupported; }
  // A generic option (SocketOptions) was set successfully.
  virtual void option_changed(int) {}

  // Messages dropped on purpose that no peer's counter holds (a ROUTER's unroutable ones).
  virtual uint64_t dropped_messages() const { return 0; }

  // zmq_socket_get_peer_state: kPeerWritable in *state when the peer named `routing_id` can
  // take a message now. kHostUnreachable for no such peer; kNotSupported but for ROUTER (and
  // REP, which is one, as in libzmq).
  virtual Err peer_state(std::string_view, int*) { return Err::kNotSupported; }

  // DISH's zmq_join / zmq_leave; kNotSupported (ENOTSUP) on the other types, as in libzmq.
  virtual Err join(std::string_view) { return Err::kNotSupported; }
  virtual Err leave(std::string_view) { return Err::kNotSupported; }
  // SERVER/PEER: the routing id messages name this attached peer by (0: none).
  virtual uint32_t routing_id_of(const Peer&) const { return 0; }

 protected:
  const SocketOptions& options() const { return services_.options(); }
  SocketServices& services_;
};

std::unique_ptr<Routing> make_routing(SocketType type, SocketServices& services);
// Whether make_routing() builds this type: whether it has a row in the routing table
// (sockets/types/routing_table.cc).
bool routing_supported(SocketType type);
// The traits of the class make_routing() builds for this type (Routing::kTraits if none).
const SocketTraits& socket_traits(SocketType type);

}  // namespace zlab
