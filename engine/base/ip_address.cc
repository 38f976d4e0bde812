#include "engine/base/ip_address.h"

namespace zlab {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// One inet_aton part: decimal, octal with a leading 0, hex with 0x. Empty or out-of-base: none.
std::optional<uint64_t> parse_aton_part(std::string_view part) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : part) {
    int d = digit_value(c);
    if (d >= base) return std::nullopt;
    value = value * uint64_t(base) + uint64_t(d);
    if (value > 0xffffffffu) return std::nullopt;
  }
  return value;
}

// A strict dotted quad, as inet_pton wants an IPv6 address's IPv4 tail: four decimal parts,
// 0..255, no leading zeros.
bool parse_dotted_quad(std::string_view text, uint8_t* out) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
      value = value * 10 + unsigned(text[i] - '0');
      ++i;
    }
    size_t len = i - start;
    if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) return false;
    out[parts++] = uint8_t(value);
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  return i == text.size();
}

}  // namespace

std::array<uint8_t, 16> IpAddress::as_v6() const {
  if (v6) return bytes;
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < kV4MappedPrefix.size(); ++i) out[i] = kV4MappedPrefix[i];
  for (size_t i = 0; i < 4; ++i) out[12 + i] = bytes[i];
  return out;
}

bool IpAddress::is_v4_mapped() const {
  if (!v6) return false;
  for (size_t i = 0; i < kV4MappedPrefix.size(); ++i) {
    if (bytes[i] != kV4MappedPrefix[i]) return false;
  }
  return true;
}

IpAddress IpAddress::unmapped() const {
  if (!is_v4_mapped()) return *this;
  IpAddress out;
  for (size_t i = 0; i < 4; ++i) out.bytes[i] = bytes[12 + i];
  return out;
}

std::optional<IpAddress> parse_ipv4(std::string_view text) {
  uint64_t parts[4];
  size_t count = 0;
  while (true) {
    size_t dot = text.find('.');
    if (count == 4) return std::nullopt;
    auto part = parse_aton_part(text.substr(0, dot));
    if (!part) return std::nullopt;
    parts[count++] = *part;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  // The last part fills the bytes the others leave: "127.1" is 127.0.0.1.
  uint64_t value = 0;
  for (size_t i = 0; i + 1 < count; ++i) {
    if (parts[i] > 255) return std::nullopt;
    value |= parts[i] << (24 - 8 * i);
  }
  uint64_t last_max = 0xffffffffu >> (8 * (count - 1));
  if (parts[count - 1] > last_max) return std::nullopt;
  value |= parts[count - 1];
  IpAddress out;
  for (size_t i = 0; i < 4; ++i) out.bytes[i] = uint8_t(value >> (24 - 8 * i));
  return out;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  uint8_t head[16];
  uint8_t tail[16];
  size_t head_len = 0;
  size_t tail_len = 0;
  bool gap = false;  // saw "::"
  size_t i = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    gap = true;
    i = 2;
  } else if (!text.empty() && text[0] == ':') {
    return std::nullopt;
  }
  while (i < text.size()) {
    uint8_t* out = gap ? tail : head;
    size_t& len = gap ? tail_len : head_len;
    // An IPv4 tail ends the address.
    size_t next_colon = text.find(':', i);
    std::string_view group = text.substr(
        i, next_colon == std::string_view::npos ? std::string_view::npos : next_colon - i);
    if (next_colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
      if (head_len + tail_len + 4 > 16 || !parse_dotted_quad(group, out + len)) {
        return std::nullopt;
      }
      len += 4;
      i = text.size();
      break;
    }
    if (group.empty() || group.size() > 4 || head_len + tail_len + 2 > 16) return std::nullopt;
    unsigned value = 0;
    for (char c : group) {
      int d = digit_value(c);
      if (d >= 16) return std::nullopt;
      value = value * 16 + unsigned(d);
    }
    out[len++] = uint8_t(value >> 8);
    out[len++] = uint8_t(value);
    i += group.size();
    if (i == text.size()) break;
    ++i;  // the ':'
    if (i < text.size() && text[i] == ':') {
      if (gap) return std::nullopt;  // a second "::"
      gap = true;
      ++i;
    } else if (i == text.size()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  // "::" stands for at least one group of zeros.
  if (gap ? head_len + tail_len > 14 : head_len != 16) return std::nullopt;
  IpAddress out;
  out.v6 = true;
  for (size_t k = 0; k < head_len; ++k) out.bytes[k] = head[k];
  for (size_t k = 0; k < tail_len; ++k) out.bytes[16 - tail_len + k] = tail[k];
  return out;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (auto v4 = parse_ipv4(text)) return v4;
  return parse_ipv6(text);
}

}  // namespace zlab
