// Endpoint strings as bind/connect take them, and IP literals and accept filters: parsing never
// fails without a reason, what parses keeps its text, and the transport-specific checks run on
// every address.
#include <cstdlib>

#include "engine/base/ip_address.h"
#include "engine/sockets/accept_filter.h"
#include "engine/sockets/endpoint.h"
#include "fuzz/libfuzzer/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  zlab::ParsedEndpoint parsed = zlab::parse_endpoint(text);
  FUZZ_CHECK(parsed.endpoint.has_value() == (parsed.err == zlab::Err::kOk));
  if (parsed.endpoint) {
    FUZZ_CHECK(parsed.endpoint->text == text);
    const std::string& address = parsed.endpoint->address;
    FUZZ_CHECK(text.size() >= address.size() &&
               text.substr(text.size() - address.size()) == address);
    (void)zlab::transport_name(parsed.endpoint->transport);
    zlab::WsAddress ws = zlab::split_ws_address(address);
    FUZZ_CHECK(!ws.path.empty() && ws.path[0] == '/');
    (void)zlab::check_tcp_connect_address(address);
  }
  (void)zlab::check_tcp_connect_address(text);
  // The address literals the core parses without the OS: accept filters and SOCKS5 targets.
  std::optional<zlab::IpAddress> ip = zlab::parse_ip(text);
  if (ip) FUZZ_CHECK(ip->unmapped().v6 == (ip->v6 && !ip->is_v4_mapped()));
  for (bool ipv6 : {false, true}) {
    zlab::TcpAcceptFilter filter;
    if (zlab::parse_tcp_accept_filter(text, ipv6, &filter) == zlab::Err::kOk) {
      FUZZ_CHECK(filter.prefix_bits >= 0 && filter.prefix_bits <= 128);
      if (ip) (void)zlab::tcp_accept_filter_matches(filter, *ip);
    }
  }
  return 0;
}
