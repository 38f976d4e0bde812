// The udp:// datagram of RADIO and DISH (libzmq 4.3's udp engine; no ZMTP, no handshake): one
// message per datagram, as
//
//   group length (1 byte) | group (that many bytes) | body (the rest of the datagram)
//
// Stateless: a datagram is whole or it is nothing, so a malformed one costs only itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace zlab::wire {

// Which way an endpoint moves datagrams: the receiver binds (and joins a multicast group its
// address names), the sender aims at an address. RADIO sends, DISH receives. DGRAM (libzmq's
// draft raw udp type) does both on its bound socket, each message naming its peer: kAddressed.
enum class DatagramRole : uint8_t { kReceive, kSend, kAddressed };

// The largest datagram sent or accepted: libzmq 4.3.4's buffer (MAX_UDP_MSG), so what a zlab
// RADIO sends fits a libzmq DISH's receive buffer whole.
inline constexpr size_t kMaxUdpDatagram = 8192;
// A group is at most 255 bytes (ZMQ_GROUP_MAX_LENGTH): its length must fit the length byte.
inline constexpr size_t kMaxGroupLength = 255;
// The header: the length byte and the longest group.
inline constexpr size_t kMaxDatagramHeader = 1 + kMaxGroupLength;

enum class DatagramError : uint8_t {
  kNone,
  kEmpty,           // zero bytes: not even the length byte
  kGroupTruncated,  // the length byte promises more group than the datagram holds
  kGroupTooLong,    // (encoding) a group longer than 255 bytes
  kTooLarge,        // longer than kMaxUdpDatagram
};
std::string_view datagram_error_name(DatagramError error);

// One decoded datagram; both views point into the datagram's bytes.
struct DatagramView {
  std::string_view group;
  std::span<const uint8_t> body;
};

// Decodes one datagram (exactly the bytes one recvfrom returned).
DatagramError parse_datagram(std::span<const uint8_t> datagram, DatagramView* out);

// Writes the header of the datagram carrying `body_size` bytes in `group` into `out` (room
// for kMaxDatagramHeader bytes); the body follows it unchanged (sent from where it lies).
DatagramError encode_datagram_header(std::string_view group, size_t body_size,
                                     std::span<uint8_t, kMaxDatagramHeader> out,
                                     size_t* header_size);

// An addressed datagram (DGRAM) as the driver and the core exchange it: the peer's address
// ("a.b.c.d:port") where RADIO/DISH have the group, then the body. The network carries the body
// alone (at most kMaxUdpDatagram bytes); the address is where it came from or goes to.
DatagramError parse_addressed(std::span<const uint8_t> envelope, DatagramView* out);
DatagramError encode_addressed_header(std::string_view address, size_t body_size,
                                      std::span<uint8_t, kMaxDatagramHeader> out,
                                      size_t* header_size);

}  // namespace zlab::wire
