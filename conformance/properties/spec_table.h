// The zmq_socket(3) 4.3 records of every socket type the page has, generated from
// conformance/spec (sockets-4.3.json, with the strict-spec profile of profiles.json). Which
// types exist and which are built is this data's: the properties keep no list of types.
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
  const char* value;   // normalised, as the page says; for "compatible" a comma-separated list
  const char* strict;  // what the strict-spec profile expects (differs only where the page
                       // and an RFC disagree: div/SCATTER-GATHER/compatible-peers)
  bool active;         // status "active": zlab builds the type and the properties check it
};

const std::vector<SpecRecord>& spec_records();
std::string spec_value(std::string_view type, std::string_view column);
// The compatible peers of `type`, as the strict-spec profile reads the page.
std::vector<SocketType> spec_peers(SocketType type);
// Every type of the page, in zmq.h's order (ZMQ_PAIR = 0 first); and those whose records are
// active.
std::vector<SocketType> spec_types();
std::vector<SocketType> active_types();
bool spec_active(SocketType type);
// The rules of rules.json: the types each applies to, and whether it is active (applies to a
// built type).
bool rule_applies(std::string_view rule_id, SocketType type);
bool rule_active(std::string_view rule_id);
std::string type_name(SocketType type);
SocketType type_named(std::string_view name);

}  // namespace zlab::conform
