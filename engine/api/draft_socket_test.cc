// The draft socket calls (draft build) through zmq.h alone: zmq_socket_get_peer_state.
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

}  // namespace
