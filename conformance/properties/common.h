// What the table properties share: generators for a case's world seed and faults, partners
// for each socket type, and one-message exchanges that respect each type's envelope rules.
#pragma once

#include <rapidcheck.h>

#include <optional>
#include <string>
#include <vector>

#include "conformance/harness/property.h"
#include "conformance/properties/lab.h"
#include "conformance/properties/spec_table.h"

namespace zlab::conform {

// The classic types that speak ZMTP (STREAM speaks raw TCP).
const std::vector<SocketType>& zmtp_types();

// A world seed (shrinks towards small numbers) and a fault mask within `allowed`.
uint64_t gen_world_seed();
uint32_t gen_faults(uint32_t allowed);

// The peer type a property pairs `type` with to make traffic flow, and its options.
SocketType partner(SocketType type);
// Prepares a socket: subscribers subscribe to everything, identities where routing needs them.
void prepare(sim::SimSocket* s, SocketType type, const std::string& identity);

// One test message from `from` (of type `from_type`) to `to`: the envelope each type needs
// on the way out and strips on the way in. `to_identity` addresses ROUTER sends.
Parts outgoing(SocketType from_type, const std::string& body, const std::string& to_identity);
// The body of a received message, once the receiving type's envelope is taken off.
std::optional<std::string> body_of(SocketType to_type, const Parts& parts);

// Waits until `a` and every socket in `bs` have completed at least one handshake.
bool connected(Lab& lab, sim::SimSocket* a, const std::vector<sim::SimSocket*>& bs,
               int64_t timeout_ms = 20'000);

}  // namespace zlab::conform
