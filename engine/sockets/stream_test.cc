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
  EXPECT_EQ(recv_parts(net, server), (Parts{hello[0], ""}));
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

}  // namespace
}  // namespace zlab::testing
