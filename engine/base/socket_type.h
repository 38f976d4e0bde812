// The socket types and what each one is, as one table: the engine's single source of truth for
// names on the wire, zmq.h numbers, compatible peers and routing behaviour. The conformance
// suite checks this table against the zmq_socket(3) spec data.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace zlab {

enum class SocketType : uint8_t {
  kPair,
  kPub,
  kSub,
  kReq,
  kRep,
  kDealer,
  kRouter,
  kPull,
  kPush,
  kXPub,
  kXSub,
  kStream,
  // Draft types (libzmq 4.3 with ZMQ_BUILD_DRAFT_API).
  kServer,
  kClient,
  kRadio,
  kDish,
  kGather,
  kScatter,
  kDgram,
  kPeer,
  kChannel,
};
inline constexpr size_t kSocketTypeCount = 21;

enum class Outgoing : uint8_t { kNone, kRoundRobin, kFanOut, kLastPeer, kByRoutingId, kSingle };
enum class Incoming : uint8_t { kNone, kFairQueued, kLastPeer, kSingle };
enum class MuteAction : uint8_t { kNone, kBlock, kDrop, kAgain };

struct SocketTypeInfo {
  SocketType type;
  std::string_view name;  // as in the READY Socket-Type property
  int zmq_value;          // ZMQ_PAIR = 0, ...
  bool draft;
  bool can_send;
  bool can_recv;
  Outgoing outgoing;
  Incoming incoming;
  MuteAction mute;
  std::span<const SocketType> peers;  // compatible peer types
};

const SocketTypeInfo& socket_type_info(SocketType type);
std::span<const SocketTypeInfo> all_socket_types();
std::optional<SocketType> socket_type_from_name(std::string_view name);
std::optional<SocketType> socket_type_from_zmq(int zmq_value);
// Whether a peer announcing `peer` may talk to a socket of type `self` (rfc 37 table).
bool compatible(SocketType self, SocketType peer);

}  // namespace zlab
