// The routing table: routing_supported() is exactly "make_routing() builds it", and every
// classic type is built.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zlab
