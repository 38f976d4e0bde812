// The thread-safe draft types that route like classic ones: CLIENT/SERVER (rfc 41), PEER,
// SCATTER/GATHER (rfc 49), CHANNEL; over a ZMTP stream and inproc. Single-part only.
#include <gtest/gtest.h>

#include "engine/sockets/draft_test_util.h"

namespace zlab::testing {
namespace {

class DraftTypesTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string ep(const std::string& name) { return endpoint_on(GetParam(), name); }
};

TEST_P(DraftTypesTest, ServerRepliesByTheRoutingIdOfTheRequest) {
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kServer);
  ASSERT_EQ(net.bind(server, ep("srv")), Err::kOk);
  SocketCore* a = net.socket(SocketType::kClient);
  SocketCore* b = net.socket(SocketType::kClient);
  ASSERT_EQ(net.connect(a, ep("srv")), Err::kOk);
  ASSERT_EQ(net.connect(b, ep("srv")), Err::kOk);
  ASSERT_EQ(send_msg(net, a, "from a"), Err::kOk);
  ASSERT_EQ(send_msg(net, b, "from b"), Err::kOk);
  std::map<std::string, uint32_t> id_of;
  for (int i = 0; i < 2; ++i) {
    Msg m;
    ASSERT_EQ(recv_msg(net, server, &m), Err::kOk);
    EXPECT_NE(m.routing_id(), 0u);
    id_of[std::string(m.view())] = m.routing_id();
  }
  ASSERT_EQ(id_of.size(), 2u);
  EXPECT_NE(id_of["from a"], id_of["from b"]);
  ASSERT_EQ(send_msg(net, server, "to b", id_of["from b"]), Err::kOk);
  ASSERT_EQ(send_msg(net, server, "to a", id_of["from a"]), Err::kOk);
  Msg m;
  ASSERT_EQ(recv_msg(net, a, &m), Err::kOk);
  EXPECT_EQ(m.view(), "to a");
  EXPECT_EQ(m.routing_id(), 0u);  // a CLIENT's messages name no peer
  ASSERT_EQ(recv_msg(net, b, &m), Err::kOk);
  EXPECT_EQ(m.view(), "to b");
  EXPECT_EQ(recv_msg(net, a, &m), Err::kAgain);
}

TEST_P(DraftTypesTest, ServerSendToAnUnknownRoutingIdIsHostUnreachable) {
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kServer);
  ASSERT_EQ(net.bind(server, ep("srv")), Err::kOk);
  SocketCore* client = net.socket(SocketType::kClient);
  ASSERT_EQ(net.connect(client, ep("srv")), Err::kOk);
  ASSERT_EQ(send_msg(net, client, "hi"), Err::kOk);
  Msg m;
  ASSERT_EQ(recv_msg(net, server, &m), Err::kOk);
  EXPECT_EQ(send_msg(net, server, "no one", 0), Err::kHostUnreachable);
  EXPECT_EQ(send_msg(net, server, "no one", m.routing_id() + 1), Err::kHostUnreachable);
  EXPECT_EQ(send_msg(net, server, "you", m.routing_id()), Err::kOk);
}

TEST_P(DraftTypesTest, ServerAtTheHwmOfAPeerSaysAgainAndDropsNothing) {
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kServer);
  set_int(server, opt::kSndHwm, 5);
  ASSERT_EQ(net.bind(server, ep("srv")), Err::kOk);
  SocketCore* client = net.socket(SocketType::kClient);
  set_int(client, opt::kRcvHwm, 5);
  ASSERT_EQ(net.connect(client, ep("srv")), Err::kOk);
  ASSERT_EQ(send_msg(net, client, "hi"), Err::kOk);
  Msg m;
  ASSERT_EQ(recv_msg(net, server, &m), Err::kOk);
  net.set_reading(client, false);
  int sent = 0;
  while (sent < 100000 && send_msg(net, server, std::to_string(sent), m.routing_id()) == Err::kOk) {
    ++sent;
  }
  ASSERT_LT(sent, 100000);  // it stopped with kAgain, the mute state
  EXPECT_EQ(send_msg(net, server, "x", m.routing_id()), Err::kAgain);
  net.set_reading(client, true);
  for (int i = 0; i < sent; ++i) {
    Msg r;
    ASSERT_EQ(recv_msg(net, client, &r), Err::kOk) << i;
    EXPECT_EQ(r.view(), std::to_string(i));
  }
}

TEST_P(DraftTypesTest, ThreadSafeTypesRefuseMultipartSends) {
  LoopbackNet net;
  for (SocketType t : {SocketType::kClient, SocketType::kServer, SocketType::kScatter,
                       SocketType::kPeer, SocketType::kChannel, SocketType::kRadio}) {
    SocketCore* s = net.socket(t);
    SCOPED_TRACE(std::string(socket_type_info(t).name));
    EXPECT_EQ(send_msg(net, s, "part", 0, {}, kSendMore), Err::kInvalid);
  }
}

TEST_P(DraftTypesTest, ClientAndDealerRefuseEachOther) {
  LoopbackNet net;
  SocketCore* client = net.socket(SocketType::kClient);
  ASSERT_EQ(net.bind(client, ep("c")), Err::kOk);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  ASSERT_EQ(net.connect(dealer, ep("c")), Err::kOk);
  net.send(dealer, "hello");
  net.advance_by(100 * proto::kNsPerMs);
  Msg m;
  EXPECT_EQ(recv_msg(net, client, &m), Err::kAgain);
  EXPECT_FALSE(has_event(net.monitor_events(client), monitor::kHandshakeSucceeded));
  SocketCore* server = net.socket(SocketType::kServer);
  ASSERT_EQ(net.bind(server, ep("s")), Err::kOk);
  SocketCore* router = net.socket(SocketType::kRouter);
  ASSERT_EQ(net.connect(router, ep("s")), Err::kOk);
  net.advance_by(100 * proto::kNsPerMs);
  EXPECT_FALSE(has_event(net.monitor_events(server), monitor::kHandshakeSucceeded));
}

TEST_P(DraftTypesTest, PeerConnectReturnsTheRoutingIdToSendWith) {
  LoopbackNet net;
  SocketCore* a = net.socket(SocketType::kPeer);
  SocketCore* b = net.socket(SocketType::kPeer);
  ASSERT_EQ(net.bind(a, ep("a")), Err::kOk);
  uint32_t id = 0;
  ASSERT_EQ(b->connect_peer(ep("a"), net.now_ns(), &id), Err::kOk);
  EXPECT_NE(id, 0u);
  ASSERT_EQ(send_msg(net, b, "hello", id), Err::kOk);  // usable at once, before the handshake
  Msg m;
  ASSERT_EQ(recv_msg(net, a, &m), Err::kOk);
  EXPECT_EQ(m.view(), "hello");
  ASSERT_EQ(send_msg(net, a, "back", m.routing_id()), Err::kOk);
  ASSERT_EQ(recv_msg(net, b, &m), Err::kOk);
  EXPECT_EQ(m.view(), "back");
  EXPECT_EQ(m.routing_id(), id);
  // libzmq: EFAULT with ZMQ_IMMEDIATE, ENOTSUP on other types.
  SocketCore* c = net.socket(SocketType::kPeer);
  set_int(c, opt::kImmediate, 1);
  EXPECT_EQ(c->connect_peer(ep("a"), net.now_ns(), &id), Err::kFault);
  EXPECT_EQ(id, 0u);
  SocketCore* server = net.socket(SocketType::kServer);
  EXPECT_EQ(server->connect_peer(ep("a"), net.now_ns(), &id), Err::kNotSupported);
}

TEST_P(DraftTypesTest, ScatterRoundRobinsAndGatherFairQueues) {
  LoopbackNet net;
  SocketCore* scatter = net.socket(SocketType::kScatter);
  ASSERT_EQ(net.bind(scatter, ep("sc")), Err::kOk);
  SocketCore* g1 = net.socket(SocketType::kGather);
  SocketCore* g2 = net.socket(SocketType::kGather);
  ASSERT_EQ(net.connect(g1, ep("sc")), Err::kOk);
  ASSERT_EQ(net.connect(g2, ep("sc")), Err::kOk);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(send_msg(net, scatter, std::to_string(i)), Err::kOk);
  std::string got1, got2;
  Msg m;
  while (recv_msg(net, g1, &m) == Err::kOk) got1 += std::string(m.view());
  while (recv_msg(net, g2, &m) == Err::kOk) got2 += std::string(m.view());
  EXPECT_EQ(got1.size(), 2u);
  EXPECT_EQ(got2.size(), 2u);
  EXPECT_EQ(got1 + got2 == "0213" || got1 + got2 == "1302", true) << got1 << " " << got2;
  // GATHER fair-queues two SCATTERs.
  SocketCore* gather = net.socket(SocketType::kGather);
  ASSERT_EQ(net.bind(gather, ep("ga")), Err::kOk);
  SocketCore* s1 = net.socket(SocketType::kScatter);
  SocketCore* s2 = net.socket(SocketType::kScatter);
  net.connect(s1, ep("ga"));
  net.connect(s2, ep("ga"));
  for (int i = 0; i < 2; ++i) {
    send_msg(net, s1, "a");
    send_msg(net, s2, "b");
  }
  std::string seq;
  while (recv_msg(net, gather, &m) == Err::kOk) seq += std::string(m.view());
  EXPECT_EQ(seq, "abab");
  // SCATTER takes only GATHER (rfc 49), not PULL.
  SocketCore* pull = net.socket(SocketType::kPull);
  net.connect(pull, ep("sc"));
  net.advance_by(100 * proto::kNsPerMs);
  for (int i = 0; i < 4; ++i) send_msg(net, scatter, "x");
  EXPECT_EQ(net.recv(pull, &seq), Err::kAgain);
}

TEST_P(DraftTypesTest, ChannelIsExclusiveAndBidirectional) {
  LoopbackNet net;
  SocketCore* a = net.socket(SocketType::kChannel);
  SocketCore* b = net.socket(SocketType::kChannel);
  SocketCore* c = net.socket(SocketType::kChannel);
  ASSERT_EQ(net.bind(a, ep("ch")), Err::kOk);
  ASSERT_EQ(net.connect(b, ep("ch")), Err::kOk);
  net.settle();
  ASSERT_EQ(net.connect(c, ep("ch")), Err::kOk);  // refused by a: it already has b
  net.advance_by(100 * proto::kNsPerMs);
  ASSERT_EQ(send_msg(net, b, "ping"), Err::kOk);
  Msg m;
  ASSERT_EQ(recv_msg(net, a, &m), Err::kOk);
  EXPECT_EQ(m.view(), "ping");
  ASSERT_EQ(send_msg(net, a, "pong"), Err::kOk);
  ASSERT_EQ(recv_msg(net, b, &m), Err::kOk);
  EXPECT_EQ(m.view(), "pong");
  EXPECT_EQ(recv_msg(net, c, &m), Err::kAgain);
  // With no peer there is nowhere to send: the mute state.
  SocketCore* lonely = net.socket(SocketType::kChannel);
  EXPECT_EQ(send_msg(net, lonely, "x"), Err::kAgain);
}

INSTANTIATE_TEST_SUITE_P(Transports, DraftTypesTest, ::testing::Values("tcp", "inproc"));

}  // namespace
}  // namespace zlab::testing
