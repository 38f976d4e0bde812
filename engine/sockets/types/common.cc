#include <cstring>

#include "engine/sockets/types/types.h"

namespace zlab {

std::optional<bool> bool_option(std::span<const uint8_t> value, BoolForm form) {
  int v = 0;
  if (value.size() != sizeof v) return std::nullopt;
  std::memcpy(&v, value.data(), sizeof v);
  if (form == BoolForm::kStrict && v != 0 && v != 1) return std::nullopt;
  if (form == BoolForm::kNonNegative && v < 0) return std::nullopt;
  return v != 0;
}

Err put_int_option(int v, uint8_t* out, size_t* size) {
  if (*size < sizeof v) return Err::kInvalid;
  std::memcpy(out, &v, sizeof v);
  *size = sizeof v;
  return Err::kOk;
}

std::unique_ptr<Routing> make_routing(SocketType type, SocketServices& services) {
  switch (type) {
    case SocketType::kPair:
      return std::make_unique<PairRouting>(services);
    case SocketType::kPub:
      return std::make_unique<XPubRouting>(services, true);
    case SocketType::kSub:
      return std::make_unique<XSubRouting>(services, true);
    case SocketType::kReq:
      return std::make_unique<ReqRouting>(services);
    case SocketType::kRep:
      return std::make_unique<RepRouting>(services);
    case SocketType::kDealer:
      return std::make_unique<DealerRouting>(services);
    case SocketType::kRouter:
      return std::make_unique<RouterRouting>(services);
    case SocketType::kPull:
      return std::make_unique<PullRouting>(services);
    case SocketType::kPush:
      return std::make_unique<PushRouting>(services);
    case SocketType::kXPub:
      return std::make_unique<XPubRouting>(services, false);
    case SocketType::kXSub:
      return std::make_unique<XSubRouting>(services, false);
    case SocketType::kStream:
      return std::make_unique<StreamRouting>(services);
    case SocketType::kServer:
    case SocketType::kPeer:
      return std::make_unique<ServerRouting>(services);
    case SocketType::kClient:
      return std::make_unique<ClientRouting>(services);
    case SocketType::kRadio:
      return std::make_unique<RadioRouting>(services);
    case SocketType::kDish:
      return std::make_unique<DishRouting>(services);
    case SocketType::kGather:
      return std::make_unique<GatherRouting>(services);
    case SocketType::kScatter:
      return std::make_unique<ScatterRouting>(services);
    case SocketType::kChannel:
      return std::make_unique<ChannelRouting>(services);
    default:
      return nullptr;  // DGRAM (raw udp) is not built
  }
}

bool routing_supported(SocketType type) { return type != SocketType::kDgram; }

}  // namespace zlab
