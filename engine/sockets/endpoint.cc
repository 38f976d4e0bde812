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
  } else {
    return {std::nullopt, Err::kProtoNotSupported};
  }
  if (address.empty()) return {std::nullopt, Err::kInvalid};
  if (transport == Transport::kTcp) {
    // host:port, [v6]:port, or source;host:port; the port may be * or 0 (ephemeral).
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
      return {std::nullopt, Err::kInvalid};
    }
  }
  return {Endpoint{transport, std::string(address), std::string(text)}, Err::kOk};
}

std::string_view transport_name(Transport transport) {
  switch (transport) {
    case Transport::kTcp:
      return "tcp";
    case Transport::kIpc:
      return "ipc";
    case Transport::kInproc:
      return "inproc";
  }
  return "unknown";
}

}  // namespace zlab
