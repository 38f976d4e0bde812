// udp:// in the core: who may use it, and how its addresses are checked. (RADIO -> DISH over
// udp itself is tested where those types live, through LoopbackNet, the real driver and sim/.)
#include <gtest/gtest.h>

#include "engine/sockets/routing.h"
#include "engine/sockets/socket_core.h"

namespace zlab {
namespace {

// libzmq 4.3.4 (socket_base.cpp): udp is for RADIO (connect) and DISH (bind) only; every other
// type gets ENOCOMPATPROTO, on bind and on connect.
TEST(UdpCoreTest, ClassicTypesRefuseUdp) {
  for (const SocketTypeInfo& info : all_socket_types()) {
    if (!routing_supported(info.type)) continue;
    SocketCore core(info.type, 1);
    Err err = Err::kOk;
    EXPECT_FALSE(core.bind("udp://*:5555", &err)) << info.name;
    EXPECT_EQ(err, Err::kNoCompatProto) << info.name;
    EXPECT_EQ(core.connect("udp://127.0.0.1:5555", 0), Err::kNoCompatProto) << info.name;
    IoAction action;
    EXPECT_FALSE(core.poll_action(&action)) << info.name;  // nothing asked of the driver
  }
}

TEST(UdpCoreTest, MalformedUdpEndpointsAreInvalid) {
  SocketCore core(SocketType::kPub, 1);
  Err err = Err::kOk;
  EXPECT_FALSE(core.bind("udp://nocolon", &err));
  EXPECT_EQ(err, Err::kInvalid);
  EXPECT_EQ(core.connect("udp://lo;10.0.0.1:5555", 0), Err::kInvalid);  // iface needs a group
}

}  // namespace
}  // namespace zlab
