// "transport://address" as given to bind/connect. Only the syntax is checked here; resolving
// the address is the driver's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/base/err.h"

namespace zlab {

enum class Transport : uint8_t { kTcp, kIpc, kInproc, kWs };

struct Endpoint {
  Transport transport;
  std::string address;  // after "://"
  std::string text;     // as given
};

struct ParsedEndpoint {
  std::optional<Endpoint> endpoint;
  Err err = Err::kOk;  // kInvalid: malformed; kProtoNotSupported: unknown transport
};

ParsedEndpoint parse_endpoint(std::string_view text);

// A ws:// address: "host:port" then an optional path ("/" when absent), as libzmq's
// ws_address_t. The path goes in the HTTP request and in ZMQ_LAST_ENDPOINT; the listener
// accepts any path, as libzmq's does.
struct WsAddress {
  std::string host_port;
  std::string path;
};
WsAddress split_ws_address(std::string_view address);
// What connect() accepts of a tcp address before resolving it, as libzmq 4.3.4 checks it: a
// host made of letters, digits and `.-:%;[]_*`, then ":" and a port starting with a digit (no
// wildcard). Anything else is kInvalid at once, not a connection that can never succeed.
Err check_tcp_connect_address(std::string_view address);
std::string_view transport_name(Transport transport);

}  // namespace zlab
