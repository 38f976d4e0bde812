// A ZMTP 2.0 peer (rfc 15, as JeroMQ 0.3 and libzmq 3.x speak it) against zlab's zmq.h sockets
// over real tcp, with zlab as binder and as connecter: the greeting arrives staged as libzmq
// stages it, identity frames are exchanged, messages flow both ways, a ROUTER takes the
// peer's identity as its routing id, and the monitor reports no handshake (as libzmq's).
// The peer's bytes come from the byte library (engine/wire/zmtp_bytes.h).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/wire/zmtp_bytes.h"

namespace {

using namespace zlab_api_test;
namespace zb = zlab::wire::bytes;

constexpr uint8_t kPull = 7, kPush = 8, kDealer = 5;

int port_of(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

int tcp_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// A listening socket on 127.0.0.1; its port in *port.
int tcp_listen(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd, 4), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

void write_all(int fd, const std::string& bytes) {
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
}

// Exactly n bytes, or what came within 5 s.
std::string read_n(int fd, size_t n) {
  std::string out;
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    char buf[256];
    ssize_t got = ::read(fd, buf, std::min(sizeof buf, n - out.size()));
    if (got <= 0) break;
    out.append(buf, size_t(got));
  }
  return out;
}

void* monitor(void* ctx, void* s, const char* endpoint) {
  EXPECT_EQ(zmq_socket_monitor(s, endpoint, ZMQ_EVENT_ALL), 0);
  void* reader = zmq_socket(ctx, ZMQ_PAIR);
  EXPECT_EQ(zmq_connect(reader, endpoint), 0);
  return reader;
}

// Every event the monitor has within 300 ms.
std::vector<int> events(void* reader) {
  std::vector<int> out;
  set_int(reader, ZMQ_RCVTIMEO, 300);
  for (;;) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, reader, 0) < 0) {
      zmq_msg_close(&msg);
      return out;
    }
    uint16_t event = 0;
    memcpy(&event, zmq_msg_data(&msg), sizeof event);
    out.push_back(event);
    zmq_msg_recv(&msg, reader, 0);  // the endpoint frame
    zmq_msg_close(&msg);
  }
}

bool has(const std::vector<int>& v, int e) { return std::find(v.begin(), v.end(), e) != v.end(); }

TEST(Zmtp20Peer, ConnectsToABoundPullAndIsHeard) {
  void* ctx = zmq_ctx_new();
  void* pull = make_socket(ctx, ZMQ_PULL);
  void* mon = monitor(ctx, pull, "inproc://zmtp20-pull");
  int fd = tcp_connect(port_of(bind_any(pull)));
  EXPECT_EQ(read_n(fd, 10), zb::raw_signature(1));  // no more before our signature
  write_all(fd, zb::greeting_v2(kPush));
  EXPECT_EQ(read_n(fd, 2), std::string("\x03\x07", 2));  // version major, then PULL
  EXPECT_EQ(read_n(fd, 2), zb::frame(""));               // its identity (none)
  write_all(fd, zb::frame("") + zb::message({"hello", "world"}));
  EXPECT_EQ(recv_str(pull), "hello");
  EXPECT_EQ(recv_str(pull), "world");
  auto seen = events(mon);
  EXPECT_TRUE(has(seen, ZMQ_EVENT_ACCEPTED));
  EXPECT_FALSE(has(seen, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));  // as libzmq: none for a 2.0 peer
  ::close(fd);
  zmq_close(mon);
  zmq_close(pull);
  zmq_ctx_term(ctx);
}

TEST(Zmtp20Peer, ListensForAConnectingPushAndHearsIt) {
  void* ctx = zmq_ctx_new();
  int port = 0;
  int listener = tcp_listen(&port);
  void* push = make_socket(ctx, ZMQ_PUSH);
  ASSERT_EQ(zmq_connect(push, ("tcp://127.0.0.1:" + std::to_string(port)).c_str()), 0);
  int fd = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(read_n(fd, 10), zb::raw_signature(1));
  write_all(fd, zb::greeting_v2(kPull) + zb::frame("peer"));
  EXPECT_EQ(read_n(fd, 2), std::string("\x03\x08", 2));
  EXPECT_EQ(read_n(fd, 2), zb::frame(""));
  ASSERT_EQ(send_str(push, "hi"), 2);
  EXPECT_EQ(read_n(fd, 4), zb::frame("hi"));
  ::close(fd);
  ::close(listener);
  zmq_close(push);
  zmq_ctx_term(ctx);
}

// The 2.0 identity frame plays the part of READY's Identity: a ROUTER routes by it.
TEST(Zmtp20Peer, ARouterTakesTheIdentityFrameAsRoutingId) {
  void* ctx = zmq_ctx_new();
  void* router = make_socket(ctx, ZMQ_ROUTER);
  int fd = tcp_connect(port_of(bind_any(router)));
  write_all(fd, zb::greeting_v2(kDealer) + zb::frame("jeromq") + zb::frame("x"));
  EXPECT_EQ(recv_str(router), "jeromq");
  EXPECT_EQ(recv_str(router), "x");
  ASSERT_EQ(send_str(router, "jeromq", ZMQ_SNDMORE), 6);
  ASSERT_EQ(send_str(router, "back"), 4);
  EXPECT_EQ(read_n(fd, 10 + 2 + 2),
            zb::raw_signature(1) + std::string("\x03\x06", 2) + zb::frame(""));
  EXPECT_EQ(read_n(fd, 6), zb::frame("back"));
  ::close(fd);
  zmq_close(router);
  zmq_ctx_term(ctx);
}

// An incompatible 2.0 peer is refused before any identity frame, and nothing is delivered.
TEST(Zmtp20Peer, AnIncompatibleTypeIsRefused) {
  void* ctx = zmq_ctx_new();
  void* pull = make_socket(ctx, ZMQ_PULL, 300);
  int fd = tcp_connect(port_of(bind_any(pull)));
  write_all(fd, zb::greeting_v2(kPull) + zb::frame("") + zb::frame("x"));
  EXPECT_EQ(read_n(fd, 64), zb::raw_signature(1) + std::string("\x03\x07", 2));  // then EOF
  EXPECT_EQ(recv_str(pull).rfind("<error", 0), 0u);  // nothing within its 300 ms
  ::close(fd);
  zmq_close(pull);
  zmq_ctx_term(ctx);
}

}  // namespace
