// Test helpers for ZmtpConnection (tcp and ws): draining its output, events and parts, and
// pumping bytes between two connections.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/proto/zmtp_connection.h"

namespace zlab::proto::test_util {

using Bytes = std::vector<uint8_t>;
inline constexpr int64_t kMs = kNsPerMs;

// The profile a socket type gives its connections (its class's SocketTraits::wire, checked in
// sockets/types/routing_table_test.cc), for tests that play that type here.
inline TypeProfile profile_of(SocketType t) {
  TypeProfile p;
  switch (t) {
    case SocketType::kReq:
    case SocketType::kDealer:
    case SocketType::kRouter:
      p.sends_identity = true;
      break;
    case SocketType::kSub:
    case SocketType::kXSub:
      p.sends = kSubscriptionCommands;
      break;
    case SocketType::kPub:
    case SocketType::kXPub:
      p.accepts = kSubscriptionCommands;
      break;
    case SocketType::kDish:
      p.sends = kGroupCommands;
      break;
    case SocketType::kRadio:
      p.accepts = kGroupCommands;
      break;
    default:
      break;
  }
  return p;
}

// Options for a connection of type `t`, with its profile.
inline ZmtpOptions options_for(SocketType t) {
  ZmtpOptions o;
  o.socket_type = t;
  o.profile = profile_of(t);
  return o;
}

// What `c` writes, up to `max_bytes` (a short write leaves the rest pending).
inline Bytes take_output(ZmtpConnection& c, size_t max_bytes = SIZE_MAX) {
  Bytes out;
  wire::IoSlice slices[16];
  while (out.size() < max_bytes && c.pending_bytes() > 0) {
    size_t n = c.poll_transmit(slices, 16);
    size_t wrote = 0;
    for (size_t i = 0; i < n && out.size() < max_bytes; ++i) {
      size_t take = std::min(slices[i].size, max_bytes - out.size());
      out.insert(out.end(), slices[i].data, slices[i].data + take);
      wrote += take;
    }
    c.handle_written(wrote, 0);
  }
  return out;
}

inline std::vector<ConnEvent> events(ZmtpConnection& c) {
  std::vector<ConnEvent> out;
  ConnEvent e;
  while (c.poll_event(&e)) out.push_back(e);
  return out;
}

// The parts received, "+" marking those with MORE.
inline std::vector<std::string> parts(ZmtpConnection& c, int64_t now = 0) {
  std::vector<std::string> out;
  Msg m;
  while (c.poll_part(&m, now)) out.push_back(std::string(m.view()) + (m.more() ? "+" : ""));
  return out;
}

// Moves bytes both ways until nothing moves; `chunk` bounds every read (short reads).
inline void pump(ZmtpConnection& a, ZmtpConnection& b, size_t chunk = SIZE_MAX, int64_t now = 0) {
  for (int round = 0; round < 100000; ++round) {
    Bytes ab = take_output(a, chunk);
    Bytes ba = take_output(b, chunk);
    size_t moved = b.feed(ab, now) + a.feed(ba, now);
    if (ab.empty() && ba.empty()) return;
    if (moved == 0) return;  // the receiver stopped reading (backpressure)
  }
  FAIL() << "pump did not settle";
}

}  // namespace zlab::proto::test_util
