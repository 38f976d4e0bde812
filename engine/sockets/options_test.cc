// The option table: ranges and units as libzmq 4.3.4 has them.
#include "engine/sockets/options.h"

#include <gtest/gtest.h>

#include <cstring>

namespace zlab {
namespace {

Err set_int(SocketOptions& o, int id, int v) {
  uint8_t bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  return set_generic_option(o, id, bytes);
}

int get_int(const SocketOptions& o, int id) {
  int v = 0;
  size_t size = sizeof v;
  EXPECT_EQ(get_generic_option(o, id, reinterpret_cast<uint8_t*>(&v), &size), Err::kOk);
  return v;
}

// Regression (libzmq test_heartbeats): ZMQ_HEARTBEAT_TTL is kept in deciseconds, the unit of
// the PING's TTL field, so what reads back is the value rounded down to 100 ms; the largest
// accepted is 65535 deciseconds (6553599 ms reads back 6553500).
TEST(OptionsTest, HeartbeatTtlIsKeptInDeciseconds) {
  SocketOptions o;
  EXPECT_EQ(set_int(o, opt::kHeartbeatTtl, 99), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kHeartbeatTtl), 0);
  EXPECT_EQ(set_int(o, opt::kHeartbeatTtl, 250), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kHeartbeatTtl), 200);
  EXPECT_EQ(set_int(o, opt::kHeartbeatTtl, 65536 * 100 - 1), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kHeartbeatTtl), 6553500);
  EXPECT_EQ(set_int(o, opt::kHeartbeatTtl, 65536 * 100), Err::kInvalid);
  EXPECT_EQ(get_int(o, opt::kHeartbeatTtl), 6553500);  // a refused value changes nothing
  EXPECT_EQ(set_int(o, opt::kHeartbeatTtl, -100), Err::kInvalid);
}

TEST(OptionsTest, OtherIntegersAreKeptAsGiven) {
  SocketOptions o;
  EXPECT_EQ(set_int(o, opt::kHeartbeatIvl, 99), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kHeartbeatIvl), 99);
  EXPECT_EQ(set_int(o, opt::kHeartbeatTimeout, -2), Err::kInvalid);
}

}  // namespace
}  // namespace zlab
