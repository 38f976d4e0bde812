// Thread-safe sockets (draft build) through zmq.h alone: CLIENT, SERVER, RADIO, DISH, SCATTER,
// GATHER, PEER and CHANNEL used by many application threads at once (blocking sends and
// receives, zmq_poll and zmq_poller on the same socket), their options (ZMQ_THREAD_SAFE, no
// ZMQ_FD) and no multipart (ZMQ_SNDMORE is EINVAL). Run under ThreadSanitizer too:
// bazel test --config=tsan //engine/api:thread_safe_test (./zlab test does).
#include <errno.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;

constexpr int kThreadSafeTypes[] = {ZMQ_SERVER, ZMQ_CLIENT,  ZMQ_RADIO, ZMQ_DISH,
                                    ZMQ_GATHER, ZMQ_SCATTER, ZMQ_PEER,  ZMQ_CHANNEL};
constexpr int kSenders = 4;
constexpr int kReceivers = 4;
constexpr int kPerSender = 250;

using Clock = std::chrono::steady_clock;
// However a test goes wrong, its receiving threads give up after this.
constexpr auto kGiveUp = std::chrono::seconds(60);

std::string message_text(int sender, int i) {
  return std::to_string(sender) + ":" + std::to_string(i);
}

class ThreadSafe : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = zmq_ctx_new(); }
  void TearDown() override {
    for (void* s : sockets_) close_now(s);
    EXPECT_EQ(zmq_ctx_term(ctx_), 0);
  }
  void* socket(int type) {
    void* s = make_socket(ctx_, type);
    sockets_.push_back(s);
    return s;
  }
  // `a` binds, `b` connects (tcp or inproc).
  void link(void* a, void* b, const std::string& endpoint) {
    std::string ep = bind_any(a, endpoint);
    ASSERT_EQ(zmq_connect(b, ep.c_str()), 0) << zmq_strerror(zmq_errno());
  }

  void* ctx_ = nullptr;
  std::vector<void*> sockets_;
};

TEST_F(ThreadSafe, OptionsSayThreadSafeAndThereIsNoFd) {
  for (int type : kThreadSafeTypes) {
    void* s = socket(type);
    EXPECT_EQ(get_int(s, ZMQ_THREAD_SAFE), 1) << type;
    int fd = -1;
    size_t size = sizeof fd;
    EXPECT_EQ(zmq_getsockopt(s, ZMQ_FD, &fd, &size), -1) << type;
    EXPECT_EQ(zmq_errno(), EINVAL);
  }
  for (int type : {ZMQ_PAIR, ZMQ_DEALER, ZMQ_ROUTER, ZMQ_PUSH}) {
    EXPECT_EQ(get_int(socket(type), ZMQ_THREAD_SAFE), 0) << type;
  }
}

TEST_F(ThreadSafe, NoMultipart) {
  for (int type : {ZMQ_CLIENT, ZMQ_SERVER, ZMQ_RADIO, ZMQ_SCATTER, ZMQ_PEER, ZMQ_CHANNEL}) {
    void* s = socket(type);
    EXPECT_EQ(send_str(s, "part", ZMQ_SNDMORE | ZMQ_DONTWAIT), -1) << type;
    EXPECT_EQ(zmq_errno(), EINVAL) << type;
  }
}

// Every message of every sender arrives exactly once, whichever receiving thread takes it.
void expect_all_received(const std::vector<std::vector<std::string>>& got, int senders) {
  std::set<std::string> seen;
  size_t total = 0;
  for (const auto& list : got) {
    total += list.size();
    for (const auto& text : list) EXPECT_TRUE(seen.insert(text).second) << "twice: " << text;
  }
  EXPECT_EQ(total, size_t(senders * kPerSender));
  for (int s = 0; s < senders; ++s) {
    for (int i = 0; i < kPerSender; ++i) EXPECT_TRUE(seen.count(message_text(s, i))) << s << i;
  }
}

// kSenders threads send on `out`, kReceivers threads receive on `in`, all blocking; `send` and
// `recv` are how one message goes out and comes in on these types.
template <typename Send, typename Recv>
void pump(void* out, void* in, Send send, Recv recv) {
  std::vector<std::vector<std::string>> got(kReceivers);
  std::atomic<int> remaining{kSenders * kPerSender};
  std::vector<std::thread> threads;
  const Clock::time_point give_up = Clock::now() + kGiveUp;
  for (int r = 0; r < kReceivers; ++r) {
    threads.emplace_back([&, r] {
      while (remaining.load() > 0 && Clock::now() < give_up) {
        std::string text;
        if (!recv(in, &text)) continue;  // timed out: look at `remaining` again
        got[size_t(r)].push_back(text);
        remaining.fetch_sub(1);
      }
    });
  }
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) {
        ASSERT_TRUE(send(out, message_text(s, i))) << zmq_strerror(zmq_errno());
      }
    });
  }
  for (auto& t : threads) t.join();
  expect_all_received(got, kSenders);
}

bool send_plain(void* s, const std::string& text) { return send_str(s, text) == int(text.size()); }

// A receive that gives up after a while (the socket's ZMQ_RCVTIMEO is set short by the test).
bool recv_plain(void* s, std::string* text) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  int rc = zmq_msg_recv(&msg, s, 0);
  if (rc >= 0) text->assign(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  zmq_msg_close(&msg);
  return rc >= 0;
}

void short_receive_timeout(void* s) { set_int(s, ZMQ_RCVTIMEO, 100); }

TEST_F(ThreadSafe, ManyThreadsOnOneClientAndOneServer) {
  void* server = socket(ZMQ_SERVER);
  void* client = socket(ZMQ_CLIENT);
  link(server, client, "tcp://127.0.0.1:*");
  short_receive_timeout(server);
  short_receive_timeout(client);
  // Learn the client's routing id from its first message.
  ASSERT_EQ(send_str(client, "hello"), 5);
  zmq_msg_t first;
  zmq_msg_init(&first);
  ASSERT_EQ(zmq_msg_recv(&first, server, 0), 5);
  const uint32_t client_id = zmq_msg_routing_id(&first);
  EXPECT_NE(client_id, 0u);
  zmq_msg_close(&first);

  pump(client, server, send_plain, recv_plain);
  // And back: many threads on the SERVER send to the client's routing id.
  auto reply = [client_id](void* s, const std::string& text) {
    zmq_msg_t msg;
    zmq_msg_init_size(&msg, text.size());
    std::memcpy(zmq_msg_data(&msg), text.data(), text.size());
    zmq_msg_set_routing_id(&msg, client_id);
    bool ok = zmq_msg_send(&msg, s, 0) == int(text.size());
    if (!ok) zmq_msg_close(&msg);
    return ok;
  };
  pump(server, client, reply, recv_plain);
}

TEST_F(ThreadSafe, ManyThreadsOnOneScatterAndOneGather) {
  void* scatter = socket(ZMQ_SCATTER);
  void* gather = socket(ZMQ_GATHER);
  link(gather, scatter, "inproc://scatter-gather");
  short_receive_timeout(gather);
  pump(scatter, gather, send_plain, recv_plain);
}

TEST_F(ThreadSafe, ManyThreadsOnOneChannelPair) {
  void* a = socket(ZMQ_CHANNEL);
  void* b = socket(ZMQ_CHANNEL);
  link(a, b, "tcp://127.0.0.1:*");
  short_receive_timeout(a);
  short_receive_timeout(b);
  pump(a, b, send_plain, recv_plain);
  pump(b, a, send_plain, recv_plain);
}

TEST_F(ThreadSafe, ManyThreadsOnOneRadioAndOneDish) {
  void* radio = socket(ZMQ_RADIO);
  void* dish = socket(ZMQ_DISH);
  // No HWM: a RADIO drops what a full pipe cannot take, and this counts every message.
  set_int(radio, ZMQ_SNDHWM, 0);
  set_int(dish, ZMQ_RCVHWM, 0);
  ASSERT_EQ(zmq_join(dish, "news"), 0);
  link(dish, radio, "tcp://127.0.0.1:*");
  short_receive_timeout(dish);
  auto send_group = [](void* s, const std::string& text) {
    zmq_msg_t msg;
    zmq_msg_init_size(&msg, text.size());
    std::memcpy(zmq_msg_data(&msg), text.data(), text.size());
    zmq_msg_set_group(&msg, "news");
    bool ok = zmq_msg_send(&msg, s, 0) == int(text.size());
    if (!ok) zmq_msg_close(&msg);
    return ok;
  };
  // The RADIO sends a group only to dishes whose JOIN it has: wait until one message gets through.
  std::string text;
  for (int i = 0; i < 100 && !recv_plain(dish, &text); ++i) ASSERT_TRUE(send_group(radio, "sync"));
  ASSERT_EQ(text, "sync");
  while (recv_plain(dish, &text)) {
  }
  pump(radio, dish, send_group, recv_plain);
}

TEST_F(ThreadSafe, ManyThreadsOnOnePeer) {
  void* a = socket(ZMQ_PEER);
  void* b = socket(ZMQ_PEER);
  std::string ep = bind_any(a, "tcp://127.0.0.1:*");
  const uint32_t a_id = zmq_connect_peer(b, ep.c_str());
  ASSERT_NE(a_id, 0u) << zmq_strerror(zmq_errno());
  short_receive_timeout(a);
  auto send_to_a = [a_id](void* s, const std::string& text) {
    zmq_msg_t msg;
    zmq_msg_init_size(&msg, text.size());
    std::memcpy(zmq_msg_data(&msg), text.data(), text.size());
    zmq_msg_set_routing_id(&msg, a_id);
    bool ok = zmq_msg_send(&msg, s, 0) == int(text.size());
    if (!ok) zmq_msg_close(&msg);
    return ok;
  };
  pump(b, a, send_to_a, recv_plain);
}

// Several threads wait in zmq_poll, several in zmq_poller_wait and several in blocking receives
// on the same SERVER: each message is received once, and no waiter sleeps through the last one.
TEST_F(ThreadSafe, PollAndPollerFromManyThreadsOnOneSocket) {
  void* server = socket(ZMQ_SERVER);
  void* client = socket(ZMQ_CLIENT);
  link(server, client, "inproc://poll-many");
  std::atomic<int> remaining{kSenders * kPerSender};
  std::vector<std::vector<std::string>> got(6);
  std::vector<std::thread> threads;
  const Clock::time_point give_up = Clock::now() + kGiveUp;
  auto waiting = [&] { return remaining.load() > 0 && Clock::now() < give_up; };
  auto take = [&](size_t slot) {
    std::string text;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, server, ZMQ_DONTWAIT) >= 0) {
      got[slot].emplace_back(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
      remaining.fetch_sub(1);
    }
    zmq_msg_close(&msg);
  };
  for (size_t slot = 0; slot < 2; ++slot) {  // zmq_poll
    threads.emplace_back([&, slot] {
      while (waiting()) {
        zmq_pollitem_t item = {server, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, 100);
        ASSERT_GE(rc, 0) << zmq_strerror(zmq_errno());
        if (rc == 1) take(slot);
      }
    });
  }
  for (size_t slot = 2; slot < 4; ++slot) {  // a poller each
    threads.emplace_back([&, slot] {
      void* poller = zmq_poller_new();
      ASSERT_EQ(zmq_poller_add(poller, server, nullptr, ZMQ_POLLIN), 0);
      zmq_fd_t fd = -1;
      EXPECT_EQ(zmq_poller_fd(poller, &fd), 0);  // a thread-safe socket gives the poller an fd
      EXPECT_GE(fd, 0);
      while (waiting()) {
        zmq_poller_event_t event;
        if (zmq_poller_wait(poller, &event, 100) == 0) {
          EXPECT_EQ(event.socket, server);
          take(slot);
        } else {
          EXPECT_EQ(zmq_errno(), EAGAIN);
        }
      }
      zmq_poller_destroy(&poller);
    });
  }
  short_receive_timeout(server);
  for (size_t slot = 4; slot < 6; ++slot) {  // blocking receives
    threads.emplace_back([&, slot] {
      while (waiting()) {
        std::string text;
        if (!recv_plain(server, &text)) continue;
        got[slot].push_back(text);
        remaining.fetch_sub(1);
      }
    });
  }
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) ASSERT_TRUE(send_plain(client, message_text(s, i)));
    });
  }
  for (auto& t : threads) t.join();
  expect_all_received(got, kSenders);
}

// A thread blocked in a receive on a thread-safe socket is woken by the context's termination.
TEST(ThreadSafeTerm, BlockedReceiversEndWithEterm) {
  void* ctx = zmq_ctx_new();
  void* server = zmq_socket(ctx, ZMQ_SERVER);
  std::vector<std::thread> threads;
  std::atomic<int> eterm{0};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      char buf[8];
      if (zmq_recv(server, buf, sizeof buf, 0) == -1 && zmq_errno() == ETERM) ++eterm;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  zmq_ctx_shutdown(ctx);
  for (auto& t : threads) t.join();
  EXPECT_EQ(eterm.load(), 3);
  close_now(server);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
