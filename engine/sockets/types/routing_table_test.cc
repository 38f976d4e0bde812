// The routing table: routing_supported() is exactly "make_routing() builds it", every classic
// type is built, and each type's traits say what the engine did for it by name before the
// types declared them (libzmq 4.3.4's behaviour).
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include "engine/sockets/routing.h"

namespace zlab {
namespace {

class FakeServices final : public SocketServices {
 public:
  const SocketOptions& options() const override { return options_; }
  uint32_t random_u32() override { return 4; }
  void disconnect_peer(Peer&) override {}
  void close_after_flush(Peer&) override {}
  void for_each_peer(void (*)(Peer&, void*), void*) override {}

 private:
  SocketOptions options_;
};

TEST(RoutingTable, SupportedIsExactlyWhatMakeRoutingBuilds) {
  FakeServices services;
  for (const SocketTypeInfo& info : all_socket_types()) {
    EXPECT_EQ(routing_supported(info.type), make_routing(info.type, services) != nullptr)
        << info.name;
  }
}

TEST(RoutingTable, EveryClassicTypeIsBuilt) {
  for (const SocketTypeInfo& info : all_socket_types()) {
    if (!info.draft) {
      EXPECT_TRUE(routing_supported(info.type)) << info.name;
    }
  }
}

bool in(SocketType t, std::initializer_list<SocketType> types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

TEST(SocketTraits, EachClassicTypeDeclaresWhatItDoes) {
  using T = SocketType;
  for (const SocketTypeInfo& info : all_socket_types()) {
    if (info.draft) continue;
    SCOPED_TRACE(info.name);
    const SocketTraits& traits = socket_traits(info.type);
    // READY's Identity: REQ, DEALER, ROUTER (libzmq's stream engine).
    EXPECT_EQ(traits.wire.sends_identity, in(info.type, {T::kReq, T::kDealer, T::kRouter}));
    // Subscriptions go as SUBSCRIBE/CANCEL from SUB and XSUB, and are taken by PUB and XPUB.
    bool subscriber = in(info.type, {T::kSub, T::kXSub});
    bool publisher = in(info.type, {T::kPub, T::kXPub});
    EXPECT_EQ(traits.wire.sends, subscriber ? proto::kSubscriptionCommands : proto::TypeCommands{});
    EXPECT_EQ(traits.wire.accepts,
              publisher ? proto::kSubscriptionCommands : proto::TypeCommands{});
    // SUB and XSUB start with ZMQ_LINGER 0 (libzmq's xsub_t).
    EXPECT_EQ(traits.linger_ms, subscriber ? std::optional<int>(0) : std::nullopt);
    // STREAM: raw bytes, tcp only, both ways.
    bool stream = info.type == T::kStream;
    EXPECT_EQ(traits.raw, stream);
    TransportSet where = stream ? TransportSet{Transport::kTcp} : kZmtpTransports;
    EXPECT_EQ(traits.binds, where);
    EXPECT_EQ(traits.connects, where);
    // A proxy answers a REP control socket's commands.
    EXPECT_EQ(traits.answers_each_request, info.type == T::kRep);
    EXPECT_FALSE(traits.connect_peer);
  }
}

TEST(RoutingTable, EveryTypeIsBuilt) {
  for (const SocketTypeInfo& info : all_socket_types()) {
    EXPECT_TRUE(routing_supported(info.type)) << info.name;
  }
}

// The draft types (libzmq 4.3.4's draft sockets): no Identity in READY, DISH sends JOIN/LEAVE
// and RADIO takes them (rfc 48), DISH starts with ZMQ_LINGER 0 (libzmq's dish_t), only PEER
// has zmq_connect_peer, every ZMTP transport, and udp for a DISH to bind and a RADIO to connect.
TEST(SocketTraits, EachDraftTypeDeclaresWhatItDoes) {
  using T = SocketType;
  for (const SocketTypeInfo& info : all_socket_types()) {
    if (!info.draft || info.type == T::kDgram) continue;
    SCOPED_TRACE(info.name);
    const SocketTraits& traits = socket_traits(info.type);
    EXPECT_FALSE(traits.wire.sends_identity);
    EXPECT_EQ(traits.wire.sends,
              info.type == T::kDish ? proto::kGroupCommands : proto::TypeCommands{});
    EXPECT_EQ(traits.wire.accepts,
              info.type == T::kRadio ? proto::kGroupCommands : proto::TypeCommands{});
    EXPECT_EQ(traits.linger_ms, info.type == T::kDish ? std::optional<int>(0) : std::nullopt);
    EXPECT_EQ(traits.connect_peer, info.type == T::kPeer);
    EXPECT_FALSE(traits.raw);
    EXPECT_EQ(traits.binds, info.type == T::kDish ? kZmtpAndUdpTransports : kZmtpTransports);
    EXPECT_EQ(traits.connects, info.type == T::kRadio ? kZmtpAndUdpTransports : kZmtpTransports);
    EXPECT_FALSE(traits.answers_each_request);
    EXPECT_TRUE(traits.thread_safe);  // libzmq 4.3.4 makes each with thread_safe = true
    EXPECT_FALSE(traits.addressed_datagrams);
  }
}

// Only the draft ZMTP types' classes are thread-safe (libzmq's ZMQ_THREAD_SAFE): every classic
// type and DGRAM (libzmq's dgram_t is not) are not.
TEST(SocketTraits, ThreadSafeTypesAreTheDraftZmtpTypes) {
  for (const SocketTypeInfo& info : all_socket_types()) {
    EXPECT_EQ(socket_traits(info.type).thread_safe, info.draft && info.type != SocketType::kDgram)
        << info.name;
  }
}

// DGRAM (libzmq 4.3.4's draft dgram_t): binds udp only (connect: ENOCOMPATPROTO, as
// test_dgram checks), each message naming its peer.
TEST(SocketTraits, DgramIsAddressedUdpOnly) {
  const SocketTraits& traits = socket_traits(SocketType::kDgram);
  EXPECT_EQ(traits.binds, TransportSet{Transport::kUdp});
  EXPECT_EQ(traits.connects, TransportSet{});
  EXPECT_TRUE(traits.addressed_datagrams);
  EXPECT_FALSE(traits.raw);
}

}  // namespace
}  // namespace zlab
