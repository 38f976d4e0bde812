#include "engine/base/ip_address.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab {
namespace {

std::array<uint8_t, 16> v6_bytes(std::initializer_list<uint8_t> head,
                                 std::initializer_list<uint8_t> tail = {}) {
  std::array<uint8_t, 16> out{};
  size_t i = 0;
  for (uint8_t b : head) out[i++] = b;
  i = 16 - tail.size();
  for (uint8_t b : tail) out[i++] = b;
  return out;
}

void expect_v4(std::string_view text, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  auto ip = parse_ipv4(text);
  ASSERT_TRUE(ip.has_value()) << text;
  EXPECT_FALSE(ip->v6);
  EXPECT_EQ(ip->bytes[0], a) << text;
  EXPECT_EQ(ip->bytes[1], b) << text;
  EXPECT_EQ(ip->bytes[2], c) << text;
  EXPECT_EQ(ip->bytes[3], d) << text;
}

TEST(IpAddressTest, Ipv4DottedQuad) {
  expect_v4("127.0.0.1", 127, 0, 0, 1);
  expect_v4("0.0.0.0", 0, 0, 0, 0);
  expect_v4("255.255.255.255", 255, 255, 255, 255);
}

TEST(IpAddressTest, Ipv4ShortFormsAsInetAton) {
  expect_v4("127.1", 127, 0, 0, 1);
  expect_v4("10.1.258", 10, 1, 1, 2);
  expect_v4("2130706433", 127, 0, 0, 1);
  expect_v4("0x7f.0.0.1", 127, 0, 0, 1);
  expect_v4("1.2.3.04", 1, 2, 3, 4);  // octal
  expect_v4("1.2.3.010", 1, 2, 3, 8);
}

TEST(IpAddressTest, Ipv4Rejects) {
  for (const char* bad :
       {"",          ".",         "1.",         ".1",      "1..2",     "1.2.3.4.5", "256.0.0.1",
        "1.2.3.256", "1.2.65536", "4294967296", "08",      "1.2.3.09", "0x",        "0xg",
        "1.2.3.4 ",  " 1.2.3.4",  "1.2.3.-4",   "a.b.c.d", "::1",      "1.2.3.4/8"}) {
    EXPECT_FALSE(parse_ipv4(bad).has_value()) << bad;
  }
}

TEST(IpAddressTest, Ipv6Forms) {
  EXPECT_EQ(parse_ipv6("::")->bytes, v6_bytes({}));
  EXPECT_EQ(parse_ipv6("::1")->bytes, v6_bytes({}, {0, 1}));
  EXPECT_EQ(parse_ipv6("1::")->bytes, v6_bytes({0, 1}));
  EXPECT_EQ(parse_ipv6("fe80::1:2")->bytes, v6_bytes({0xfe, 0x80}, {0, 1, 0, 2}));
  EXPECT_EQ(parse_ipv6("1:2:3:4:5:6:7:8")->bytes,
            v6_bytes({0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}));
  EXPECT_EQ(parse_ipv6("ABCD::ef")->bytes, v6_bytes({0xab, 0xcd}, {0, 0xef}));
  EXPECT_EQ(parse_ipv6("::ffff:1.2.3.4")->bytes, v6_bytes({}, {0xff, 0xff, 1, 2, 3, 4}));
  EXPECT_EQ(parse_ipv6("1:2:3:4:5:6:1.2.3.4")->bytes,
            v6_bytes({0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4}));
  EXPECT_TRUE(parse_ipv6("::1")->v6);
}

TEST(IpAddressTest, Ipv6Rejects) {
  for (const char* bad : {"",
                          ":",
                          ":::",
                          "1:",
                          ":1",
                          "1:::2",
                          "1::2::3",
                          "12345::",
                          "g::",
                          "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7::8",
                          "1:2:3:4:5:6:7",
                          "::1.2.3",
                          "::1.2.3.04",
                          "::256.1.1.1",
                          "1.2.3.4::",
                          "::1.2.3.4:1",
                          "1:2:3:4:5:6:7:1.2.3.4",
                          "[::1]",
                          "::1%1",
                          "::1 "}) {
    EXPECT_FALSE(parse_ipv6(bad).has_value()) << bad;
  }
}

TEST(IpAddressTest, V4MappedRoundTrip) {
  IpAddress v4 = *parse_ipv4("10.0.0.7");
  EXPECT_EQ(v4.as_v6(), v6_bytes({}, {0xff, 0xff, 10, 0, 0, 7}));
  IpAddress mapped = *parse_ipv6("::ffff:10.0.0.7");
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_FALSE(parse_ipv6("::1")->is_v4_mapped());
  EXPECT_FALSE(v4.is_v4_mapped());
  IpAddress back = mapped.unmapped();
  EXPECT_FALSE(back.v6);
  EXPECT_EQ(back.as_v6(), mapped.bytes);
}

TEST(IpAddressTest, ParseIpTakesEither) {
  EXPECT_FALSE(parse_ip("127.0.0.1")->v6);
  EXPECT_TRUE(parse_ip("::1")->v6);
  EXPECT_FALSE(parse_ip("localhost").has_value());
}

}  // namespace
}  // namespace zlab
