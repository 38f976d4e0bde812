// STREAM over the loopback net, against a raw "TCP" peer (another STREAM socket).
#include <gtest/gtest.h>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {
namespace {

TEST(StreamTest, NotificationsDataAndCloseByEmptyFrame) {
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  net.bind(server, "tcp://s:1");
  net.connect(client, "tcp://s:1");
  Parts hello = recv_parts(net, server);  // connect notification: [id][""]
  ASSERT_EQ(hello.size(), 2u);
  EXPECT_EQ(hello[1], "");
  Parts client_hello = recv_parts(net, client);
  ASSERT_EQ(client_hello.size(), 2u);
  std::string server_id = client_hello[0];
  ASSERT_EQ(net.send_multipart(client, {server_id, "GET / HTTP/1.0\r\n\r\n"}), Err::kOk);
  Parts req = recv_parts(net, server);
  EXPECT_EQ(req, (Parts{hello[0], "GET / HTTP/1.0\r\n\r\n"}));
  net.send_multipart(server, {hello[0], "HTTP/1.0 200 OK\r\n\r\nhi"});
  net.send_multipart(server, {hello[0], ""});  // close after the response
  EXPECT_EQ(recv_parts(net, client), (Parts{server_id, "HTTP/1.0 200 OK\r\n\r\nhi"}));
  EXPECT_EQ(recv_parts(net, client), (Parts{server_id, ""}));  // disconnect notification
  // The side that closed gets none (libzmq; test_stream_disconnect).
  std::string nothing;
  EXPECT_EQ(net.recv(server, &nothing), Err::kAgain);
}

TEST(StreamTest, UnknownPeerIsUnreachable) {
  LoopbackNet net;
  SocketCore* s = net.socket(SocketType::kStream);
  EXPECT_EQ(net.send(s, "nobody", kSendMore), Err::kHostUnreachable);
}

TEST(StreamTest, OnlyTcp) {
  LoopbackNet net;
  SocketCore* s = net.socket(SocketType::kStream);
  EXPECT_EQ(net.bind(s, "ipc:///tmp/x"), Err::kNoCompatProto);
}

TEST(StreamTest, NotifyOff) {
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  set_int(server, opt::kStreamNotify, 0);
  net.bind(server, "tcp://s:1");
  net.connect(client, "tcp://s:1");
  Parts hello = recv_parts(net, client);
  net.send_multipart(client, {hello[0], "data"});
  Parts got = recv_parts(net, server);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "data");
}

// Receives one part with its metadata (recv_parts keeps only the bytes).
Msg recv_msg(LoopbackNet& net, SocketCore* s) {
  net.settle();
  Msg m;
  EXPECT_EQ(s->recv(&m, net.now_ns()), Err::kOk);
  net.settle();
  return m;
}

std::string peer_address(const Msg& m) {
  const std::string* v = m.metadata() == nullptr ? nullptr : m.metadata()->find("Peer-Address");
  return v == nullptr ? "(none)" : *v;
}

TEST(StreamTest, NotificationsCarryThePeerAddress) {
  // libzmq: zmq_msg_gets(routing id part, "Peer-Address") works on the connect and disconnect
  // notifications as on data (test_stream.cpp, test_stream_to_dealer).
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  net.bind(server, "tcp://s:1");
  net.connect(client, "tcp://s:1");
  Msg id = recv_msg(net, server);
  EXPECT_EQ(peer_address(id), "client");
  EXPECT_EQ(peer_address(recv_msg(net, server)), "client");  // the empty notification part
  Msg client_id = recv_msg(net, client);
  EXPECT_EQ(peer_address(client_id), "server");
  recv_msg(net, client);
  ASSERT_EQ(net.send(client, client_id.view(), kSendMore), Err::kOk);
  ASSERT_EQ(net.send(client, ""), Err::kOk);  // close
  Msg gone = recv_msg(net, server);
  EXPECT_EQ(gone.view(), id.view());
  EXPECT_EQ(peer_address(gone), "client");
  EXPECT_EQ(recv_msg(net, server).size(), 0u);
}

std::string get_routing_id(SocketCore* s) {
  uint8_t buf[256];
  size_t size = sizeof buf;
  EXPECT_EQ(s->get_option(opt::kRoutingId, buf, &size), Err::kOk);
  return std::string(reinterpret_cast<const char*>(buf), size);
}

TEST(StreamTest, RoutingIdOptionReadsTheLastGeneratedId) {
  // libzmq writes each id a STREAM generates into its ZMQ_ROUTING_ID, so a client reads its
  // server's id there (test_stream.cpp, test_stream_to_stream).
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  EXPECT_EQ(get_routing_id(client), "");
  net.bind(server, "tcp://s:1");
  net.connect(client, "tcp://s:1");
  Parts hello = recv_parts(net, client);
  std::string server_id = get_routing_id(client);
  EXPECT_EQ(server_id, hello[0]);
  ASSERT_EQ(net.send_multipart(client, {server_id, "ping"}), Err::kOk);
  Parts notify = recv_parts(net, server);
  EXPECT_EQ(get_routing_id(server), notify[0]);
  EXPECT_EQ(recv_parts(net, server), (Parts{notify[0], "ping"}));
  // Setting the option puts the application's value back until the next generated id.
  ASSERT_EQ(set_bytes(client, opt::kRoutingId, "mine"), Err::kOk);
  EXPECT_EQ(get_routing_id(client), "mine");
  // A failed set changes nothing.
  ASSERT_EQ(set_bytes(server, opt::kRoutingId, ""), Err::kInvalid);
  EXPECT_EQ(get_routing_id(server), notify[0]);
}

TEST(StreamTest, ClosingAConnectedPeerDoesNotReconnect) {
  // libzmq ends the connect's session when the application closes its connection: no
  // notification to the closing side, and no new connection later.
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  net.bind(server, "tcp://s:1");
  net.connect(client, "tcp://s:1");
  Parts hello = recv_parts(net, server);
  std::string server_id = recv_parts(net, client)[0];
  ASSERT_EQ(net.send_multipart(client, {server_id, ""}), Err::kOk);
  EXPECT_EQ(recv_parts(net, server), (Parts{hello[0], ""}));  // the peer learns it is gone
  net.advance_by(10'000 * proto::kNsPerMs);
  std::string nothing;
  EXPECT_EQ(net.recv(client, &nothing), Err::kAgain);
  EXPECT_EQ(net.recv(server, &nothing), Err::kAgain);  // no second connection
  EXPECT_EQ(net.send(client, server_id, kSendMore), Err::kHostUnreachable);
}

TEST(StreamTest, ConnectRoutingIdQueuesBeforeTheConnection) {
  // As ROUTER: the named peer is routable at once; the connect notification still waits for
  // the connection, and the bytes follow it (test_connect_rid, stream to stream).
  LoopbackNet net;
  SocketCore* server = net.socket(SocketType::kStream);
  SocketCore* client = net.socket(SocketType::kStream);
  set_bytes(client, opt::kConnectRoutingId, "conn1");
  ASSERT_EQ(net.connect(client, "tcp://s:1"), Err::kOk);  // refused: nothing listens yet
  ASSERT_EQ(net.send_multipart(client, {"conn1", "hi 1"}), Err::kOk);
  std::string nothing;
  EXPECT_EQ(net.recv(client, &nothing), Err::kAgain);  // no notification without a connection
  set_int(server, opt::kStreamNotify, 0);
  ASSERT_EQ(net.bind(server, "tcp://s:1"), Err::kOk);
  net.advance_by(1000 * proto::kNsPerMs);
  Parts got = recv_parts(net, server);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "hi 1");
  EXPECT_EQ(recv_parts(net, client), (Parts{"conn1", ""}));  // connect notification
}

}  // namespace
}  // namespace zlab::testing
