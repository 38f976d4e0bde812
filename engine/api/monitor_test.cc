// zmq_socket_monitor through the C API: libzmq's two-frame events on an inproc PAIR, the event
// mask, stopping, and a monitor nobody reads (which must never hold the socket back).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

struct Event {
  int event = -1;
  uint32_t value = 0;
  std::string endpoint;
};

// Reads one event as libzmq 4.3 sends it: [uint16 event, uint32 value] then the endpoint.
Event next_event(void* reader, int timeout_ms = 5000) {
  set_int(reader, ZMQ_RCVTIMEO, timeout_ms);
  Event out;
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  if (zmq_msg_recv(&msg, reader, 0) < 0) {
    zmq_msg_close(&msg);
    return out;
  }
  EXPECT_EQ(zmq_msg_size(&msg), 6u);
  EXPECT_EQ(zmq_msg_more(&msg), 1);
  uint16_t event = 0;
  std::memcpy(&event, zmq_msg_data(&msg), sizeof event);
  std::memcpy(&out.value, static_cast<char*>(zmq_msg_data(&msg)) + 2, sizeof out.value);
  out.event = event;
  EXPECT_GE(zmq_msg_recv(&msg, reader, 0), 0);
  EXPECT_EQ(zmq_msg_more(&msg), 0);
  out.endpoint.assign(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  zmq_msg_close(&msg);
  return out;
}

// The next event that is not one of the connection-retry kind (their timing varies).
Event next_steady_event(void* reader) {
  for (;;) {
    Event e = next_event(reader);
    if (e.event != ZMQ_EVENT_CONNECT_DELAYED && e.event != ZMQ_EVENT_CONNECT_RETRIED) return e;
  }
}

void* monitor_reader(void* ctx, void* socket, const char* endpoint, int events) {
  EXPECT_EQ(zmq_socket_monitor(socket, endpoint, events), 0) << zmq_strerror(zmq_errno());
  void* reader = zmq_socket(ctx, ZMQ_PAIR);
  EXPECT_EQ(zmq_connect(reader, endpoint), 0);
  return reader;
}

TEST(Monitor, ServerAndClientEventsOverTcp) {
  void* ctx = zmq_ctx_new();
  void* server = make_socket(ctx, ZMQ_REP);
  void* client = make_socket(ctx, ZMQ_REQ);
  void* server_mon = monitor_reader(ctx, server, "inproc://monitor-server", ZMQ_EVENT_ALL);
  void* client_mon = monitor_reader(ctx, client, "inproc://monitor-client", ZMQ_EVENT_ALL);
  std::string endpoint = bind_any(server);
  ASSERT_EQ(zmq_connect(client, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(client, "hi"), 2);
  EXPECT_EQ(recv_str(server), "hi");

  Event e = next_event(server_mon);
  EXPECT_EQ(e.event, ZMQ_EVENT_LISTENING);
  EXPECT_EQ(e.endpoint, endpoint);
  const uint32_t listener_fd = e.value;
  EXPECT_GT(listener_fd, 2u);  // the listening socket's fd
  e = next_event(server_mon);
  EXPECT_EQ(e.event, ZMQ_EVENT_ACCEPTED);
  EXPECT_EQ(e.endpoint, endpoint);
  EXPECT_GT(e.value, 2u);  // the accepted connection's fd
  e = next_event(server_mon);
  EXPECT_EQ(e.event, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  EXPECT_EQ(e.value, 0u);

  e = next_steady_event(client_mon);
  EXPECT_EQ(e.event, ZMQ_EVENT_CONNECTED);
  EXPECT_EQ(e.endpoint, endpoint);
  const uint32_t client_fd = e.value;
  EXPECT_GT(client_fd, 2u);
  EXPECT_EQ(next_event(client_mon).event, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);

  // The server goes: the client sees the disconnection (of the same fd); the server's monitor
  // ends with MONITOR_STOPPED (after its own CLOSED / DISCONNECTED, in whatever order).
  close_now(server);
  e = next_steady_event(client_mon);
  EXPECT_EQ(e.event, ZMQ_EVENT_DISCONNECTED);
  EXPECT_EQ(e.endpoint, endpoint);
  EXPECT_EQ(e.value, client_fd);
  for (;;) {
    e = next_event(server_mon);
    ASSERT_NE(e.event, -1) << "no MONITOR_STOPPED";
    if (e.event == ZMQ_EVENT_MONITOR_STOPPED) break;
    EXPECT_TRUE(e.event == ZMQ_EVENT_CLOSED || e.event == ZMQ_EVENT_DISCONNECTED) << e.event;
    if (e.event == ZMQ_EVENT_CLOSED) {
      EXPECT_EQ(e.value, listener_fd);
    }
  }
  close_now(client);
  EXPECT_EQ(next_steady_event(client_mon).event, ZMQ_EVENT_MONITOR_STOPPED);
  close_now(server_mon);
  close_now(client_mon);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(Monitor, MaskSelectsEventsAndNullStops) {
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_PULL);
  void* reader =
      monitor_reader(ctx, s, "inproc://monitor-mask", ZMQ_EVENT_CLOSED | ZMQ_EVENT_MONITOR_STOPPED);
  std::string endpoint = bind_any(s);  // LISTENING: not asked for
  ASSERT_EQ(zmq_unbind(s, endpoint.c_str()), 0);
  Event e = next_event(reader);
  EXPECT_EQ(e.event, ZMQ_EVENT_CLOSED);
  EXPECT_EQ(e.endpoint, endpoint);
  ASSERT_EQ(zmq_socket_monitor(s, nullptr, 0), 0);
  EXPECT_EQ(next_event(reader).event, ZMQ_EVENT_MONITOR_STOPPED);
  EXPECT_EQ(zmq_socket_monitor(s, nullptr, 0), 0);  // not monitored: nothing to do
  bind_any(s);
  EXPECT_EQ(next_event(reader, 100).event, -1);  // stopped: nothing more
  close_now(reader);
  close_now(s);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(Monitor, EventsBeforeTheReaderConnectsAreKept) {
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_PULL);
  ASSERT_EQ(zmq_socket_monitor(s, "inproc://monitor-early", ZMQ_EVENT_LISTENING), 0);
  std::string endpoint = bind_any(s);
  void* reader = zmq_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://monitor-early"), 0);
  Event e = next_event(reader);
  EXPECT_EQ(e.event, ZMQ_EVENT_LISTENING);
  EXPECT_EQ(e.endpoint, endpoint);
  close_now(reader);
  close_now(s);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(Monitor, AMonitorNobodyReadsNeverBlocksTheSocket) {
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_PULL);
  ASSERT_EQ(zmq_socket_monitor(s, "inproc://monitor-unread", ZMQ_EVENT_ALL), 0);
  // A reader that connects and never reads, then many events: more than the PAIR's HWM and the
  // monitor's own queue hold.
  void* reader = zmq_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://monitor-unread"), 0);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6000; ++i) {
    ASSERT_EQ(zmq_bind(s, "inproc://churn"), 0);
    ASSERT_EQ(zmq_unbind(s, "inproc://churn"), 0);
  }
  EXPECT_LT(elapsed_ms(start), 20000);
  // The socket still works, and closing it does not wait on the monitor for long.
  void* push = make_socket(ctx, ZMQ_PUSH);
  ASSERT_EQ(zmq_bind(s, "inproc://still-works"), 0);
  ASSERT_EQ(zmq_connect(push, "inproc://still-works"), 0);
  ASSERT_EQ(send_str(push, "ok"), 2);
  set_int(s, ZMQ_RCVTIMEO, 5000);
  EXPECT_EQ(recv_str(s), "ok");
  start = std::chrono::steady_clock::now();
  close_now(s);
  EXPECT_LT(elapsed_ms(start), 2000);
  close_now(push);
  close_now(reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(Monitor, BadInput) {
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_PULL);
  errno = 0;
  EXPECT_EQ(zmq_socket_monitor(s, "tcp://127.0.0.1:5555", ZMQ_EVENT_ALL), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
  EXPECT_EQ(zmq_socket_monitor(nullptr, "inproc://m", ZMQ_EVENT_ALL), -1);
  EXPECT_EQ(errno, ENOTSOCK);
  void* other = zmq_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_bind(other, "inproc://monitor-taken"), 0);
  EXPECT_EQ(zmq_socket_monitor(s, "inproc://monitor-taken", ZMQ_EVENT_ALL), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  // Monitoring again replaces the first monitor.
  EXPECT_EQ(zmq_socket_monitor(s, "inproc://m1", ZMQ_EVENT_ALL), 0);
  EXPECT_EQ(zmq_socket_monitor(s, "inproc://m2", ZMQ_EVENT_ALL), 0);
  close_now(other);
  close_now(s);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
