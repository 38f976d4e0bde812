#include "engine/base/socket_type.h"

#include <array>

namespace zlab {
namespace {

using T = SocketType;
using O = Outgoing;
using I = Incoming;
using M = MuteAction;

constexpr T kPairPeers[] = {T::kPair};
constexpr T kPubPeers[] = {T::kSub, T::kXSub};
constexpr T kSubPeers[] = {T::kPub, T::kXPub};
constexpr T kReqPeers[] = {T::kRep, T::kRouter};
constexpr T kRepPeers[] = {T::kReq, T::kDealer};
constexpr T kDealerPeers[] = {T::kRep, T::kDealer, T::kRouter};
constexpr T kRouterPeers[] = {T::kReq, T::kDealer, T::kRouter};
constexpr T kPullPeers[] = {T::kPush};
constexpr T kPushPeers[] = {T::kPull};
constexpr T kServerPeers[] = {T::kClient};
constexpr T kClientPeers[] = {T::kServer};
constexpr T kRadioPeers[] = {T::kDish};
constexpr T kDishPeers[] = {T::kRadio};
constexpr T kGatherPeers[] = {T::kScatter};
constexpr T kScatterPeers[] = {T::kGather};
constexpr T kDgramPeers[] = {T::kDgram};
constexpr T kPeerPeers[] = {T::kPeer};
constexpr T kChannelPeers[] = {T::kChannel};

// Indexed by SocketType. STREAM talks raw TCP: no ZMTP peer is compatible.
// clang-format off
constexpr std::array<SocketTypeInfo, kSocketTypeCount> kTable = {{
  // type        name      zmq  draft  send   recv   outgoing         incoming          mute       peers
  {T::kPair,    "PAIR",     0, false, true,  true,  O::kSingle,      I::kSingle,       M::kBlock, kPairPeers},
  {T::kPub,     "PUB",      1, false, true,  false, O::kFanOut,      I::kNone,         M::kDrop,  kPubPeers},
  {T::kSub,     "SUB",      2, false, false, true,  O::kNone,        I::kFairQueued,   M::kNone,  kSubPeers},
  {T::kReq,     "REQ",      3, false, true,  true,  O::kRoundRobin,  I::kLastPeer,     M::kBlock, kReqPeers},
  {T::kRep,     "REP",      4, false, true,  true,  O::kLastPeer,    I::kFairQueued,   M::kNone,  kRepPeers},
  {T::kDealer,  "DEALER",   5, false, true,  true,  O::kRoundRobin,  I::kFairQueued,   M::kBlock, kDealerPeers},
  {T::kRouter,  "ROUTER",   6, false, true,  true,  O::kByRoutingId, I::kFairQueued,   M::kDrop,  kRouterPeers},
  {T::kPull,    "PULL",     7, false, false, true,  O::kNone,        I::kFairQueued,   M::kBlock, kPullPeers},
  {T::kPush,    "PUSH",     8, false, true,  false, O::kRoundRobin,  I::kNone,         M::kBlock, kPushPeers},
  {T::kXPub,    "XPUB",     9, false, true,  true,  O::kFanOut,      I::kNone,         M::kDrop,  kPubPeers},
  {T::kXSub,    "XSUB",    10, false, true,  true,  O::kNone,        I::kFairQueued,   M::kDrop,  kSubPeers},
  {T::kStream,  "STREAM",  11, false, true,  true,  O::kByRoutingId, I::kFairQueued,   M::kAgain, {}},
  {T::kServer,  "SERVER",  12, true,  true,  true,  O::kByRoutingId, I::kFairQueued,   M::kAgain, kServerPeers},
  {T::kClient,  "CLIENT",  13, true,  true,  true,  O::kRoundRobin,  I::kFairQueued,   M::kBlock, kClientPeers},
  {T::kRadio,   "RADIO",   14, true,  true,  false, O::kFanOut,      I::kNone,         M::kDrop,  kRadioPeers},
  {T::kDish,    "DISH",    15, true,  false, true,  O::kNone,        I::kFairQueued,   M::kNone,  kDishPeers},
  {T::kGather,  "GATHER",  16, true,  false, true,  O::kNone,        I::kFairQueued,   M::kBlock, kGatherPeers},
  {T::kScatter, "SCATTER", 17, true,  true,  false, O::kRoundRobin,  I::kNone,         M::kBlock, kScatterPeers},
  {T::kDgram,   "DGRAM",   18, true,  true,  true,  O::kByRoutingId, I::kFairQueued,   M::kNone,  kDgramPeers},
  {T::kPeer,    "PEER",    19, true,  true,  true,  O::kByRoutingId, I::kFairQueued,   M::kAgain, kPeerPeers},
  {T::kChannel, "CHANNEL", 20, true,  true,  true,  O::kSingle,      I::kSingle,       M::kBlock, kChannelPeers},
}};
// clang-format on

constexpr bool table_is_indexed() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (size_t(kTable[i].type) != i || kTable[i].zmq_value != int(i)) return false;
  }
  return true;
}
static_assert(table_is_indexed(), "kTable rows must follow SocketType order and zmq.h values");

}  // namespace

const SocketTypeInfo& socket_type_info(SocketType type) { return kTable[size_t(type)]; }

std::span<const SocketTypeInfo> all_socket_types() { return kTable; }

std::optional<SocketType> socket_type_from_name(std::string_view name) {
  for (const auto& row : kTable) {
    if (row.name == name) return row.type;
  }
  return std::nullopt;
}

std::optional<SocketType> socket_type_from_zmq(int zmq_value) {
  if (zmq_value < 0 || zmq_value >= int(kTable.size())) return std::nullopt;
  return kTable[size_t(zmq_value)].type;
}

bool compatible(SocketType self, SocketType peer) {
  for (SocketType t : socket_type_info(self).peers) {
    if (t == peer) return true;
  }
  return false;
}

}  // namespace zlab
