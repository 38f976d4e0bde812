// The option table: ranges and units as libzmq 4.3.4 has them.
#include "engine/sockets/options.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zlab {
namespace {

std::span<const uint8_t> bytes(const char* text) {
  return {reinterpret_cast<const uint8_t*>(text), std::strlen(text)};
}
std::span<const uint8_t> bytes(const void* data, size_t size) {
  return {static_cast<const uint8_t*>(data), size};
}
const std::span<const uint8_t> kNull{};  // the C API's (NULL, 0)

std::string get_string(const SocketOptions& o, int id, Err* err = nullptr) {
  char buf[512];
  size_t size = sizeof buf;
  Err e = get_generic_option(o, id, reinterpret_cast<uint8_t*>(buf), &size);
  if (err) *err = e;
  if (e != Err::kOk) return "<error>";
  EXPECT_EQ(buf[size - 1], '\0');
  return std::string(buf, size - 1);
}

TEST(OptionsTest, TcpAcceptFilterAddsAndNullClears) {
  SocketOptions o;
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("127.0.0.1")), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("10.0.0.0/8")), Err::kOk);
  ASSERT_EQ(o.tcp_accept_filters.size(), 2u);
  EXPECT_EQ(o.tcp_accept_filters[1].prefix_bits, 96 + 8);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, kNull), Err::kOk);
  EXPECT_TRUE(o.tcp_accept_filters.empty());
}

TEST(OptionsTest, TcpAcceptFilterBadValues) {
  SocketOptions o;
  const char empty[] = "";
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes(empty, 0)), Err::kInvalid);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("0.0.0.0/33")), Err::kInvalid);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("foo")), Err::kInvalid);
  std::string too_long(256, '1');
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes(too_long.data(), 256)),
            Err::kInvalid);
  EXPECT_TRUE(o.tcp_accept_filters.empty());  // a refused value adds nothing
  // Write-only, as in libzmq.
  Err err;
  get_string(o, opt::kTcpAcceptFilter, &err);
  EXPECT_EQ(err, Err::kInvalid);
}

TEST(OptionsTest, TcpAcceptFilterReadsIpv6AsSetAtTheTime) {
  SocketOptions o;
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("::1")), Err::kInvalid);
  int one = 1;
  ASSERT_EQ(set_generic_option(o, opt::kIpv6, bytes(&one, sizeof one)), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("::1")), Err::kOk);
}

TEST(OptionsTest, TcpAcceptFilterEndsAtNul) {
  SocketOptions o;
  const char text[] = "127.0.0.1\0garbage";
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes(text, sizeof text - 1)), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kTcpAcceptFilter, bytes("\0", 1)), Err::kInvalid);
}

TEST(OptionsTest, IpcFiltersTakeFourBytesAndNullClears) {
  SocketOptions o;
  uint32_t uid = 1000, gid = 100;
  int32_t pid = 4242;
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterUid, bytes(&uid, 4)), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterGid, bytes(&gid, 4)), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterPid, bytes(&pid, 4)), Err::kOk);
  EXPECT_EQ(o.ipc_filters.uids.count(1000), 1u);
  EXPECT_EQ(o.ipc_filters.gids.count(100), 1u);
  EXPECT_EQ(o.ipc_filters.pids.count(4242), 1u);
  uint64_t wide = 7;
  for (int id : {opt::kIpcFilterUid, opt::kIpcFilterGid, opt::kIpcFilterPid}) {
    EXPECT_EQ(set_generic_option(o, id, bytes(&wide, sizeof wide)), Err::kInvalid) << id;
    EXPECT_EQ(set_generic_option(o, id, bytes(&wide, 2)), Err::kInvalid) << id;
    EXPECT_EQ(set_generic_option(o, id, bytes(&wide, 0)), Err::kInvalid) << id;  // not NULL
    Err err;
    get_string(o, id, &err);
    EXPECT_EQ(err, Err::kInvalid) << id;
  }
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterUid, kNull), Err::kOk);
  EXPECT_TRUE(o.ipc_filters.uids.empty());
  EXPECT_FALSE(o.ipc_filters.empty());  // the others stay
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterGid, kNull), Err::kOk);
  EXPECT_EQ(set_generic_option(o, opt::kIpcFilterPid, kNull), Err::kOk);
  EXPECT_TRUE(o.ipc_filters.empty());
}

TEST(OptionsTest, SocksProxyNullClearsEmptyIsInvalid) {
  SocketOptions o;
  EXPECT_EQ(get_string(o, opt::kSocksProxy), "");
  EXPECT_EQ(set_generic_option(o, opt::kSocksProxy, bytes("somehost:1080")), Err::kOk);
  EXPECT_EQ(get_string(o, opt::kSocksProxy), "somehost:1080");
  const char empty[] = "";
  EXPECT_EQ(set_generic_option(o, opt::kSocksProxy, bytes(empty, 0)), Err::kInvalid);
  EXPECT_EQ(get_string(o, opt::kSocksProxy), "somehost:1080");
  EXPECT_EQ(set_generic_option(o, opt::kSocksProxy, kNull), Err::kOk);
  EXPECT_EQ(get_string(o, opt::kSocksProxy), "");
  // Too small a buffer for the value and its NUL.
  ASSERT_EQ(set_generic_option(o, opt::kSocksProxy, bytes("h:1")), Err::kOk);
  uint8_t small[3];
  size_t size = sizeof small;
  EXPECT_EQ(get_generic_option(o, opt::kSocksProxy, small, &size), Err::kInvalid);
}

TEST(OptionsTest, SocksCredentialsUpTo255Bytes) {
  for (int id : {opt::kSocksUsername, opt::kSocksPassword}) {
    SocketOptions o;
    std::string max(255, 'a');
    EXPECT_EQ(set_generic_option(o, id, bytes(max.data(), max.size())), Err::kOk);
    EXPECT_EQ(get_string(o, id), max);
    std::string over(256, 'a');
    EXPECT_EQ(set_generic_option(o, id, bytes(over.data(), over.size())), Err::kInvalid);
    EXPECT_EQ(get_string(o, id), max);
    const char empty[] = "";
    EXPECT_EQ(set_generic_option(o, id, bytes(empty, 0)), Err::kOk);
    EXPECT_EQ(get_string(o, id), "");
    EXPECT_EQ(set_generic_option(o, id, bytes("someuser")), Err::kOk);
    EXPECT_EQ(set_generic_option(o, id, kNull), Err::kOk);
    EXPECT_EQ(get_string(o, id), "");
  }
}

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

// ZMQ_MULTICAST_LOOP is a flag libzmq 4.3.4 takes from any int and reads back as 0 or 1
// (options.cpp: do_setsockopt_int_as_bool_relaxed, then the bool as an int).
TEST(OptionsTest, MulticastLoopTakesAnyIntAndReadsBackZeroOrOne) {
  SocketOptions o;
  EXPECT_EQ(get_int(o, opt::kMulticastLoop), 1);
  EXPECT_EQ(set_int(o, opt::kMulticastLoop, 0), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kMulticastLoop), 0);
  EXPECT_EQ(set_int(o, opt::kMulticastLoop, 7), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kMulticastLoop), 1);
  EXPECT_EQ(set_int(o, opt::kMulticastLoop, -3), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kMulticastLoop), 1);
}

TEST(OptionsTest, OtherIntegersAreKeptAsGiven) {
  SocketOptions o;
  EXPECT_EQ(set_int(o, opt::kHeartbeatIvl, 99), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kHeartbeatIvl), 99);
  EXPECT_EQ(set_int(o, opt::kHeartbeatTimeout, -2), Err::kInvalid);
}

// Regression (pyzmq's test_int_sockopts reads every int option on a PUB): libzmq keeps
// ZMQ_INVERT_MATCHING and ZMQ_LOOPBACK_FASTPATH for every socket type, takes any int (nonzero
// is on) and reads back 0 or 1; zlab answered EINVAL to reading either.
TEST(OptionsTest, RelaxedFlagsTakeAnyIntAndReadBackZeroOrOne) {
  for (int id : {opt::kInvertMatching, opt::kLoopbackFastpath}) {
    SocketOptions o;
    EXPECT_EQ(get_int(o, id), 0) << id;
    EXPECT_EQ(set_int(o, id, -3), Err::kOk) << id;
    EXPECT_EQ(get_int(o, id), 1) << id;
    EXPECT_EQ(set_int(o, id, 0), Err::kOk) << id;
    EXPECT_EQ(get_int(o, id), 0) << id;
    int64_t wide = 1;
    EXPECT_EQ(set_generic_option(o, id, bytes(&wide, sizeof wide)), Err::kInvalid) << id;
    size_t size = sizeof wide;  // an int's room, exactly, as libzmq
    EXPECT_EQ(get_generic_option(o, id, reinterpret_cast<uint8_t*>(&wide), &size), Err::kInvalid);
  }
  SocketOptions o;
  EXPECT_EQ(set_int(o, opt::kInvertMatching, 7), Err::kOk);
  EXPECT_TRUE(o.invert_matching);
  EXPECT_FALSE(o.loopback_fastpath);
}

Err set_text(SocketOptions& o, int id, std::string_view text) {
  return set_generic_option(
      o, id, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// ZMQ_METADATA as libzmq 4.3.4 takes it: "X-name:value", the name at most 255 bytes; a name
// set again keeps its first value; write-only.
TEST(OptionsTest, MetadataTakesApplicationPropertiesOnly) {
  SocketOptions o;
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-Key:value"), Err::kOk);
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-Key:other"), Err::kOk);
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-Second:2:3"), Err::kOk);
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(o.app_metadata, (std::vector<Pair>{{"X-Key", "value"}, {"X-Second", "2:3"}}));
  for (std::string_view bad : {"Key:value", "X-Key", ":value", "X-Key:", ""}) {
    EXPECT_EQ(set_text(o, opt::kMetadata, bad), Err::kInvalid) << bad;
  }
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-" + std::string(254, 'n') + ":v"), Err::kInvalid);
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-" + std::string(253, 'n') + ":v"), Err::kOk);
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-:c"), Err::kInvalid);  // 4 bytes: read as an int
  EXPECT_EQ(set_text(o, opt::kMetadata, "X-:cd"), Err::kOk);
  uint8_t buf[64];
  size_t size = sizeof buf;
  EXPECT_EQ(get_generic_option(o, opt::kMetadata, buf, &size), Err::kInvalid);
}

// The draft options kept in the table: PRIORITY (>= 0), RECONNECT_STOP (any int),
// HELLO_MSG / DISCONNECT_MSG (any bytes, none to turn off; write-only, as libzmq).
TEST(OptionsTest, DraftValuesAsLibzmq) {
  SocketOptions o;
  EXPECT_EQ(get_int(o, opt::kPriority), 0);
  EXPECT_EQ(set_int(o, opt::kPriority, 6), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kPriority), 6);
  EXPECT_EQ(set_int(o, opt::kPriority, -1), Err::kInvalid);
  EXPECT_EQ(set_int(o, opt::kReconnectStop, -7), Err::kOk);
  EXPECT_EQ(get_int(o, opt::kReconnectStop), -7);
  EXPECT_EQ(set_text(o, opt::kHelloMsg, "hi"), Err::kOk);
  EXPECT_EQ(o.hello_msg, "hi");
  EXPECT_EQ(set_generic_option(o, opt::kHelloMsg, {}), Err::kOk);
  EXPECT_EQ(o.hello_msg, "");
  EXPECT_EQ(set_text(o, opt::kDisconnectMsg, "bye"), Err::kOk);
  EXPECT_EQ(o.disconnect_msg, "bye");
  uint8_t buf[64];
  size_t size = sizeof buf;
  EXPECT_EQ(get_generic_option(o, opt::kHelloMsg, buf, &size), Err::kInvalid);
  EXPECT_EQ(get_int(o, opt::kRouterNotify), 0);  // no ROUTER answered: off, as libzmq
  EXPECT_EQ(set_int(o, opt::kRouterNotify, 1), Err::kInvalid);
}

}  // namespace
}  // namespace zlab
