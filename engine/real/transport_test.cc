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

}  // namespace
}  // namespace zlab::real
