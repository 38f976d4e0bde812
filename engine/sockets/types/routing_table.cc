// Which class each socket type is: the one place a type's routing is declared. A type is built
// when it has a row here (and its row in the socket table, base/socket_type.cc, says what it
// is); routing_supported() follows from the rows, so adding a type is adding a row.
#include <span>

#include "engine/sockets/types/types.h"

namespace zlab {
namespace {

using Factory = std::unique_ptr<Routing> (*)(SocketServices&);

struct RoutingRow {
  SocketType type;
  Factory make;
};

// A factory for class R, built with the services and `args` (PUB is XPUB that does not pass
// subscriptions up, SUB is XSUB that subscribes through options).
template <typename R, auto... args>
std::unique_ptr<Routing> build(SocketServices& services) {
  return std::make_unique<R>(services, args...);
}

// clang-format off
constexpr RoutingRow kRows[] = {
  {SocketType::kPair,   build<PairRouting>},
  {SocketType::kPub,    build<XPubRouting, true>},
  {SocketType::kSub,    build<XSubRouting, true>},
  {SocketType::kReq,    build<ReqRouting>},
  {SocketType::kRep,    build<RepRouting>},
  {SocketType::kDealer, build<DealerRouting>},
  {SocketType::kRouter, build<RouterRouting>},
  {SocketType::kPull,   build<PullRouting>},
  {SocketType::kPush,   build<PushRouting>},
  {SocketType::kXPub,   build<XPubRouting, false>},
  {SocketType::kXSub,   build<XSubRouting, false>},
  {SocketType::kStream, build<StreamRouting>},
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

Factory factory_of(SocketType type) {
  for (const RoutingRow& row : kRows) {
    if (row.type == type) return row.make;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<Routing> make_routing(SocketType type, SocketServices& services) {
  Factory make = factory_of(type);
  return make != nullptr ? make(services) : nullptr;
}

bool routing_supported(SocketType type) { return factory_of(type) != nullptr; }

}  // namespace zlab
