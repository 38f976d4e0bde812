#include "engine/wire/udp_datagram.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "engine/wire/zmtp_bytes.h"

namespace zlab::wire {
namespace {

std::span<const uint8_t> span_of(const std::string& bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

std::string body_of(const DatagramView& view) {
  return std::string(reinterpret_cast<const char*>(view.body.data()), view.body.size());
}

TEST(UdpDatagramTest, GroupThenBody) {
  std::string d = bytes::udp_datagram("weather", "sunny");
  ASSERT_EQ(d.size(), 1u + 7 + 5);
  EXPECT_EQ(uint8_t(d[0]), 7);
  DatagramView view;
  ASSERT_EQ(parse_datagram(span_of(d), &view), DatagramError::kNone);
  EXPECT_EQ(view.group, "weather");
  EXPECT_EQ(body_of(view), "sunny");
}

TEST(UdpDatagramTest, EmptyGroupAndEmptyBodyAreValid) {
  DatagramView view;
  std::string d = bytes::udp_datagram("", "");
  ASSERT_EQ(d, std::string(1, '\0'));
  ASSERT_EQ(parse_datagram(span_of(d), &view), DatagramError::kNone);
  EXPECT_EQ(view.group, "");
  EXPECT_TRUE(view.body.empty());
  d = bytes::udp_datagram("g", "");
  ASSERT_EQ(parse_datagram(span_of(d), &view), DatagramError::kNone);
  EXPECT_EQ(view.group, "g");
  EXPECT_TRUE(view.body.empty());
}

TEST(UdpDatagramTest, LongestGroupRoundTrips) {
  std::string group(255, 'g');
  std::string d = bytes::udp_datagram(group, "b");
  DatagramView view;
  ASSERT_EQ(parse_datagram(span_of(d), &view), DatagramError::kNone);
  EXPECT_EQ(view.group, group);
  EXPECT_EQ(body_of(view), "b");
}

TEST(UdpDatagramTest, MalformedDatagramsSayWhy) {
  DatagramView view;
  EXPECT_EQ(parse_datagram({}, &view), DatagramError::kEmpty);
  // The length byte promises 9 bytes of group; one is there.
  EXPECT_EQ(parse_datagram(span_of(bytes::raw_udp_datagram(9, "g", "")), &view),
            DatagramError::kGroupTruncated);
  EXPECT_EQ(parse_datagram(span_of(bytes::raw_udp_datagram(255, "", "")), &view),
            DatagramError::kGroupTruncated);
  EXPECT_EQ(parse_datagram(span_of(std::string(kMaxUdpDatagram + 1, '\0')), &view),
            DatagramError::kTooLarge);
  EXPECT_NE(datagram_error_name(DatagramError::kGroupTruncated), "unknown");
}

TEST(UdpDatagramTest, ExactlyFullDatagramIsValidOneMoreIsNot) {
  // Group length byte + group + body = 8192 bytes: the largest datagram.
  DatagramView view;
  std::string d = bytes::raw_udp_datagram(1, "g", std::string(kMaxUdpDatagram - 2, 'x'));
  EXPECT_EQ(parse_datagram(span_of(d), &view), DatagramError::kNone);
  EXPECT_EQ(view.body.size(), kMaxUdpDatagram - 2);
}

TEST(UdpDatagramTest, EncoderRefusesWhatCannotBeSent) {
  std::array<uint8_t, kMaxDatagramHeader> header;
  size_t n = 0;
  EXPECT_EQ(encode_datagram_header(std::string(256, 'g'), 0, header, &n),
            DatagramError::kGroupTooLong);
  EXPECT_EQ(encode_datagram_header("g", kMaxUdpDatagram - 1, header, &n), DatagramError::kTooLarge);
  ASSERT_EQ(encode_datagram_header("g", kMaxUdpDatagram - 2, header, &n), DatagramError::kNone);
  EXPECT_EQ(n, 2u);
}

// DGRAM's envelope: the address where the group is, and a body that may fill a whole datagram
// (the address is not on the network).
TEST(UdpDatagramTest, AddressedBodyMayFillTheDatagram) {
  std::array<uint8_t, kMaxDatagramHeader> header;
  size_t n = 0;
  ASSERT_EQ(encode_addressed_header("127.0.0.1:5560", kMaxUdpDatagram, header, &n),
            DatagramError::kNone);
  EXPECT_EQ(n, 1u + 14);
  EXPECT_EQ(encode_addressed_header("127.0.0.1:5560", kMaxUdpDatagram + 1, header, &n),
            DatagramError::kTooLarge);
  std::string envelope(reinterpret_cast<const char*>(header.data()), n);
  envelope += std::string(kMaxUdpDatagram, 'x');
  DatagramView view;
  ASSERT_EQ(parse_addressed(span_of(envelope), &view), DatagramError::kNone);
  EXPECT_EQ(view.group, "127.0.0.1:5560");
  EXPECT_EQ(view.body.size(), kMaxUdpDatagram);
  EXPECT_EQ(parse_addressed(span_of(envelope + "y"), &view), DatagramError::kTooLarge);
  EXPECT_EQ(parse_addressed(span_of(std::string()), &view), DatagramError::kEmpty);
}

// A bad datagram between good ones: each is decoded alone, so only the bad one is lost.
TEST(UdpDatagramTest, BadDatagramCostsOnlyItself) {
  std::vector<std::string> wire = {bytes::udp_datagram("a", "1"),
                                   bytes::raw_udp_datagram(200, "a", "2"), std::string(),
                                   bytes::udp_datagram("a", "3")};
  std::vector<std::string> bodies;
  int bad = 0;
  for (const std::string& d : wire) {
    DatagramView view;
    if (parse_datagram(span_of(d), &view) != DatagramError::kNone) {
      ++bad;
      continue;
    }
    bodies.push_back(body_of(view));
  }
  EXPECT_EQ(bad, 2);
  EXPECT_EQ(bodies, (std::vector<std::string>{"1", "3"}));
}

}  // namespace
}  // namespace zlab::wire
