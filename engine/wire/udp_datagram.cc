#include "engine/wire/udp_datagram.h"

#include <cstring>

namespace zlab::wire {

std::string_view datagram_error_name(DatagramError error) {
  switch (error) {
    case DatagramError::kNone:
      return "none";
    case DatagramError::kEmpty:
      return "empty datagram (no group length byte)";
    case DatagramError::kGroupTruncated:
      return "group length beyond the end of the datagram";
    case DatagramError::kGroupTooLong:
      return "group longer than 255 bytes";
    case DatagramError::kTooLarge:
      return "datagram larger than 8192 bytes";
  }
  return "unknown";
}

DatagramError parse_datagram(std::span<const uint8_t> datagram, DatagramView* out) {
  if (datagram.empty()) return DatagramError::kEmpty;
  if (datagram.size() > kMaxUdpDatagram) return DatagramError::kTooLarge;
  size_t group_size = datagram[0];
  if (datagram.size() - 1 < group_size) return DatagramError::kGroupTruncated;
  out->group = std::string_view(reinterpret_cast<const char*>(datagram.data() + 1), group_size);
  out->body = datagram.subspan(1 + group_size);
  return DatagramError::kNone;
}

DatagramError encode_datagram_header(std::string_view group, size_t body_size,
                                     std::span<uint8_t, kMaxDatagramHeader> out,
                                     size_t* header_size) {
  if (group.size() > kMaxGroupLength) return DatagramError::kGroupTooLong;
  size_t header = 1 + group.size();
  // libzmq 4.3.4 copies an oversized message past its buffer; here it is refused instead.
  if (body_size > kMaxUdpDatagram - header) return DatagramError::kTooLarge;
  out[0] = uint8_t(group.size());
  if (!group.empty()) std::memcpy(out.data() + 1, group.data(), group.size());
  *header_size = header;
  return DatagramError::kNone;
}

DatagramError parse_addressed(std::span<const uint8_t> envelope, DatagramView* out) {
  if (envelope.empty()) return DatagramError::kEmpty;
  size_t address_size = envelope[0];
  if (envelope.size() - 1 < address_size) return DatagramError::kGroupTruncated;
  if (envelope.size() - 1 - address_size > kMaxUdpDatagram) return DatagramError::kTooLarge;
  out->group = std::string_view(reinterpret_cast<const char*>(envelope.data() + 1), address_size);
  out->body = envelope.subspan(1 + address_size);
  return DatagramError::kNone;
}

DatagramError encode_addressed_header(std::string_view address, size_t body_size,
                                      std::span<uint8_t, kMaxDatagramHeader> out,
                                      size_t* header_size) {
  if (address.size() > kMaxGroupLength) return DatagramError::kGroupTooLong;
  // The body is the whole datagram: it must fit a receiver's buffer (libzmq's 8192 bytes).
  if (body_size > kMaxUdpDatagram) return DatagramError::kTooLarge;
  out[0] = uint8_t(address.size());
  if (!address.empty()) std::memcpy(out.data() + 1, address.data(), address.size());
  *header_size = 1 + address.size();
  return DatagramError::kNone;
}

}  // namespace zlab::wire
