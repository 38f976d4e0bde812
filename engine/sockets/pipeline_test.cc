// PUSH/PULL and PAIR over the loopback net: round-robin, fair queuing, HWM, queuing before a
// connection exists, reconnection, atomic multipart.
#include <gtest/gtest.h>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {
namespace {

TEST(PipelineTest, PushRoundRobinsExactlyOverPullers) {
  LoopbackNet net(7);
  SocketCore* push = net.socket(SocketType::kPush);
  ASSERT_EQ(net.bind(push, "tcp://push:1"), Err::kOk);
  std::vector<SocketCore*> pulls;
  for (int i = 0; i < 3; ++i) {
    pulls.push_back(net.socket(SocketType::kPull));
    ASSERT_EQ(net.connect(pulls.back(), "tcp://push:1"), Err::kOk);
  }
  for (int i = 0; i < 9; ++i) ASSERT_EQ(net.send(push, std::to_string(i)), Err::kOk);
  // Each puller got every third message, in order.
  std::vector<std::string> got[3];
  for (int p = 0; p < 3; ++p) {
    std::string body;
    while (net.recv(pulls[p], &body) == Err::kOk) got[p].push_back(body);
    ASSERT_EQ(got[p].size(), 3u) << p;
  }
  for (int p = 0; p < 3; ++p) {
    int first = std::stoi(got[p][0]);
    EXPECT_EQ(std::stoi(got[p][1]), first + 3);
    EXPECT_EQ(std::stoi(got[p][2]), first + 6);
  }
}

TEST(PipelineTest, PullFairQueuesPushers) {
  LoopbackNet net;
  SocketCore* pull = net.socket(SocketType::kPull);
  ASSERT_EQ(net.bind(pull, "tcp://pull:1"), Err::kOk);
  SocketCore* a = net.socket(SocketType::kPush);
  SocketCore* b = net.socket(SocketType::kPush);
  net.connect(a, "tcp://pull:1");
  net.connect(b, "tcp://pull:1");
  for (int i = 0; i < 3; ++i) {
    net.send(a, "a");
    net.send(b, "b");
  }
  std::string seq;
  for (int i = 0; i < 6; ++i) seq += recv_string(net, pull);
  EXPECT_EQ(seq, "ababab");
}

TEST(PipelineTest, MessagesQueueBeforeTheConnectionExists) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  ASSERT_EQ(net.connect(push, "tcp://later:1"), Err::kOk);  // refused: nothing listens yet
  ASSERT_EQ(net.send(push, "early"), Err::kOk);             // queued in the peer's pipe
  SocketCore* pull = net.socket(SocketType::kPull);
  ASSERT_EQ(net.bind(pull, "tcp://later:1"), Err::kOk);
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
  net.advance_by(1000 * proto::kNsPerMs);  // the reconnect timer fires
  EXPECT_EQ(recv_string(net, pull), "early");
  EXPECT_TRUE(has_event(net.monitor_events(push), monitor::kConnectRetried));
}

TEST(PipelineTest, ReconnectBacksOffUpToTheMaximumWithJitter) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  set_int(push, opt::kReconnectIvl, 100);
  set_int(push, opt::kReconnectIvlMax, 800);
  net.connect(push, "tcp://nobody:1");
  net.advance_by(10'000 * proto::kNsPerMs);
  std::vector<int64_t> waits_ms;
  for (const auto& e : net.monitor_events(push)) {
    if (e.event == monitor::kConnectRetried) waits_ms.push_back(e.value);
  }
  ASSERT_GE(waits_ms.size(), 6u);
  // Interval doubles 100, 200, 400, 800, then stays; each wait adds jitter below the base.
  const int64_t expect[] = {100, 200, 400, 800, 800, 800};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_GE(waits_ms[i], expect[i]) << i;
    EXPECT_LT(waits_ms[i], expect[i] + 100) << i;
  }
}

TEST(PipelineTest, NegativeReconnectIvlNeverRetries) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  set_int(push, opt::kReconnectIvl, -1);
  net.connect(push, "tcp://nobody:1");
  net.advance_by(10'000 * proto::kNsPerMs);
  EXPECT_FALSE(has_event(net.monitor_events(push), monitor::kConnectRetried));
  EXPECT_EQ(push->next_deadline_ns(), INT64_MAX);
}

TEST(PipelineTest, SendHwmBlocksAndNothingIsLost) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(push, opt::kSndHwm, 10);
  set_int(pull, opt::kRcvHwm, 10);
  net.bind(pull, "tcp://p:1");
  net.connect(push, "tcp://p:1");
  net.set_reading(pull, false);  // the consumer's transport stops taking bytes
  int sent = 0;
  while (sent < 100000 && net.send(push, "m" + std::to_string(sent)) == Err::kOk) ++sent;
  ASSERT_LT(sent, 100000) << "the HWM never muted the socket";
  EXPECT_EQ(push->events(net.now_ns()) & kPollOut, 0u);
  net.set_reading(pull, true);
  net.settle();
  for (int i = 0; i < sent; ++i) ASSERT_EQ(recv_string(net, pull), "m" + std::to_string(i));
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
  EXPECT_NE(push->events(net.now_ns()) & kPollOut, 0u);  // room again
}

TEST(PipelineTest, ImmediateWithNoPeerWouldBlock) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  set_int(push, opt::kImmediate, 1);
  net.connect(push, "tcp://nobody:1");
  EXPECT_EQ(net.send(push, "x"), Err::kAgain);
}

TEST(PipelineTest, MultipartIsAtomicAndOrdered) {
  LoopbackNet net(3);
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "tcp://p:1");
  net.connect(push, "tcp://p:1");
  Parts big = {"", std::string(255, 'a'), std::string(256, 'b'), std::string(1 << 20, 'c')};
  ASSERT_EQ(net.send_multipart(push, big), Err::kOk);
  EXPECT_EQ(recv_parts(net, pull), big);
}

TEST(PipelineTest, ReconnectsAfterAReset) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "tcp://p:1");
  net.connect(push, "tcp://p:1");
  net.send(push, "before");
  EXPECT_EQ(recv_string(net, pull), "before");
  net.reset_streams(push);
  net.send(push, "during");  // queued: the peer's pipe outlives the connection
  net.advance_by(1000 * proto::kNsPerMs);
  EXPECT_EQ(recv_string(net, pull), "during");
}

TEST(PipelineTest, PushCannotReceivePullCannotSend) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  std::string body;
  EXPECT_EQ(net.recv(push, &body), Err::kNotSupported);
  EXPECT_EQ(net.send(pull, "x"), Err::kNotSupported);
}

TEST(PipelineTest, PairIsExclusive) {
  LoopbackNet net;
  SocketCore* a = net.socket(SocketType::kPair);
  SocketCore* b = net.socket(SocketType::kPair);
  SocketCore* c = net.socket(SocketType::kPair);
  net.bind(a, "inproc://pair");
  net.connect(b, "inproc://pair");
  net.connect(c, "inproc://pair");  // refused by a: it already has b
  net.send(b, "from b");
  net.send(c, "from c");
  EXPECT_EQ(recv_string(net, a), "from b");
  std::string body;
  EXPECT_EQ(net.recv(a, &body), Err::kAgain);
  net.send(a, "to b");
  EXPECT_EQ(recv_string(net, b), "to b");
}

TEST(PipelineTest, IncompatiblePeersExchangeNothing) {
  LoopbackNet net;
  SocketCore* a = net.socket(SocketType::kPush);
  SocketCore* b = net.socket(SocketType::kPush);
  net.bind(a, "tcp://x:1");
  net.connect(b, "tcp://x:1");
  net.send(b, "nope");
  auto events = net.monitor_events(a);
  EXPECT_TRUE(has_event(events, monitor::kHandshakeFailedProtocol));
  EXPECT_FALSE(has_event(events, monitor::kHandshakeSucceeded));
  EXPECT_EQ(a->peer_count(), 0u);
}

TEST(PipelineTest, ConflateKeepsTheNewest) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(pull, opt::kConflate, 1);
  net.bind(pull, "tcp://c:1");
  net.connect(push, "tcp://c:1");
  for (int i = 0; i < 5; ++i) net.send(push, std::to_string(i));
  EXPECT_EQ(recv_string(net, pull), "4");
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
}

// ZMQ_CONFLATE ignores ZMQ_RCVHWM (zmq_setsockopt(3)): with RCVHWM 1 the pipe filled with the
// first message and the connection stopped, so the reader got the oldest, not the newest
// (found by rule/general/conflate-keeps-last).
TEST(PipelineTest, ConflateIgnoresTheRcvHwm) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(pull, opt::kConflate, 1);
  set_int(pull, opt::kRcvHwm, 1);
  net.bind(pull, "tcp://c:1");
  net.connect(push, "tcp://c:1");
  for (int i = 0; i < 5; ++i) net.send(push, std::to_string(i));
  EXPECT_EQ(recv_string(net, pull), "4");
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
}

}  // namespace
}  // namespace zlab::testing
