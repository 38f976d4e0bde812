// What a socket type does on a ZMTP connection besides data frames: whether its READY carries
// an Identity, and which commands carry its own traffic (rfc 37's SUBSCRIBE and CANCEL). The
// socket type gives it to the connection (sockets/types/, SocketTraits::wire): proto/ never
// asks which type it serves.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace zlab::proto {

// Commands that carry a socket type's traffic between ZMTP 3.1 peers (a 3.0 or ws peer gets
// the same traffic as messages). A new one (RADIO/DISH's JOIN and LEAVE) is a value here, its
// translation in ZmtpConnection (send_as_command() out, dispatch() in) and the types that
// send or take it saying so in their traits.
enum class TypeCommand : uint8_t {
  kSubscribe,  // rfc 37 SUBSCRIBE: the message 0x01 + topic
  kCancel,     // rfc 37 CANCEL: the message 0x00 + topic
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
  friend constexpr bool operator==(TypeCommands, TypeCommands) = default;

 private:
  static constexpr uint32_t bit(TypeCommand c) { return uint32_t(1) << unsigned(c); }
  uint32_t bits_ = 0;
};

inline constexpr TypeCommands kSubscriptionCommands{TypeCommand::kSubscribe, TypeCommand::kCancel};

struct TypeProfile {
  // READY (and PLAIN/CURVE's INITIATE) carries Identity = ZMQ_ROUTING_ID (libzmq: REQ, DEALER,
  // ROUTER).
  bool sends_identity = false;
  // The type's single-frame messages that travel as these commands to a 3.1 peer: 0x01 + topic
  // as SUBSCRIBE, 0x00 + topic as CANCEL (SUB, XSUB).
  TypeCommands sends;
  // Taken from the peer and delivered as the messages above (PUB, XPUB); any other of them is
  // an unexpected command that ends the connection.
  TypeCommands accepts;
  friend constexpr bool operator==(const TypeProfile&, const TypeProfile&) = default;
};

}  // namespace zlab::proto
