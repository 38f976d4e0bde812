// udp:// in the core: who may use it, and how its addresses are checked. (RADIO -> DISH over
// udp itself is tested where those types live, through LoopbackNet, the real driver and sim/.)
#include <gtest/gtest.h>

#include "engine/sockets/routing.h"
#include "engine/sockets/socket_core.h"

namespace zlab {
namespace {

// libzmq 4.3.4 (socket_base.cpp): udp is for RADIO (connect) and DISH (bind) only; every other
// type gets ENOCOMPATPROTO, on bind and on connect.
TEST(UdpCoreTest, EveryOtherTypeRefusesUdp) {
  for (const SocketTypeInfo& info : all_socket_types()) {
    if (!routing_supported(info.type)) continue;
    if (info.type == SocketType::kRadio || info.type == SocketType::kDish) continue;
    if (info.type == SocketType::kDgram) continue;  // binds udp (DgramBindsUdpAndNeverConnects)
    SocketCore core(info.type, 1);
    Err err = Err::kOk;
    EXPECT_FALSE(core.bind("udp://*:5555", &err)) << info.name;
    EXPECT_EQ(err, Err::kNoCompatProto) << info.name;
    EXPECT_EQ(core.connect("udp://127.0.0.1:5555", 0), Err::kNoCompatProto) << info.name;
    IoAction action;
    EXPECT_FALSE(core.poll_action(&action)) << info.name;  // nothing asked of the driver
  }
}

TEST(UdpCoreTest, RadioConnectsAndDishBindsOnlyThatWay) {
  SocketCore radio(SocketType::kRadio, 1);
  SocketCore dish(SocketType::kDish, 2);
  Err err = Err::kOk;
  EXPECT_FALSE(radio.bind("udp://*:5555", &err));
  EXPECT_EQ(err, Err::kNoCompatProto);
  EXPECT_EQ(dish.connect("udp://127.0.0.1:5555", 0), Err::kNoCompatProto);
  ASSERT_EQ(radio.connect("udp://127.0.0.1:5555", 0), Err::kOk);
  IoAction action;
  ASSERT_TRUE(radio.poll_action(&action));
  EXPECT_EQ(action.kind, IoAction::Kind::kOpenDatagram);  // no connect, no handshake
  EXPECT_EQ(action.listener, 0u);
  EXPECT_TRUE(dish.bind("udp://*:5555", &err));
  EXPECT_EQ(radio.connect("udp://*:5555", 0), Err::kInvalid);  // nowhere to send to
}

// libzmq 4.3.4: DGRAM binds udp (its one endpoint both receives and sends, by address) and
// connects nothing; every other transport is ENOCOMPATPROTO.
TEST(UdpCoreTest, DgramBindsUdpAndNeverConnects) {
  SocketCore dgram(SocketType::kDgram, 1);
  Err err = Err::kOk;
  EXPECT_EQ(dgram.connect("udp://127.0.0.1:5555", 0), Err::kNoCompatProto);
  EXPECT_FALSE(dgram.bind("tcp://127.0.0.1:5555", &err));
  EXPECT_EQ(err, Err::kNoCompatProto);
  auto request = dgram.bind("udp://127.0.0.1:5555", &err);
  ASSERT_TRUE(request);
  ASSERT_EQ(dgram.complete_bind(request->listener, Err::kOk, "", 0), Err::kOk);
  IoAction action;
  ASSERT_TRUE(dgram.poll_action(&action));
  EXPECT_EQ(action.kind, IoAction::Kind::kOpenDatagram);
  EXPECT_EQ(action.role, DatagramRole::kAddressed);
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
