// IP address literals, parsed without the OS: the sans-I/O core may not call inet_pton or
// getaddrinfo, yet it checks ZMQ_TCP_ACCEPT_FILTER values and encodes SOCKS5 targets. Only
// numeric forms are understood; names are the driver's to resolve.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace zlab {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4 bytes, in network order

  // The address in IPv6 space: IPv4 as ::ffff:a.b.c.d, which is how a dual-stack socket
  // shows an IPv4 peer. Lets one comparison cover both families.
  std::array<uint8_t, 16> as_v6() const;
  bool is_v4_mapped() const;
  // A v4-mapped IPv6 address as the IPv4 address it carries; others unchanged.
  IpAddress unmapped() const;
};

// IPv4 as getaddrinfo(AI_NUMERICHOST) takes it on glibc, i.e. inet_aton's forms: "a.b.c.d",
// "a.b.c", "a.b", "a", each part decimal, octal (leading 0) or hex (0x); the whole text.
std::optional<IpAddress> parse_ipv4(std::string_view text);
// IPv6 text (RFC 4291 2.2): up to eight hex groups, at most one "::", an optional dotted-quad
// tail. No brackets, no zone ("%eth0"): callers strip those.
std::optional<IpAddress> parse_ipv6(std::string_view text);
// Either family: IPv4 first, as getaddrinfo tries it.
std::optional<IpAddress> parse_ip(std::string_view text);

}  // namespace zlab
