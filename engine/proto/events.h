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
  // Security: ZAP refused the peer (HANDSHAKE_FAILED_AUTH), or the ZAP exchange itself failed
  // (no handler where one is required, a malformed reply).
  kAuthFailed,
  kZapFailure,
};
std::string_view close_reason_name(CloseReason reason);

// libzmq's ZMQ_PROTOCOL_ERROR_* values (zmq.h): the value of HANDSHAKE_FAILED_PROTOCOL.
namespace protocol_error {
inline constexpr uint32_t kZmtpUnspecified = 0x10000000;
inline constexpr uint32_t kZmtpUnexpectedCommand = 0x10000001;
inline constexpr uint32_t kZmtpInvalidSequence = 0x10000002;
inline constexpr uint32_t kZmtpKeyExchange = 0x10000003;
inline constexpr uint32_t kZmtpMalformedCommandUnspecified = 0x10000011;
inline constexpr uint32_t kZmtpMalformedCommandMessage = 0x10000012;
inline constexpr uint32_t kZmtpMalformedCommandHello = 0x10000013;
inline constexpr uint32_t kZmtpMalformedCommandInitiate = 0x10000014;
inline constexpr uint32_t kZmtpMalformedCommandError = 0x10000015;
inline constexpr uint32_t kZmtpMalformedCommandReady = 0x10000016;
inline constexpr uint32_t kZmtpMalformedCommandWelcome = 0x10000017;
inline constexpr uint32_t kZmtpInvalidMetadata = 0x10000018;
inline constexpr uint32_t kZmtpCryptographic = 0x11000001;
inline constexpr uint32_t kZmtpMechanismMismatch = 0x11000002;
inline constexpr uint32_t kZapUnspecified = 0x20000000;
inline constexpr uint32_t kZapMalformedReply = 0x20000001;
inline constexpr uint32_t kZapBadRequestId = 0x20000002;
inline constexpr uint32_t kZapBadVersion = 0x20000003;
inline constexpr uint32_t kZapInvalidStatusCode = 0x20000004;
inline constexpr uint32_t kZapInvalidMetadata = 0x20000005;
inline constexpr uint32_t kWsUnspecified = 0x30000000;
}  // namespace protocol_error

// The ZMQ_PROTOCOL_ERROR_* closest to a reason when nothing more precise is known; 0 for
// reasons that are no protocol failure.
uint32_t default_protocol_error(CloseReason reason);
// True for reasons where the peer broke the protocol (monitor: HANDSHAKE_FAILED_PROTOCOL).
bool is_protocol_failure(CloseReason reason);

struct ConnEvent {
  enum class Kind : uint8_t {
    kHandshakeSucceeded,
    kAuthFailed,  // HANDSHAKE_FAILED_AUTH: `value` is the ZAP status code (300, 400, 500)
    kClosed,
  };
  Kind kind;
  CloseReason reason = CloseReason::kNone;
  std::string detail;  // human-readable: the ERROR reason, what was malformed
  // kClosed during the handshake: HANDSHAKE_FAILED_PROTOCOL's ZMQ_PROTOCOL_ERROR_* (0: none).
  uint32_t protocol_error = 0;
  // kClosed before the handshake completed (an ERROR then is the peer refusing us).
  bool during_handshake = false;
  // kClosed: HANDSHAKE_FAILED_NO_DETAIL with this errno (libzmq's EFAULT when ZAP is needed and
  // no handler is bound); 0: none. kAuthFailed: the status code.
  int value = 0;
};

}  // namespace zlab::proto
