// The transport's syscalls: ZMQ_SNDBUF/ZMQ_RCVBUF reach the kernel on both ends of a tcp
// connection (listening, accepted and connecting sockets), and -1 leaves the OS default.
#include "engine/real/transport.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace zlab::real {
namespace {

int buffer_of(int fd, int which) {
  int v = 0;
  socklen_t len = sizeof v;
  EXPECT_EQ(getsockopt(fd, SOL_SOCKET, which, &v, &len), 0);
  return v;
}

Endpoint tcp(const std::string& address) {
  Endpoint e;
  e.transport = Transport::kTcp;
  e.address = address;
  e.text = "tcp://" + address;
  return e;
}

TEST(TransportTest, BufferSizesReachListeningAcceptedAndConnectingSockets) {
  Listening listening;
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {6000, 7000}, &listening), Err::kOk);
  // Linux doubles what is asked for (bookkeeping overhead) and reports the doubled value.
  EXPECT_EQ(buffer_of(listening.fd, SO_SNDBUF), 12000);
  EXPECT_EQ(buffer_of(listening.fd, SO_RCVBUF), 14000);
  std::string port = listening.resolved.substr(listening.resolved.rfind(':') + 1);
  bool in_progress = false;
  Err err = Err::kOk;
  int client = connect_to(tcp("127.0.0.1:" + port), false, {5000, 4500}, &in_progress, &err);
  ASSERT_GE(client, 0) << err_name(err);
  EXPECT_EQ(buffer_of(client, SO_SNDBUF), 10000);
  EXPECT_EQ(buffer_of(client, SO_RCVBUF), 9000);
  pollfd p{listening.fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  std::string peer;
  int server = accept_from(listening.fd, &peer, &err);
  ASSERT_GE(server, 0) << err_name(err);
  EXPECT_EQ(buffer_of(server, SO_SNDBUF), 12000);  // inherited from the listener
  EXPECT_EQ(buffer_of(server, SO_RCVBUF), 14000);
  ::close(server);
  ::close(client);
  close_listening(listening);
}

TEST(TransportTest, DefaultBuffersAreTheKernels) {
  Listening plain;
  Listening sized;
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {}, &plain), Err::kOk);
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {0, 0}, &sized), Err::kOk);
  EXPECT_EQ(buffer_of(plain.fd, SO_SNDBUF), buffer_of(sized.fd, SO_SNDBUF));  // 0: OS default
  EXPECT_GT(buffer_of(plain.fd, SO_SNDBUF), 0);
  close_listening(plain);
  close_listening(sized);
}

Endpoint ws(const std::string& address) {
  ParsedEndpoint parsed = parse_endpoint("ws://" + address);
  EXPECT_TRUE(parsed.endpoint.has_value()) << address;
  return parsed.endpoint.value_or(Endpoint{});
}

TEST(TransportTest, WsListenReportsAddressPortAndPathAsLibzmq) {
  struct Case {
    std::string address;
    std::string prefix;  // before the port
    std::string suffix;  // after it
  };
  // libzmq 4.3.4: ws://*:*/roundtrip -> ws://0.0.0.0:PORT/roundtrip; no path -> "/".
  for (const Case& c : {Case{"*:*/roundtrip", "ws://0.0.0.0:", "/roundtrip"},
                        Case{"127.0.0.1:*", "ws://127.0.0.1:", "/"},
                        Case{"127.0.0.1:0/a/b", "ws://127.0.0.1:", "/a/b"}}) {
    Listening listening;
    ASSERT_EQ(listen_on(ws(c.address), false, 16, {}, &listening), Err::kOk) << c.address;
    const std::string& r = listening.resolved;
    ASSERT_EQ(r.rfind(c.prefix, 0), 0u) << r;
    ASSERT_GE(r.size(), c.prefix.size() + c.suffix.size() + 1) << r;
    EXPECT_EQ(r.substr(r.size() - c.suffix.size()), c.suffix) << r;
    std::string port = r.substr(c.prefix.size(), r.size() - c.prefix.size() - c.suffix.size());
    EXPECT_GT(std::stoi(port), 0) << r;
    // A connect to the reported endpoint reaches the listener.
    bool in_progress = false;
    Err err = Err::kOk;
    std::string target = r.substr(5);
    if (target.rfind("0.0.0.0", 0) == 0) target.replace(0, 7, "127.0.0.1");
    int client = connect_to(ws(target), false, {}, &in_progress, &err);
    ASSERT_GE(client, 0) << err_name(err);
    pollfd p{listening.fd, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    ::close(client);
    close_listening(listening);
  }
}

TEST(TransportTest, WsEndpointsNeedHostAndPort) {
  for (const char* bad :
       {"ws://127.0.0.1", "ws://127.0.0.1:/x", "ws://:5555", "ws://", "ws:///x"}) {
    EXPECT_EQ(parse_endpoint(bad).err, Err::kInvalid) << bad;
  }
  EXPECT_EQ(parse_endpoint("wss://127.0.0.1:5555").err, Err::kProtoNotSupported);
  Listening listening;
  EXPECT_EQ(listen_on(ws("127.0.0.1:x/p"), false, 16, {}, &listening), Err::kInvalid);
  WsAddress a = split_ws_address("[::1]:5555/x/y");
  EXPECT_EQ(a.host_port, "[::1]:5555");
  EXPECT_EQ(a.path, "/x/y");
  EXPECT_EQ(split_ws_address("h:1").path, "/");
}

}  // namespace
}  // namespace zlab::real
