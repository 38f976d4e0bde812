// The zmq_socket(3) 4.3 records of the classic twelve, generated from conformance/spec.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/socket_type.h"

namespace zlab::conform {

struct SpecRecord {
  const char* id;      // "socket/PUSH/outgoing"
  const char* type;    // "PUSH"
  const char* column;  // compatible, direction, pattern, outgoing, incoming, mute
  const char* value;   // normalised; for "compatible" a comma-separated list
};

const std::vector<SpecRecord>& spec_records();
std::string spec_value(std::string_view type, std::string_view column);
// The compatible peers the page lists for `type`.
std::vector<SocketType> spec_peers(SocketType type);
std::string type_name(SocketType type);
SocketType type_named(std::string_view name);

}  // namespace zlab::conform
