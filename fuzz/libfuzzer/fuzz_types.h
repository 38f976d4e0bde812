// The socket types the libFuzzer targets draw from: every type of the table the engine builds
// that speaks ZMTP (the twelve classic ones and the draft ones: SERVER, CLIENT, RADIO, DISH,
// GATHER, SCATTER, PEER, CHANNEL; not DGRAM, whose messages are addressed udp datagrams), so
// the draft types' wire paths, RADIO's JOIN/LEAVE and DISH's groups among them, are fuzzed too.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/base/socket_type.h"
#include "engine/sockets/routing.h"

namespace zlab::fuzz {

inline const std::vector<SocketType>& built_types() {
  static const std::vector<SocketType> types = [] {
    std::vector<SocketType> out;
    for (const SocketTypeInfo& info : all_socket_types()) {
      if (routing_supported(info.type) && !socket_traits(info.type).addressed_datagrams) {
        out.push_back(info.type);
      }
    }
    return out;
  }();
  return types;
}

// The type an input's byte picks. Picks below 12 are the classic types (zmq.h's numbers), so
// seeds written when only those were drawn keep their meaning.
inline SocketType pick_type(uint8_t pick) {
  const std::vector<SocketType>& types = built_types();
  return types[pick % types.size()];
}

}  // namespace zlab::fuzz
