// zmq_socket_monitor_versioned and zmq_socket_monitor_pipes_stats (draft build) through zmq.h
// alone: libzmq 4.3.4's version-2 event format, the monitor socket's types, the pipe stats.
#include <errno.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

struct EventV2 {
  uint64_t event = 0;
  std::vector<uint64_t> values;
  std::string local, remote;
  bool ok = false;
};

// Version 2: [event u64][count u64][count values u64][local][remote].
EventV2 next_v2(void* reader) {
  EventV2 out;
  std::vector<std::string> parts = recv_parts(reader);
  if (parts.size() < 4 || parts[0].size() != 8 || parts[1].size() != 8) return out;
  std::memcpy(&out.event, parts[0].data(), 8);
  uint64_t count = 0;
  std::memcpy(&count, parts[1].data(), 8);
  if (parts.size() != 4 + count) return out;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t v = 0;
    std::memcpy(&v, parts[2 + i].data(), 8);
    out.values.push_back(v);
  }
  out.local = parts[2 + count];
  out.remote = parts[3 + count];
  out.ok = true;
  return out;
}

// The next event other than the connect-retry kind (their timing varies).
EventV2 next_steady_v2(void* reader) {
  for (;;) {
    EventV2 e = next_v2(reader);
    if (!e.ok || (e.event != ZMQ_EVENT_CONNECT_DELAYED && e.event != ZMQ_EVENT_CONNECT_RETRIED))
      return e;
  }
}

TEST(MonitorVersioned, BadArgumentsAsLibzmq) {
  void* ctx = zmq_ctx_new();
  void* s = make_socket(ctx, ZMQ_DEALER);
  EXPECT_EQ(zmq_socket_monitor_versioned(s, "inproc://m-type", 0, 2, ZMQ_CLIENT), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_socket_monitor_versioned(s, "inproc://m-v1", ZMQ_EVENT_ALL_V2, 1, ZMQ_PAIR), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);  // format 1 has 16 event bits
  // libzmq takes version 3 and never reports (div/monitor/unknown-event-version-accepted).
  EXPECT_EQ(zmq_socket_monitor_versioned(s, "inproc://m-v3", ZMQ_EVENT_ALL, 3, ZMQ_PAIR), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_socket_monitor_versioned(s, "tcp://127.0.0.1:*", ZMQ_EVENT_ALL, 2, ZMQ_PAIR), -1);
  EXPECT_EQ(zmq_errno(), EPROTONOSUPPORT);
  EXPECT_EQ(zmq_socket_monitor_versioned(nullptr, "inproc://m", 0, 2, ZMQ_PAIR), -1);
  EXPECT_EQ(zmq_errno(), ENOTSOCK);
  // Pipe stats want a monitor asking for them.
  EXPECT_EQ(zmq_socket_monitor_pipes_stats(s), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  close_now(s);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// Version 2 over tcp, on each monitor socket type: each event names the connection's two ends.
void basic_v2(int type, int reader_type) {
  void* ctx = zmq_ctx_new();
  void* client = make_socket(ctx, ZMQ_DEALER);
  void* server = make_socket(ctx, ZMQ_DEALER);
  std::string client_mon = "inproc://client-v2-" + std::to_string(type);
  std::string server_mon = "inproc://server-v2-" + std::to_string(type);
  ASSERT_EQ(zmq_socket_monitor_versioned(client, client_mon.c_str(), ZMQ_EVENT_ALL_V2, 2, type), 0);
  ASSERT_EQ(zmq_socket_monitor_versioned(server, server_mon.c_str(), ZMQ_EVENT_ALL_V2, 2, type), 0);
  void* client_reader = make_socket(ctx, reader_type);
  void* server_reader = make_socket(ctx, reader_type);
  if (reader_type == ZMQ_SUB) {
    ASSERT_EQ(zmq_setsockopt(client_reader, ZMQ_SUBSCRIBE, "", 0), 0);
    ASSERT_EQ(zmq_setsockopt(server_reader, ZMQ_SUBSCRIBE, "", 0), 0);
  }
  ASSERT_EQ(zmq_connect(client_reader, client_mon.c_str()), 0);
  ASSERT_EQ(zmq_connect(server_reader, server_mon.c_str()), 0);
  std::string endpoint = bind_any(server);
  ASSERT_EQ(zmq_connect(client, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(client, "ping"), 4);
  EXPECT_EQ(recv_str(server), "ping");

  EventV2 connected = next_steady_v2(client_reader);
  ASSERT_TRUE(connected.ok);
  EXPECT_EQ(connected.event, uint64_t(ZMQ_EVENT_CONNECTED));
  EXPECT_EQ(connected.values.size(), 1u);
  EXPECT_EQ(connected.remote, endpoint);
  EXPECT_EQ(connected.local.rfind("tcp://127.0.0.1:", 0), 0u) << connected.local;
  EXPECT_NE(connected.local, connected.remote);
  EventV2 handshake = next_steady_v2(client_reader);
  EXPECT_EQ(handshake.event, uint64_t(ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
  EXPECT_EQ(handshake.local, connected.local);
  EXPECT_EQ(handshake.remote, connected.remote);

  EventV2 listening = next_v2(server_reader);
  EXPECT_EQ(listening.event, uint64_t(ZMQ_EVENT_LISTENING));
  EXPECT_EQ(listening.local, endpoint);
  EXPECT_EQ(listening.remote, "");
  EventV2 accepted = next_v2(server_reader);
  EXPECT_EQ(accepted.event, uint64_t(ZMQ_EVENT_ACCEPTED));
  EXPECT_EQ(accepted.local, endpoint);
  EXPECT_EQ(accepted.remote, connected.local);
  EventV2 server_handshake = next_v2(server_reader);
  EXPECT_EQ(server_handshake.event, uint64_t(ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
  EXPECT_EQ(server_handshake.remote, connected.local);

  close_now(client);
  close_now(server);
  close_now(client_reader);
  close_now(server_reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(MonitorVersioned, Version2OnPair) { basic_v2(ZMQ_PAIR, ZMQ_PAIR); }
TEST(MonitorVersioned, Version2OnPub) { basic_v2(ZMQ_PUB, ZMQ_SUB); }
TEST(MonitorVersioned, Version2OnPush) { basic_v2(ZMQ_PUSH, ZMQ_PULL); }

// Version 1 through the versioned call is zmq_socket_monitor's format.
TEST(MonitorVersioned, Version1IsTheClassicFormat) {
  void* ctx = zmq_ctx_new();
  void* s = make_socket(ctx, ZMQ_DEALER);
  ASSERT_EQ(zmq_socket_monitor_versioned(s, "inproc://v1", ZMQ_EVENT_LISTENING, 1, ZMQ_PAIR), 0);
  void* reader = make_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://v1"), 0);
  std::string endpoint = bind_any(s);
  std::vector<std::string> parts = recv_parts(reader);
  ASSERT_EQ(parts.size(), 2u);
  ASSERT_EQ(parts[0].size(), 6u);
  uint16_t event = 0;
  std::memcpy(&event, parts[0].data(), 2);
  EXPECT_EQ(event, ZMQ_EVENT_LISTENING);
  EXPECT_EQ(parts[1], endpoint);
  close_now(s);
  close_now(reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// One PIPES_STATS event per peer: [queued to it, queued from it]; EAGAIN with no peer.
TEST(MonitorPipesStats, ReportsEachPeersQueues) {
  void* ctx = zmq_ctx_new();
  void* push = make_socket(ctx, ZMQ_PUSH);
  ASSERT_EQ(
      zmq_socket_monitor_versioned(push, "inproc://stats", ZMQ_EVENT_PIPES_STATS, 2, ZMQ_PAIR), 0);
  EXPECT_EQ(zmq_socket_monitor_pipes_stats(push), -1);
  EXPECT_EQ(zmq_errno(), EAGAIN);
  void* reader = make_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://stats"), 0);
  set_int(push, ZMQ_SNDHWM, 5);
  ASSERT_EQ(zmq_bind(push, "inproc://stats-data"), 0);
  void* pull = make_socket(ctx, ZMQ_PULL);
  set_int(pull, ZMQ_RCVHWM, 5);
  ASSERT_EQ(zmq_connect(pull, "inproc://stats-data"), 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_str(push, "m", ZMQ_DONTWAIT), 1);
  ASSERT_EQ(zmq_socket_monitor_pipes_stats(push), 0);
  EventV2 stats = next_v2(reader);
  ASSERT_TRUE(stats.ok);
  EXPECT_EQ(stats.event, uint64_t(ZMQ_EVENT_PIPES_STATS));
  ASSERT_EQ(stats.values.size(), 2u);
  EXPECT_EQ(stats.values[0], 3u);  // none read yet
  EXPECT_EQ(stats.values[1], 0u);
  EXPECT_EQ(stats.local, "inproc://stats-data");
  close_now(pull);
  close_now(push);
  close_now(reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
