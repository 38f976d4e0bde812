// Sockets through the C API: types, endpoints and their errors, closed and invalid handles.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

class SocketTest : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = zmq_ctx_new(); }
  void TearDown() override { EXPECT_EQ(zmq_ctx_term(ctx_), 0); }
  void* ctx_ = nullptr;
};

TEST_F(SocketTest, EveryClassicTypeAndItsZmqType) {
  for (int type = ZMQ_PAIR; type <= ZMQ_STREAM; ++type) {
    void* s = zmq_socket(ctx_, type);
    ASSERT_NE(s, nullptr) << type;
    EXPECT_EQ(get_int(s, ZMQ_TYPE), type);
    EXPECT_EQ(zmq_close(s), 0);
  }
}

TEST_F(SocketTest, UnknownAndDraftTypesAreEinval) {
  for (int type : {-1, 12, 13, 19, 20, 21, 1000}) {
    errno = 0;
    EXPECT_EQ(zmq_socket(ctx_, type), nullptr) << type;
    EXPECT_EQ(errno, EINVAL);
  }
}

TEST_F(SocketTest, EndpointErrors) {
  void* s = zmq_socket(ctx_, ZMQ_PUSH);
  struct Case {
    int (*call)(void*, const char*);
    const char* endpoint;
    int expected_errno;
  };
  const Case cases[] = {
      {zmq_bind, nullptr, EINVAL},
      {zmq_connect, nullptr, EINVAL},
      {zmq_unbind, nullptr, EINVAL},
      {zmq_disconnect, nullptr, EINVAL},
      {zmq_bind, "foo://x", EPROTONOSUPPORT},
      {zmq_connect, "foo://x", EPROTONOSUPPORT},
      {zmq_bind, "no-transport", EINVAL},
      {zmq_bind, "tcp://nohost", EINVAL},
      {zmq_bind, "inproc://", EINVAL},
      {zmq_bind, "tcp://no.such.interface.invalid:1", ENODEV},  // libzmq's answer too
      {zmq_bind, "ipc://@", EINVAL},                            // an abstract socket needs a name
      {zmq_connect, "ipc://@", EINVAL},
      // connect checks a tcp address's syntax at once, as libzmq: no space, a numeric port.
      {zmq_connect, "tcp://in val id:1234", EINVAL},
      {zmq_connect, "tcp://localhost:invalid", EINVAL},
      {zmq_connect, "tcp://127.0.0.1:*", EINVAL},
      {zmq_connect, "tcp://", EINVAL},
      {zmq_unbind, "tcp://127.0.0.1:1", ENOENT},
      {zmq_disconnect, "tcp://127.0.0.1:1", ENOENT},
  };
  for (const Case& c : cases) {
    errno = 0;
    EXPECT_EQ(c.call(s, c.endpoint), -1) << (c.endpoint ? c.endpoint : "(null)");
    EXPECT_EQ(errno, c.expected_errno)
        << (c.endpoint ? c.endpoint : "(null)") << ": " << zmq_strerror(errno);
  }
  EXPECT_EQ(zmq_close(s), 0);
}

// Out of file descriptors, zmq_socket fails with EMFILE (test_many_sockets counts on it)
// instead of making a socket without its ZMQ_FD.
TEST_F(SocketTest, OutOfFileDescriptorsIsEmfile) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  void* first = zmq_socket(ctx_, ZMQ_PAIR);  // the I/O thread's descriptors are made now
  ASSERT_NE(first, nullptr);
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<void*> sockets;
  void* s = nullptr;
  while (sockets.size() < 100 && (s = zmq_socket(ctx_, ZMQ_PAIR)) != nullptr) sockets.push_back(s);
  int err = errno;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(err, EMFILE);
  EXPECT_LT(sockets.size(), 64u);
  for (void* open : sockets) EXPECT_EQ(zmq_close(open), 0);
  EXPECT_EQ(zmq_close(first), 0);
}

// A listening socket the application made: what ZMQ_USE_FD hands to zmq_bind.
int listening_tcp_fd(std::string* endpoint) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 16) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return -1;
  }
  *endpoint = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  return fd;
}

int listening_ipc_fd(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ::unlink(path.c_str());
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 16) != 0) {
    return -1;
  }
  return fd;
}

// ZMQ_USE_FD: zmq_bind listens on the application's socket instead of making one. Over tcp the
// address given is not used (the fd's own is reported); over ipc the file stays the
// application's (not unlinked on close); a blocking fd does not block the I/O thread.
TEST_F(SocketTest, BindOverAnApplicationsListeningFd) {
  std::string tcp;
  int tcp_fd = listening_tcp_fd(&tcp);
  ASSERT_GE(tcp_fd, 0);
  std::string path = "/tmp/zlab-use-fd-" + std::to_string(getpid());
  int ipc_fd = listening_ipc_fd(path);
  ASSERT_GE(ipc_fd, 0);
  struct Case {
    int fd;
    std::string bind;     // what zmq_bind is given
    std::string connect;  // where the peer connects
  };
  for (const Case& c :
       {Case{tcp_fd, "tcp://127.0.0.1:*", tcp}, Case{ipc_fd, "ipc://" + path, "ipc://" + path}}) {
    void* rep = make_socket(ctx_, ZMQ_REP);
    void* req = make_socket(ctx_, ZMQ_REQ);
    set_int(rep, ZMQ_USE_FD, c.fd);
    EXPECT_EQ(bind_any(rep, c.bind), c.connect);
    ASSERT_EQ(zmq_connect(req, c.connect.c_str()), 0);
    ASSERT_EQ(send_str(req, "ping"), 4);
    EXPECT_EQ(recv_str(rep), "ping");
    ASSERT_EQ(send_str(rep, "pong"), 4);
    EXPECT_EQ(recv_str(req), "pong");
    close_now(req);
    close_now(rep);
  }
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);  // the application's file: zlab leaves it
  ::unlink(path.c_str());
}

TEST_F(SocketTest, AddressInUse) {
  void* a = zmq_socket(ctx_, ZMQ_PULL);
  void* b = zmq_socket(ctx_, ZMQ_PULL);
  std::string endpoint = bind_any(a);
  errno = 0;
  EXPECT_EQ(zmq_bind(b, endpoint.c_str()), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(zmq_bind(a, "inproc://taken"), 0);
  EXPECT_EQ(zmq_bind(b, "inproc://taken"), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(zmq_close(a), 0);
  EXPECT_EQ(zmq_close(b), 0);
}

TEST_F(SocketTest, UnbindAndDisconnect) {
  void* pull = make_socket(ctx_, ZMQ_PULL);
  void* push = make_socket(ctx_, ZMQ_PUSH);
  std::string endpoint = bind_any(pull);
  ASSERT_EQ(zmq_connect(push, endpoint.c_str()), 0);
  ASSERT_EQ(send_str(push, "one"), 3);
  EXPECT_EQ(recv_str(pull), "one");
  EXPECT_EQ(zmq_disconnect(push, endpoint.c_str()), 0);
  EXPECT_EQ(zmq_unbind(pull, endpoint.c_str()), 0);
  errno = 0;
  EXPECT_EQ(zmq_unbind(pull, endpoint.c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  // The port is free again.
  EXPECT_EQ(zmq_bind(pull, endpoint.c_str()), 0);
  close_now(pull);
  close_now(push);
}

// As libzmq keys endpoints: a bind by what it resolved to (a wildcard names nothing), a connect
// by its text, and another spelling only through what it resolves to (probed on libzmq 4.3.4).
TEST_F(SocketTest, EndpointsAreFoundAsLibzmqKeysThem) {
  void* pull = make_socket(ctx_, ZMQ_PULL);
  std::string tcp = bind_any(pull);
  std::string ipc = bind_any(pull, "ipc://*");
  std::string any = bind_any(pull, "tcp://0.0.0.0:*");
  std::string any_port = any.substr(any.rfind(':') + 1);
  for (const std::string& wrong :
       {std::string("tcp://127.0.0.1:*"), std::string("tcp://127.0.0.1:0"), std::string("ipc://*"),
        "tcp://*:" + any_port}) {
    errno = 0;
    EXPECT_EQ(zmq_unbind(pull, wrong.c_str()), -1) << wrong;
    EXPECT_EQ(errno, ENOENT) << wrong;
  }
  for (const std::string& bound : {tcp, ipc, any}) {
    EXPECT_EQ(zmq_unbind(pull, bound.c_str()), 0) << bound;
  }

  std::string port = tcp.substr(tcp.rfind(':') + 1);
  void* push = make_socket(ctx_, ZMQ_PUSH);
  ASSERT_EQ(zmq_connect(push, ("tcp://127.0.0.1:" + port).c_str()), 0);
  EXPECT_EQ(zmq_disconnect(push, ("tcp://localhost:" + port).c_str()), 0);  // resolves to it
  ASSERT_EQ(zmq_connect(push, ("tcp://localhost:" + port).c_str()), 0);
  errno = 0;
  EXPECT_EQ(zmq_disconnect(push, ("tcp://127.0.0.1:" + port).c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(zmq_disconnect(push, ("tcp://localhost:" + port).c_str()), 0);
  close_now(push);
  close_now(pull);
}

TEST_F(SocketTest, ClosedSocketIsEnotsockEverywhere) {
  void* s = zmq_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_bind(s, "inproc://closed"), 0);
  ASSERT_EQ(zmq_close(s), 0);
  char buf[16];
  size_t size = sizeof buf;
  int v = 1;
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
  auto expect_enotsock = [](int rc, const char* what) {
    EXPECT_EQ(rc, -1) << what;
    EXPECT_EQ(errno, ENOTSOCK) << what;
  };
  errno = 0;
  expect_enotsock(zmq_close(s), "close");
  expect_enotsock(zmq_bind(s, "inproc://x"), "bind");
  expect_enotsock(zmq_connect(s, "inproc://x"), "connect");
  expect_enotsock(zmq_unbind(s, "inproc://closed"), "unbind");
  expect_enotsock(zmq_disconnect(s, "inproc://x"), "disconnect");
  expect_enotsock(zmq_send(s, "x", 1, 0), "send");
  expect_enotsock(zmq_send_const(s, "x", 1, 0), "send_const");
  expect_enotsock(zmq_recv(s, buf, sizeof buf, 0), "recv");
  expect_enotsock(zmq_msg_send(&msg, s, 0), "msg_send");
  expect_enotsock(zmq_msg_recv(&msg, s, 0), "msg_recv");
  expect_enotsock(zmq_setsockopt(s, ZMQ_LINGER, &v, sizeof v), "setsockopt");
  expect_enotsock(zmq_getsockopt(s, ZMQ_TYPE, buf, &size), "getsockopt");
  expect_enotsock(zmq_poll(&item, 1, 0), "poll");
  expect_enotsock(zmq_socket_monitor(s, "inproc://mon", ZMQ_EVENT_ALL), "socket_monitor");
  expect_enotsock(zmq_proxy(s, s, nullptr), "proxy");
  // The message given to the failed calls is untouched and still the caller's.
  EXPECT_EQ(zmq_msg_size(&msg), 0u);
  EXPECT_EQ(zmq_msg_close(&msg), 0);
}

TEST_F(SocketTest, NullAndForeignPointersAreEnotsock) {
  alignas(8) unsigned char garbage[256];
  for (size_t i = 0; i < sizeof garbage; ++i) garbage[i] = static_cast<unsigned char>(i * 7);
  void* bad[] = {nullptr, garbage, ctx_};
  for (void* s : bad) {
    errno = 0;
    EXPECT_EQ(zmq_close(s), -1);
    EXPECT_EQ(errno, ENOTSOCK);
    errno = 0;
    EXPECT_EQ(zmq_send(s, "x", 1, 0), -1);
    EXPECT_EQ(errno, ENOTSOCK);
    errno = 0;
    EXPECT_EQ(zmq_bind(s, "inproc://x"), -1);
    EXPECT_EQ(errno, ENOTSOCK);
  }
}

TEST_F(SocketTest, ManySocketsOpenedAndClosed) {
  // More than the context keeps of closed handles: the oldest are freed, nothing leaks.
  for (int i = 0; i < 5000; ++i) {
    void* s = zmq_socket(ctx_, ZMQ_DEALER);
    ASSERT_NE(s, nullptr) << i;
    ASSERT_EQ(zmq_close(s), 0);
  }
}

TEST_F(SocketTest, IncompatibleTransportIsEnocompatproto) {
  void* s = zmq_socket(ctx_, ZMQ_PUSH);
  errno = 0;
  EXPECT_EQ(zmq_bind(s, "udp://127.0.0.1:5555"), -1);
  EXPECT_TRUE(errno == ENOCOMPATPROTO || errno == EPROTONOSUPPORT) << zmq_strerror(errno);
  EXPECT_EQ(zmq_close(s), 0);
}

}  // namespace
