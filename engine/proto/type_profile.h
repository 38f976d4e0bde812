// What a socket type does on a ZMTP connection besides data frames: whether its READY carries
// an Identity, and which commands carry its own traffic (rfc 37's SUBSCRIBE and CANCEL, rfc 48's
// JOIN and LEAVE). The
// socket type gives it to the connection (sockets/types/, SocketTraits::wire): proto/ never
// asks which type it serves.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace zlab::proto {

// Commands that carry a socket type's traffic. A new one is a value here, its translation in
// ZmtpConnection (send_part() out, dispatch() in) and the types that send or take it saying so
// in their traits.
enum class TypeCommand : uint8_t {
  // Between ZMTP 3.1 peers only (a 3.0 or ws peer gets the same traffic as messages):
  kSubscribe,  // rfc 37 SUBSCRIBE: the message 0x01 + topic
  kCancel,     // rfc 37 CANCEL: the message 0x00 + topic
  // Commands only, whatever the peer's minor version (as libzmq's DISH sends them): the type's
  // routing makes the command frame itself (wire::make_join), the taker gets that frame.
  kJoin,   // rfc 48 JOIN: the group
  kLeave,  // rfc 48 LEAVE: the group
};

// A set of TypeCommand.
class TypeCommands {
 public:
  constexpr TypeCommands() = default;
  constexpr TypeCommands(std::initializer_list<TypeCommand> commands) {
    for (TypeCommand c : commands) bits_ |= bit(c);
  }
  constexpr bool has(TypeCommand c) const { return (bits_ & bit(c)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // These commands but not `other`'s.
  constexpr TypeCommands without(TypeCommands other) const {
    TypeCommands rest;
    rest.bits_ = bits_ & ~other.bits_;
    return rest;
  }
  friend constexpr bool operator==(TypeCommands, TypeCommands) = default;

 private:
  static constexpr uint32_t bit(TypeCommand c) { return uint32_t(1) << unsigned(c); }
  uint32_t bits_ = 0;
};

inline constexpr TypeCommands kSubscriptionCommands{TypeCommand::kSubscribe, TypeCommand::kCancel};
inline constexpr TypeCommands kGroupCommands{TypeCommand::kJoin, TypeCommand::kLeave};

struct TypeProfile {
  // READY (and PLAIN/CURVE's INITIATE) carries Identity = ZMQ_ROUTING_ID (libzmq: REQ, DEALER,
  // ROUTER).
  bool sends_identity = false;
  // The type's single-frame messages that travel as these commands to a 3.1 peer: 0x01 + topic
  // as SUBSCRIBE, 0x00 + topic as CANCEL (SUB, XSUB); the JOIN/LEAVE command parts its routing
  // makes, sent as they are (DISH). A command part not here goes as data.
  TypeCommands sends;
  // Taken from the peer: subscriptions delivered as the messages above (PUB, XPUB), JOIN/LEAVE
  // as their command frames (RADIO); any other of them is an unexpected command that ends the
  // connection.
  TypeCommands accepts;
  friend constexpr bool operator==(const TypeProfile&, const TypeProfile&) = default;
};

}  // namespace zlab::proto
