#include "engine/sockets/endpoint.h"

#include <gtest/gtest.h>

namespace zlab {
namespace {

TEST(EndpointTest, AbstractIpcNeedsAName) {
  EXPECT_EQ(parse_endpoint("ipc://@").err, Err::kInvalid);
  ParsedEndpoint named = parse_endpoint("ipc://@name");
  ASSERT_TRUE(named.endpoint);
  EXPECT_EQ(named.endpoint->address, "@name");
}

// libzmq 4.3.4's syntax check of a tcp connect address (socket_base.cpp), case by case.
TEST(EndpointTest, TcpConnectAddressSyntax) {
  for (const char* good : {"localhost:1234", "127.0.0.1:5555", "[::1]:1234", "::1:1234",
                           "host-name_1.example:80", "10.0.0.1;192.168.1.1:5555", "eth0;h:1",
                           "h:1abc"}) {  // only the port's first character is checked
    EXPECT_EQ(check_tcp_connect_address(good), Err::kOk) << good;
  }
  for (const char* bad : {"in val id:1234", "localhost:invalid", "192.168.0.200:*", "", "host",
                          "host:", "-host:1", ".host:1", "h\xc3\xa9:1", "host:1/x"}) {
    EXPECT_EQ(check_tcp_connect_address(bad), Err::kInvalid) << bad;
  }
}

TEST(EndpointTest, UdpEndpointsParse) {
  ParsedEndpoint p = parse_endpoint("udp://127.0.0.1:5555");
  ASSERT_TRUE(p.endpoint);
  EXPECT_EQ(p.endpoint->transport, Transport::kUdp);
  EXPECT_EQ(transport_name(Transport::kUdp), "udp");
  EXPECT_EQ(parse_endpoint("udp://").err, Err::kInvalid);
  EXPECT_EQ(parse_endpoint("udp://nocolon").err, Err::kInvalid);
  EXPECT_EQ(parse_endpoint("udp://h:port").err, Err::kInvalid);
  EXPECT_EQ(parse_endpoint("udp://h:70000").err, Err::kInvalid);
  // An interface needs a multicast group after it.
  EXPECT_EQ(parse_endpoint("udp://lo;127.0.0.1:5555").err, Err::kInvalid);
  EXPECT_TRUE(parse_endpoint("udp://lo;239.0.0.1:5555").endpoint);
}

TEST(EndpointTest, UdpAddressAsLibzmqReadsIt) {
  UdpAddress a;
  ASSERT_EQ(parse_udp_address("*:5555", true, &a), Err::kOk);
  EXPECT_EQ(a.host, "*");
  EXPECT_EQ(a.port, 5555);
  EXPECT_FALSE(a.multicast);
  EXPECT_EQ(parse_udp_address("*:5555", false, &a), Err::kInvalid);  // connect: no target
  ASSERT_EQ(parse_udp_address("239.1.2.3:6000", false, &a), Err::kOk);
  EXPECT_TRUE(a.multicast);
  EXPECT_EQ(a.iface, "");
  ASSERT_EQ(parse_udp_address("eth0;239.1.2.3:6000", true, &a), Err::kOk);
  EXPECT_EQ(a.iface, "eth0");
  EXPECT_EQ(a.host, "239.1.2.3");
  EXPECT_TRUE(a.multicast);
  ASSERT_EQ(parse_udp_address("*;[ff02::1]:6000", true, &a), Err::kOk);
  EXPECT_TRUE(a.multicast);
  EXPECT_EQ(parse_udp_address("239.0.0.1;239.0.0.2:6000", true, &a), Err::kInvalid);
  EXPECT_EQ(parse_udp_address("localhost:6000", false, &a), Err::kOk);
  EXPECT_FALSE(a.multicast);  // a name is never multicast: the driver resolves it
  EXPECT_EQ(parse_udp_address("*:*", true, &a), Err::kOk);
  EXPECT_EQ(a.port, 0);
  EXPECT_EQ(parse_udp_address("h:*", false, &a), Err::kInvalid);
}

}  // namespace
}  // namespace zlab
