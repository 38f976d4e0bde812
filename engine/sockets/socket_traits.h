// What the socket core and the connection need to know of a socket type besides its routing:
// the facts each type's class declares (`static constexpr SocketTraits kTraits`, sockets/
// types/) so that no code outside sockets/types/ asks which type a socket is. Routing has the
// plain ZMTP type's; a class that differs declares its own (a derived class inherits its
// base's unless it declares one).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

#include "engine/proto/type_profile.h"
#include "engine/sockets/endpoint.h"

namespace zlab {

// A set of transports.
class TransportSet {
 public:
  constexpr TransportSet(std::initializer_list<Transport> transports) {
    for (Transport t : transports) bits_ |= bit(t);
  }
  constexpr bool has(Transport t) const { return (bits_ & bit(t)) != 0; }
  friend constexpr bool operator==(TransportSet, TransportSet) = default;

 private:
  static constexpr uint32_t bit(Transport t) { return uint32_t(1) << unsigned(t); }
  uint32_t bits_ = 0;
};

// The transports a ZMTP socket binds and connects over.
inline constexpr TransportSet kZmtpTransports{Transport::kTcp, Transport::kIpc, Transport::kInproc,
                                              Transport::kWs};
// The same and udp:// (RADIO connects it, DISH binds it: libzmq 4.3.4, rfc 48 over udp).
inline constexpr TransportSet kZmtpAndUdpTransports{
    Transport::kTcp, Transport::kIpc, Transport::kInproc, Transport::kWs, Transport::kUdp};

struct SocketTraits {
  // On a ZMTP connection: READY's Identity, the commands the type sends and accepts.
  proto::TypeProfile wire;
  // Speaks raw bytes instead of ZMTP (STREAM: proto/raw_connection.h).
  bool raw = false;
  // Where bind() and connect() may go; elsewhere they fail with kNoCompatProto.
  TransportSet binds = kZmtpTransports;
  TransportSet connects = kZmtpTransports;
  // ZMQ_LINGER's initial value when it is not the generic one (SocketOptions::linger_ms).
  std::optional<int> linger_ms;
  // Each message received must be answered before the next can be (REP): a proxy's control
  // socket of such a type gets an empty reply to each command, or it could take no other.
  bool answers_each_request = false;
  // zmq_connect_peer connects and returns the new peer's routing id (PEER); elsewhere it fails
  // with kNotSupported.
  bool connect_peer = false;
  // Several application threads may use one socket at once (libzmq's ZMQ_THREAD_SAFE: the
  // draft types but DGRAM). Such a socket has no ZMQ_FD and sends no multipart message.
  bool thread_safe = false;
  // Over udp:// each message names its peer: the address it came from or goes to, then the
  // body (DGRAM); the bound socket both receives and sends.
  bool addressed_datagrams = false;
  // ZMQ_HELLO_MSG (draft): the type sends it to each new peer first (libzmq: DEALER, ROUTER,
  // REP, CLIENT, SERVER, PEER); ZMQ_DISCONNECT_MSG: the type receives it from an accepted peer
  // whose handshaken connection is lost (ROUTER, REP, SERVER, PEER). socket_core.cc does both.
  bool sends_hello_msg = false;
  bool takes_disconnect_msg = false;
};

// The traits of a thread-safe type that has no other difference from the plain ZMTP type's.
inline constexpr SocketTraits kThreadSafeTraits = [] {
  SocketTraits t;
  t.thread_safe = true;
  return t;
}();

}  // namespace zlab
