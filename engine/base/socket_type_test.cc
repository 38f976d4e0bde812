#include "engine/base/socket_type.h"

#include <gtest/gtest.h>

namespace zlab {
namespace {

TEST(SocketTypeTest, CompatibilityIsSymmetric) {
  for (const auto& a : all_socket_types()) {
    for (const auto& b : all_socket_types()) {
      EXPECT_EQ(compatible(a.type, b.type), compatible(b.type, a.type)) << a.name << "/" << b.name;
    }
  }
}

TEST(SocketTypeTest, NamesRoundTrip) {
  for (const auto& row : all_socket_types()) {
    EXPECT_EQ(socket_type_from_name(row.name), row.type);
    EXPECT_EQ(socket_type_from_zmq(row.zmq_value), row.type);
  }
  EXPECT_FALSE(socket_type_from_name("BOGUS").has_value());
  EXPECT_FALSE(socket_type_from_name("pub").has_value());  // names are case-sensitive
  EXPECT_FALSE(socket_type_from_zmq(21).has_value());
  EXPECT_FALSE(socket_type_from_zmq(-1).has_value());
}

TEST(SocketTypeTest, ClassicPairs) {
  EXPECT_TRUE(compatible(SocketType::kReq, SocketType::kRouter));
  EXPECT_TRUE(compatible(SocketType::kXPub, SocketType::kXSub));
  EXPECT_FALSE(compatible(SocketType::kReq, SocketType::kReq));
  EXPECT_FALSE(compatible(SocketType::kPush, SocketType::kPush));
  EXPECT_FALSE(compatible(SocketType::kStream, SocketType::kStream));
  EXPECT_FALSE(compatible(SocketType::kPair, SocketType::kPub));
}

}  // namespace
}  // namespace zlab
