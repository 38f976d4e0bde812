// The ws:// transport through the C API: endpoints and ZMQ_LAST_ENDPOINT as libzmq 4.3.4
// reports them, the classic patterns over WebSocket, large and shared messages, heartbeats,
// and a peer that is not a WebSocket client (refused with an HTTP 400, the socket unharmed).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

class WsTransport : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = zmq_ctx_new(); }
  void TearDown() override { EXPECT_EQ(zmq_ctx_term(ctx_), 0); }
  void* ctx_ = nullptr;
};

std::string port_of(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  return endpoint.substr(colon + 1, endpoint.find('/', colon) - colon - 1);
}

TEST_F(WsTransport, LastEndpointHasAddressPortAndPath) {
  void* s = make_socket(ctx_, ZMQ_REP);
  std::string with_path = bind_any(s, "ws://*:*/roundtrip");
  EXPECT_EQ(with_path, "ws://0.0.0.0:" + port_of(with_path) + "/roundtrip");
  std::string without = bind_any(s, "ws://127.0.0.1:*");
  EXPECT_EQ(without, "ws://127.0.0.1:" + port_of(without) + "/");
  // Both unbind by what ZMQ_LAST_ENDPOINT said.
  EXPECT_EQ(zmq_unbind(s, with_path.c_str()), 0);
  EXPECT_EQ(zmq_unbind(s, without.c_str()), 0);
  EXPECT_EQ(zmq_close(s), 0);
}

TEST_F(WsTransport, EndpointErrors) {
  void* s = make_socket(ctx_, ZMQ_PAIR);
  struct Case {
    const char* endpoint;
    int expected;
  };
  for (const Case& c : {Case{"ws://127.0.0.1", EINVAL}, Case{"ws://127.0.0.1:/x", EINVAL},
                        Case{"ws://:*", EINVAL}, Case{"wss://127.0.0.1:*", EPROTONOSUPPORT}}) {
    errno = 0;
    EXPECT_EQ(zmq_bind(s, c.endpoint), -1) << c.endpoint;
    EXPECT_EQ(errno, c.expected) << c.endpoint;
  }
  std::string taken = bind_any(s, "ws://127.0.0.1:*");
  void* other = make_socket(ctx_, ZMQ_PAIR);
  errno = 0;
  EXPECT_EQ(zmq_bind(other, ("ws://127.0.0.1:" + port_of(taken)).c_str()), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(zmq_close(other), 0);
  EXPECT_EQ(zmq_close(s), 0);
}

TEST_F(WsTransport, HasWs) {
  EXPECT_EQ(zmq_has("ws"), 1);
  EXPECT_EQ(zmq_has("wss"), 0);
}

TEST_F(WsTransport, ReqRepRoundTripAndDisconnect) {
  void* rep = make_socket(ctx_, ZMQ_REP);
  void* req = make_socket(ctx_, ZMQ_REQ);
  std::string endpoint = bind_any(rep, "ws://127.0.0.1:*/rr");
  ASSERT_EQ(zmq_connect(req, endpoint.c_str()), 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(send_str(req, "ping " + std::to_string(i)), 6);
    EXPECT_EQ(recv_str(rep), "ping " + std::to_string(i));
    ASSERT_EQ(send_str(rep, "pong"), 4);
    EXPECT_EQ(recv_str(req), "pong");
  }
  EXPECT_EQ(zmq_disconnect(req, endpoint.c_str()), 0);
  EXPECT_EQ(zmq_close(req), 0);
  EXPECT_EQ(zmq_close(rep), 0);
}

TEST_F(WsTransport, RouterSeesTheDealersIdentityAndMultipart) {
  void* router = make_socket(ctx_, ZMQ_ROUTER);
  void* dealer = make_socket(ctx_, ZMQ_DEALER);
  ASSERT_EQ(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dee", 3), 0);
  std::string endpoint = bind_any(router, "ws://127.0.0.1:*");
  ASSERT_EQ(zmq_connect(dealer, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(dealer, "a", ZMQ_SNDMORE), 1);
  ASSERT_EQ(send_str(dealer, ""), 0);
  EXPECT_EQ(recv_str(router), "dee");
  EXPECT_EQ(recv_str(router), "a");
  EXPECT_EQ(recv_str(router), "");
  ASSERT_EQ(send_str(router, "dee", ZMQ_SNDMORE), 3);
  ASSERT_EQ(send_str(router, "back"), 4);
  EXPECT_EQ(recv_str(dealer), "back");
  EXPECT_EQ(zmq_close(dealer), 0);
  EXPECT_EQ(zmq_close(router), 0);
}

TEST_F(WsTransport, PubSubFiltersAndXpubSeesSubscriptions) {
  void* xpub = make_socket(ctx_, ZMQ_XPUB);
  void* sub = make_socket(ctx_, ZMQ_SUB);
  std::string endpoint = bind_any(xpub, "ws://127.0.0.1:*");
  ASSERT_EQ(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1), 0);
  ASSERT_EQ(zmq_connect(sub, endpoint.c_str()), 0);
  EXPECT_EQ(recv_str(xpub),
            "\x01"
            "A");
  ASSERT_EQ(send_str(xpub, "B-dropped"), 9);
  ASSERT_EQ(send_str(xpub, "A-kept"), 6);
  EXPECT_EQ(recv_str(sub), "A-kept");
  ASSERT_EQ(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "A", 1), 0);
  EXPECT_EQ(recv_str(xpub), std::string("\x00"
                                        "A",
                                        2));
  EXPECT_EQ(zmq_close(sub), 0);
  EXPECT_EQ(zmq_close(xpub), 0);
}

TEST_F(WsTransport, LargeAndSharedMessagesArriveIntactAndTheSendersCopyIsUntouched) {
  void* server = make_socket(ctx_, ZMQ_PAIR);
  void* client = make_socket(ctx_, ZMQ_PAIR);
  std::string endpoint = bind_any(server, "ws://127.0.0.1:*");
  ASSERT_EQ(zmq_connect(client, endpoint.c_str()), 0);
  for (size_t size : {size_t(0), size_t(125), size_t(126), size_t(65535), size_t(1) << 20}) {
    zmq_msg_t msg, copy;
    ASSERT_EQ(zmq_msg_init_size(&msg, size), 0);
    for (size_t i = 0; i < size; ++i) static_cast<unsigned char*>(zmq_msg_data(&msg))[i] = i % 251;
    zmq_msg_init(&copy);
    ASSERT_EQ(zmq_msg_copy(&copy, &msg), 0);  // shared: the client must mask into a copy
    ASSERT_EQ(zmq_msg_send(&msg, client, 0), int(size));
    zmq_msg_t got;
    zmq_msg_init(&got);
    ASSERT_EQ(zmq_msg_recv(&got, server, 0), int(size));
    const unsigned char* g = static_cast<const unsigned char*>(zmq_msg_data(&got));
    const unsigned char* c = static_cast<const unsigned char*>(zmq_msg_data(&copy));
    for (size_t i = 0; i < size; ++i) {
      ASSERT_EQ(g[i], i % 251) << size << " at " << i;
      ASSERT_EQ(c[i], i % 251) << size << " at " << i;
    }
    zmq_msg_close(&got);
    zmq_msg_close(&copy);
    // And back, unmasked from the server.
    ASSERT_EQ(zmq_send(server, "r", 1, 0), 1);
    EXPECT_EQ(recv_str(client), "r");
  }
  EXPECT_EQ(zmq_close(client), 0);
  EXPECT_EQ(zmq_close(server), 0);
}

TEST_F(WsTransport, HeartbeatsKeepAnIdleConnectionUp) {
  void* rep = make_socket(ctx_, ZMQ_REP);
  void* req = make_socket(ctx_, ZMQ_REQ);
  set_int(req, ZMQ_HEARTBEAT_IVL, 10);
  set_int(req, ZMQ_HEARTBEAT_TIMEOUT, 50);
  set_int(rep, ZMQ_HEARTBEAT_IVL, 10);
  set_int(req, ZMQ_RECONNECT_IVL, -1);  // a lost connection would stay lost
  std::string endpoint = bind_any(rep, "ws://127.0.0.1:*/hb");
  ASSERT_EQ(zmq_connect(req, endpoint.c_str()), 0);
  zmq_sleep(1);  // many intervals and timeouts: only the pongs keep it up
  ASSERT_EQ(send_str(req, "alive?"), 6);
  EXPECT_EQ(recv_str(rep), "alive?");
  EXPECT_EQ(zmq_close(req), 0);
  EXPECT_EQ(zmq_close(rep), 0);
}

TEST_F(WsTransport, ANonWebSocketPeerGetsA400AndTheSocketCarriesOn) {
  void* server = make_socket(ctx_, ZMQ_PULL);
  std::string endpoint = bind_any(server, "ws://127.0.0.1:*/x");
  // A raw TCP client (STREAM) speaking plain HTTP without the upgrade.
  void* raw = make_socket(ctx_, ZMQ_STREAM);
  ASSERT_EQ(zmq_connect(raw, ("tcp://127.0.0.1:" + port_of(endpoint)).c_str()), 0);
  std::string peer = recv_str(raw);  // the connect notification: routing id, then ""
  EXPECT_EQ(recv_str(raw), "");
  ASSERT_EQ(zmq_send(raw, peer.data(), peer.size(), ZMQ_SNDMORE), int(peer.size()));
  std::string request = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(send_str(raw, request), int(request.size()));
  std::string reply;
  while (reply.find("\r\n\r\n") == std::string::npos) {
    ASSERT_EQ(recv_str(raw), peer);
    std::string chunk = recv_str(raw);
    ASSERT_FALSE(chunk.empty()) << reply;  // "" would be the disconnect notification
    reply += chunk;
  }
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Upgrade"), std::string::npos) << reply;  // says what was missing
  EXPECT_EQ(zmq_close(raw), 0);
  // A real client still gets through.
  void* push = make_socket(ctx_, ZMQ_PUSH);
  ASSERT_EQ(zmq_connect(push, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(push, "ok"), 2);
  EXPECT_EQ(recv_str(server), "ok");
  EXPECT_EQ(zmq_close(push), 0);
  EXPECT_EQ(zmq_close(server), 0);
}

TEST_F(WsTransport, AZmtpClientOnAWsEndpointFailsTheHandshake) {
  void* server = make_socket(ctx_, ZMQ_PULL);
  std::string endpoint = bind_any(server, "ws://127.0.0.1:*");
  ASSERT_EQ(zmq_socket_monitor(server, "inproc://ws-mon", ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL), 0);
  void* mon = make_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(mon, "inproc://ws-mon"), 0);
  void* push = make_socket(ctx_, ZMQ_PUSH);
  set_int(push, ZMQ_RECONNECT_IVL, -1);
  ASSERT_EQ(zmq_connect(push, ("tcp://127.0.0.1:" + port_of(endpoint)).c_str()), 0);
  zmq_msg_t event;
  zmq_msg_init(&event);
  ASSERT_EQ(zmq_msg_recv(&event, mon, 0), 6);
  uint16_t kind = 0;
  std::memcpy(&kind, zmq_msg_data(&event), 2);
  EXPECT_EQ(kind, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
  zmq_msg_close(&event);
  EXPECT_EQ(zmq_close(push), 0);
  EXPECT_EQ(zmq_close(mon), 0);
  EXPECT_EQ(zmq_close(server), 0);
}

}  // namespace
