#include "engine/sockets/endpoint.h"

namespace zlab {

ParsedEndpoint parse_endpoint(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return {std::nullopt, Err::kInvalid};
  std::string_view scheme = text.substr(0, sep);
  std::string_view address = text.substr(sep + 3);
  Transport transport;
  if (scheme == "tcp") {
    transport = Transport::kTcp;
  } else if (scheme == "ipc") {
    transport = Transport::kIpc;
  } else if (scheme == "inproc") {
    transport = Transport::kInproc;
  } else if (scheme == "ws") {
    transport = Transport::kWs;
  } else {
    return {std::nullopt, Err::kProtoNotSupported};
  }
  if (address.empty()) return {std::nullopt, Err::kInvalid};
  if (transport == Transport::kTcp || transport == Transport::kWs) {
    // host:port, [v6]:port, or source;host:port; the port may be * or 0 (ephemeral).
    // ws: then an optional /path.
    std::string_view host_port = address;
    if (transport == Transport::kWs) host_port = address.substr(0, address.find('/'));
    size_t colon = host_port.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == host_port.size()) {
      return {std::nullopt, Err::kInvalid};
    }
  }
  return {Endpoint{transport, std::string(address), std::string(text)}, Err::kOk};
}

WsAddress split_ws_address(std::string_view address) {
  size_t slash = address.find('/');
  if (slash == std::string_view::npos) return {std::string(address), "/"};
  return {std::string(address.substr(0, slash)), std::string(address.substr(slash))};
}

std::string_view transport_name(Transport transport) {
  switch (transport) {
    case Transport::kTcp:
      return "tcp";
    case Transport::kIpc:
      return "ipc";
    case Transport::kInproc:
      return "inproc";
    case Transport::kWs:
      return "ws";
  }
  return "unknown";
}

}  // namespace zlab
