// ZAP, the ZeroMQ Authentication Protocol (rfc 27), as libzmq 4.3.4 speaks it: the request a
// mechanism sends to the handler at inproc://zeromq.zap.01, and the checks on its reply. Frames
// only: the driver carries them (engine/real over an inproc socket, the simulator to an actor).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/msg.h"
#include "engine/wire/command.h"

namespace zlab::proto {

inline constexpr std::string_view kZapVersion = "1.0";
inline constexpr std::string_view kZapEndpoint = "inproc://zeromq.zap.01";

struct ZapRequestFields {
  std::string_view request_id;
  std::string_view domain;
  std::string_view address;
  std::string_view identity;
  std::string_view mechanism;
  std::vector<std::string_view> credentials;
};

// The request's frames: an empty delimiter, version, request id, domain, address, identity,
// mechanism, then one frame per credential; MORE on all but the last.
std::vector<Msg> make_zap_request(const ZapRequestFields& fields);

struct ZapReply {
  std::string status_code;  // "200", "300", "400" or "500"
  std::string user_id;
  std::vector<wire::Property> metadata;
  uint32_t protocol_error = 0;  // ZMQ_PROTOCOL_ERROR_ZAP_* when the reply is refused
  std::string error;            // why, for logs
  bool ok() const { return protocol_error == 0; }
};

// Checks a reply as libzmq does: exactly seven frames, an empty delimiter, version 1.0, our
// request id, a status of 200/300/400/500, and well-formed metadata.
ZapReply parse_zap_reply(std::span<const Msg> frames, std::string_view request_id);

}  // namespace zlab::proto
