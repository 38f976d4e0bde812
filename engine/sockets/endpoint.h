// "transport://address" as given to bind/connect. Only the syntax is checked here; resolving
// the address is the driver's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/base/err.h"
#include "engine/wire/udp_datagram.h"

namespace zlab {

enum class Transport : uint8_t { kTcp, kIpc, kInproc, kWs, kUdp };

// udp:// (RADIO/DISH): which way a socket type uses datagrams (wire/udp_datagram.h).
using wire::DatagramRole;

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

// A udp address as libzmq 4.3.4's udp_address_t reads it, without the OS: "host:port",
// "*:port" (bind: every interface), or "iface;group:port" where iface is an interface name,
// its address or "*", and group must then be a multicast address. Names are the driver's to
// resolve; a name is never multicast. kInvalid for what libzmq refuses with EINVAL.
struct UdpAddress {
  std::string iface;  // before ';' ("" when none: any interface)
  std::string host;   // the target (connect), the address to bind or the group to join (bind)
  uint16_t port = 0;
  bool multicast = false;  // host is a multicast literal (224.0.0.0/4, ff00::/8)
};
Err parse_udp_address(std::string_view address, bool bind, UdpAddress* out);

}  // namespace zlab
