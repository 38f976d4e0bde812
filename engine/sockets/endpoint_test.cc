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

}  // namespace
}  // namespace zlab
