// ZMQ_TCP_ACCEPT_FILTER and ZMQ_IPC_FILTER_UID/GID/PID through the C API: which peers a
// listener keeps, that a refused peer is closed at once without an ACCEPTED event, clearing
// with NULL, and the bad values libzmq refuses.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

constexpr int kRefusedWaitMs = 300;  // long enough for a kept peer's message to arrive

class AcceptFilter : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = zmq_ctx_new(); }
  void TearDown() override { EXPECT_EQ(zmq_ctx_term(ctx_), 0); }

  // Binds `server` (filters already set) at `endpoint`, connects a PAIR (over IPv4 to a tcp
  // wildcard), and reports whether a message from the client reaches the server.
  bool delivered(void* server, const std::string& endpoint) {
    std::string bound = bind_any(server, endpoint);
    if (endpoint.rfind("tcp://*:", 0) == 0)
      bound = "tcp://127.0.0.1" + bound.substr(bound.rfind(':'));
    void* client = make_socket(ctx_, ZMQ_PAIR, kRefusedWaitMs);
    EXPECT_EQ(zmq_connect(client, bound.c_str()), 0);
    set_int(server, ZMQ_RCVTIMEO, kRefusedWaitMs * 5);
    send_str(client, "hello");
    std::string got = recv_str(server);
    close_now(client);
    return got == "hello";
  }
  void* pair() { return make_socket(ctx_, ZMQ_PAIR); }
  void* ctx_ = nullptr;
};

int set_filter(void* s, const char* filter) {
  return zmq_setsockopt(s, ZMQ_TCP_ACCEPT_FILTER, filter, std::strlen(filter));
}

template <typename T>
int set_id(void* s, int option, T id) {
  return zmq_setsockopt(s, option, &id, sizeof id);
}

TEST_F(AcceptFilter, BadFiltersAreEinval) {
  void* s = pair();
  for (const char* bad : {"foo", "0.0.0.0foo", "0.0.0.0/foo", "0.0.0.0/", "0.0.0.0/-1",
                          "0.0.0.0/33", "::1", "localhost", "1.2.3.4 "}) {
    errno = 0;
    EXPECT_EQ(set_filter(s, bad), -1) << bad;
    EXPECT_EQ(errno, EINVAL) << bad;
  }
  // libzmq clears only with NULL: an empty non-NULL value is invalid, so is a too-long one.
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_TCP_ACCEPT_FILTER, "", 0), -1);
  EXPECT_EQ(errno, EINVAL);
  std::string long_filter(256, '1');
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_TCP_ACCEPT_FILTER, long_filter.data(), long_filter.size()), -1);
  EXPECT_EQ(zmq_setsockopt(s, ZMQ_TCP_ACCEPT_FILTER, nullptr, 0), 0);
  // Write-only, as in libzmq.
  char buf[64];
  size_t size = sizeof buf;
  EXPECT_EQ(zmq_getsockopt(s, ZMQ_TCP_ACCEPT_FILTER, buf, &size), -1);
  EXPECT_EQ(errno, EINVAL);
  close_now(s);
}

TEST_F(AcceptFilter, MatchingPeersAreKept) {
  for (const char* filter : {"127.0.0.1", "127.0.0.1/32", "127.0.0.0/8", "0.0.0.0/0"}) {
    void* server = pair();
    ASSERT_EQ(set_filter(server, filter), 0) << filter;
    EXPECT_TRUE(delivered(server, "tcp://127.0.0.1:*")) << filter;
    close_now(server);
  }
}

TEST_F(AcceptFilter, OtherPeersAreRefused) {
  void* server = pair();
  ASSERT_EQ(set_filter(server, "127.0.0.255/32"), 0);
  EXPECT_FALSE(delivered(server, "tcp://127.0.0.1:*"));
  close_now(server);
}

TEST_F(AcceptFilter, AnyOfSeveralFiltersAdmits) {
  void* server = pair();
  ASSERT_EQ(set_filter(server, "10.0.0.0/8"), 0);
  ASSERT_EQ(set_filter(server, "127.0.0.1"), 0);
  EXPECT_TRUE(delivered(server, "tcp://127.0.0.1:*"));
  close_now(server);
}

TEST_F(AcceptFilter, NullClearsEveryFilter) {
  void* server = pair();
  ASSERT_EQ(set_filter(server, "127.0.0.255/32"), 0);
  ASSERT_EQ(zmq_setsockopt(server, ZMQ_TCP_ACCEPT_FILTER, nullptr, 0), 0);
  EXPECT_TRUE(delivered(server, "tcp://127.0.0.1:*"));
  close_now(server);
}

TEST_F(AcceptFilter, DualStackListenerMatchesIpv4Filters) {
  void* server = pair();
  set_int(server, ZMQ_IPV6, 1);
  ASSERT_EQ(set_filter(server, "127.0.0.1"), 0);
  EXPECT_TRUE(delivered(server, "tcp://*:*"));  // the peer shows as ::ffff:127.0.0.1
  close_now(server);
  void* refusing = pair();
  set_int(refusing, ZMQ_IPV6, 1);
  ASSERT_EQ(set_filter(refusing, "::1"), 0);
  EXPECT_FALSE(delivered(refusing, "tcp://*:*"));
  close_now(refusing);
}

TEST_F(AcceptFilter, TcpFiltersLeaveIpcAlone) {
  void* server = pair();
  ASSERT_EQ(set_filter(server, "127.0.0.255/32"), 0);
  EXPECT_TRUE(delivered(server, "ipc://*"));
  close_now(server);
}

TEST_F(AcceptFilter, RefusedPeerIsClosedWithoutAnAcceptedEvent) {
  void* server = pair();
  ASSERT_EQ(set_filter(server, "127.0.0.255/32"), 0);
  ASSERT_EQ(zmq_socket_monitor(server, "inproc://filter-monitor", ZMQ_EVENT_ALL), 0);
  void* events = zmq_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(events, "inproc://filter-monitor"), 0);
  std::string bound = bind_any(server);
  void* client = pair();
  ASSERT_EQ(zmq_socket_monitor(client, "inproc://client-monitor", ZMQ_EVENT_DISCONNECTED), 0);
  void* client_events = zmq_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_connect(client_events, "inproc://client-monitor"), 0);
  ASSERT_EQ(zmq_connect(client, bound.c_str()), 0);
  // The server closes it at once: the client sees its connection drop.
  set_int(client_events, ZMQ_RCVTIMEO, 5000);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  uint16_t event = 0;
  if (zmq_msg_recv(&msg, client_events, 0) >= 0) {
    std::memcpy(&event, zmq_msg_data(&msg), sizeof event);
  }
  EXPECT_EQ(event, ZMQ_EVENT_DISCONNECTED);
  // The server reported its listener, nothing about the peer.
  set_int(events, ZMQ_RCVTIMEO, kRefusedWaitMs);
  for (;;) {
    if (zmq_msg_recv(&msg, events, 0) < 0) break;
    if (zmq_msg_size(&msg) == 6) {
      std::memcpy(&event, zmq_msg_data(&msg), sizeof event);
      EXPECT_NE(event, ZMQ_EVENT_ACCEPTED);
      EXPECT_NE(event, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    }
  }
  zmq_msg_close(&msg);
  close_now(client);
  close_now(client_events);
  close_now(server);
  close_now(events);
}

TEST_F(AcceptFilter, IpcFiltersBadValuesAreEinval) {
  void* s = pair();
  for (int option : {ZMQ_IPC_FILTER_UID, ZMQ_IPC_FILTER_GID, ZMQ_IPC_FILTER_PID}) {
    uint64_t wide = 1;
    errno = 0;
    EXPECT_EQ(zmq_setsockopt(s, option, &wide, sizeof wide), -1) << option;
    EXPECT_EQ(errno, EINVAL) << option;
    EXPECT_EQ(zmq_setsockopt(s, option, &wide, 2), -1) << option;
    EXPECT_EQ(zmq_setsockopt(s, option, "", 0), -1) << option;  // empty but not NULL
    EXPECT_EQ(zmq_setsockopt(s, option, nullptr, 0), 0) << option;
    int value = 0;
    size_t size = sizeof value;
    EXPECT_EQ(zmq_getsockopt(s, option, &value, &size), -1) << option;
    EXPECT_EQ(errno, EINVAL) << option;
  }
  close_now(s);
}

TEST_F(AcceptFilter, IpcFilterByUid) {
  void* own = pair();
  ASSERT_EQ(set_id(own, ZMQ_IPC_FILTER_UID, getuid()), 0);
  EXPECT_TRUE(delivered(own, "ipc://*"));
  close_now(own);
  void* other = pair();
  ASSERT_EQ(set_id(other, ZMQ_IPC_FILTER_UID, uid_t(getuid() + 1)), 0);
  EXPECT_FALSE(delivered(other, "ipc://*"));
  close_now(other);
}

TEST_F(AcceptFilter, IpcFilterByGid) {
  void* own = pair();
  ASSERT_EQ(set_id(own, ZMQ_IPC_FILTER_GID, getgid()), 0);
  EXPECT_TRUE(delivered(own, "ipc://*"));
  close_now(own);
  // A group that neither is the peer's nor lists its user.
  void* other = pair();
  ASSERT_EQ(set_id(other, ZMQ_IPC_FILTER_GID, gid_t(0x7ffffff0)), 0);
  EXPECT_FALSE(delivered(other, "ipc://*"));
  close_now(other);
}

TEST_F(AcceptFilter, IpcFilterByPid) {
  void* own = pair();
  ASSERT_EQ(set_id(own, ZMQ_IPC_FILTER_PID, getpid()), 0);
  EXPECT_TRUE(delivered(own, "ipc://*"));
  close_now(own);
  void* other = pair();
  ASSERT_EQ(set_id(other, ZMQ_IPC_FILTER_PID, pid_t(getpid() + 1)), 0);
  EXPECT_FALSE(delivered(other, "ipc://*"));
  close_now(other);
}

TEST_F(AcceptFilter, IpcFiltersAreAnyOfAndNullClears) {
  void* server = pair();
  ASSERT_EQ(set_id(server, ZMQ_IPC_FILTER_UID, uid_t(getuid() + 1)), 0);
  ASSERT_EQ(set_id(server, ZMQ_IPC_FILTER_PID, getpid()), 0);  // this one matches
  EXPECT_TRUE(delivered(server, "ipc://*"));
  close_now(server);
  void* cleared = pair();
  ASSERT_EQ(set_id(cleared, ZMQ_IPC_FILTER_UID, uid_t(getuid() + 1)), 0);
  ASSERT_EQ(zmq_setsockopt(cleared, ZMQ_IPC_FILTER_UID, nullptr, 0), 0);
  EXPECT_TRUE(delivered(cleared, "ipc://*"));
  close_now(cleared);
}

TEST_F(AcceptFilter, IpcFiltersLeaveTcpAlone) {
  void* server = pair();
  ASSERT_EQ(set_id(server, ZMQ_IPC_FILTER_UID, uid_t(getuid() + 1)), 0);
  EXPECT_TRUE(delivered(server, "tcp://127.0.0.1:*"));
  close_now(server);
}

}  // namespace
