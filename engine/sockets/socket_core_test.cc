// SocketCore life cycle over the loopback net: closing and lingering.
#include "engine/sockets/socket_core.h"

#include <gtest/gtest.h>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {
namespace {

// A ROUTER closed with a message still on its way to a peer (linger -1) is finished once that
// peer's connection ends, whichever way it ends: the message can never be delivered, and with
// no linger deadline nothing else would look again (test_router_mandatory hung in
// zmq_ctx_term when the DEALER closed first).
class ClosingWhenThePeerGoes : public ::testing::TestWithParam<bool> {};

TEST_P(ClosingWhenThePeerGoes, TheLingeringSocketFinishes) {
  bool reset = GetParam();
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  ASSERT_EQ(net.bind(router, "tcp://r:1"), Err::kOk);
  set_bytes(dealer, opt::kRoutingId, "X");
  ASSERT_EQ(net.connect(dealer, "tcp://r:1"), Err::kOk);
  ASSERT_EQ(net.send(dealer, "hello"), Err::kOk);
  ASSERT_EQ(recv_parts(net, router), (Parts{"X", "hello"}));
  net.set_reading(dealer, false);  // the reply stays in the router's connection
  ASSERT_EQ(net.send_multipart(router, {"X", std::string(1 << 20, 'r')}), Err::kOk);
  router->close(net.now_ns());
  net.settle();
  ASSERT_FALSE(router->finished());  // lingering: the reply is not written yet
  if (reset) {
    net.reset_streams(dealer);
  } else {
    dealer->close(net.now_ns());
    set_int(dealer, opt::kLinger, 0);
    net.set_reading(dealer, true);
    net.settle();
  }
  EXPECT_TRUE(router->finished());
}

INSTANTIATE_TEST_SUITE_P(ResetOrClose, ClosingWhenThePeerGoes, ::testing::Bool());

}  // namespace
}  // namespace zlab::testing
