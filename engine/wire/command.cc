#include "engine/wire/command.h"

#include <algorithm>
#include <cstring>

namespace zlab::wire {

std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

Msg make_command(std::string_view name, std::span<const uint8_t> data) {
  Msg msg = Msg::with_size(1 + name.size() + data.size());
  uint8_t* p = msg.mutable_data();
  p[0] = uint8_t(name.size());
  std::memcpy(p + 1, name.data(), name.size());
  if (!data.empty()) std::memcpy(p + 1 + name.size(), data.data(), data.size());
  msg.set_command(true);
  return msg;
}

Parsed<Command> parse_command(const Msg& frame) {
  if (frame.size() < 1) return {std::nullopt, "empty command"};
  const uint8_t* p = frame.data();
  size_t name_len = p[0];
  if (name_len == 0) return {std::nullopt, "command name is empty"};
  if (1 + name_len > frame.size()) return {std::nullopt, "command name is truncated"};
  Command cmd{std::string_view(reinterpret_cast<const char*>(p + 1), name_len),
              std::span<const uint8_t>(p + 1 + name_len, frame.size() - 1 - name_len)};
  return {cmd, {}};
}

std::vector<uint8_t> encode_properties(const std::vector<Property>& properties) {
  std::vector<uint8_t> out;
  for (const auto& [name, value] : properties) {
    out.push_back(uint8_t(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    uint32_t n = uint32_t(value.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(n >> shift));
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

Parsed<std::vector<Property>> parse_properties(std::span<const uint8_t> data) {
  std::vector<Property> out;
  size_t i = 0;
  while (i < data.size()) {
    size_t name_len = data[i++];
    if (name_len == 0) return {std::nullopt, "metadata property name is empty"};
    if (data.size() - i < name_len) return {std::nullopt, "metadata property name is truncated"};
    std::string name(reinterpret_cast<const char*>(data.data() + i), name_len);
    i += name_len;
    if (data.size() - i < 4) return {std::nullopt, "metadata value size is truncated"};
    uint32_t value_len = 0;
    for (int k = 0; k < 4; ++k) value_len = (value_len << 8) | data[i++];
    if (data.size() - i < value_len) return {std::nullopt, "metadata value is truncated"};
    std::string value(reinterpret_cast<const char*>(data.data() + i), value_len);
    i += value_len;
    out.emplace_back(std::move(name), std::move(value));
  }
  return {std::move(out), {}};
}

Msg make_ready(const std::vector<Property>& properties) {
  std::vector<uint8_t> body = encode_properties(properties);
  return make_command(kReady, body);
}

Msg make_error(std::string_view reason) {
  if (reason.size() > 255) reason = reason.substr(0, 255);
  std::vector<uint8_t> body;
  body.push_back(uint8_t(reason.size()));
  body.insert(body.end(), reason.begin(), reason.end());
  return make_command(kError, body);
}

Parsed<std::string> parse_error(std::span<const uint8_t> data) {
  if (data.empty()) return {std::nullopt, "ERROR reason size is missing"};
  size_t len = data[0];
  if (data.size() - 1 < len) return {std::nullopt, "ERROR reason is truncated"};
  return {std::string(reinterpret_cast<const char*>(data.data() + 1), len), {}};
}

Msg make_ping(uint16_t ttl_ds, std::span<const uint8_t> context) {
  std::vector<uint8_t> body{uint8_t(ttl_ds >> 8), uint8_t(ttl_ds)};
  body.insert(body.end(), context.begin(), context.end());
  return make_command(kPing, body);
}

Parsed<Ping> parse_ping(std::span<const uint8_t> data) {
  if (data.size() < 2) return {std::nullopt, "PING TTL is truncated"};
  Ping ping;
  ping.ttl_ds = uint16_t((data[0] << 8) | data[1]);
  // RFC 37 allows 16 context bytes. A longer context is cut to 16, not refused, as libzmq does
  // (its PONG echoes the first 16): a peer is not dropped for a PING it can still answer.
  size_t context_size = std::min(data.size() - 2, kMaxPingContext);
  ping.context.assign(data.begin() + 2, data.begin() + 2 + context_size);
  return {std::move(ping), {}};
}

Msg make_pong(std::span<const uint8_t> context) { return make_command(kPong, context); }

Msg make_subscribe(std::span<const uint8_t> topic) { return make_command(kSubscribe, topic); }

Msg make_cancel(std::span<const uint8_t> topic) { return make_command(kCancel, topic); }

Msg make_join(std::string_view group) { return make_command(kJoin, as_bytes(group)); }

Msg make_leave(std::string_view group) { return make_command(kLeave, as_bytes(group)); }

Parsed<std::string_view> parse_group(std::span<const uint8_t> data) {
  // libzmq asserts on a longer one; a peer's bytes must never do that here.
  if (data.size() > kGroupMaxLength) return {std::nullopt, "JOIN/LEAVE group is too long"};
  return {std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), {}};
}

}  // namespace zlab::wire
