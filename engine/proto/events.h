// Why connections end, and the events a connection reports upward.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zlab::proto {

inline constexpr int64_t kNever = INT64_MAX;
inline constexpr int64_t kNsPerMs = 1'000'000;

enum class CloseReason : uint8_t {
  kNone,
  kPeerClosed,         // EOF from the peer
  kLegacyPeer,         // ZMTP 1.0/2.0 greeting
  kBadGreeting,        // malformed greeting field
  kMechanismMismatch,  // peer's mechanism differs from ours
  kMalformedFrame,     // reserved bits, MORE on a command, size overflow
  kTooLarge,           // ZMQ_MAXMSGSIZE exceeded
  kMalformedCommand,   // truncated command, bad metadata, bad PING
  kUnexpectedCommand,  // unknown command, duplicate READY, command inside a multipart
  kInvalidSequence,    // data before READY
  kIncompatiblePeer,   // Socket-Type not in our compatibility row
  kPeerError,          // the peer sent ERROR
  kHandshakeTimeout,
  kHeartbeatTimeout,  // no traffic after our PING, or the peer's TTL ran out
  kLocalClose,
  kStreamError,  // the transport failed (reset, broken pipe)
  // ws://: a malformed or refused HTTP upgrade, no common subprotocol. (Last: the values above
  // are reported as numbers.)
  kBadWsHandshake,
};
std::string_view close_reason_name(CloseReason reason);
// True for reasons where the peer broke the protocol (monitor: HANDSHAKE_FAILED_PROTOCOL).
bool is_protocol_failure(CloseReason reason);

struct ConnEvent {
  enum class Kind : uint8_t { kHandshakeSucceeded, kClosed };
  Kind kind;
  CloseReason reason = CloseReason::kNone;
  std::string detail;  // human-readable: the ERROR reason, what was malformed
};

}  // namespace zlab::proto
