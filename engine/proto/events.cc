#include "engine/proto/events.h"

namespace zlab::proto {

std::string_view close_reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::kNone:
      return "none";
    case CloseReason::kPeerClosed:
      return "peer closed";
    case CloseReason::kLegacyPeer:
      return "legacy ZMTP peer";
    case CloseReason::kBadGreeting:
      return "malformed greeting";
    case CloseReason::kMechanismMismatch:
      return "mechanism mismatch";
    case CloseReason::kBadWsHandshake:
      return "WebSocket handshake failed";
    case CloseReason::kMalformedFrame:
      return "malformed frame";
    case CloseReason::kTooLarge:
      return "message too large";
    case CloseReason::kMalformedCommand:
      return "malformed command";
    case CloseReason::kUnexpectedCommand:
      return "unexpected command";
    case CloseReason::kInvalidSequence:
      return "invalid sequence";
    case CloseReason::kIncompatiblePeer:
      return "incompatible socket type";
    case CloseReason::kPeerError:
      return "peer sent ERROR";
    case CloseReason::kHandshakeTimeout:
      return "handshake timeout";
    case CloseReason::kHeartbeatTimeout:
      return "heartbeat timeout";
    case CloseReason::kLocalClose:
      return "closed locally";
    case CloseReason::kStreamError:
      return "transport error";
    case CloseReason::kAuthFailed:
      return "authentication failed";
    case CloseReason::kZapFailure:
      return "ZAP failure";
  }
  return "unknown";
}

bool is_protocol_failure(CloseReason reason) {
  switch (reason) {
    case CloseReason::kLegacyPeer:
    case CloseReason::kBadGreeting:
    case CloseReason::kMechanismMismatch:
    case CloseReason::kBadWsHandshake:
    case CloseReason::kMalformedFrame:
    case CloseReason::kTooLarge:
    case CloseReason::kMalformedCommand:
    case CloseReason::kUnexpectedCommand:
    case CloseReason::kInvalidSequence:
    case CloseReason::kIncompatiblePeer:
    case CloseReason::kPeerError:
    case CloseReason::kZapFailure:
      return true;
    default:
      return false;
  }
}

bool ends_session(const ConnEvent& closed) {
  if (closed.reason == CloseReason::kAuthFailed) return true;
  if (closed.reason == CloseReason::kPeerError) return !closed.after_handshake;
  return is_protocol_failure(closed.reason);
}

uint32_t default_protocol_error(CloseReason reason) {
  switch (reason) {
    case CloseReason::kMechanismMismatch:
      return protocol_error::kZmtpMechanismMismatch;
    case CloseReason::kMalformedCommand:
      return protocol_error::kZmtpMalformedCommandUnspecified;
    case CloseReason::kUnexpectedCommand:
      return protocol_error::kZmtpUnexpectedCommand;
    case CloseReason::kInvalidSequence:
      return protocol_error::kZmtpInvalidSequence;
    case CloseReason::kIncompatiblePeer:
      return protocol_error::kZmtpInvalidMetadata;
    case CloseReason::kBadWsHandshake:
      return protocol_error::kWsUnspecified;
    default:
      return is_protocol_failure(reason) ? protocol_error::kZmtpUnspecified : 0;
  }
}

}  // namespace zlab::proto
