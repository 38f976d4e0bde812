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

// Counts the messages a PUSH takes before it is mute, its peer's transport taking nothing.
int fill(LoopbackNet& net, SocketCore* push) {
  int sent = 0;
  while (sent < 100000 && net.send(push, "m") == Err::kOk) ++sent;
  return sent;
}

// test_sockopt_hwm: ZMQ_SNDHWM set after the connection exists applies to its pipe.
TEST(PipelineTest, SndHwmChangedAfterConnectAppliesToTheExistingPipe) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "tcp://p:1");
  net.set_reading(pull, false);
  net.connect(push, "tcp://p:1");  // its pipe is made with the default HWM (1000)
  ASSERT_EQ(set_int(push, opt::kSndHwm, 5, net.now_ns()), Err::kOk);
  int sent = fill(net, push);
  // 5 in the pipe; the connection holds at most one more write batch of these tiny messages.
  EXPECT_GE(sent, 5);
  EXPECT_LT(sent, 1000);
}

TEST(PipelineTest, LoweringTheSndHwmOfAFullPipeMutesItUntilItDrainsBelow) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  set_int(push, opt::kSndHwm, 10);
  ASSERT_EQ(net.connect(push, "tcp://nobody:1"), Err::kOk);  // no connection: all stays queued
  EXPECT_EQ(fill(net, push), 10);
  ASSERT_EQ(set_int(push, opt::kSndHwm, 4, net.now_ns()), Err::kOk);
  EXPECT_EQ(fill(net, push), 0);
  ASSERT_EQ(set_int(push, opt::kSndHwm, 12, net.now_ns()), Err::kOk);
  EXPECT_EQ(fill(net, push), 2);  // raised: room up to the new mark at once
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

// libzmq ends a disconnected endpoint's pipes at once: messages it delivered that the
// application has not read are gone with it (test_spec_pushpull's multipart_atomic_drop cases
// read a stale message from the old connection otherwise).
TEST(PipelineTest, DisconnectDropsWhatTheEndpointDeliveredUnread) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(push, "tcp://p:1");
  net.connect(pull, "tcp://p:1");
  net.send(push, "old");
  net.settle();
  ASSERT_EQ(net.disconnect(pull, "tcp://p:1"), Err::kOk);
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
  EXPECT_EQ(pull->peer_count(), 0u);
  net.connect(pull, "tcp://p:1");
  net.send(push, "new");
  EXPECT_EQ(recv_string(net, pull), "new");
}

// zmq_unbind is different: libzmq's sessions end those pipes, and the socket reads on.
TEST(PipelineTest, UnbindKeepsWhatItsConnectionsDelivered) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "tcp://p:1");
  net.connect(push, "tcp://p:1");
  net.send(push, "old");
  net.settle();
  ASSERT_EQ(net.unbind(pull, "tcp://p:1"), Err::kOk);
  EXPECT_EQ(recv_string(net, pull), "old");
  EXPECT_EQ(pull->peer_count(), 0u);  // gone once read
}

TEST(PipelineTest, DisconnectMidMessageLetsTheReaderFinishIt) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(push, "tcp://p:1");
  net.connect(pull, "tcp://p:1");
  net.send_multipart(push, {"a1", "a2"});
  net.send(push, "b");
  net.settle();
  std::string body;
  ASSERT_EQ(net.recv(pull, &body), Err::kOk);
  ASSERT_TRUE(pull->rcvmore());
  ASSERT_EQ(net.disconnect(pull, "tcp://p:1"), Err::kOk);
  EXPECT_EQ(recv_string(net, pull), "a2");
  EXPECT_FALSE(pull->rcvmore());
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);  // b went with the endpoint
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

// Sends 64 KiB messages (each fills a write batch) without waiting until one is refused.
int sends_before_again(LoopbackNet& net, SocketCore* s, int limit = 100) {
  std::string big(64 * 1024, 'b');
  int n = 0;
  while (n < limit && net.send(s, big) == Err::kOk) ++n;
  return n;
}

// libzmq's inproc pipe is one queue both sockets share: it holds the sender's SNDHWM plus the
// receiver's RCVHWM (0 on either side: unlimited; test_hwm, test_sockopt_hwm count on it).
TEST(PipelineTest, InprocCapacityIsSndhwmPlusRcvhwm) {
  for (auto [rcvhwm, want] : {std::pair<int, int>{3, 5 + 3}, {0, 100}}) {
    LoopbackNet net;
    SocketCore* push = net.socket(SocketType::kPush);
    SocketCore* pull = net.socket(SocketType::kPull);
    set_int(push, opt::kSndHwm, 5);
    set_int(pull, opt::kRcvHwm, rcvhwm);
    net.bind(pull, "inproc://p");
    net.connect(push, "inproc://p");
    EXPECT_EQ(sends_before_again(net, push), want) << "peer RCVHWM " << rcvhwm;
  }
}

// A SNDHWM set after an inproc connect keeps the receiver's RCVHWM in the sum, and a full pipe
// opens again once the reader is past the low-water mark (libzmq's activate_write).
TEST(PipelineTest, InprocCapacityFollowsANewSndhwm) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(push, opt::kSndHwm, 5);
  set_int(pull, opt::kRcvHwm, 3);
  net.bind(pull, "inproc://p");
  net.connect(push, "inproc://p");
  set_int(push, opt::kSndHwm, 2);
  EXPECT_EQ(sends_before_again(net, push), 2 + 3);
  std::string body;
  ASSERT_EQ(net.recv(pull, &body), Err::kOk);
  ASSERT_EQ(net.recv(pull, &body), Err::kOk);
  EXPECT_EQ(net.send(push, "x"), Err::kAgain);  // the writer hears of reads at the mark (3)
  ASSERT_EQ(net.recv(pull, &body), Err::kOk);
  EXPECT_EQ(sends_before_again(net, push), 3);
}

// A connect made before the bind queues for its peer; the bind joins those messages to the
// link at once, and the receiver's RCVHWM counts from then on (test_sockopt_hwm).
TEST(PipelineTest, InprocConnectBeforeBindKeepsWhatWasQueued) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(push, opt::kSndHwm, 2);
  set_int(pull, opt::kRcvHwm, 2);
  net.connect(push, "inproc://late");
  EXPECT_EQ(net.send(push, "early"), Err::kOk);
  net.bind(pull, "inproc://late");
  net.advance_by(200'000'000);  // the connect retries and finds the bind
  EXPECT_EQ(sends_before_again(net, push), 3);
  EXPECT_EQ(recv_string(net, pull), "early");
}

// inproc has no listener, session or engine in libzmq: no monitor events for it.
TEST(PipelineTest, InprocReportsNoMonitorEvents) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "inproc://quiet");
  net.connect(push, "inproc://quiet");
  EXPECT_EQ(net.send(push, "m"), Err::kOk);
  EXPECT_EQ(recv_string(net, pull), "m");
  EXPECT_TRUE(net.monitor_events(push).empty());
  EXPECT_TRUE(net.monitor_events(pull).empty());
}

// Closing a socket closes its listeners, and libzmq reports each (ZMQ_EVENT_CLOSED; test_monitor
// expects it when the peer's disconnect has not been seen first).
TEST(PipelineTest, CloseReportsItsListenersClosed) {
  LoopbackNet net;
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "tcp://m:1");
  net.monitor_events(pull);  // LISTENING
  pull->close(net.now_ns());
  net.settle();
  std::vector<MonitorEvent> events = net.monitor_events(pull);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, monitor::kClosed);
  EXPECT_EQ(events[0].endpoint, "tcp://m:1");
}

// Socket types are checked over inproc as over tcp (div/inproc/no-socket-type-check): a PAIR's
// message never reaches a PULL, and neither side keeps the peer.
TEST(PipelineTest, InprocRefusesAnIncompatibleSocketType) {
  LoopbackNet net;
  SocketCore* pair = net.socket(SocketType::kPair);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "inproc://typed");
  net.connect(pair, "inproc://typed");
  net.send(pair, "wrong type");
  std::string body;
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
  EXPECT_EQ(pull->peer_count(), 0u);
  EXPECT_EQ(pair->peer_count(), 0u);
}

// The sender leaving does not take back what it sent: the receiver reads it, then the peer
// goes (libzmq's pipe outlives its writer up to the delimiter).
TEST(PipelineTest, InprocMessagesOutliveTheSendersClose) {
  LoopbackNet net;
  SocketCore* push = net.socket(SocketType::kPush);
  SocketCore* pull = net.socket(SocketType::kPull);
  net.bind(pull, "inproc://close");
  net.connect(push, "inproc://close");
  EXPECT_EQ(net.send(push, "1"), Err::kOk);
  EXPECT_EQ(net.send(push, "2"), Err::kOk);
  push->close(net.now_ns());
  net.settle();
  EXPECT_TRUE(push->finished());
  EXPECT_EQ(recv_string(net, pull), "1");
  EXPECT_EQ(recv_string(net, pull), "2");
  net.settle();
  EXPECT_EQ(pull->peer_count(), 0u);
}

// The many-peers goal: the PULL's fair queue drops idle peers from its active list, and the
// wake-up of the one pusher that writes names that peer, so its message is read at once (the
// recv takes in named wake-ups itself, without the driver's handle_inproc_activity first).
TEST(PipelineTest, InprocPullerReadsTheOnePusherOfManyThatWrote) {
  LoopbackNet net;
  SocketCore* pull = net.socket(SocketType::kPull);
  ASSERT_EQ(net.bind(pull, "inproc://many"), Err::kOk);
  std::vector<SocketCore*> pushes;
  for (int i = 0; i < 200; ++i) {
    pushes.push_back(net.socket(SocketType::kPush));
    ASSERT_EQ(net.connect(pushes.back(), "inproc://many"), Err::kOk);
  }
  net.settle();
  EXPECT_EQ(pull->events(net.now_ns()) & kPollIn, 0u);  // every peer found empty
  for (int i : {199, 3, 100, 3}) {
    Msg out = Msg::copy_of(std::to_string(i));
    ASSERT_EQ(pushes[size_t(i)]->send(out, 0, net.now_ns()), Err::kOk);
    EXPECT_NE(pull->events(net.now_ns()) & kPollIn, 0u) << i;
    Msg got;
    ASSERT_EQ(pull->recv(&got, net.now_ns()), Err::kOk) << i;
    EXPECT_EQ(got.view(), std::to_string(i));
    EXPECT_EQ(pull->recv(&got, net.now_ns()), Err::kAgain);
  }
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

namespace zlab::testing {
namespace {

// The HWM pump after recv() takes the connections the in pipe's HWM stopped (a ready list, not
// a walk over every peer): with several pushers held back at once, every message still
// arrives, each pusher's in order.
TEST(PipelineTest, EveryConnectionHeldBackByTheRcvHwmResumesAsThePullerReads) {
  LoopbackNet net;
  SocketCore* pull = net.socket(SocketType::kPull);
  set_int(pull, opt::kRcvHwm, 2);
  ASSERT_EQ(net.bind(pull, "tcp://pull:1"), Err::kOk);
  std::vector<SocketCore*> pushes;
  for (int p = 0; p < 3; ++p) {
    pushes.push_back(net.socket(SocketType::kPush));
    ASSERT_EQ(net.connect(pushes.back(), "tcp://pull:1"), Err::kOk);
  }
  for (int i = 0; i < 20; ++i) {
    for (int p = 0; p < 3; ++p) {
      ASSERT_EQ(net.send(pushes[p], std::to_string(p) + ":" + std::to_string(i)), Err::kOk);
    }
  }
  int next[3] = {0, 0, 0};
  std::string body;
  for (int n = 0; n < 60; ++n) {
    ASSERT_EQ(net.recv(pull, &body), Err::kOk) << n;
    int p = body[0] - '0';
    ASSERT_EQ(body, std::to_string(p) + ":" + std::to_string(next[p])) << n;
    ++next[p];
  }
  EXPECT_EQ(net.recv(pull, &body), Err::kAgain);
}

// flush_all() flushes the peers written to since it last ran; a peer whose connection could
// not take everything at once is flushed again when it makes room.
TEST(PipelineTest, MessagesToManyPeersAllLeaveThroughFlushAll) {
  LoopbackNet net(7);  // small chunks: connections take their bytes a few at a time
  SocketCore* push = net.socket(SocketType::kPush);
  ASSERT_EQ(net.bind(push, "tcp://push:1"), Err::kOk);
  std::vector<SocketCore*> pulls;
  for (int i = 0; i < 50; ++i) {
    pulls.push_back(net.socket(SocketType::kPull));
    ASSERT_EQ(net.connect(pulls.back(), "tcp://push:1"), Err::kOk);
  }
  const std::string big(300, 'x');
  for (int i = 0; i < 60; ++i) ASSERT_EQ(net.send(push, big), Err::kOk);
  net.settle();
  int received = 0;
  std::string body;
  for (SocketCore* pull : pulls) {
    while (net.recv(pull, &body) == Err::kOk) {
      EXPECT_EQ(body, big);
      ++received;
    }
  }
  EXPECT_EQ(received, 60);
}

// reap_dead_peers() looks at the peers marked dead (a list): a peer whose connection is gone
// goes once the application has read what it delivered, and not before.
TEST(PipelineTest, ADeadPeerGoesOnceItsMessagesAreRead) {
  LoopbackNet net;
  SocketCore* pull = net.socket(SocketType::kPull);
  ASSERT_EQ(net.bind(pull, "tcp://pull:1"), Err::kOk);
  SocketCore* push = net.socket(SocketType::kPush);
  ASSERT_EQ(net.connect(push, "tcp://pull:1"), Err::kOk);
  ASSERT_EQ(net.send(push, "a"), Err::kOk);
  ASSERT_EQ(net.send(push, "b"), Err::kOk);
  net.settle();
  ASSERT_EQ(pull->peer_count(), 1u);
  net.reset_streams(push);  // the connection breaks; what arrived stays readable
  net.settle();
  EXPECT_EQ(pull->peer_count(), 1u);
  EXPECT_EQ(recv_string(net, pull), "a");
  EXPECT_EQ(recv_string(net, pull), "b");
  EXPECT_EQ(pull->peer_count(), 0u);
}

}  // namespace
}  // namespace zlab::testing
