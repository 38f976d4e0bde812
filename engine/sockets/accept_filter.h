// Which peers a listener accepts: ZMQ_TCP_ACCEPT_FILTER (address prefixes) and
// ZMQ_IPC_FILTER_UID/GID/PID (the peer process's credentials). The rules are here; the driver
// supplies what only the OS knows (the peer's address, its SO_PEERCRED, group membership) and
// closes a refused connection at once, before the socket hears of it, as libzmq does.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <string_view>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/ip_address.h"

namespace zlab {

// An address prefix in IPv6 space: an IPv4 filter a.b.c.d/n is ::ffff:a.b.c.d/(96+n), so it
// matches IPv4 peers whether the listener is IPv4 or dual-stack.
struct TcpAcceptFilter {
  std::array<uint8_t, 16> network{};
  int prefix_bits = 128;
};

// "address[/bits]" as libzmq takes it: a numeric IPv4 or (with ipv6) IPv6 address, optionally in
// brackets and with a zone ("%2", "%eth0"); bits 0..32 (IPv4) or 0..128 (IPv6), read as strtol
// would (leading digits); an empty "/" is invalid. kInvalid for anything else.
Err parse_tcp_accept_filter(std::string_view text, bool ipv6, TcpAcceptFilter* out);
bool tcp_accept_filter_matches(const TcpAcceptFilter& filter, const IpAddress& peer);
// No filters: everyone. Otherwise the peer must match one.
bool tcp_accept_filters_accept(const std::vector<TcpAcceptFilter>& filters, const IpAddress& peer);

struct IpcFilters {
  std::set<uint32_t> uids;
  std::set<uint32_t> gids;
  std::set<int32_t> pids;
  bool empty() const { return uids.empty() && gids.empty() && pids.empty(); }
};

// What SO_PEERCRED reports of the connecting process.
struct PeerCredentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
};

// libzmq's rule: accepted if any filter names the peer's uid, its (primary) gid or its pid, or
// if a filtered group lists the peer's user among its members (user_in_group asks the system;
// it is only called when the direct checks fail). No filters: everyone.
bool ipc_filters_accept(const IpcFilters& filters, const PeerCredentials& peer,
                        const std::function<bool(uint32_t gid)>& user_in_group);

}  // namespace zlab
