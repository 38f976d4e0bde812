// REQ, REP, DEALER, ROUTER over the loopback net: envelopes, alternation, routing ids,
// ROUTER_MANDATORY, handover, probe, correlate/relaxed.
#include <gtest/gtest.h>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {
namespace {

TEST(ReqRepTest, RequestReplyAndStrictAlternation) {
  LoopbackNet net(5);
  SocketCore* rep = net.socket(SocketType::kRep);
  SocketCore* req = net.socket(SocketType::kReq);
  net.bind(rep, "tcp://rep:1");
  net.connect(req, "tcp://rep:1");
  std::string body;
  EXPECT_EQ(net.recv(req, &body), Err::kFsm);  // nothing asked yet
  EXPECT_EQ(net.send(rep, "x"), Err::kFsm);    // nothing to answer yet
  ASSERT_EQ(net.send_multipart(req, {"hello", "world"}), Err::kOk);
  EXPECT_EQ(net.send(req, "again"), Err::kFsm);  // the reply comes first
  EXPECT_EQ(recv_parts(net, rep), (Parts{"hello", "world"}));
  EXPECT_EQ(net.recv(rep, &body), Err::kFsm);  // answer first
  ASSERT_EQ(net.send(rep, "reply"), Err::kOk);
  EXPECT_EQ(recv_string(net, req), "reply");
  EXPECT_EQ(net.send(req, "next"), Err::kOk);
}

TEST(ReqRepTest, ReqRoundRobinsRequestsAndRepliesComeFromTheRightPeer) {
  LoopbackNet net;
  SocketCore* req = net.socket(SocketType::kReq);
  SocketCore* rep1 = net.socket(SocketType::kRep);
  SocketCore* rep2 = net.socket(SocketType::kRep);
  net.bind(rep1, "tcp://r1:1");
  net.bind(rep2, "tcp://r2:1");
  net.connect(req, "tcp://r1:1");
  net.connect(req, "tcp://r2:1");
  for (int i = 0; i < 4; ++i) {
    net.send(req, "q" + std::to_string(i));
    SocketCore* expect = i % 2 == 0 ? rep1 : rep2;
    SocketCore* other = i % 2 == 0 ? rep2 : rep1;
    std::string body;
    EXPECT_EQ(net.recv(other, &body), Err::kAgain);
    EXPECT_EQ(recv_string(net, expect), "q" + std::to_string(i));
    net.send(expect, "a" + std::to_string(i));
    EXPECT_EQ(recv_string(net, req), "a" + std::to_string(i));
  }
}

TEST(ReqRepTest, RouterSeesTheEnvelopeOfAReq) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* req = net.socket(SocketType::kReq);
  set_bytes(req, opt::kRoutingId, "client-7");
  net.bind(router, "tcp://r:1");
  net.connect(req, "tcp://r:1");
  net.send(req, "ping");
  EXPECT_EQ(recv_parts(net, router), (Parts{"client-7", "", "ping"}));
  net.send_multipart(router, {"client-7", "", "pong"});
  EXPECT_EQ(recv_string(net, req), "pong");
}

TEST(ReqRepTest, DealerToRepNeedsTheDelimiter) {
  LoopbackNet net;
  SocketCore* rep = net.socket(SocketType::kRep);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  net.bind(rep, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  net.send(dealer, "no delimiter");  // malformed for REP: dropped whole
  net.send_multipart(dealer, {"", "with delimiter"});
  EXPECT_EQ(recv_string(net, rep), "with delimiter");
  net.send(rep, "ok");
  EXPECT_EQ(recv_parts(net, dealer), (Parts{"", "ok"}));
}

TEST(RouterTest, GeneratedIdsAreFiveBytesStartingWithZero) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  net.bind(router, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  net.send(dealer, "hi");
  Parts got = recv_parts(net, router);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].size(), 5u);
  EXPECT_EQ(got[0][0], '\0');
  net.send_multipart(router, {got[0], "back"});
  EXPECT_EQ(recv_string(net, dealer), "back");
}

TEST(RouterTest, MandatoryReportsUnknownPeersAndFullPipes) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  std::string body;
  // Without ROUTER_MANDATORY an unroutable message is silently dropped.
  EXPECT_EQ(net.send_multipart(router, {"nobody", "x"}), Err::kOk);
  ASSERT_EQ(set_int(router, opt::kRouterMandatory, 1), Err::kOk);
  EXPECT_EQ(net.send(router, "nobody", kSendMore), Err::kHostUnreachable);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  set_bytes(dealer, opt::kRoutingId, "d");
  set_int(dealer, opt::kRcvHwm, 5);
  set_int(router, opt::kSndHwm, 5);
  net.bind(router, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  net.send(dealer, "hello");  // the router learns the id when the handshake is done
  recv_parts(net, router);
  net.set_reading(dealer, false);
  int sent = 0;
  Err err = Err::kOk;
  while (sent < 100000) {
    err = net.send(router, "d", kSendMore);
    if (err != Err::kOk) break;
    ASSERT_EQ(net.send(router, "m"), Err::kOk);
    ++sent;
  }
  EXPECT_EQ(err, Err::kAgain);  // blocks rather than dropping
  net.set_reading(dealer, true);
  net.settle();
  int received = 0;
  while (net.recv(dealer, &body) == Err::kOk) ++received;
  EXPECT_EQ(received, sent);  // nothing lost
}

TEST(RouterTest, WithoutMandatoryAFullPeerLosesMessagesAndTheyAreCounted) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  set_bytes(dealer, opt::kRoutingId, "d");
  set_int(router, opt::kSndHwm, 4);
  set_int(dealer, opt::kRcvHwm, 4);
  net.bind(router, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  net.send(dealer, "hello");
  recv_parts(net, router);
  net.set_reading(dealer, false);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(net.send_multipart(router, {"d", "m"}), Err::kOk);
  EXPECT_GT(router->dropped_messages(), 0u);
  net.set_reading(dealer, true);
  net.settle();
  std::string body;
  uint64_t received = 0;
  while (net.recv(dealer, &body) == Err::kOk) ++received;
  EXPECT_EQ(received + router->dropped_messages(), 10000u);
}

// Regression: dropped_messages() promised to count unroutable drops but counted only full
// pipes, and forgot the drops of a peer once it was removed (the count went down).
TEST(RouterTest, UnroutableDropsAreCountedAndStayCountedWhenTheirPeerGoes) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  EXPECT_EQ(net.send_multipart(router, {"nobody", "x", "y"}), Err::kOk);
  EXPECT_EQ(router->dropped_messages(), 1u);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  set_bytes(dealer, opt::kRoutingId, "d");
  set_int(dealer, opt::kRcvHwm, 2);
  set_int(router, opt::kSndHwm, 2);
  net.bind(router, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  net.send(dealer, "hello");
  recv_parts(net, router);
  net.set_reading(dealer, false);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(net.send_multipart(router, {"d", "m"}), Err::kOk);
  uint64_t full = router->dropped_messages() - 1;
  EXPECT_GT(full, 0u);
  net.reset_streams(router);  // the peer goes: its drops stay counted
  net.settle();
  EXPECT_EQ(net.send_multipart(router, {"d", "gone"}), Err::kOk);  // gone: unroutable
  EXPECT_EQ(router->dropped_messages(), 1u + full + 1u);
}

TEST(RouterTest, DuplicateIdentityIsRefusedUnlessHandover) {
  for (bool handover : {false, true}) {
    SCOPED_TRACE(handover);
    LoopbackNet net;
    SocketCore* router = net.socket(SocketType::kRouter);
    set_int(router, opt::kRouterHandover, handover ? 1 : 0);
    net.bind(router, "tcp://r:1");
    SocketCore* first = net.socket(SocketType::kDealer);
    SocketCore* second = net.socket(SocketType::kDealer);
    set_bytes(first, opt::kRoutingId, "same");
    set_bytes(second, opt::kRoutingId, "same");
    net.connect(first, "tcp://r:1");
    net.connect(second, "tcp://r:1");
    net.send_multipart(router, {"same", "who?"});
    std::string body;
    SocketCore* owner = handover ? second : first;
    SocketCore* loser = handover ? first : second;
    EXPECT_EQ(recv_string(net, owner), "who?");
    EXPECT_EQ(net.recv(loser, &body), Err::kAgain);
  }
}

TEST(RouterTest, ConnectRoutingIdNamesTheOutgoingPeer) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* server = net.socket(SocketType::kRouter);
  net.bind(server, "tcp://s:1");
  set_bytes(router, opt::kConnectRoutingId, "srv");
  net.connect(router, "tcp://s:1");
  ASSERT_EQ(set_int(router, opt::kRouterMandatory, 1), Err::kOk);
  ASSERT_EQ(net.send_multipart(router, {"srv", "direct"}), Err::kOk);
  Parts got = recv_parts(net, server);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "direct");
}

TEST(RouterTest, ProbeRouterAnnouncesTheDealer) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* dealer = net.socket(SocketType::kDealer);
  set_bytes(dealer, opt::kRoutingId, "probe");
  set_int(dealer, opt::kProbeRouter, 1);
  net.bind(router, "tcp://r:1");
  net.connect(dealer, "tcp://r:1");
  EXPECT_EQ(recv_parts(net, router), (Parts{"probe", ""}));
}

TEST(ReqRepTest, RelaxedAndCorrelatedReq) {
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* req = net.socket(SocketType::kReq);
  set_int(req, opt::kReqRelaxed, 1);
  set_int(req, opt::kReqCorrelate, 1);
  net.bind(router, "tcp://r:1");
  net.connect(req, "tcp://r:1");
  net.send(req, "first");
  Parts q1 = recv_parts(net, router);  // [id][request id][""]["first"]
  ASSERT_EQ(q1.size(), 4u);
  EXPECT_EQ(q1[1].size(), 4u);
  EXPECT_EQ(net.send(req, "second"), Err::kOk);  // relaxed: no EFSM
  Parts q2 = recv_parts(net, router);
  ASSERT_EQ(q2.size(), 4u);
  // The stale reply to the first request is discarded; the second one is delivered.
  net.send_multipart(router, {q1[0], q1[1], "", "stale"});
  net.send_multipart(router, {q2[0], q2[1], "", "fresh"});
  EXPECT_EQ(recv_string(net, req), "fresh");
}

TEST(RouterTest, ConnectRoutingIdQueuesBeforeTheConnection) {
  // libzmq: a peer named by ZMQ_CONNECT_ROUTING_ID is routable from connect() on, so a message
  // sent before the connection is up waits for it (test_connect_rid).
  LoopbackNet net;
  SocketCore* client = net.socket(SocketType::kRouter);
  SocketCore* server = net.socket(SocketType::kRouter);
  set_int(client, opt::kRouterMandatory, 1);
  set_bytes(client, opt::kRoutingId, "Y");
  set_bytes(client, opt::kConnectRoutingId, "conn1");
  ASSERT_EQ(net.connect(client, "tcp://r:1"), Err::kOk);  // refused: nothing listens yet
  ASSERT_EQ(net.send_multipart(client, {"conn1", "hi 1"}), Err::kOk);
  ASSERT_EQ(net.bind(server, "tcp://r:1"), Err::kOk);
  net.advance_by(1000 * proto::kNsPerMs);  // the reconnect timer fires
  EXPECT_EQ(recv_parts(net, server), (Parts{"Y", "hi 1"}));
  ASSERT_EQ(net.send_multipart(server, {"Y", "ok"}), Err::kOk);
  EXPECT_EQ(recv_parts(net, client), (Parts{"conn1", "ok"}));
}

TEST(ReqRepTest, TypeFlagsTakeAnyNonNegativeIntAsLibzmqDoes) {
  // libzmq reads the socket types' own flags as "any int >= 0, nonzero is on"
  // (test_proxy_hwm sets ZMQ_REQ_CORRELATE to 10); negative values are EINVAL.
  LoopbackNet net;
  SocketCore* router = net.socket(SocketType::kRouter);
  SocketCore* req = net.socket(SocketType::kReq);
  EXPECT_EQ(set_int(req, opt::kReqCorrelate, -1), Err::kInvalid);
  EXPECT_EQ(set_int(req, opt::kReqRelaxed, -7), Err::kInvalid);
  ASSERT_EQ(set_int(req, opt::kReqCorrelate, 10), Err::kOk);
  ASSERT_EQ(set_int(req, opt::kReqRelaxed, 3), Err::kOk);
  for (int id : {opt::kRouterMandatory, opt::kRouterHandover, opt::kProbeRouter}) {
    EXPECT_EQ(set_int(router, id, -1), Err::kInvalid) << id;
    EXPECT_EQ(set_int(router, id, 2), Err::kOk) << id;
  }
  EXPECT_EQ(set_int(router, opt::kRouterRaw, 0), Err::kOk);
  EXPECT_EQ(set_int(router, opt::kRouterRaw, 5), Err::kInvalid);  // raw mode: use STREAM
  // On for real: MANDATORY refuses an unknown peer, CORRELATE adds the request id part.
  EXPECT_EQ(net.send(router, "nobody", kSendMore), Err::kHostUnreachable);
  net.bind(router, "tcp://r:1");
  net.connect(req, "tcp://r:1");
  net.send(req, "first");
  Parts q = recv_parts(net, router);  // [id][request id][""]["first"]
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].size(), 4u);
  EXPECT_EQ(net.send(req, "second"), Err::kOk);  // relaxed
}

TEST(ReqRepTest, StrictFlagsStayZeroOrOne) {
  LoopbackNet net;
  SocketCore* stream = net.socket(SocketType::kStream);
  EXPECT_EQ(set_int(stream, opt::kStreamNotify, 2), Err::kInvalid);  // libzmq: strict
  SocketCore* dealer = net.socket(SocketType::kDealer);
  EXPECT_EQ(set_int(dealer, opt::kImmediate, 2), Err::kInvalid);
  EXPECT_EQ(set_int(dealer, opt::kProbeRouter, 4), Err::kOk);
}

}  // namespace
}  // namespace zlab::testing
