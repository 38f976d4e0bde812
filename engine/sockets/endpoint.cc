#include "engine/sockets/endpoint.h"

namespace zlab {
namespace {

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_host_char(char c) {
  return is_alnum(c) || std::string_view(".-:%;[]_*").find(c) != std::string_view::npos;
}

}  // namespace

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
  // An abstract ipc socket needs a name after its '@'.
  if (transport == Transport::kIpc && address == "@") return {std::nullopt, Err::kInvalid};
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

Err check_tcp_connect_address(std::string_view address) {
  if (address.empty() || !(is_alnum(address[0]) || address[0] == '[' || address[0] == ':')) {
    return Err::kInvalid;
  }
  for (char c : address) {
    if (!is_host_char(c)) return Err::kInvalid;
  }
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == address.size()) return Err::kInvalid;
  char first = address[colon + 1];
  return first >= '0' && first <= '9' ? Err::kOk : Err::kInvalid;
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
