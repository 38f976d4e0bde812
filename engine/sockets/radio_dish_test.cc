// RADIO/DISH (rfc 48) over a ZMTP stream and inproc: groups by exact match, join/leave and
// their errors, JOIN/LEAVE on the wire, rejoin after a reconnect, drops at the HWM.
#include <gtest/gtest.h>

#include "engine/sockets/draft_test_util.h"

namespace zlab::testing {
namespace {

class RadioDishTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string ep(const std::string& name) { return endpoint_on(GetParam(), name); }
};

std::string recv_body(LoopbackNet& net, SocketCore* dish, std::string* group = nullptr) {
  Msg m;
  if (recv_msg(net, dish, &m) != Err::kOk) return "<none>";
  if (group != nullptr) *group = std::string(m.group());
  return std::string(m.view());
}

TEST_P(RadioDishTest, DishGetsOnlyTheGroupsItJoined) {
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(radio, ep("r")), Err::kOk);
  SocketCore* dish = net.socket(SocketType::kDish);
  ASSERT_EQ(net.connect(dish, ep("r")), Err::kOk);
  ASSERT_EQ(dish->join("Movies", net.now_ns()), Err::kOk);
  std::string long_group(100, 'L');  // beyond the inline group bytes
  ASSERT_EQ(dish->join(long_group, net.now_ns()), Err::kOk);
  net.settle();
  ASSERT_EQ(send_msg(net, radio, "tv", 0, "TV"), Err::kOk);  // nobody joined: dropped
  ASSERT_EQ(send_msg(net, radio, "film", 0, "Movies"), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "prefix", 0, "Movie"), Err::kOk);  // exact match only
  ASSERT_EQ(send_msg(net, radio, "long", 0, long_group), Err::kOk);
  std::string group;
  EXPECT_EQ(recv_body(net, dish, &group), "film");
  EXPECT_EQ(group, "Movies");
  EXPECT_EQ(recv_body(net, dish, &group), "long");
  EXPECT_EQ(group, long_group);
  EXPECT_EQ(recv_body(net, dish), "<none>");
  ASSERT_EQ(dish->leave("Movies", net.now_ns()), Err::kOk);
  net.settle();
  ASSERT_EQ(send_msg(net, radio, "film 2", 0, "Movies"), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "long 2", 0, long_group), Err::kOk);
  EXPECT_EQ(recv_body(net, dish), "long 2");
  EXPECT_EQ(recv_body(net, dish), "<none>");
}

TEST_P(RadioDishTest, EveryDishOfAGroupGetsItsOwnCopy) {
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(radio, ep("r")), Err::kOk);
  std::vector<SocketCore*> dishes;
  for (int i = 0; i < 3; ++i) {
    dishes.push_back(net.socket(SocketType::kDish));
    ASSERT_EQ(net.connect(dishes.back(), ep("r")), Err::kOk);
    ASSERT_EQ(dishes.back()->join(i < 2 ? "a" : "b", net.now_ns()), Err::kOk);
  }
  net.settle();
  ASSERT_EQ(send_msg(net, radio, "to a", 0, "a"), Err::kOk);
  EXPECT_EQ(recv_body(net, dishes[0]), "to a");
  EXPECT_EQ(recv_body(net, dishes[1]), "to a");
  EXPECT_EQ(recv_body(net, dishes[2]), "<none>");
}

TEST_P(RadioDishTest, JoinAndLeaveErrorsAsLibzmq) {
  LoopbackNet net;
  SocketCore* dish = net.socket(SocketType::kDish);
  EXPECT_EQ(dish->leave("Movies", 0), Err::kInvalid);  // never joined
  EXPECT_EQ(dish->join("Movies", 0), Err::kOk);
  EXPECT_EQ(dish->join("Movies", 0), Err::kInvalid);  // joined twice
  EXPECT_EQ(dish->join(std::string(kGroupMaxLength + 1, 'A'), 0), Err::kInvalid);
  EXPECT_EQ(dish->join(std::string(kGroupMaxLength, 'A'), 0), Err::kOk);
  EXPECT_EQ(dish->leave("Movies", 0), Err::kOk);
  EXPECT_EQ(dish->leave("Movies", 0), Err::kInvalid);
  EXPECT_EQ(get_int(dish, opt::kLinger), 0);  // libzmq's DISH does not wait for its JOINs
  SocketCore* radio = net.socket(SocketType::kRadio);
  EXPECT_EQ(get_int(radio, opt::kLinger), -1);
  EXPECT_EQ(radio->join("Movies", 0), Err::kNotSupported);
  EXPECT_EQ(radio->leave("Movies", 0), Err::kNotSupported);
  Msg m;
  EXPECT_EQ(radio->recv(&m, 0), Err::kNotSupported);
  Msg out = Msg::copy_of(std::string_view("x"));
  EXPECT_EQ(dish->send(out, 0, 0), Err::kNotSupported);
}

TEST_P(RadioDishTest, JoinsMadeBeforeTheConnectionAreSent) {
  LoopbackNet net;
  SocketCore* dish = net.socket(SocketType::kDish);
  ASSERT_EQ(dish->join("early", 0), Err::kOk);
  ASSERT_EQ(net.connect(dish, ep("r")), Err::kOk);
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(radio, ep("r")), Err::kOk);
  net.advance_by(1000 * proto::kNsPerMs);  // the reconnect timer fires (tcp)
  ASSERT_EQ(send_msg(net, radio, "hello", 0, "early"), Err::kOk);
  EXPECT_EQ(recv_body(net, dish), "hello");
}

TEST_P(RadioDishTest, RadioAtTheHwmDropsForTheSlowDishOnly) {
  if (GetParam() == "inproc") GTEST_SKIP() << "set_reading stops a stream; inproc has none";
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  set_int(radio, opt::kSndHwm, 10);
  ASSERT_EQ(net.bind(radio, ep("r")), Err::kOk);
  SocketCore* fast = net.socket(SocketType::kDish);
  SocketCore* slow = net.socket(SocketType::kDish);
  set_int(slow, opt::kRcvHwm, 10);
  for (SocketCore* d : {fast, slow}) {
    ASSERT_EQ(net.connect(d, ep("r")), Err::kOk);
    ASSERT_EQ(d->join("g", net.now_ns()), Err::kOk);
  }
  net.settle();
  net.set_reading(slow, false);
  constexpr int kCount = 2000;
  int fast_got = 0;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(send_msg(net, radio, std::to_string(i), 0, "g"), Err::kOk);  // never blocks
    Msg m;
    while (recv_msg(net, fast, &m) == Err::kOk) ++fast_got;
  }
  EXPECT_EQ(fast_got, kCount);
  EXPECT_GT(radio->dropped_messages(), 0u);
  net.set_reading(slow, true);
  int slow_got = 0;
  Msg m;
  while (recv_msg(net, slow, &m) == Err::kOk) ++slow_got;
  EXPECT_GT(slow_got, 0);
  EXPECT_LT(slow_got, kCount);
}

TEST_P(RadioDishTest, RadioWithNoDropSaysAgainInstead) {
  if (GetParam() == "inproc") GTEST_SKIP() << "set_reading stops a stream; inproc has none";
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  set_int(radio, opt::kSndHwm, 5);
  ASSERT_EQ(set_int(radio, opt::kXPubNoDrop, 1), Err::kOk);
  ASSERT_EQ(net.bind(radio, ep("r")), Err::kOk);
  SocketCore* dish = net.socket(SocketType::kDish);
  set_int(dish, opt::kRcvHwm, 5);
  ASSERT_EQ(net.connect(dish, ep("r")), Err::kOk);
  ASSERT_EQ(dish->join("g", net.now_ns()), Err::kOk);
  net.settle();
  net.set_reading(dish, false);
  int sent = 0;
  while (sent < 100000 && send_msg(net, radio, "m", 0, "g") == Err::kOk) ++sent;
  EXPECT_LT(sent, 100000);
  EXPECT_EQ(radio->dropped_messages(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports, RadioDishTest, ::testing::Values("tcp", "inproc"));

TEST(RadioDishStreamTest, DishRejoinsAfterAReconnect) {
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(radio, "tcp://r:1"), Err::kOk);
  SocketCore* dish = net.socket(SocketType::kDish);
  ASSERT_EQ(net.connect(dish, "tcp://r:1"), Err::kOk);
  ASSERT_EQ(dish->join("a", 0), Err::kOk);
  ASSERT_EQ(dish->join("b", 0), Err::kOk);
  ASSERT_EQ(dish->leave("b", 0), Err::kOk);
  net.settle();
  net.reset_streams(dish);
  net.advance_by(1000 * proto::kNsPerMs);  // reconnect: the new connection's RADIO knows nothing
  ASSERT_EQ(send_msg(net, radio, "to a", 0, "a"), Err::kOk);
  ASSERT_EQ(send_msg(net, radio, "to b", 0, "b"), Err::kOk);
  EXPECT_EQ(recv_body(net, dish), "to a");
  EXPECT_EQ(recv_body(net, dish), "<none>");
  EXPECT_TRUE(has_event(net.monitor_events(dish), monitor::kConnectRetried) ||
              has_event(net.monitor_events(dish), monitor::kDisconnected));
}

TEST(RadioDishStreamTest, RadioRefusesAPeerThatIsNotADish) {
  LoopbackNet net;
  SocketCore* radio = net.socket(SocketType::kRadio);
  ASSERT_EQ(net.bind(radio, "tcp://r:1"), Err::kOk);
  SocketCore* sub = net.socket(SocketType::kSub);
  ASSERT_EQ(net.connect(sub, "tcp://r:1"), Err::kOk);
  set_bytes(sub, opt::kSubscribe, "");
  net.advance_by(100 * proto::kNsPerMs);
  EXPECT_FALSE(has_event(net.monitor_events(radio), monitor::kHandshakeSucceeded));
}

}  // namespace
}  // namespace zlab::testing
