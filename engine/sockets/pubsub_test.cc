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

}  // namespace
}  // namespace zlab::testing
