#include "engine/sockets/options.h"

#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include "engine/sockets/security_options.h"

namespace zlab {
namespace {

enum class Kind : uint8_t { kInt, kInt64, kBool, kBytes };

// One row per generic option: how its value is encoded and which field it lives in.
struct Row {
  int id;
  Kind kind;
  int64_t min;  // for numbers: the smallest value accepted
  int64_t max;
  bool readable;
  bool writable;
  // Exactly one field pointer is set, matching kind.
  int SocketOptions::*int_field;
  int64_t SocketOptions::*int64_field;
  bool SocketOptions::*bool_field;
  std::string SocketOptions::*bytes_field;
  // kInt: the value is kept in whole steps, truncated toward zero, before the range check.
  int64_t step = 1;
};

constexpr int64_t kIntMax = std::numeric_limits<int>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

constexpr Row int_row(int id, int SocketOptions::*f, int64_t min, int64_t max = kIntMax) {
  return {id, Kind::kInt, min, max, true, true, f, nullptr, nullptr, nullptr};
}
// ZMQ_HEARTBEAT_TTL travels in deciseconds: libzmq divides the milliseconds by 100 (so 99 reads
// back 0, and -99 is 0 too) and accepts up to 65535 deciseconds.
constexpr Row int_row_in_steps(int id, int SocketOptions::*f, int64_t step, int64_t max) {
  return {id, Kind::kInt, 0, max, true, true, f, nullptr, nullptr, nullptr, step};
}
constexpr Row int64_row(int id, int64_t SocketOptions::*f, int64_t min) {
  return {id, Kind::kInt64, min, kInt64Max, true, true, nullptr, f, nullptr, nullptr};
}
constexpr Row bool_row(int id, bool SocketOptions::*f, bool readable = true) {
  return {id, Kind::kBool, 0, 1, readable, true, nullptr, nullptr, f, nullptr};
}
// A flag libzmq takes from any int (nonzero is on) and reads back as 0 or 1
// (do_setsockopt_int_as_bool_relaxed: ZMQ_MULTICAST_LOOP, ZMQ_INVERT_MATCHING, ...).
constexpr Row relaxed_bool_row(int id, bool SocketOptions::*f) {
  return {id, Kind::kBool, std::numeric_limits<int>::min(), kIntMax, true, true, nullptr, nullptr,
          f,  nullptr};
}
constexpr Row bytes_row(int id, std::string SocketOptions::*f, int64_t min, int64_t max,
                        bool readable = true, bool writable = true) {
  return {id, Kind::kBytes, min, max, readable, writable, nullptr, nullptr, nullptr, f};
}

// Ranges follow libzmq 4.3.4 (negative HWMs, linger below -1 and empty routing ids are EINVAL).
const Row kRows[] = {
    int64_row(opt::kSndHwm, &SocketOptions::sndhwm, 0),
    int64_row(opt::kRcvHwm, &SocketOptions::rcvhwm, 0),
    int_row(opt::kLinger, &SocketOptions::linger_ms, -1),
    int_row(opt::kReconnectIvl, &SocketOptions::reconnect_ivl_ms, -1),
    int_row(opt::kReconnectIvlMax, &SocketOptions::reconnect_ivl_max_ms, 0),
    int_row(opt::kBacklog, &SocketOptions::backlog, 0),
    // Any int64_t, as libzmq: a negative size means no limit.
    int64_row(opt::kMaxMsgSize, &SocketOptions::max_msg_size, std::numeric_limits<int64_t>::min()),
    int_row(opt::kRcvTimeo, &SocketOptions::rcvtimeo_ms, -1),
    int_row(opt::kSndTimeo, &SocketOptions::sndtimeo_ms, -1),
    int_row(opt::kSndBuf, &SocketOptions::sndbuf, -1),
    int_row(opt::kRcvBuf, &SocketOptions::rcvbuf, -1),
    int_row(opt::kTcpKeepalive, &SocketOptions::tcp_keepalive, -1, 1),
    int_row(opt::kTcpKeepaliveCnt, &SocketOptions::tcp_keepalive_cnt, -1),
    int_row(opt::kTcpKeepaliveIdle, &SocketOptions::tcp_keepalive_idle, -1),
    int_row(opt::kTcpKeepaliveIntvl, &SocketOptions::tcp_keepalive_intvl, -1),
    int_row(opt::kTcpMaxRt, &SocketOptions::tcp_maxrt_ms, 0),
    int_row(opt::kTos, &SocketOptions::tos, 0),
    int_row(opt::kMulticastHops, &SocketOptions::multicast_hops, 1),
    int_row(opt::kMulticastMaxTpdu, &SocketOptions::multicast_maxtpdu, 1),
    relaxed_bool_row(opt::kMulticastLoop, &SocketOptions::multicast_loop),
    // Kept on every socket type in every build, as libzmq 4.3.4 does (pyzmq reads them).
    relaxed_bool_row(opt::kInvertMatching, &SocketOptions::invert_matching),
    relaxed_bool_row(opt::kLoopbackFastpath, &SocketOptions::loopback_fastpath),
    int_row(opt::kPriority, &SocketOptions::priority, 0),
    // Any int, as libzmq: only its bits are read.
    int_row(opt::kReconnectStop, &SocketOptions::reconnect_stop, std::numeric_limits<int>::min()),
    int_row(opt::kHandshakeIvl, &SocketOptions::handshake_ivl_ms, 0),
    int_row(opt::kHeartbeatIvl, &SocketOptions::heartbeat_ivl_ms, 0),
    int_row_in_steps(opt::kHeartbeatTtl, &SocketOptions::heartbeat_ttl_ms, 100, 65535 * 100),
    int_row(opt::kHeartbeatTimeout, &SocketOptions::heartbeat_timeout_ms, -1),
    int_row(opt::kConnectTimeout, &SocketOptions::connect_timeout_ms, 0),
    int_row(opt::kUseFd, &SocketOptions::use_fd, -1),
    bool_row(opt::kImmediate, &SocketOptions::immediate),
    bool_row(opt::kIpv6, &SocketOptions::ipv6),
    bool_row(opt::kConflate, &SocketOptions::conflate),
    bytes_row(opt::kRoutingId, &SocketOptions::routing_id, 1, 255),
    bytes_row(opt::kConnectRoutingId, &SocketOptions::connect_routing_id, 1, 255, false),
    bytes_row(opt::kBindToDevice, &SocketOptions::bind_to_device, 0, 15),
    bytes_row(opt::kLastEndpoint, &SocketOptions::last_endpoint, 0, 0, true, false),
    // Any bytes (none: off); libzmq cannot read them back.
    bytes_row(opt::kHelloMsg, &SocketOptions::hello_msg, 0, kIntMax, false),
    bytes_row(opt::kDisconnectMsg, &SocketOptions::disconnect_msg, 0, kIntMax, false),
};

const Row* find_row(int id) {
  for (const Row& row : kRows) {
    if (row.id == id) return &row;
  }
  return nullptr;
}

template <typename T>
bool read_number(std::span<const uint8_t> value, T* out) {
  if (value.size() != sizeof(T)) return false;
  std::memcpy(out, value.data(), sizeof(T));
  return true;
}

bool is_null(std::span<const uint8_t> value) { return value.data() == nullptr; }

// libzmq reads the filter as a C string: it ends at the first NUL.
std::string_view c_string_of(std::span<const uint8_t> value) {
  std::string_view text(reinterpret_cast<const char*>(value.data()), value.size());
  return text.substr(0, text.find('\0'));
}

// ZMQ_TCP_ACCEPT_FILTER: each value adds a filter (read with ZMQ_IPV6 as it is now); NULL clears.
Err set_tcp_accept_filter(SocketOptions& options, std::span<const uint8_t> value) {
  if (is_null(value) && value.empty()) {
    options.tcp_accept_filters.clear();
    return Err::kOk;
  }
  if (is_null(value) || value.empty() || value.size() > 255) return Err::kInvalid;
  TcpAcceptFilter filter;
  Err err = parse_tcp_accept_filter(c_string_of(value), options.ipv6, &filter);
  if (err != Err::kOk) return err;
  options.tcp_accept_filters.push_back(filter);
  return Err::kOk;
}

// ZMQ_IPC_FILTER_*: each value (a uid_t, gid_t or pid_t: 4 bytes) adds one; NULL clears.
template <typename T>
Err set_ipc_filter(std::set<T>& set, std::span<const uint8_t> value) {
  if (is_null(value) && value.empty()) {
    set.clear();
    return Err::kOk;
  }
  T v{};
  if (is_null(value) || !read_number(value, &v)) return Err::kInvalid;
  set.insert(v);
  return Err::kOk;
}

// ZMQ_METADATA: "X-name:value" adds an application property (libzmq 4.3.4's rules: a name of
// at most 255 bytes starting "X-", a non-empty value; a name set again keeps its first value;
// a value exactly an int's size is refused, as libzmq's check reads it as a number).
Err add_app_metadata(SocketOptions& options, std::span<const uint8_t> value) {
  std::string_view text(reinterpret_cast<const char*>(value.data()), value.size());
  size_t colon = text.find(':');
  if (is_null(value) || value.size() == sizeof(int) || colon == std::string_view::npos ||
      colon == 0 || colon == text.size() - 1) {
    return Err::kInvalid;
  }
  std::string_view name = text.substr(0, colon);
  if (name.substr(0, 2) != "X-" || name.size() > 255) return Err::kInvalid;
  for (const auto& [known, _] : options.app_metadata) {
    if (known == name) return Err::kOk;
  }
  options.app_metadata.emplace_back(std::string(name), std::string(text.substr(colon + 1)));
  return Err::kOk;
}

// Options that are lists, or strings where NULL and "" differ: not rows of the table.
// kNotSupported: not one of them.
Err set_special_option(SocketOptions& options, int id, std::span<const uint8_t> value) {
  switch (id) {
    case opt::kTcpAcceptFilter:
      return set_tcp_accept_filter(options, value);
    case opt::kIpcFilterUid:
      return set_ipc_filter(options.ipc_filters.uids, value);
    case opt::kIpcFilterGid:
      return set_ipc_filter(options.ipc_filters.gids, value);
    case opt::kIpcFilterPid:
      return set_ipc_filter(options.ipc_filters.pids, value);
    case opt::kMetadata:
      return add_app_metadata(options, value);
    case opt::kRouterNotify:
      return Err::kInvalid;  // a ROUTER's own option (RouterRouting)
    case opt::kSocksProxy:
      // NULL turns the proxy off; an empty non-NULL value is refused, as in libzmq.
      if (is_null(value) && value.empty()) {
        options.socks_proxy.clear();
        return Err::kOk;
      }
      if (is_null(value) || value.empty()) return Err::kInvalid;
      options.socks_proxy.assign(reinterpret_cast<const char*>(value.data()), value.size());
      return Err::kOk;
    case opt::kSocksUsername:
    case opt::kSocksPassword: {
      // RFC 1929 carries each in a length byte; NULL and "" both mean none.
      if (value.size() > 255) return Err::kInvalid;
      std::string& field =
          id == opt::kSocksUsername ? options.socks_username : options.socks_password;
      field.assign(reinterpret_cast<const char*>(value.data()), value.size());
      return Err::kOk;
    }
    default:
      return Err::kNotSupported;
  }
}

// Reads the special options: the filters are write-only (EINVAL, as libzmq), the SOCKS strings
// read back as C strings.
Err get_special_option(const SocketOptions& options, int id, uint8_t* out, size_t* size) {
  const std::string* text = nullptr;
  switch (id) {
    case opt::kRouterNotify: {
      int off = 0;  // what a socket that is no ROUTER reads, as libzmq
      return put_exact(&off, sizeof off, out, size);
    }
    case opt::kTcpAcceptFilter:
    case opt::kIpcFilterUid:
    case opt::kIpcFilterGid:
    case opt::kIpcFilterPid:
    case opt::kMetadata:
      return Err::kInvalid;
    case opt::kSocksProxy:
      text = &options.socks_proxy;
      break;
    case opt::kSocksUsername:
      text = &options.socks_username;
      break;
    case opt::kSocksPassword:
      text = &options.socks_password;
      break;
    default:
      return Err::kNotSupported;
  }
  if (*size < text->size() + 1) return Err::kInvalid;
  std::memcpy(out, text->c_str(), text->size() + 1);
  *size = text->size() + 1;
  return Err::kOk;
}

}  // namespace

Err set_generic_option(SocketOptions& options, int id, std::span<const uint8_t> value) {
  if (Err err = set_security_option(options, id, value); err != Err::kNotSupported) return err;
  if (Err err = set_special_option(options, id, value); err != Err::kNotSupported) return err;
  const Row* row = find_row(id);
  if (row == nullptr) return Err::kNotSupported;
  if (!row->writable) return Err::kInvalid;
  switch (row->kind) {
    case Kind::kInt:
    case Kind::kBool: {
      int v = 0;
      if (!read_number(value, &v)) return Err::kInvalid;
      v = int(v / row->step * row->step);
      if (v < row->min || v > row->max) return Err::kInvalid;
      if (row->kind == Kind::kInt) {
        options.*(row->int_field) = v;
      } else {
        options.*(row->bool_field) = v != 0;
      }
      return Err::kOk;
    }
    case Kind::kInt64: {
      // As libzmq: the HWMs are ints (as zmq.h documents them), MAXMSGSIZE an int64_t, and
      // each wants exactly its size.
      int64_t v = 0;
      if (id == opt::kMaxMsgSize) {
        if (!read_number(value, &v)) return Err::kInvalid;
      } else {
        int narrow = 0;
        if (!read_number(value, &narrow)) return Err::kInvalid;
        v = narrow;
      }
      if (v < row->min) return Err::kInvalid;
      options.*(row->int64_field) = v;
      return Err::kOk;
    }
    case Kind::kBytes:
      if (int64_t(value.size()) < row->min || int64_t(value.size()) > row->max)
        return Err::kInvalid;
      (options.*(row->bytes_field))
          .assign(reinterpret_cast<const char*>(value.data()), value.size());
      return Err::kOk;
  }
  return Err::kInvalid;
}

Err put_exact(const void* value, size_t n, uint8_t* out, size_t* size) {
  if (*size != n) return Err::kInvalid;
  std::memcpy(out, value, n);
  return Err::kOk;
}

Err put_padded(const void* value, size_t n, uint8_t* out, size_t* size) {
  if (*size < n) return Err::kInvalid;
  if (n > 0) std::memcpy(out, value, n);
  std::memset(out + n, 0, *size - n);
  *size = n;
  return Err::kOk;
}

Err get_generic_option(const SocketOptions& options, int id, uint8_t* out, size_t* size) {
  if (id == opt::kType) return put_exact(&options.type, sizeof(int), out, size);
  if (Err err = get_security_option(options, id, out, size); err != Err::kNotSupported) return err;
  if (Err err = get_special_option(options, id, out, size); err != Err::kNotSupported) return err;
  const Row* row = find_row(id);
  if (row == nullptr) return Err::kNotSupported;
  if (!row->readable) return Err::kInvalid;
  switch (row->kind) {
    case Kind::kInt:
    case Kind::kBool: {
      int v = row->kind == Kind::kInt ? options.*(row->int_field) : int(options.*(row->bool_field));
      return put_exact(&v, sizeof v, out, size);
    }
    case Kind::kInt64: {
      int64_t v = options.*(row->int64_field);
      if (id == opt::kMaxMsgSize) return put_exact(&v, sizeof v, out, size);
      int narrow = int(v);  // HWMs are ints in zmq.h
      return put_exact(&narrow, sizeof narrow, out, size);
    }
    case Kind::kBytes: {
      const std::string& v = options.*(row->bytes_field);
      // LAST_ENDPOINT and BINDTODEVICE are C strings: room for the terminating NUL is required.
      bool c_string = id == opt::kLastEndpoint || id == opt::kBindToDevice;
      return put_padded(v.c_str(), v.size() + (c_string ? 1 : 0), out, size);
    }
  }
  return Err::kInvalid;
}

}  // namespace zlab
