// ZMTP commands (rfc 23, rfc 37): a name of 1..255 bytes then data, in one COMMAND frame.
// Builders return a ready-to-encode Msg; parsers never trust a length and say what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/msg.h"

namespace zlab::wire {

inline constexpr size_t kMaxPingContext = 16;
inline constexpr std::string_view kReady = "READY";
inline constexpr std::string_view kError = "ERROR";
inline constexpr std::string_view kSubscribe = "SUBSCRIBE";
inline constexpr std::string_view kCancel = "CANCEL";
inline constexpr std::string_view kPing = "PING";
inline constexpr std::string_view kPong = "PONG";
inline constexpr std::string_view kJoin = "JOIN";    // rfc 48, ZMTP 3.1: a DISH joins a group
inline constexpr std::string_view kLeave = "LEAVE";  // rfc 48: a DISH leaves a group

struct Command {
  std::string_view name;
  std::span<const uint8_t> data;  // views into the frame it was parsed from
};

using Property = std::pair<std::string, std::string>;

// Every parser reports failure with a short reason for the ERROR command and the log.
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string_view error;  // empty when value is set
  bool ok() const { return value.has_value(); }
};

Msg make_command(std::string_view name, std::span<const uint8_t> data);
Parsed<Command> parse_command(const Msg& frame);

// Metadata: name-size(1) name value-size(4, network order) value, repeated.
std::vector<uint8_t> encode_properties(const std::vector<Property>& properties);
Parsed<std::vector<Property>> parse_properties(std::span<const uint8_t> data);

Msg make_ready(const std::vector<Property>& properties);
Msg make_error(std::string_view reason);
Parsed<std::string> parse_error(std::span<const uint8_t> data);

struct Ping {
  uint16_t ttl_ds = 0;           // deciseconds, as on the wire
  std::vector<uint8_t> context;  // at most kMaxPingContext bytes: a longer one is cut
};
Msg make_ping(uint16_t ttl_ds, std::span<const uint8_t> context);
Parsed<Ping> parse_ping(std::span<const uint8_t> data);
Msg make_pong(std::span<const uint8_t> context);

Msg make_subscribe(std::span<const uint8_t> topic);
Msg make_cancel(std::span<const uint8_t> topic);

// JOIN / LEAVE (rfc 48): the group is the rest of the frame, at most kGroupMaxLength bytes.
Msg make_join(std::string_view group);
Msg make_leave(std::string_view group);
// A JOIN or LEAVE command's data: the group, or why it is refused (too long).
Parsed<std::string_view> parse_group(std::span<const uint8_t> data);

std::span<const uint8_t> as_bytes(std::string_view text);

}  // namespace zlab::wire
