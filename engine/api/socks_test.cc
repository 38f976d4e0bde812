// ZMQ_SOCKS_PROXY, ZMQ_SOCKS_USERNAME and ZMQ_SOCKS_PASSWORD through the C API: the option
// values libzmq takes and refuses, and tcp connects through a small SOCKS5 proxy run by the test
// (plain POSIX sockets): IPv4 and name targets, username/password, and proxies that refuse.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

// Draft in zmq.h 4.3.4; the library takes them all the same (as Debian's libzmq does).
#ifndef ZMQ_SOCKS_USERNAME
#define ZMQ_SOCKS_USERNAME 99
#define ZMQ_SOCKS_PASSWORD 100
#endif

namespace {

using namespace zlab_api_test;

// What the proxy does with each client.
struct ProxyRules {
  std::string user;  // non-empty: demand username/password (method 2) with these
  std::string pass;
  uint8_t rep = 0;  // non-zero: refuse the CONNECT with this code
};

// A SOCKS5 proxy on 127.0.0.1 for one test: serves clients one at a time, in its own thread,
// relaying bytes both ways; resolves only "localhost".
class TinySocks5 {
 public:
  explicit TinySocks5(ProxyRules rules) : rules_(std::move(rules)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    address_ = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    thread_ = std::thread([this] { serve(); });
  }
  ~TinySocks5() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  const std::string& address() const { return address_; }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // Reads exactly n bytes (false: the client went away or the proxy is stopping).
  bool read_exact(int fd, uint8_t* out, size_t n) {
    while (n > 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) == 0) {
        if (stop_) return false;
        continue;
      }
      ssize_t r = ::recv(fd, out, n, 0);
      if (r <= 0) return false;
      out += r;
      n -= size_t(r);
    }
    return true;
  }
  void write_all(int fd, const std::vector<uint8_t>& bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  void serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      int remote = handshake(client);
      if (remote >= 0) relay(client, remote);
      if (remote >= 0) ::close(remote);
      ::close(client);
    }
  }

  // The proxy's side of RFC 1928 / 1929; returns the connection to the target, or -1.
  int handshake(int client) {
    uint8_t buf[512];
    if (!read_exact(client, buf, 2) || buf[0] != 5 || !read_exact(client, buf + 2, buf[1])) {
      return -1;
    }
    uint8_t want = rules_.user.empty() ? 0 : 2;
    uint8_t method = 0xff;
    for (int i = 0; i < buf[1]; ++i) {
      if (buf[2 + i] == want) method = want;
    }
    write_all(client, {5, method});
    if (method == 0xff) return -1;
    if (method == 2) {
      std::string user, pass;
      if (!read_exact(client, buf, 2) || !read_exact(client, buf + 2, buf[1])) return -1;
      user.assign(reinterpret_cast<char*>(buf + 2), buf[1]);
      if (!read_exact(client, buf, 1) || !read_exact(client, buf + 1, buf[0])) return -1;
      pass.assign(reinterpret_cast<char*>(buf + 1), buf[0]);
      bool ok = user == rules_.user && pass == rules_.pass;
      write_all(client, {1, uint8_t(ok ? 0 : 1)});
      if (!ok) return -1;
    }
    if (!read_exact(client, buf, 4) || buf[0] != 5 || buf[1] != 1 || buf[2] != 0) return -1;
    std::string host;
    uint32_t ip = 0;
    if (buf[3] == 1) {
      if (!read_exact(client, buf, 4)) return -1;
      std::memcpy(&ip, buf, 4);
      char text[INET_ADDRSTRLEN];
      host = inet_ntop(AF_INET, buf, text, sizeof text);
    } else if (buf[3] == 3) {
      if (!read_exact(client, buf, 1) || !read_exact(client, buf + 1, buf[0])) return -1;
      host.assign(reinterpret_cast<char*>(buf + 1), buf[0]);
      if (host == "localhost") ip = htonl(INADDR_LOOPBACK);
    } else {
      return -1;
    }
    uint8_t port[2];
    if (!read_exact(client, port, 2)) return -1;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(host + ":" + std::to_string(port[0] << 8 | port[1]));
    }
    int remote = -1;
    uint8_t rep = rules_.rep;
    if (rep == 0) {
      remote = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = ip;
      std::memcpy(&a.sin_port, port, 2);
      if (ip == 0 || ::connect(remote, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) rep = 5;
    }
    write_all(client, {5, rep, 0, 1, 127, 0, 0, 1, 0, 0});
    if (rep != 0 && remote >= 0) ::close(remote);
    return rep == 0 ? remote : -1;
  }

  void relay(int client, int remote) {
    uint8_t buf[4096];
    while (!stop_) {
      pollfd p[2] = {{client, POLLIN, 0}, {remote, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (p[i].revents == 0) continue;
        ssize_t r = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (r <= 0) return;
        ::send(p[1 - i].fd, buf, size_t(r), MSG_NOSIGNAL);
      }
    }
  }

  ProxyRules rules_;
  int listen_fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

class Socks : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = zmq_ctx_new(); }
  void TearDown() override { EXPECT_EQ(zmq_ctx_term(ctx_), 0); }

  // A PULL connecting to a fresh PUSH through `proxy` (with `user`/`pass` when given); returns
  // whether a message got through within `wait_ms`. `target_host` replaces 127.0.0.1.
  bool delivered(const std::string& proxy, const char* user, const char* pass,
                 const std::string& target_host = "127.0.0.1", int wait_ms = 5000) {
    void* push = make_socket(ctx_, ZMQ_PUSH, wait_ms);
    std::string bound = bind_any(push);
    std::string port = bound.substr(bound.rfind(':') + 1);
    void* pull = make_socket(ctx_, ZMQ_PULL, wait_ms);
    set_int(pull, ZMQ_RECONNECT_IVL, 20);
    EXPECT_EQ(zmq_setsockopt(pull, ZMQ_SOCKS_PROXY, proxy.data(), proxy.size()), 0);
    if (user != nullptr) {
      EXPECT_EQ(zmq_setsockopt(pull, ZMQ_SOCKS_USERNAME, user, std::strlen(user)), 0);
    }
    if (pass != nullptr) {
      EXPECT_EQ(zmq_setsockopt(pull, ZMQ_SOCKS_PASSWORD, pass, std::strlen(pass)), 0);
    }
    std::string target = "tcp://" + target_host + ":" + port;
    EXPECT_EQ(zmq_connect(pull, target.c_str()), 0) << target;
    // PUSH waits for a peer: through a refusing proxy there is none, and the send times out.
    bool ok = send_str(push, "through the proxy") == 17 && recv_str(pull) == "through the proxy";
    close_now(pull);
    close_now(push);
    port_ = port;
    return ok;
  }
  std::string get_string(void* s, int option) {
    char buf[512];
    std::memset(buf, 'x', sizeof buf);
    size_t size = sizeof buf;
    EXPECT_EQ(zmq_getsockopt(s, option, buf, &size), 0);
    EXPECT_EQ(size, std::strlen(buf) + 1);
    return buf;
  }
  void* ctx_ = nullptr;
  std::string port_;
};

TEST_F(Socks, ProxyOptionValues) {
  void* s = make_socket(ctx_, ZMQ_SUB);
  EXPECT_EQ(get_string(s, ZMQ_SOCKS_PROXY), "");
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_SOCKS_PROXY, "somehost:1080", 13), 0);
  EXPECT_EQ(get_string(s, ZMQ_SOCKS_PROXY), "somehost:1080");
  // Empty but not NULL: refused, the value stays. NULL: off.
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_SOCKS_PROXY, "", 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(get_string(s, ZMQ_SOCKS_PROXY), "somehost:1080");
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_SOCKS_PROXY, nullptr, 0), 0);
  EXPECT_EQ(get_string(s, ZMQ_SOCKS_PROXY), "");
  char small[4];
  size_t size = sizeof small;
  ASSERT_EQ(zmq_setsockopt(s, ZMQ_SOCKS_PROXY, "h:1080", 6), 0);
  EXPECT_EQ(zmq_getsockopt(s, ZMQ_SOCKS_PROXY, small, &size), -1);
  EXPECT_EQ(errno, EINVAL);
  close_now(s);
}

TEST_F(Socks, CredentialOptionValues) {
  void* s = make_socket(ctx_, ZMQ_SUB);
  std::string max(255, 'a');
  std::string over(256, 'a');
  for (int option : {ZMQ_SOCKS_USERNAME, ZMQ_SOCKS_PASSWORD}) {
    EXPECT_EQ(get_string(s, option), "") << option;
    EXPECT_EQ(zmq_setsockopt(s, option, "someuser", 8), 0);
    EXPECT_EQ(get_string(s, option), "someuser");
    EXPECT_EQ(zmq_setsockopt(s, option, max.data(), max.size()), 0);
    EXPECT_EQ(get_string(s, option), max);
    EXPECT_EQ(zmq_setsockopt(s, option, over.data(), over.size()), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(zmq_setsockopt(s, option, "", 0), 0);  // "" and NULL both mean none
    EXPECT_EQ(get_string(s, option), "");
    EXPECT_EQ(zmq_setsockopt(s, option, "x", 1), 0);
    EXPECT_EQ(zmq_setsockopt(s, option, nullptr, 0), 0);
    EXPECT_EQ(get_string(s, option), "");
  }
  close_now(s);
}

TEST_F(Socks, ConnectsThroughTheProxy) {
  TinySocks5 proxy({});
  EXPECT_TRUE(delivered(proxy.address(), nullptr, nullptr));
  EXPECT_EQ(proxy.requests(), std::vector<std::string>{"127.0.0.1:" + port_});
}

TEST_F(Socks, NamesAreTheProxysToResolve) {
  TinySocks5 proxy({});
  EXPECT_TRUE(delivered(proxy.address(), nullptr, nullptr, "localhost"));
  EXPECT_EQ(proxy.requests(), std::vector<std::string>{"localhost:" + port_});
}

TEST_F(Socks, UsernameAndPassword) {
  TinySocks5 proxy({"someuser", "somepass"});
  EXPECT_TRUE(delivered(proxy.address(), "someuser", "somepass"));
  TinySocks5 no_password({"someuser", ""});
  EXPECT_TRUE(delivered(no_password.address(), "someuser", nullptr));
}

TEST_F(Socks, RefusedCredentialsNeverConnectAndRetry) {
  TinySocks5 proxy({"someuser", "somepass"});
  EXPECT_FALSE(delivered(proxy.address(), "someuser", "wrong", "127.0.0.1", 500));
  EXPECT_GE(proxy.connections(), 2);  // failed like any connect: retried
  EXPECT_TRUE(proxy.requests().empty());
}

TEST_F(Socks, NoCredentialsForAProxyThatWantsThem) {
  TinySocks5 proxy({"someuser", "somepass"});
  EXPECT_FALSE(delivered(proxy.address(), nullptr, nullptr, "127.0.0.1", 500));
  EXPECT_TRUE(proxy.requests().empty());
}

TEST_F(Socks, RefusedConnectRetries) {
  TinySocks5 proxy({"", "", 0x05});
  EXPECT_FALSE(delivered(proxy.address(), nullptr, nullptr, "127.0.0.1", 500));
  EXPECT_GE(proxy.requests().size(), 2u);
}

TEST_F(Socks, NoProxyListeningIsAFailedConnect) {
  std::string nowhere;
  {
    TinySocks5 gone({});
    nowhere = gone.address();
  }
  EXPECT_FALSE(delivered(nowhere, nullptr, nullptr, "127.0.0.1", 300));
}

TEST_F(Socks, NullProxyConnectsDirectly) {
  void* push = make_socket(ctx_, ZMQ_PUSH);
  std::string bound = bind_any(push);
  void* pull = make_socket(ctx_, ZMQ_PULL);
  ASSERT_EQ(zmq_setsockopt(pull, ZMQ_SOCKS_PROXY, "127.0.0.1:9", 11), 0);
  ASSERT_EQ(zmq_setsockopt(pull, ZMQ_SOCKS_PROXY, nullptr, 0), 0);
  ASSERT_EQ(zmq_connect(pull, bound.c_str()), 0);
  EXPECT_EQ(send_str(push, "direct"), 6);
  EXPECT_EQ(recv_str(pull), "direct");
  close_now(pull);
  close_now(push);
}

}  // namespace
