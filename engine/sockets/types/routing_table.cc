// Which class each socket type is: the one place a type's routing is declared. A type is built
// when it has a row here (and its row in the socket table, base/socket_type.cc, says what it
// is); routing_supported() follows from the rows, so adding a type is adding a row.
#include <array>
#include <span>

#include "engine/sockets/types/types.h"

namespace zlab {
namespace {

using Factory = std::unique_ptr<Routing> (*)(SocketServices&);

// A type's class: how to build it, and its traits (the class's kTraits).
struct RoutingClass {
  Factory make;
  const SocketTraits* traits;
};

template <typename R, auto... args>
std::unique_ptr<Routing> make(SocketServices& services) {
  return std::make_unique<R>(services, args...);
}

// Class R, built with the services and `args` (PUB is XPUB that does not pass subscriptions
// up, SUB is XSUB that subscribes through options).
template <typename R, auto... args>
constexpr RoutingClass build{make<R, args...>, &R::kTraits};

struct RoutingRow {
  SocketType type;
  RoutingClass routing;
};

// clang-format off
constexpr RoutingRow kRows[] = {
  {SocketType::kPair,    build<PairRouting>},
  {SocketType::kPub,     build<XPubRouting, true>},
  {SocketType::kSub,     build<XSubRouting, true>},
  {SocketType::kReq,     build<ReqRouting>},
  {SocketType::kRep,     build<RepRouting>},
  {SocketType::kDealer,  build<DealerRouting>},
  {SocketType::kRouter,  build<RouterRouting>},
  {SocketType::kPull,    build<PullRouting>},
  {SocketType::kPush,    build<PushRouting>},
  {SocketType::kXPub,    build<XPubRouting, false>},
  {SocketType::kXSub,    build<XSubRouting, false>},
  {SocketType::kStream,  build<StreamRouting>},
  // The draft types (libzmq 4.3's thread-safe ones, and DGRAM).
  {SocketType::kServer,  build<ServerRouting>},
  {SocketType::kClient,  build<ClientRouting>},
  {SocketType::kRadio,   build<RadioRouting>},
  {SocketType::kDish,    build<DishRouting>},
  {SocketType::kGather,  build<GatherRouting>},
  {SocketType::kScatter, build<ScatterRouting>},
  {SocketType::kPeer,    build<PeerRouting>},
  {SocketType::kChannel, build<ChannelRouting>},
  {SocketType::kDgram,   build<DgramRouting>},
};
// clang-format on

constexpr bool each_type_once() {
  for (size_t i = 0; i < std::size(kRows); ++i) {
    for (size_t j = i + 1; j < std::size(kRows); ++j) {
      if (kRows[i].type == kRows[j].type) return false;
    }
  }
  return true;
}
static_assert(each_type_once(), "a socket type has two rows in kRows");

// Each type's row by its value: socket_traits() is asked on every zmq_send and zmq_recv, and
// a walk of the rows cost ~45 instructions for PUSH.
constexpr std::array<const RoutingRow*, kSocketTypeCount> kRowByType = [] {
  std::array<const RoutingRow*, kSocketTypeCount> by_type{};
  for (const RoutingRow& r : kRows) by_type[static_cast<size_t>(r.type)] = &r;
  return by_type;
}();

const RoutingRow* row_of(SocketType type) {
  const size_t i = static_cast<size_t>(type);
  return i < kSocketTypeCount ? kRowByType[i] : nullptr;
}

}  // namespace

std::unique_ptr<Routing> make_routing(SocketType type, SocketServices& services) {
  const RoutingRow* r = row_of(type);
  return r != nullptr ? r->routing.make(services) : nullptr;
}

bool routing_supported(SocketType type) { return row_of(type) != nullptr; }

const SocketTraits& socket_traits(SocketType type) {
  const RoutingRow* r = row_of(type);
  return r != nullptr ? *r->routing.traits : Routing::kTraits;
}

}  // namespace zlab
