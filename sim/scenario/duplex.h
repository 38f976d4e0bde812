// Two peers that each stream to the other over one socket (DEALER/DEALER, PAIR/PAIR): a
// sender actor and a receiver actor share the socket on each side.
#pragma once

#include "sim/scenario/scenario.h"

namespace zlab::sim {

// Boots h0 (binds `endpoint`'s port) and h1 (connects) with sockets of `type`.
void start_duplex(ScenarioEnv& env, SocketType type, const std::string& port);

}  // namespace zlab::sim
