// The real driver against byte-level peers on loopback: malformed ZMTP from a raw TCP client
// closes that connection only (with an ERROR command where ZMTP allows one) while a good peer
// keeps working; STREAM against plain TCP clients and servers; IPv6; endpoint churn.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/real/context.h"
#include "engine/real/socket.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::real {
namespace {

using wire::bytes::Bytes;
using wire::bytes::greeting;
using wire::bytes::raw_frame;
using wire::bytes::raw_frame_header;
using wire::bytes::raw_signature;

Bytes ready(std::string_view type) { return wire::bytes::ready_socket_type(type); }

std::shared_ptr<Socket> make(Context& ctx, SocketType type) {
  Err err;
  auto s = ctx.create_socket(type, &err);
  EXPECT_EQ(err, Err::kOk);
  int zero = 0;
  s->set_option(opt::kLinger, {reinterpret_cast<uint8_t*>(&zero), sizeof zero});
  return s;
}

void set_int(Socket& s, int id, int v) {
  ASSERT_EQ(s.set_option(id, {reinterpret_cast<const uint8_t*>(&v), sizeof v}), Err::kOk);
}

std::string endpoint_of(Socket& s) {
  char buf[256];
  size_t size = sizeof buf;
  s.get_option(opt::kLastEndpoint, reinterpret_cast<uint8_t*>(buf), &size);
  return std::string(buf, size - 1);
}

int port_of(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

int raw_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void raw_send(int fd, const Bytes& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
}

// Everything the peer sends until it closes (or `timeout_ms` passes: then closed is false).
Bytes read_until_closed(int fd, int timeout_ms, bool* closed) {
  Bytes out;
  *closed = false;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return out;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *closed = true;
      return out;
    }
    out.append(buf, size_t(n));
  }
}

struct BadCase {
  const char* name;
  Bytes bytes;
  bool expect_error_command;
};

TEST(RawPeerTest, MalformedPeersAreClosedAndGoodPeersKeepWorking) {
  Context ctx;
  auto pull = make(ctx, SocketType::kPull);
  int64_t max_msg_size = 1000;  // an int64_t, as libzmq takes it
  ASSERT_EQ(pull->set_option(opt::kMaxMsgSize, {reinterpret_cast<const uint8_t*>(&max_msg_size),
                                                sizeof max_msg_size}),
            Err::kOk);
  set_int(*pull, opt::kRcvTimeo, 5000);
  ASSERT_EQ(pull->bind("tcp://127.0.0.1:*"), Err::kOk);
  std::string endpoint = endpoint_of(*pull);
  auto good = make(ctx, SocketType::kPush);
  ASSERT_EQ(good->connect(endpoint), Err::kOk);

  std::vector<BadCase> cases = {
      {"wrong signature", "GET / HTTP/1.1\r\n\r\n", false},
      {"ZMTP 1.0 greeting", Bytes("\x01\x00", 2), false},
      {"ZMTP 2.0 greeting", raw_signature(1, 0x7F) + "\x01\x05", false},
      {"mechanism mismatch", greeting("PLAIN", false), false},
      {"incompatible socket type", greeting() + ready("PUB"), true},
      {"reserved flag bits", greeting() + ready("PUSH") + raw_frame(0x10, "x"), true},
      {"oversize frame", greeting() + ready("PUSH") + raw_frame_header(0, 2000, true), true},
      {"unknown command", greeting() + ready("PUSH") + wire::bytes::command("HELLO"), true},
      {"truncated command", greeting() + ready("PUSH") + raw_frame(0x04, "\x09PI"), true},
      {"data before READY", greeting() + wire::bytes::frame("early"), true},
  };
  int round = 0;
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    int fd = raw_connect(port_of(endpoint));
    raw_send(fd, c.bytes);
    bool closed = false;
    Bytes got = read_until_closed(fd, 5000, &closed);
    EXPECT_TRUE(closed) << "zlab kept a malformed connection open";
    EXPECT_EQ(wire::bytes::parse_stream(got).has_command("ERROR"), c.expect_error_command);
    ::close(fd);
    // The good peer is unaffected.
    Msg m = Msg::copy_of(std::string_view("still here " + std::to_string(round)));
    ASSERT_EQ(good->send(m, 0), Err::kOk);
    Msg r;
    ASSERT_EQ(pull->recv(&r, 0), Err::kOk);
    EXPECT_EQ(r.view(), "still here " + std::to_string(round));
    ++round;
  }
}

TEST(RawPeerTest, StreamServesAPlainTcpClient) {
  Context ctx;
  auto stream = make(ctx, SocketType::kStream);
  set_int(*stream, opt::kRcvTimeo, 5000);
  ASSERT_EQ(stream->bind("tcp://127.0.0.1:*"), Err::kOk);
  int fd = raw_connect(port_of(endpoint_of(*stream)));
  Msg id;
  Msg body;
  ASSERT_EQ(stream->recv(&id, 0), Err::kOk);  // connect notification
  ASSERT_EQ(stream->recv(&body, 0), Err::kOk);
  EXPECT_EQ(body.size(), 0u);
  raw_send(fd, "hello");
  Msg id2;
  ASSERT_EQ(stream->recv(&id2, 0), Err::kOk);
  ASSERT_EQ(stream->recv(&body, 0), Err::kOk);
  EXPECT_EQ(id2.view(), id.view());
  EXPECT_EQ(body.view(), "hello");
  Msg out_id = Msg::copy_of(id.view());
  Msg out = Msg::copy_of(std::string_view("world"));
  ASSERT_EQ(stream->send(out_id, kSendMoreFlag), Err::kOk);
  ASSERT_EQ(stream->send(out, 0), Err::kOk);
  Msg close_id = Msg::copy_of(id.view());
  Msg empty;
  ASSERT_EQ(stream->send(close_id, kSendMoreFlag), Err::kOk);
  ASSERT_EQ(stream->send(empty, 0), Err::kOk);  // close after the reply
  bool closed = false;
  EXPECT_EQ(read_until_closed(fd, 5000, &closed), "world");
  EXPECT_TRUE(closed);
  ::close(fd);
  // The application closed it: no disconnect notification (libzmq sends none either).
  set_int(*stream, opt::kRcvTimeo, 200);
  EXPECT_EQ(stream->recv(&id2, 0), Err::kAgain);
}

TEST(RawPeerTest, StreamConnectsToAPlainTcpServer) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof a;
  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  Context ctx;
  auto stream = make(ctx, SocketType::kStream);
  set_int(*stream, opt::kRcvTimeo, 5000);
  ASSERT_EQ(stream->connect("tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port))), Err::kOk);
  int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  Msg id;
  Msg body;
  ASSERT_EQ(stream->recv(&id, 0), Err::kOk);
  ASSERT_EQ(stream->recv(&body, 0), Err::kOk);  // connect notification
  Msg out_id = Msg::copy_of(id.view());
  Msg out = Msg::copy_of(std::string_view("ping"));
  ASSERT_EQ(stream->send(out_id, kSendMoreFlag), Err::kOk);
  ASSERT_EQ(stream->send(out, 0), Err::kOk);
  char buf[16];
  ASSERT_EQ(::recv(server, buf, 4, MSG_WAITALL), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  ::close(server);  // the server goes away: a disconnect notification
  ASSERT_EQ(stream->recv(&id, 0), Err::kOk);
  ASSERT_EQ(stream->recv(&body, 0), Err::kOk);
  EXPECT_EQ(body.size(), 0u);
  ::close(listener);
}

TEST(RawPeerTest, Ipv6Loopback) {
  int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6 on this machine";
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_addr = in6addr_loopback;
  bool usable = ::bind(probe, reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0;
  ::close(probe);
  if (!usable) GTEST_SKIP() << "no IPv6 loopback on this machine";
  Context ctx;
  auto pull = make(ctx, SocketType::kPull);
  auto push = make(ctx, SocketType::kPush);
  for (auto* s : {pull.get(), push.get()}) set_int(*s, opt::kIpv6, 1);
  set_int(*pull, opt::kRcvTimeo, 5000);
  ASSERT_EQ(pull->bind("tcp://[::1]:*"), Err::kOk);
  std::string endpoint = endpoint_of(*pull);
  EXPECT_EQ(endpoint.rfind("tcp://[::1]:", 0), 0u) << endpoint;
  ASSERT_EQ(push->connect(endpoint), Err::kOk);
  Msg m = Msg::copy_of(std::string_view("v6"));
  ASSERT_EQ(push->send(m, 0), Err::kOk);
  Msg r;
  ASSERT_EQ(pull->recv(&r, 0), Err::kOk);
  EXPECT_EQ(r.view(), "v6");
}

TEST(RawPeerTest, BindUnbindConnectDisconnectManyTimes) {
  Context ctx;
  auto pull = make(ctx, SocketType::kPull);
  auto push = make(ctx, SocketType::kPush);
  set_int(*pull, opt::kRcvTimeo, 5000);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(pull->bind("tcp://127.0.0.1:*"), Err::kOk);
    std::string endpoint = endpoint_of(*pull);
    ASSERT_EQ(push->connect(endpoint), Err::kOk);
    Msg m = Msg::copy_of(std::string_view("round " + std::to_string(i)));
    ASSERT_EQ(push->send(m, 0), Err::kOk);
    Msg r;
    ASSERT_EQ(pull->recv(&r, 0), Err::kOk);
    EXPECT_EQ(r.view(), "round " + std::to_string(i));
    ASSERT_EQ(push->disconnect(endpoint), Err::kOk);
    ASSERT_EQ(pull->unbind(endpoint), Err::kOk);
    EXPECT_EQ(pull->unbind(endpoint), Err::kNoEntry);
  }
  ASSERT_EQ(pull->bind("ipc://*"), Err::kOk);
  ASSERT_EQ(pull->bind("inproc://churn"), Err::kOk);
  ASSERT_EQ(push->connect("inproc://churn"), Err::kOk);
  Msg m = Msg::copy_of(std::string_view("end"));
  ASSERT_EQ(push->send(m, 0), Err::kOk);
  Msg r;
  ASSERT_EQ(pull->recv(&r, 0), Err::kOk);
  EXPECT_EQ(r.view(), "end");
}

}  // namespace
}  // namespace zlab::real
