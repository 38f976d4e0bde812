// SimSocket on its own: engine cores conversing over the simulated network through nothing
// but the Driver interface, with short I/O, small buffers, latency, drift and partitions.
#include "sim/world/sim_socket.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;

struct Bench {
  explicit Bench(NetParams p = {}) : rng(11), net(queue, rng, trace, p) {
    for (const char* name : {"h0", "h1"}) {
      hosts.push_back(net.add_host(name));
      clocks.push_back(std::make_unique<HostClock>(int64_t(rng.below(1ull << 40)), 0));
    }
  }
  SimSocket* make(int host, SocketType type) {
    SocketEnv env{&queue, &net, &trace, clocks[host].get(), hosts[host]};
    sockets.push_back(
        std::make_unique<SimSocket>(env, uint32_t(sockets.size() + 1), type, rng.fork_seed()));
    return sockets.back().get();
  }
  void run_for(int64_t d) {
    int64_t until = queue.now_ns() + d;
    while (queue.run_next(until)) {
    }
    queue.advance_to(until);
  }
  // Runs until `s` has a message (or a virtual second passes).
  std::vector<std::string> recv_parts(SimSocket* s) {
    std::vector<std::string> parts;
    for (int i = 0; i < 1000; ++i) {
      Msg m;
      if (s->recv(&m) == Err::kOk) {
        parts.emplace_back(m.view());
        if (!s->rcvmore()) return parts;
        continue;
      }
      EXPECT_TRUE(parts.empty());
      run_for(kMs);
    }
    return parts;
  }

  EventQueue queue;
  Rng rng;
  Trace trace;
  Network net;
  std::vector<HostId> hosts;
  std::vector<std::unique_ptr<HostClock>> clocks;
  std::vector<std::unique_ptr<SimSocket>> sockets;
};

Err send_str(SimSocket* s, std::string_view body, int flags = 0) {
  Msg m = Msg::copy_of(body);
  return s->send(m, flags);
}

TEST(SimSocketTest, PushPullWithShortIoAndTinyBuffersDeliversEverythingInOrder) {
  NetParams p;
  p.split_ppm = 700'000;
  p.sndbuf = 64;
  p.rcvbuf = 100;
  p.mss = 37;
  Bench b(p);
  SimSocket* pull = b.make(0, SocketType::kPull);
  SimSocket* push = b.make(1, SocketType::kPush);
  ASSERT_EQ(pull->bind("tcp://*:5555"), Err::kOk);
  EXPECT_EQ(pull->last_endpoint(), "tcp://h0:5555");
  ASSERT_EQ(push->connect("tcp://h0:5555"), Err::kOk);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(send_str(push, "part-a-" + std::to_string(i), kSendMore), Err::kOk);
    ASSERT_EQ(send_str(push, std::string(size_t(i * 7), char('a' + i % 26))), Err::kOk);
  }
  for (int i = 0; i < 200; ++i) {
    auto parts = b.recv_parts(pull);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0], "part-a-" + std::to_string(i));
    EXPECT_EQ(parts[1], std::string(size_t(i * 7), char('a' + i % 26)));
  }
  EXPECT_EQ(push->monitor_count(monitor::kHandshakeSucceeded), 1u);
  EXPECT_TRUE(push->engine_error().empty());
}

TEST(SimSocketTest, ConnectBeforeBindIsRefusedThenRetried) {
  Bench b;
  SimSocket* rep = b.make(0, SocketType::kRep);
  SimSocket* req = b.make(1, SocketType::kReq);
  ASSERT_EQ(req->connect("tcp://h0:7000"), Err::kOk);
  b.run_for(50 * kMs);
  EXPECT_GE(req->monitor_count(monitor::kConnectRetried), 1u);
  ASSERT_EQ(rep->bind("tcp://h0:7000"), Err::kOk);
  ASSERT_EQ(send_str(req, "ping"), Err::kOk);
  EXPECT_EQ(b.recv_parts(rep), std::vector<std::string>{"ping"});
  ASSERT_EQ(send_str(rep, "pong"), Err::kOk);
  EXPECT_EQ(b.recv_parts(req), std::vector<std::string>{"pong"});
}

TEST(SimSocketTest, BackpressureFromTheNetworkMutesThePusher) {
  NetParams p;
  p.sndbuf = 1000;
  p.rcvbuf = 1000;
  Bench b(p);
  SimSocket* pull = b.make(0, SocketType::kPull);
  SimSocket* push = b.make(1, SocketType::kPush);
  pull->set_int(opt::kRcvHwm, 5);
  push->set_int(opt::kSndHwm, 5);
  pull->bind("tcp://*:1");
  push->connect("tcp://h0:1");
  b.run_for(10 * kMs);
  int sent = 0;
  while (send_str(push, std::string(100, 'x')) == Err::kOk) {
    ++sent;
    b.run_for(kMs);
    ASSERT_LT(sent, 10000);
  }
  // HWMs of 5 + 5, two kilobytes of TCP buffers and the connections' own batch buffers: the
  // pusher stops, and nothing is lost.
  EXPECT_GT(sent, 10);
  EXPECT_LT(sent, 400);
  EXPECT_EQ(push->events() & kPollOut, 0u);
  for (int i = 0; i < sent; ++i) ASSERT_EQ(b.recv_parts(pull).size(), 1u);
  b.run_for(10 * kMs);
  EXPECT_NE(push->events() & kPollOut, 0u);
}

TEST(SimSocketTest, HeartbeatsNoticeAPartitionAndTheConnectionComesBack) {
  Bench b;
  SimSocket* pull = b.make(0, SocketType::kPull);
  SimSocket* push = b.make(1, SocketType::kPush);
  for (SimSocket* s : {pull, push}) {
    s->set_int(opt::kHeartbeatIvl, 100);
    s->set_int(opt::kHeartbeatTimeout, 300);
  }
  pull->bind("tcp://*:1");
  push->connect("tcp://h0:1");
  b.run_for(50 * kMs);
  ASSERT_EQ(push->monitor_count(monitor::kHandshakeSucceeded), 1u);
  b.net.set_blocked(b.hosts[0], b.hosts[1], true);
  b.net.set_blocked(b.hosts[1], b.hosts[0], true);
  b.run_for(2000 * kMs);
  EXPECT_GE(push->monitor_count(monitor::kDisconnected), 1u);
  EXPECT_GE(pull->monitor_count(monitor::kDisconnected), 1u);
  b.net.set_blocked(b.hosts[0], b.hosts[1], false);
  b.net.set_blocked(b.hosts[1], b.hosts[0], false);
  b.run_for(3000 * kMs);
  EXPECT_GE(push->monitor_count(monitor::kHandshakeSucceeded), 2u);
  ASSERT_EQ(send_str(push, "after"), Err::kOk);
  EXPECT_EQ(b.recv_parts(pull), std::vector<std::string>{"after"});
}

TEST(SimSocketTest, CloseLingersUntilTheQueueIsWrittenThenTheSocketGoes) {
  Bench b;
  SimSocket* pull = b.make(0, SocketType::kPull);
  SimSocket* push = b.make(1, SocketType::kPush);
  pull->bind("tcp://*:1");
  push->connect("tcp://h0:1");
  for (int i = 0; i < 10; ++i) send_str(push, "m" + std::to_string(i));
  push->close();
  EXPECT_TRUE(push->alive());  // lingering
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.recv_parts(pull)[0], "m" + std::to_string(i));
  b.run_for(100 * kMs);
  EXPECT_FALSE(push->alive());
  EXPECT_EQ(push->ready_mask(), kReadyErr);
}

}  // namespace
}  // namespace zlab::sim
