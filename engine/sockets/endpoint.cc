#include "engine/sockets/endpoint.h"

#include "engine/base/ip_address.h"

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
  } else if (scheme == "udp") {
    transport = Transport::kUdp;
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
  if (transport == Transport::kUdp) {
    UdpAddress udp;
    // The syntax only: whether it may bind is checked by bind (a connect address takes no '*').
    if (parse_udp_address(address, true, &udp) != Err::kOk) return {std::nullopt, Err::kInvalid};
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

namespace {

bool is_multicast_literal(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::optional<IpAddress> ip = parse_ip(host);
  if (!ip) return false;
  return ip->v6 ? ip->bytes[0] == 0xFF : (ip->bytes[0] & 0xF0) == 0xE0;
}

bool parse_port(std::string_view text, bool bind, uint16_t* port) {
  if (bind && text == "*") {
    *port = 0;
    return true;
  }
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value > 65535) return false;
  *port = uint16_t(value);
  return true;
}

}  // namespace

Err parse_udp_address(std::string_view address, bool bind, UdpAddress* out) {
  UdpAddress udp;
  size_t semi = address.rfind(';');
  if (semi != std::string_view::npos) {
    udp.iface = std::string(address.substr(0, semi));
    address = address.substr(semi + 1);
    // A source interface is no multicast group (libzmq: EINVAL).
    if (udp.iface.empty() || is_multicast_literal(udp.iface)) return Err::kInvalid;
  }
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Err::kInvalid;
  udp.host = std::string(address.substr(0, colon));
  if (!parse_port(address.substr(colon + 1), bind, &udp.port)) return Err::kInvalid;
  if (!bind && udp.host == "*") return Err::kInvalid;  // nowhere to send to
  udp.multicast = is_multicast_literal(udp.host);
  // With an interface the target must be a multicast group (libzmq: EINVAL).
  if (!udp.iface.empty() && !udp.multicast) return Err::kInvalid;
  *out = std::move(udp);
  return Err::kOk;
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
    case Transport::kUdp:
      return "udp";
  }
  return "unknown";
}

}  // namespace zlab
