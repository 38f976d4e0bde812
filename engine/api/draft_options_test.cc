// The draft socket options (draft build) through zmq.h alone: ZMQ_PRIORITY, ZMQ_ROUTER_NOTIFY,
// ZMQ_XPUB_MANUAL_LAST_VALUE, ZMQ_RECONNECT_STOP, ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG and
// ZMQ_METADATA, each with the behaviour libzmq 4.3.4 gives it.
#include <errno.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

// ZMQ_PRIORITY: an int >= 0, read back, and the SO_PRIORITY of the connections made after it
// (seen through ZMQ_SRCFD, the descriptor a message came in on).
TEST(Priority, SetReadAndAppliedToTheConnection) {
  void* ctx = zmq_ctx_new();
  void* pull = make_socket(ctx, ZMQ_PULL);
  void* push = make_socket(ctx, ZMQ_PUSH);
  EXPECT_EQ(get_int(pull, ZMQ_PRIORITY), 0);
  int bad = -1;
  EXPECT_EQ(zmq_setsockopt(pull, ZMQ_PRIORITY, &bad, sizeof bad), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  set_int(pull, ZMQ_PRIORITY, 3);
  EXPECT_EQ(get_int(pull, ZMQ_PRIORITY), 3);
  std::string endpoint = bind_any(pull);
  ASSERT_EQ(zmq_connect(push, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(push, "x"), 1);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, pull, 0), 1);
  int fd = zmq_msg_get(&msg, ZMQ_SRCFD);
  zmq_msg_close(&msg);
  ASSERT_GE(fd, 0);
  int priority = -1;
  socklen_t size = sizeof priority;
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &priority, &size), 0);
  EXPECT_EQ(priority, 3);
  close_now(push);
  close_now(pull);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(RouterNotify, ValuesAsLibzmq) {
  void* ctx = zmq_ctx_new();
  void* router = make_socket(ctx, ZMQ_ROUTER);
  void* dealer = make_socket(ctx, ZMQ_DEALER);
  EXPECT_EQ(get_int(router, ZMQ_ROUTER_NOTIFY), 0);
  set_int(router, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  for (int bad : {-1, 4}) {
    EXPECT_EQ(zmq_setsockopt(router, ZMQ_ROUTER_NOTIFY, &bad, sizeof bad), -1);
    EXPECT_EQ(zmq_errno(), EINVAL);
  }
  EXPECT_EQ(get_int(router, ZMQ_ROUTER_NOTIFY), ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  // Any other type refuses it and reads 0.
  int on = ZMQ_NOTIFY_CONNECT;
  EXPECT_EQ(zmq_setsockopt(dealer, ZMQ_ROUTER_NOTIFY, &on, sizeof on), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(get_int(dealer, ZMQ_ROUTER_NOTIFY), 0);
  close_now(dealer);
  close_now(router);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// Each notice is [routing id][""]: one when the peer's handshake is done, before its messages,
// and one after its connection is lost, after its last whole message.
TEST(RouterNotify, ConnectAndDisconnectNotices) {
  void* ctx = zmq_ctx_new();
  void* router = make_socket(ctx, ZMQ_ROUTER);
  set_int(router, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  std::string endpoint = bind_any(router);
  void* dealer = make_socket(ctx, ZMQ_DEALER);
  ASSERT_EQ(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "X", 1), 0);
  ASSERT_EQ(zmq_connect(dealer, endpoint.c_str()), 0);
  EXPECT_EQ(recv_parts(router), (std::vector<std::string>{"X", ""}));
  ASSERT_EQ(send_str(dealer, "Hello"), 5);
  EXPECT_EQ(recv_parts(router), (std::vector<std::string>{"X", "Hello"}));
  close_now(dealer);
  EXPECT_EQ(recv_parts(router), (std::vector<std::string>{"X", ""}));
  close_now(router);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// Off (the default), a peer coming and going leaves nothing to read; on, a peer that never
// finished its handshake gives no notice.
TEST(RouterNotify, NoNoticeOffOrWithoutHandshake) {
  void* ctx = zmq_ctx_new();
  void* quiet = make_socket(ctx, ZMQ_ROUTER, 300);
  std::string quiet_endpoint = bind_any(quiet);
  void* dealer = make_socket(ctx, ZMQ_DEALER);
  ASSERT_EQ(zmq_connect(dealer, quiet_endpoint.c_str()), 0);
  ASSERT_EQ(send_str(dealer, "m"), 1);
  EXPECT_EQ(recv_parts(quiet).back(), "m");
  close_now(dealer);
  char buf[8];
  EXPECT_EQ(zmq_recv(quiet, buf, sizeof buf, 0), -1);
  EXPECT_EQ(zmq_errno(), EAGAIN);

  void* router = make_socket(ctx, ZMQ_ROUTER, 300);
  set_int(router, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  std::string endpoint = bind_any(router);
  void* raw = make_socket(ctx, ZMQ_STREAM);
  ASSERT_EQ(zmq_setsockopt(raw, ZMQ_CONNECT_ROUTING_ID, "R", 1), 0);
  ASSERT_EQ(zmq_connect(raw, endpoint.c_str()), 0);
  send_parts(raw, {"R", "not-a-handshake"});
  ASSERT_EQ(zmq_disconnect(raw, endpoint.c_str()), 0);
  EXPECT_EQ(zmq_recv(router, buf, sizeof buf, 0), -1);
  EXPECT_EQ(zmq_errno(), EAGAIN);
  close_now(raw);
  close_now(router);
  close_now(quiet);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// REP takes ZMQ_ROUTER_NOTIFY as libzmq's REP (its setsockopt is its ROUTER's), and the
// notices, which carry no delimiter, never reach the application: a request and its reply go
// through, and the requester's going leaves nothing to read.
TEST(RouterNotify, RepTakesItAndNeverShowsTheNotices) {
  void* ctx = zmq_ctx_new();
  void* rep = make_socket(ctx, ZMQ_REP, 300);
  set_int(rep, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  EXPECT_EQ(get_int(rep, ZMQ_ROUTER_NOTIFY), ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
  int bad = 4;
  EXPECT_EQ(zmq_setsockopt(rep, ZMQ_ROUTER_NOTIFY, &bad, sizeof bad), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  std::string endpoint = bind_any(rep);
  void* req = make_socket(ctx, ZMQ_REQ);
  ASSERT_EQ(zmq_connect(req, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(req, "q"), 1);
  EXPECT_EQ(recv_str(rep), "q");
  ASSERT_EQ(send_str(rep, "a"), 1);
  EXPECT_EQ(recv_str(req), "a");
  close_now(req);
  EXPECT_EQ(recv_str(rep), "<error Resource temporarily unavailable>");
  close_now(rep);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// XPUB_MANUAL_LAST_VALUE is XPUB_MANUAL, and the first message sent after reading a
// subscription goes to that subscriber alone; the next ones to every matching subscriber.
TEST(XPubManualLastValue, NextMessageToTheLastSubscriberOnly) {
  void* ctx = zmq_ctx_new();
  void* xpub = make_socket(ctx, ZMQ_XPUB);
  set_int(xpub, ZMQ_XPUB_MANUAL_LAST_VALUE, 1);
  ASSERT_EQ(zmq_bind(xpub, "inproc://last-value"), 0);
  void* first = make_socket(ctx, ZMQ_SUB, 300);
  void* second = make_socket(ctx, ZMQ_SUB, 300);
  ASSERT_EQ(zmq_connect(first, "inproc://last-value"), 0);
  ASSERT_EQ(zmq_setsockopt(first, ZMQ_SUBSCRIBE, "T", 1), 0);
  EXPECT_EQ(recv_str(xpub), std::string("\x01T"));
  ASSERT_EQ(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "T", 1), 0);  // for `first`
  ASSERT_EQ(zmq_connect(second, "inproc://last-value"), 0);
  ASSERT_EQ(zmq_setsockopt(second, ZMQ_SUBSCRIBE, "T", 1), 0);
  EXPECT_EQ(recv_str(xpub), std::string("\x01T"));
  ASSERT_EQ(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "T", 1), 0);  // for `second`
  ASSERT_EQ(send_str(xpub, "T1"), 2);                         // the last value: `second` only
  ASSERT_EQ(send_str(xpub, "T2"), 2);                         // everyone
  EXPECT_EQ(recv_str(second), "T1");
  EXPECT_EQ(recv_str(second), "T2");
  EXPECT_EQ(recv_str(first), "T2");
  EXPECT_EQ(recv_str(first), "<error Resource temporarily unavailable>");
  close_now(first);
  close_now(second);
  close_now(xpub);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

struct Event {
  int event = -1;
  std::string endpoint;
};

// One monitor event (libzmq 4.3's two frames); event -1 when none came in time.
Event next_event(void* reader, int timeout_ms) {
  set_int(reader, ZMQ_RCVTIMEO, timeout_ms);
  std::vector<std::string> parts = recv_parts(reader);
  Event out;
  if (parts.size() != 2 || parts[0].size() != 6) return out;
  uint16_t event = 0;
  std::memcpy(&event, parts[0].data(), sizeof event);
  out.event = event;
  out.endpoint = parts[1];
  return out;
}

// RECONNECT_STOP_CONN_REFUSED: a refused connect is closed and never tried again.
TEST(ReconnectStop, ConnRefusedEndsTheConnect) {
  void* ctx = zmq_ctx_new();
  // A port that refuses: bound, then unbound.
  void* holder = make_socket(ctx, ZMQ_PULL);
  std::string endpoint = bind_any(holder);
  close_now(holder);
  void* push = make_socket(ctx, ZMQ_PUSH);
  set_int(push, ZMQ_RECONNECT_IVL, 10);
  set_int(push, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
  EXPECT_EQ(get_int(push, ZMQ_RECONNECT_STOP), ZMQ_RECONNECT_STOP_CONN_REFUSED);
  ASSERT_EQ(zmq_socket_monitor(push, "inproc://stop-refused", ZMQ_EVENT_ALL), 0);
  void* reader = make_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://stop-refused"), 0);
  ASSERT_EQ(zmq_connect(push, endpoint.c_str()), 0);
  std::vector<int> events;
  for (Event e = next_event(reader, 500); e.event != -1; e = next_event(reader, 500)) {
    events.push_back(e.event);
  }
  EXPECT_EQ(events, (std::vector<int>{ZMQ_EVENT_CONNECT_DELAYED, ZMQ_EVENT_CLOSED}));
  close_now(push);
  close_now(reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// RECONNECT_STOP_HANDSHAKE_FAILED: a peer that never answers the greeting fails the handshake
// (HANDSHAKE_FAILED_NO_DETAIL at ZMQ_HANDSHAKE_IVL) and is not connected to again.
TEST(ReconnectStop, HandshakeFailedEndsTheConnect) {
  void* ctx = zmq_ctx_new();
  void* raw = make_socket(ctx, ZMQ_STREAM);
  std::string endpoint = bind_any(raw);
  void* sub = make_socket(ctx, ZMQ_SUB);
  set_int(sub, ZMQ_HANDSHAKE_IVL, 200);
  set_int(sub, ZMQ_RECONNECT_IVL, 10);
  set_int(sub, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED);
  ASSERT_EQ(zmq_socket_monitor(sub, "inproc://stop-handshake", ZMQ_EVENT_ALL), 0);
  void* reader = make_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(reader, "inproc://stop-handshake"), 0);
  ASSERT_EQ(zmq_connect(sub, endpoint.c_str()), 0);
  std::vector<int> events;
  for (Event e = next_event(reader, 800); e.event != -1; e = next_event(reader, 800)) {
    events.push_back(e.event);
  }
  EXPECT_EQ(events,
            (std::vector<int>{ZMQ_EVENT_CONNECT_DELAYED, ZMQ_EVENT_CONNECTED,
                              ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ZMQ_EVENT_DISCONNECTED}));
  close_now(sub);
  close_now(raw);
  close_now(reader);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// ZMQ_HELLO_MSG: each new connection's first message, over tcp and inproc, both ways, before
// what was queued; ZMQ_DISCONNECT_MSG: an accepted peer's last message once it has gone.
void hello_and_disconnect(const std::string& endpoint_in, bool close_client) {
  void* ctx = zmq_ctx_new();
  void* server = make_socket(ctx, ZMQ_SERVER);
  ASSERT_EQ(zmq_setsockopt(server, ZMQ_HELLO_MSG, "W", 1), 0);
  ASSERT_EQ(zmq_setsockopt(server, ZMQ_DISCONNECT_MSG, "D", 1), 0);
  std::string endpoint = bind_any(server, endpoint_in);
  void* client = make_socket(ctx, ZMQ_CLIENT);
  ASSERT_EQ(zmq_setsockopt(client, ZMQ_HELLO_MSG, "H", 1), 0);
  ASSERT_EQ(zmq_setsockopt(client, ZMQ_DISCONNECT_MSG, "never", 5), 0);  // a connecter: none
  ASSERT_EQ(zmq_connect(client, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(client, "after hello"), 11);
  EXPECT_EQ(recv_str(client), "W");
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, server, 0), 1);
  EXPECT_EQ(std::string(static_cast<char*>(zmq_msg_data(&msg)), 1), "H");
  uint32_t client_id = zmq_msg_routing_id(&msg);
  EXPECT_NE(client_id, 0u);
  zmq_msg_close(&msg);
  EXPECT_EQ(recv_str(server), "after hello");
  if (close_client) {
    close_now(client);
  } else {
    ASSERT_EQ(zmq_disconnect(client, endpoint.c_str()), 0);
  }
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, server, 0), 1);
  EXPECT_EQ(std::string(static_cast<char*>(zmq_msg_data(&msg)), 1), "D");
  EXPECT_EQ(zmq_msg_routing_id(&msg), client_id);  // from the peer that went
  zmq_msg_close(&msg);
  if (!close_client) close_now(client);
  close_now(server);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(HelloDisconnectMsg, OverTcp) { hello_and_disconnect("tcp://127.0.0.1:*", true); }
TEST(HelloDisconnectMsg, OverInproc) { hello_and_disconnect("inproc://hello-bye", true); }
TEST(HelloDisconnectMsg, OverInprocDisconnect) {
  hello_and_disconnect("inproc://hello-bye-disconnect", false);
}

// Over inproc a connecter's hello is the first message even when the connect came before the
// bind and messages were queued meanwhile: libzmq writes it into the pipe at zmq_connect.
TEST(HelloDisconnectMsg, InprocHelloBeforeWhatWasQueuedBeforeTheBind) {
  void* ctx = zmq_ctx_new();
  void* client = make_socket(ctx, ZMQ_DEALER);
  ASSERT_EQ(zmq_setsockopt(client, ZMQ_HELLO_MSG, "H", 1), 0);
  ASSERT_EQ(zmq_connect(client, "inproc://hello-late-bind"), 0);
  ASSERT_EQ(send_str(client, "m1"), 2);
  ASSERT_EQ(send_str(client, "m2"), 2);
  void* server = make_socket(ctx, ZMQ_DEALER);
  ASSERT_EQ(zmq_bind(server, "inproc://hello-late-bind"), 0);
  EXPECT_EQ(recv_str(server), "H");
  EXPECT_EQ(recv_str(server), "m1");
  EXPECT_EQ(recv_str(server), "m2");
  close_now(server);
  close_now(client);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// Off by default, and only the types libzmq gives them to: a PUSH's hello is never sent.
TEST(HelloDisconnectMsg, OnlyForTheTypesThatHaveThem) {
  void* ctx = zmq_ctx_new();
  void* pull = make_socket(ctx, ZMQ_PULL, 300);
  std::string endpoint = bind_any(pull);
  void* push = make_socket(ctx, ZMQ_PUSH);
  ASSERT_EQ(zmq_setsockopt(push, ZMQ_HELLO_MSG, "H", 1), 0);
  ASSERT_EQ(zmq_connect(push, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(push, "m"), 1);
  EXPECT_EQ(recv_str(pull), "m");
  EXPECT_EQ(recv_str(pull), "<error Resource temporarily unavailable>");
  close_now(push);
  close_now(pull);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

// ZMQ_METADATA: the application's properties travel in the handshake and read back on each
// message from that peer with zmq_msg_gets; bad ones are refused.
TEST(Metadata, PropertiesReachThePeersMessages) {
  void* ctx = zmq_ctx_new();
  void* rep = make_socket(ctx, ZMQ_REP);
  void* req = make_socket(ctx, ZMQ_REQ);
  ASSERT_EQ(zmq_setsockopt(rep, ZMQ_METADATA, "X-hello:world", 13), 0);
  ASSERT_EQ(zmq_setsockopt(req, ZMQ_METADATA, "X-connection:primary", 20), 0);
  for (const char* bad : {":", "key:", ":value", "keyvalue", "Y-key:value"}) {
    EXPECT_EQ(zmq_setsockopt(rep, ZMQ_METADATA, bad, std::strlen(bad)), -1) << bad;
    EXPECT_EQ(zmq_errno(), EINVAL);
  }
  std::string endpoint = bind_any(rep);
  ASSERT_EQ(zmq_connect(req, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(req, "q"), 1);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, rep, 0), 1);
  const char* value = zmq_msg_gets(&msg, "X-connection");
  ASSERT_NE(value, nullptr);
  EXPECT_STREQ(value, "primary");
  EXPECT_EQ(zmq_msg_gets(&msg, "X-hello"), nullptr);  // our own is not the peer's
  ASSERT_EQ(zmq_msg_send(&msg, rep, 0), 1);
  zmq_msg_init(&msg);
  ASSERT_EQ(zmq_msg_recv(&msg, req, 0), 1);
  value = zmq_msg_gets(&msg, "X-hello");
  ASSERT_NE(value, nullptr);
  EXPECT_STREQ(value, "world");
  zmq_msg_close(&msg);
  close_now(req);
  close_now(rep);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
