// PUB/SUB and XPUB/XSUB over the loopback net: prefix matching, fan-out, drop at HWM,
// subscription messages, verbose/manual/welcome/nodrop, resubscription after a reset.
#include <gtest/gtest.h>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {
namespace {

TEST(PubSubTest, PrefixMatchingAndUnsubscribe) {
  LoopbackNet net(3);
  SocketCore* pub = net.socket(SocketType::kPub);
  SocketCore* sub = net.socket(SocketType::kSub);
  net.bind(pub, "tcp://pub:1");
  net.connect(sub, "tcp://pub:1");
  set_bytes(sub, opt::kSubscribe, "wea");
  net.settle();
  net.send(pub, "weather sunny");
  net.send(pub, "news");
  net.send(pub, "wealth");
  EXPECT_EQ(recv_string(net, sub), "weather sunny");
  EXPECT_EQ(recv_string(net, sub), "wealth");
  std::string body;
  EXPECT_EQ(net.recv(sub, &body), Err::kAgain);
  set_bytes(sub, opt::kUnsubscribe, "wea");
  net.settle();
  net.send(pub, "weather again");
  EXPECT_EQ(net.recv(sub, &body), Err::kAgain);
}

TEST(PubSubTest, FanOutToEverySubscriber) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  net.bind(pub, "tcp://pub:1");
  std::vector<SocketCore*> subs;
  for (int i = 0; i < 4; ++i) {
    subs.push_back(net.socket(SocketType::kSub));
    net.connect(subs.back(), "tcp://pub:1");
    set_bytes(subs.back(), opt::kSubscribe, "");
  }
  net.settle();
  net.send_multipart(pub, {"a", "b"});
  for (SocketCore* s : subs) EXPECT_EQ(recv_parts(net, s), (Parts{"a", "b"}));
}

TEST(PubSubTest, PubNeverBlocksAndDropsOnlyForTheMutedSubscriber) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  set_int(pub, opt::kSndHwm, 10);
  net.bind(pub, "tcp://pub:1");
  SocketCore* fast = net.socket(SocketType::kSub);
  SocketCore* slow = net.socket(SocketType::kSub);
  set_int(slow, opt::kRcvHwm, 10);
  for (SocketCore* s : {fast, slow}) {
    net.connect(s, "tcp://pub:1");
    set_bytes(s, opt::kSubscribe, "");
  }
  net.settle();
  net.set_reading(slow, false);
  constexpr int kCount = 20000;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(net.send(pub, std::to_string(i)), Err::kOk);
    std::string body;
    ASSERT_EQ(net.recv(fast, &body), Err::kOk);  // the fast one misses nothing
  }
  net.set_reading(slow, true);
  net.settle();
  std::string body;
  uint64_t got = 0;
  int last = -1;
  while (net.recv(slow, &body) == Err::kOk) {
    EXPECT_GT(std::stoi(body), last);  // order kept, gaps allowed
    last = std::stoi(body);
    ++got;
  }
  EXPECT_GT(pub->dropped_messages(), 0u);
  EXPECT_EQ(got + pub->dropped_messages(), uint64_t(kCount));
}

TEST(PubSubTest, InvertMatching) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  SocketCore* sub = net.socket(SocketType::kSub);
  // libzmq takes any int for INVERT_MATCHING, nonzero meaning on.
  ASSERT_EQ(set_int(pub, opt::kInvertMatching, -3), Err::kOk);
  ASSERT_EQ(set_int(sub, opt::kInvertMatching, 42), Err::kOk);
  net.bind(pub, "tcp://pub:1");
  net.connect(sub, "tcp://pub:1");
  set_bytes(sub, opt::kSubscribe, "skip");
  net.settle();
  net.send(pub, "skip me");
  net.send(pub, "keep me");
  EXPECT_EQ(recv_string(net, sub), "keep me");
}

TEST(XPubTest, FlagsTakeAnyNonNegativeInt) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  for (int id : {opt::kXPubVerbose, opt::kXPubVerboser, opt::kXPubManual, opt::kXPubNoDrop}) {
    EXPECT_EQ(set_int(xpub, id, -1), Err::kInvalid) << id;
    EXPECT_EQ(set_int(xpub, id, 9), Err::kOk) << id;
    EXPECT_EQ(set_int(xpub, id, 0), Err::kOk) << id;
  }
}

TEST(XPubTest, SubscriptionsArePassedUpOncePerTopic) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  net.bind(xpub, "tcp://x:1");
  SocketCore* s1 = net.socket(SocketType::kSub);
  SocketCore* s2 = net.socket(SocketType::kSub);
  net.connect(s1, "tcp://x:1");
  net.connect(s2, "tcp://x:1");
  set_bytes(s1, opt::kSubscribe, "t");
  set_bytes(s2, opt::kSubscribe, "t");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  std::string body;
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);  // the second is not news
  set_bytes(s1, opt::kUnsubscribe, "t");
  net.settle();
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);  // s2 still wants it
  set_bytes(s2, opt::kUnsubscribe, "t");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00t", 2));
}

TEST(XPubTest, VerbosePassesEverySubscription) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubVerbose, 1);
  net.bind(xpub, "tcp://x:1");
  for (int i = 0; i < 2; ++i) {
    SocketCore* s = net.socket(SocketType::kSub);
    net.connect(s, "tcp://x:1");
    set_bytes(s, opt::kSubscribe, "t");
  }
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
}

TEST(XPubTest, VerboserPassesUnsubscriptionsToo) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubVerboser, 1);
  net.bind(xpub, "tcp://x:1");
  SocketCore* a = net.socket(SocketType::kSub);
  SocketCore* b = net.socket(SocketType::kSub);
  for (SocketCore* s : {a, b}) {
    net.connect(s, "tcp://x:1");
    set_bytes(s, opt::kSubscribe, "t");
  }
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  set_bytes(a, opt::kUnsubscribe, "t");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub),
            std::string("\x00t", 2));  // b still wants it: verboser says so anyway
}

TEST(XPubTest, ManualModeAndWelcomeMessage) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubManual, 1);
  set_bytes(xpub, opt::kXPubWelcomeMsg, "welcome");
  net.bind(xpub, "tcp://x:1");
  SocketCore* sub = net.socket(SocketType::kSub);
  net.connect(sub, "tcp://x:1");
  set_bytes(sub, opt::kSubscribe, "");
  set_bytes(sub, opt::kSubscribe, "welcome");
  net.settle();
  EXPECT_EQ(recv_string(net, sub), "welcome");
  EXPECT_EQ(recv_string(net, xpub), "\x01");
  EXPECT_EQ(recv_string(net, xpub), "\x01welcome");
  net.send(xpub, "data");  // manual: not subscribed yet, so not delivered
  std::string body;
  EXPECT_EQ(net.recv(sub, &body), Err::kAgain);
  ASSERT_EQ(set_bytes(xpub, opt::kSubscribe, "da"), Err::kOk);
  net.send(xpub, "data");
  EXPECT_EQ(recv_string(net, sub), "data");
}

TEST(XPubTest, NoDropBlocksInstead) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubNoDrop, 1);
  set_int(xpub, opt::kSndHwm, 5);
  net.bind(xpub, "tcp://x:1");
  SocketCore* sub = net.socket(SocketType::kSub);
  set_int(sub, opt::kRcvHwm, 5);
  net.connect(sub, "tcp://x:1");
  set_bytes(sub, opt::kSubscribe, "");
  net.settle();
  recv_string(net, xpub);
  net.set_reading(sub, false);
  Err err = Err::kOk;
  int sent = 0;
  while (sent < 100000 && (err = net.send(xpub, "m")) == Err::kOk) ++sent;
  EXPECT_EQ(err, Err::kAgain);
  EXPECT_EQ(xpub->dropped_messages(), 0u);
}

TEST(XSubTest, SendsSubscriptionMessagesUpstream) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  SocketCore* xsub = net.socket(SocketType::kXSub);
  net.bind(pub, "tcp://p:1");
  net.connect(xsub, "tcp://p:1");
  net.send(xsub,
           "\x01"
           "a");
  net.send(pub, "abc");
  net.send(pub, "xyz");
  EXPECT_EQ(recv_string(net, xsub), "abc");
  std::string body;
  EXPECT_EQ(net.recv(xsub, &body), Err::kAgain);
}

TEST(PubSubTest, SubscriptionsComeBackAfterAReconnect) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  SocketCore* sub = net.socket(SocketType::kSub);
  net.bind(pub, "tcp://p:1");
  net.connect(sub, "tcp://p:1");
  set_bytes(sub, opt::kSubscribe, "k");
  net.settle();
  net.reset_streams(sub);
  net.advance_by(1000 * proto::kNsPerMs);
  net.send(pub, "kept");
  EXPECT_EQ(recv_string(net, sub), "kept");
}

TEST(PubSubTest, SubCannotSendPubCannotReceive) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  SocketCore* sub = net.socket(SocketType::kSub);
  std::string body;
  EXPECT_EQ(net.send(sub, "x"), Err::kNotSupported);
  EXPECT_EQ(net.recv(pub, &body), Err::kNotSupported);
  EXPECT_EQ(set_bytes(pub, opt::kSubscribe, "x"), Err::kInvalid);
}

}  // namespace
}  // namespace zlab::testing

namespace zlab::testing {
namespace {

TEST(XPubTest, ConnectingXPubHearsABoundSubscriber) {
  LoopbackNet net;
  SocketCore* sub = net.socket(SocketType::kSub);
  set_bytes(sub, opt::kSubscribe, "t");
  net.bind(sub, "tcp://sub:1");
  SocketCore* xpub = net.socket(SocketType::kXPub);
  net.connect(xpub, "tcp://sub:1");
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  net.send(xpub, "tdata");
  EXPECT_EQ(recv_string(net, sub), "tdata");
}

}  // namespace
}  // namespace zlab::testing

namespace zlab::testing {
namespace {

// Regression: the XPUB took the last part of a multi-part message for a subscription when
// it started with byte 0 or 1: a data message ending in a part "\x00" cancelled the sender's
// subscription to everything.
TEST(XPubTest, LastPartOfAMultipartMessageIsNoSubscription) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  net.bind(xpub, "tcp://x:1");
  SocketCore* xsub = net.socket(SocketType::kXSub);
  net.connect(xsub, "tcp://x:1");
  EXPECT_EQ(net.send(xsub, "\x01"), Err::kOk);
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01");
  EXPECT_EQ(net.send_multipart(xsub, {"data", std::string(1, '\0')}), Err::kOk);
  net.settle();
  std::vector<std::string> parts;
  EXPECT_EQ(net.recv_multipart(xpub, &parts), Err::kOk);
  EXPECT_EQ(parts, (std::vector<std::string>{"data", std::string(1, '\0')}));
  net.send(xpub, "still subscribed");
  net.settle();
  EXPECT_EQ(recv_string(net, xsub), "still subscribed");
}

// Multi-part messages from several subscribers stay whole in the XPUB's receive queue, however
// their bytes are cut (parts are now held per peer until their message is complete).
TEST(XPubTest, MultipartMessagesFromSeveralPeersStayWhole) {
  LoopbackNet net(3);  // bytes move a few at a time
  SocketCore* xpub = net.socket(SocketType::kXPub);
  net.bind(xpub, "tcp://x:1");
  SocketCore* a = net.socket(SocketType::kXSub);
  SocketCore* b = net.socket(SocketType::kXSub);
  net.connect(a, "tcp://x:1");
  net.connect(b, "tcp://x:1");
  net.settle();
  EXPECT_EQ(net.send_multipart(a, {"a1", "a2", "a3"}), Err::kOk);
  EXPECT_EQ(net.send_multipart(b, {"b1", "b2", "b3"}), Err::kOk);
  net.settle();
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> parts;
    EXPECT_EQ(net.recv_multipart(xpub, &parts), Err::kOk);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[1][0], parts[0][0]);
    EXPECT_EQ(parts[2][0], parts[0][0]);
  }
}

// Regression: after a reconnect an XSUB subscribed to a topic twice sent it twice, though it
// sends a topic's first subscribe only: the publisher then kept a subscription that the one
// final unsubscribe could not cancel.
TEST(XSubTest, ResubscribesEachTopicOnceAfterAReconnect) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubVerboser, 1);
  net.bind(xpub, "tcp://x:1");
  SocketCore* sub = net.socket(SocketType::kSub);
  net.connect(sub, "tcp://x:1");
  set_bytes(sub, opt::kSubscribe, "k");
  set_bytes(sub, opt::kSubscribe, "k");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01k");
  EXPECT_EQ(recv_string(net, xpub), "\x01k");  // every subscribe goes up; verboser shows it
  net.reset_streams(sub);
  net.advance_by(1000 * proto::kNsPerMs);
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00k", 2));  // the old connection's
  EXPECT_EQ(recv_string(net, xpub), "\x01k");
  std::string body;
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);
  set_bytes(sub, opt::kUnsubscribe, "k");
  set_bytes(sub, opt::kUnsubscribe, "k");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00k", 2));
  net.send(xpub, "k1");
  net.settle();
  EXPECT_EQ(net.recv(sub, &body), Err::kAgain);
}

// A socket lingering for ever (ZMQ_LINGER -1) on bytes a peer never read is done once that
// peer goes: nothing is left to wait for. (It waited for ever: zmq_ctx_term hung in libzmq's
// test_shutdown_stress.)
// As libzmq's XSUB: SUB and XSUB start with ZMQ_LINGER 0, so a subscription queued for a
// publisher that never came is dropped at close instead of holding the socket open for ever.
TEST(PubSubTest, SubscribersDoNotLinger) {
  LoopbackNet net;
  for (SocketType type : {SocketType::kSub, SocketType::kXSub}) {
    SocketCore* sub = net.socket(type);
    EXPECT_EQ(get_int(sub, opt::kLinger), 0);
    ASSERT_EQ(net.connect(sub, "tcp://nobody:1"), Err::kOk);
    if (type == SocketType::kSub) {
      ASSERT_EQ(set_bytes(sub, opt::kSubscribe, "topic"), Err::kOk);
    } else {
      ASSERT_EQ(net.send(sub, std::string("\x01topic")), Err::kOk);
    }
    sub->close(net.now_ns());
    net.settle();
    EXPECT_TRUE(sub->finished());
  }
  EXPECT_EQ(get_int(net.socket(SocketType::kPub), opt::kLinger), -1);
}

TEST(PubSubTest, LingeringSocketFinishesWhenItsLastPeerGoes) {
  LoopbackNet net;
  SocketCore* pub = net.socket(SocketType::kPub);
  ASSERT_EQ(net.bind(pub, "tcp://pub:1"), Err::kOk);
  SocketCore* sub = net.socket(SocketType::kSub);
  net.set_reading(sub, false);  // PUB's greeting stays unsent
  ASSERT_EQ(net.connect(sub, "tcp://pub:1"), Err::kOk);
  pub->close(net.now_ns());
  net.settle();
  EXPECT_FALSE(pub->finished());
  net.reset_streams(sub);  // the subscriber's process went away: its connection is reset
  net.settle();
  EXPECT_EQ(pub->peer_count(), 0u);
  EXPECT_TRUE(pub->finished());
}

}  // namespace
}  // namespace zlab::testing

namespace zlab::testing {
namespace {

// Regression: a SUB told upstream only of a topic's first subscribe, so an XPUB with
// XPUB_VERBOSE never saw a repeated one (libzmq's XSUB forwards every subscribe and leaves
// the filtering to the XPUB). The XPUB holds a topic once per peer: one cancel ends it.
TEST(XPubTest, RepeatedSubscribeReachesAVerboseXPubAndOneCancelEndsIt) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  net.bind(xpub, "tcp://x:1");
  SocketCore* sub = net.socket(SocketType::kSub);
  net.connect(sub, "tcp://x:1");
  set_bytes(sub, opt::kSubscribe, "a");
  set_bytes(sub, opt::kSubscribe, "a");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub),
            "\x01"
            "a");
  std::string body;
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);  // not verbose: the repeat is filtered
  set_int(xpub, opt::kXPubVerbose, 1);
  set_bytes(sub, opt::kSubscribe, "a");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub),
            "\x01"
            "a");
  for (int i = 0; i < 3; ++i) set_bytes(sub, opt::kUnsubscribe, "a");  // the SUB sends one
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00"
                                                "a",
                                                2));
  net.send(xpub, "a1");
  net.settle();
  EXPECT_EQ(net.recv(sub, &body), Err::kAgain);  // that one cancel ended it
}

// Regression: VERBOSE and VERBOSER were two flags; in libzmq VERBOSE also switches verbose
// cancels off, and VERBOSER 0 switches verbose subscribes off.
TEST(XPubTest, VerboseAfterVerboserStopsVerboseCancels) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubVerboser, 1);
  set_int(xpub, opt::kXPubVerbose, 1);
  net.bind(xpub, "tcp://x:1");
  SocketCore* a = net.socket(SocketType::kSub);
  SocketCore* b = net.socket(SocketType::kSub);
  for (SocketCore* s : {a, b}) {
    net.connect(s, "tcp://x:1");
    set_bytes(s, opt::kSubscribe, "t");
  }
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  EXPECT_EQ(recv_string(net, xpub), "\x01t");
  set_bytes(a, opt::kUnsubscribe, "t");
  net.settle();
  std::string body;
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);  // b still wants it; cancels not verbose
  set_int(xpub, opt::kXPubVerboser, 0);
  set_bytes(a, opt::kSubscribe, "t");
  net.settle();
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);  // nor subscribes any more
}

// Regression (libzmq test_xpub_manual): in manual mode ZMQ_SUBSCRIBE applies to the peer whose
// request the application read last (not the one heard last), does nothing when there is
// none, and a peer leaving reports each topic it asked for, once per peer.
TEST(XPubTest, ManualSubscribeFollowsWhatWasReadAndLeavingPeersCancel) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubManual, 1);
  EXPECT_EQ(set_bytes(xpub, opt::kSubscribe, "x"), Err::kOk);  // nobody to apply it to
  net.bind(xpub, "tcp://x:1");
  SocketCore* a = net.socket(SocketType::kXSub);
  SocketCore* b = net.socket(SocketType::kXSub);
  net.connect(a, "tcp://x:1");
  net.connect(b, "tcp://x:1");
  net.send(a,
           "\x01"
           "A");
  net.settle();
  net.send(b,
           "\x01"
           "B");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub),
            "\x01"
            "A");  // b's request is queued but not read yet
  ASSERT_EQ(set_bytes(xpub, opt::kSubscribe, "XA"), Err::kOk);
  EXPECT_EQ(recv_string(net, xpub),
            "\x01"
            "B");
  ASSERT_EQ(set_bytes(xpub, opt::kSubscribe, "XB"), Err::kOk);
  net.send(xpub, "XA");
  net.send(xpub, "XB");
  net.settle();
  EXPECT_EQ(recv_string(net, a), "XA");
  EXPECT_EQ(recv_string(net, b), "XB");
  std::string body;
  EXPECT_EQ(net.recv(a, &body), Err::kAgain);
  a->close(net.now_ns());
  b->close(net.now_ns());
  net.settle();
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00"
                                                "A",
                                                2));
  EXPECT_EQ(set_bytes(xpub, opt::kUnsubscribe, "XA"), Err::kOk);  // a is gone: no-op
  EXPECT_EQ(recv_string(net, xpub), std::string("\x00"
                                                "B",
                                                2));
  EXPECT_EQ(net.recv(xpub, &body), Err::kAgain);
}

}  // namespace
}  // namespace zlab::testing

namespace zlab::testing {
namespace {

// Regression: the XSUB filtered what it received by its own subscriptions; libzmq's XSUB does
// not (only SUB does), so a message an XPUB chose to send it arrives whatever its topics.
TEST(XSubTest, PassesOnWhatItsPublisherSends) {
  LoopbackNet net;
  SocketCore* xpub = net.socket(SocketType::kXPub);
  set_int(xpub, opt::kXPubManual, 1);
  net.bind(xpub, "tcp://x:1");
  SocketCore* xsub = net.socket(SocketType::kXSub);
  net.connect(xsub, "tcp://x:1");
  net.send(xsub,
           "\x01"
           "A");
  net.settle();
  EXPECT_EQ(recv_string(net, xpub),
            "\x01"
            "A");
  ASSERT_EQ(set_bytes(xpub, opt::kSubscribe, "B"), Err::kOk);
  net.send(xpub, "A");
  net.send(xpub, "B");
  net.settle();
  EXPECT_EQ(recv_string(net, xsub), "B");
  std::string body;
  EXPECT_EQ(net.recv(xsub, &body), Err::kAgain);
}

}  // namespace
}  // namespace zlab::testing
