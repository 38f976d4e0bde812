// RADIO -> DISH over udp:// in the core, on the loopback net's datagrams: no handshake, one
// datagram per message, the DISH's joins filter locally, unicast and multicast, who may bind
// and who may connect, no monitor events, and a message too large for a datagram is dropped
// whole while the next one goes.
#include <gtest/gtest.h>

#include "engine/sockets/draft_test_util.h"
#include "engine/wire/udp_datagram.h"

namespace zlab::testing {
namespace {

std::string recv_body(LoopbackNet& net, SocketCore* dish, std::string* group = nullptr) {
  Msg m;
  if (recv_msg(net, dish, &m) != Err::kOk) return "<none>";
  if (group != nullptr) *group = std::string(m.group());
  return std::string(m.view());
}

TEST(RadioDishUdpTest, UnicastDeliversOnlyJoinedGroups) {
  LoopbackNet net;
  SocketCore* dish = net.socket(SocketType::kDish);
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(dish, "udp://*:5556"), Err::kOk);
  ASSERT_EQ(net.connect(radio, "udp://127.0.0.1:5556"), Err::kOk);
  ASSERT_EQ(dish->join("TV", net.now_ns()), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "Friends", 0, "TV"), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "Weather", 0, "News"), Err::kOk);  // not joined: filtered
  ASSERT_EQ(send_msg(net, radio, "Seinfeld", 0, "TV"), Err::kOk);
  std::string group;
  EXPECT_EQ(recv_body(net, dish, &group), "Friends");
  EXPECT_EQ(group, "TV");
  EXPECT_EQ(recv_body(net, dish, &group), "Seinfeld");
  EXPECT_EQ(recv_body(net, dish), "<none>");
  ASSERT_EQ(dish->leave("TV", net.now_ns()), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "Gone", 0, "TV"), Err::kOk);
  EXPECT_EQ(recv_body(net, dish), "<none>");
}

TEST(RadioDishUdpTest, MulticastReachesEveryDishThatJoined) {
  LoopbackNet net;
  SocketCore* d1 = net.socket(SocketType::kDish);
  SocketCore* d2 = net.socket(SocketType::kDish);
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(d1, "udp://239.0.0.1:5555"), Err::kOk);
  ASSERT_EQ(net.bind(d2, "udp://239.0.0.1:5555"), Err::kOk);
  ASSERT_EQ(net.connect(radio, "udp://239.0.0.1:5555"), Err::kOk);
  ASSERT_EQ(d1->join("TV", net.now_ns()), Err::kOk);
  ASSERT_EQ(d2->join("TV", net.now_ns()), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "Friends", 0, "TV"), Err::kOk);
  EXPECT_EQ(recv_body(net, d1), "Friends");
  EXPECT_EQ(recv_body(net, d2), "Friends");
}

// libzmq 4.3.4: only DISH binds udp and only RADIO connects it (test_radio_dish's
// test_radio_bind_fails and test_dish_connect_fails).
TEST(RadioDishUdpTest, RadioCannotBindDishCannotConnect) {
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  SocketCore* dish = net.socket(SocketType::kDish);
  EXPECT_EQ(net.bind(radio, "udp://*:5556"), Err::kNoCompatProto);
  EXPECT_EQ(net.connect(dish, "udp://127.0.0.1:5556"), Err::kNoCompatProto);
}

TEST(RadioDishUdpTest, NoMonitorEventsForUdp) {
  LoopbackNet net;
  SocketCore* dish = net.socket(SocketType::kDish);
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(dish, "udp://*:5556"), Err::kOk);
  ASSERT_EQ(net.connect(radio, "udp://127.0.0.1:5556"), Err::kOk);
  EXPECT_TRUE(net.monitor_events(dish).empty());
  EXPECT_TRUE(net.monitor_events(radio).empty());
  size_t size = 256;
  uint8_t last[256];
  ASSERT_EQ(dish->get_option(opt::kLastEndpoint, last, &size), Err::kOk);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(last), size - 1), "udp://*:5556");
}

TEST(RadioDishUdpTest, AMessageTooLargeForADatagramIsDroppedWhole) {
  LoopbackNet net;
  SocketCore* dish = net.socket(SocketType::kDish);
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(dish, "udp://*:5556"), Err::kOk);
  ASSERT_EQ(net.connect(radio, "udp://127.0.0.1:5556"), Err::kOk);
  ASSERT_EQ(dish->join("g", net.now_ns()), Err::kOk);
  std::string fits(wire::kMaxUdpDatagram - 2, 'x');  // length byte + "g" + body = 8192
  std::string too_big(wire::kMaxUdpDatagram, 'y');
  ASSERT_EQ(send_msg(net, radio, too_big, 0, "g"), Err::kOk);  // the send itself succeeds
  ASSERT_EQ(send_msg(net, radio, fits, 0, "g"), Err::kOk);
  EXPECT_EQ(recv_body(net, dish), fits);
  EXPECT_EQ(recv_body(net, dish), "<none>");
}

TEST(RadioDishUdpTest, UdpAndTcpPeersTogether) {
  // A RADIO with a tcp DISH (which joins over ZMTP) and a udp DISH (which filters locally).
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  SocketCore* tcp_dish = net.socket(SocketType::kDish);
  SocketCore* udp_dish = net.socket(SocketType::kDish);
  ASSERT_EQ(net.bind(radio, "tcp://r:1"), Err::kOk);
  ASSERT_EQ(net.connect(tcp_dish, "tcp://r:1"), Err::kOk);
  ASSERT_EQ(net.bind(udp_dish, "udp://*:7000"), Err::kOk);
  ASSERT_EQ(net.connect(radio, "udp://h:7000"), Err::kOk);
  ASSERT_EQ(tcp_dish->join("A", net.now_ns()), Err::kOk);
  ASSERT_EQ(udp_dish->join("B", net.now_ns()), Err::kOk);
  net.settle();
  ASSERT_EQ(send_msg(net, radio, "a", 0, "A"), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "b", 0, "B"), Err::kOk);
  EXPECT_EQ(recv_body(net, tcp_dish), "a");
  EXPECT_EQ(recv_body(net, tcp_dish), "<none>");
  EXPECT_EQ(recv_body(net, udp_dish), "b");
  EXPECT_EQ(recv_body(net, udp_dish), "<none>");
}

}  // namespace
}  // namespace zlab::testing
