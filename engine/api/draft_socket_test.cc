// The draft socket calls (draft build) through zmq.h alone: zmq_join/zmq_leave,
// zmq_connect_peer, zmq_socket_get_peer_state.
#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

TEST(PeerState, CornerCasesAsLibzmq) {
  const char id[] = "foo";
  EXPECT_EQ(zmq_socket_get_peer_state(nullptr, id, 3), -1);
  EXPECT_EQ(zmq_errno(), ENOTSOCK);
  void* ctx = zmq_ctx_new();
  void* dealer = make_socket(ctx, ZMQ_DEALER);
  void* router = make_socket(ctx, ZMQ_ROUTER);
  EXPECT_EQ(zmq_socket_get_peer_state(dealer, id, 3), -1);
  EXPECT_EQ(zmq_errno(), ENOTSUP);
  EXPECT_EQ(zmq_socket_get_peer_state(router, id, 3), -1);
  EXPECT_EQ(zmq_errno(), EHOSTUNREACH);
  EXPECT_EQ(zmq_socket_get_peer_state(router, nullptr, 3), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  close_now(dealer);
  close_now(router);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// POLLOUT while the peer can take a message, 0 once its pipe is full, POLLOUT again once the
// peer read.
TEST(PeerState, FollowsThePeersRoom) {
  void* ctx = zmq_ctx_new();
  void* router = make_socket(ctx, ZMQ_ROUTER);
  void* dealer = make_socket(ctx, ZMQ_DEALER);
  set_int(router, ZMQ_ROUTER_MANDATORY, 1);
  set_int(router, ZMQ_SNDHWM, 1);
  set_int(dealer, ZMQ_RCVHWM, 1);
  ASSERT_EQ(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "A", 1), 0);
  ASSERT_EQ(zmq_bind(router, "inproc://peer-state"), 0);
  ASSERT_EQ(zmq_connect(dealer, "inproc://peer-state"), 0);
  ASSERT_EQ(send_str(dealer, "hi"), 2);
  EXPECT_EQ(recv_parts(router), (std::vector<std::string>{"A", "hi"}));
  EXPECT_EQ(zmq_socket_get_peer_state(router, "A", 1), ZMQ_POLLOUT);
  int sent = 0;
  while (zmq_socket_get_peer_state(router, "A", 1) == ZMQ_POLLOUT && sent < 100) {
    ASSERT_EQ(send_str(router, "A", ZMQ_SNDMORE | ZMQ_DONTWAIT), 1);
    ASSERT_EQ(send_str(router, "m", ZMQ_DONTWAIT), 1);
    ++sent;
  }
  EXPECT_LT(sent, 100);  // the HWM was reached
  EXPECT_EQ(zmq_socket_get_peer_state(router, "A", 1), 0);
  EXPECT_EQ(recv_str(dealer), "m");
  EXPECT_EQ(zmq_socket_get_peer_state(router, "A", 1), ZMQ_POLLOUT);
  close_now(dealer);
  close_now(router);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(JoinLeave, ErrorsAsLibzmq) {
  void* ctx = zmq_ctx_new();
  void* dish = make_socket(ctx, ZMQ_DISH);
  void* radio = make_socket(ctx, ZMQ_RADIO);
  EXPECT_EQ(zmq_join(nullptr, "g"), -1);
  EXPECT_EQ(zmq_errno(), ENOTSOCK);
  EXPECT_EQ(zmq_join(radio, "g"), -1);  // only a DISH joins
  EXPECT_EQ(zmq_errno(), ENOTSUP);
  EXPECT_EQ(zmq_leave(radio, "g"), -1);
  EXPECT_EQ(zmq_errno(), ENOTSUP);
  EXPECT_EQ(zmq_join(dish, nullptr), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  std::string longest(ZMQ_GROUP_MAX_LENGTH, 'g'), too_long(ZMQ_GROUP_MAX_LENGTH + 1, 'g');
  EXPECT_EQ(zmq_join(dish, too_long.c_str()), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_join(dish, longest.c_str()), 0);
  EXPECT_EQ(zmq_join(dish, longest.c_str()), -1);  // twice
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_leave(dish, "never joined"), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_leave(dish, longest.c_str()), 0);
  EXPECT_EQ(zmq_leave(dish, longest.c_str()), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  close_now(dish);
  close_now(radio);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// A message's group is what the DISH reads it by; a group it left no longer reaches it.
TEST(JoinLeave, GroupsThroughTheApi) {
  void* ctx = zmq_ctx_new();
  void* dish = make_socket(ctx, ZMQ_DISH, 200);
  void* radio = make_socket(ctx, ZMQ_RADIO);
  ASSERT_EQ(zmq_join(dish, "Movies"), 0);
  ASSERT_EQ(zmq_join(dish, "a group longer than the inline room of a message"), 0);
  std::string ep = bind_any(dish);
  ASSERT_EQ(zmq_connect(radio, ep.c_str()), 0);
  auto send_group = [&](const char* group, const std::string& text) {
    zmq_msg_t msg;
    zmq_msg_init_buffer(&msg, text.data(), text.size());
    EXPECT_EQ(zmq_msg_set_group(&msg, group), 0);
    EXPECT_EQ(zmq_msg_send(&msg, radio, 0), int(text.size())) << zmq_strerror(zmq_errno());
  };
  // Until the JOINs have reached the RADIO, what it sends goes nowhere.
  zmq_msg_t got;
  zmq_msg_init(&got);
  int rc = -1;
  for (int i = 0; i < 50 && rc < 0; ++i) {
    send_group("Movies", "sync");
    rc = zmq_msg_recv(&got, dish, 0);
  }
  ASSERT_GE(rc, 0);
  while (zmq_msg_recv(&got, dish, 0) >= 0) {
  }
  send_group("TV", "not joined");
  send_group("a group longer than the inline room of a message", "long");
  send_group("Movies", "film");
  ASSERT_EQ(zmq_msg_recv(&got, dish, 0), 4);
  EXPECT_STREQ(zmq_msg_group(&got), "a group longer than the inline room of a message");
  ASSERT_EQ(zmq_msg_recv(&got, dish, 0), 4);
  EXPECT_STREQ(zmq_msg_group(&got), "Movies");
  EXPECT_EQ(std::string(static_cast<char*>(zmq_msg_data(&got)), 4), "film");
  ASSERT_EQ(zmq_leave(dish, "Movies"), 0);
  // After the LEAVE reached the RADIO (the long group still comes through), Movies does not.
  std::string last;
  for (int i = 0; i < 50 && last != "marker"; ++i) {
    send_group("Movies", "left");
    send_group("a group longer than the inline room of a message", "marker");
    while (zmq_msg_recv(&got, dish, 0) >= 0) {
      last.assign(static_cast<char*>(zmq_msg_data(&got)), zmq_msg_size(&got));
    }
    if (last == "marker") {
      send_group("Movies", "left");
      send_group("a group longer than the inline room of a message", "end");
      ASSERT_EQ(zmq_msg_recv(&got, dish, 0), 3);
      EXPECT_STREQ(zmq_msg_group(&got), "a group longer than the inline room of a message");
    }
  }
  EXPECT_EQ(last, "marker");
  zmq_msg_close(&got);
  close_now(dish);
  close_now(radio);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(ConnectPeer, ReturnsTheRoutingIdToSendBy) {
  void* ctx = zmq_ctx_new();
  void* a = make_socket(ctx, ZMQ_PEER);
  void* b = make_socket(ctx, ZMQ_PEER);
  std::string ep = bind_any(a);
  uint32_t a_id = zmq_connect_peer(b, ep.c_str());
  ASSERT_NE(a_id, 0u) << zmq_strerror(zmq_errno());
  // b sends to a by that id; a answers by the id its message carried.
  zmq_msg_t msg;
  zmq_msg_init_buffer(&msg, "ping", 4);
  ASSERT_EQ(zmq_msg_set_routing_id(&msg, a_id), 0);
  ASSERT_EQ(zmq_msg_send(&msg, b, 0), 4);
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, a, 0), 4);
  uint32_t b_id = zmq_msg_routing_id(&msg);
  EXPECT_NE(b_id, 0u);
  zmq_msg_close(&msg);
  zmq_msg_init_buffer(&msg, "pong", 4);
  ASSERT_EQ(zmq_msg_set_routing_id(&msg, b_id), 0);
  ASSERT_EQ(zmq_msg_send(&msg, a, 0), 4);
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, b, 0), 4);
  EXPECT_EQ(zmq_msg_routing_id(&msg), a_id);
  zmq_msg_close(&msg);
  close_now(a);
  close_now(b);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(ConnectPeer, ErrorsAsLibzmq) {
  void* ctx = zmq_ctx_new();
  void* peer = make_socket(ctx, ZMQ_PEER);
  void* server = make_socket(ctx, ZMQ_SERVER);
  EXPECT_EQ(zmq_connect_peer(nullptr, "tcp://127.0.0.1:5555"), 0u);
  EXPECT_EQ(zmq_errno(), ENOTSOCK);
  EXPECT_EQ(zmq_connect_peer(server, "tcp://127.0.0.1:5555"), 0u);  // only a PEER
  EXPECT_EQ(zmq_errno(), ENOTSUP);
  EXPECT_EQ(zmq_connect_peer(peer, nullptr), 0u);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_connect_peer(peer, "bogus://x"), 0u);
  EXPECT_EQ(zmq_errno(), EPROTONOSUPPORT);
  set_int(peer, ZMQ_IMMEDIATE, 1);  // the peer would not exist yet: EFAULT, as libzmq
  EXPECT_EQ(zmq_connect_peer(peer, "tcp://127.0.0.1:5555"), 0u);
  EXPECT_EQ(zmq_errno(), EFAULT);
  close_now(peer);
  close_now(server);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
