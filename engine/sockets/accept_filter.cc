#include "engine/sockets/accept_filter.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace zlab {
namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// What C's strtol/atoi make of text: leading space, a sign, then the leading digits (0 when there
// are none); trailing characters are ignored. libzmq reads mask bits and zone ids this way.
int64_t leading_integer(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  int64_t value = 0;
  constexpr int64_t kCap = std::numeric_limits<int32_t>::max();  // beyond any valid value
  for (; i < text.size() && is_digit(text[i]); ++i) {
    value = std::min<int64_t>(value * 10 + (text[i] - '0'), kCap);
  }
  return negative ? -value : value;
}

// "%zone" after an IPv6 address: a number other than 0, or an interface name. The name is not
// looked up (that takes the OS); the zone plays no part in matching either way.
bool valid_zone(std::string_view zone) {
  if (zone.empty()) return false;
  if (is_alpha(zone[0])) return true;
  return leading_integer(zone) != 0;
}

}  // namespace

Err parse_tcp_accept_filter(std::string_view text, bool ipv6, TcpAcceptFilter* out) {
  std::string_view address = text;
  std::optional<std::string_view> bits_text;
  if (size_t slash = text.rfind('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    bits_text = text.substr(slash + 1);
    if (bits_text->empty()) return Err::kInvalid;
  }
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  if (size_t percent = address.rfind('%'); percent != std::string_view::npos) {
    if (!valid_zone(address.substr(percent + 1))) return Err::kInvalid;
    address = address.substr(0, percent);
  }
  std::optional<IpAddress> ip = parse_ipv4(address);
  if (!ip) {
    ip = parse_ipv6(address);
    if (!ip) return Err::kInvalid;
    // Without ZMQ_IPV6 only IPv4 is understood; glibc still reads a v4-mapped literal as IPv4.
    if (!ipv6) {
      if (!ip->is_v4_mapped()) return Err::kInvalid;
      ip = ip->unmapped();
    }
  }
  const int max_bits = ip->v6 ? 128 : 32;
  int64_t bits = max_bits;
  if (bits_text && *bits_text == "0") {
    bits = 0;
  } else if (bits_text) {
    bits = leading_integer(*bits_text);
    if (bits < 1 || bits > max_bits) return Err::kInvalid;
  }
  out->network = ip->as_v6();
  out->prefix_bits = int(bits) + (ip->v6 ? 0 : 96);
  return Err::kOk;
}

bool tcp_accept_filter_matches(const TcpAcceptFilter& filter, const IpAddress& peer) {
  const std::array<uint8_t, 16> address = peer.as_v6();
  int bits = filter.prefix_bits;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : uint8_t(0xff << (8 - bits));
    if ((address[i] & mask) != (filter.network[i] & mask)) return false;
  }
  return true;
}

bool tcp_accept_filters_accept(const std::vector<TcpAcceptFilter>& filters, const IpAddress& peer) {
  if (filters.empty()) return true;
  for (const TcpAcceptFilter& filter : filters) {
    if (tcp_accept_filter_matches(filter, peer)) return true;
  }
  return false;
}

bool ipc_filters_accept(const IpcFilters& filters, const PeerCredentials& peer,
                        const std::function<bool(uint32_t gid)>& user_in_group) {
  if (filters.empty()) return true;
  if (filters.uids.count(peer.uid) || filters.gids.count(peer.gid) ||
      filters.pids.count(peer.pid)) {
    return true;
  }
  for (uint32_t gid : filters.gids) {
    if (user_in_group(gid)) return true;
  }
  return false;
}

}  // namespace zlab
