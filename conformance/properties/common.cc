#include "conformance/properties/common.h"

#include "engine/sockets/options.h"

namespace zlab::conform {

const std::vector<SocketType>& zmtp_types() {
  static const std::vector<SocketType> kTypes = {
      SocketType::kPair, SocketType::kPub,    SocketType::kSub,    SocketType::kReq,
      SocketType::kRep,  SocketType::kDealer, SocketType::kRouter, SocketType::kPull,
      SocketType::kPush, SocketType::kXPub,   SocketType::kXSub};
  return kTypes;
}

uint64_t gen_world_seed() { return *rc::gen::inRange<uint64_t>(1, 1'000'000'000); }

uint32_t gen_faults(uint32_t allowed) {
  return *rc::gen::map(rc::gen::arbitrary<uint32_t>(),
                       [allowed](uint32_t x) { return x & allowed; });
}

SocketType partner(SocketType type) {
  switch (type) {
    case SocketType::kPair:
      return SocketType::kPair;
    case SocketType::kPub:
      return SocketType::kSub;
    case SocketType::kSub:
      return SocketType::kPub;
    case SocketType::kXPub:
      return SocketType::kXSub;
    case SocketType::kXSub:
      return SocketType::kXPub;
    case SocketType::kReq:
      return SocketType::kRep;
    case SocketType::kRep:
      return SocketType::kReq;
    case SocketType::kDealer:
      return SocketType::kRouter;
    case SocketType::kRouter:
      return SocketType::kDealer;
    case SocketType::kPush:
      return SocketType::kPull;
    case SocketType::kPull:
      return SocketType::kPush;
    default:
      return type;
  }
}

void prepare(sim::SimSocket* s, SocketType type, const std::string& identity) {
  if (type == SocketType::kSub) s->set_bytes(opt::kSubscribe, "");
  if (type == SocketType::kXSub) {
    Msg everything = Msg::copy_of(std::string_view("\x01"));  // kept and sent on connect
    s->send(everything, 0);
  }
  if (!identity.empty()) s->set_bytes(opt::kRoutingId, identity);
}

Parts outgoing(SocketType from_type, const std::string& body, const std::string& to_identity) {
  switch (from_type) {
    case SocketType::kRouter:
      return {to_identity, "", body};  // as to a REQ or a DEALER peer
    case SocketType::kDealer:
      return {"", body};  // REP needs the delimiter
    default:
      return {body};
  }
}

std::optional<std::string> body_of(SocketType to_type, const Parts& parts) {
  if (parts.empty()) return std::nullopt;
  switch (to_type) {
    case SocketType::kRouter:  // [id]["" if from REQ/DEALER-with-delimiter][body]
      if (parts.size() == 3 && parts[1].empty()) return parts[2];
      if (parts.size() == 2) return parts[1];
      return std::nullopt;
    case SocketType::kDealer:
      if (parts.size() == 2 && parts[0].empty()) return parts[1];
      if (parts.size() == 1) return parts[0];
      return std::nullopt;
    default:
      return parts.size() == 1 ? std::optional<std::string>(parts[0]) : std::nullopt;
  }
}

bool connected(Lab& lab, sim::SimSocket* a, const std::vector<sim::SimSocket*>& bs,
               int64_t timeout_ms) {
  return lab.wait_for(
      [&] {
        if (lab.handshakes(a) < bs.size()) return false;
        for (sim::SimSocket* b : bs) {
          if (lab.handshakes(b) == 0) return false;
        }
        return true;
      },
      timeout_ms);
}

}  // namespace zlab::conform
