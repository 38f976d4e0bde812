// zmq_proxy, zmq_proxy_steerable and zmq_device through the C API.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "engine/api/api_test_util.h"
#include "engine/api/zmq.h"

namespace {

using namespace zlab_api_test;
using Parts = std::vector<std::string>;

// A ROUTER/DEALER broker: REQ clients on the frontend, REP workers on the backend.
class Broker : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = zmq_ctx_new();
    frontend_ = zmq_socket(ctx_, ZMQ_ROUTER);
    backend_ = zmq_socket(ctx_, ZMQ_DEALER);
    ASSERT_EQ(zmq_bind(frontend_, "inproc://frontend"), 0);
    ASSERT_EQ(zmq_bind(backend_, "inproc://backend"), 0);
  }
  void TearDown() override {
    if (thread_.joinable()) {
      zmq_ctx_shutdown(ctx_);
      thread_.join();
    }
    close_now(frontend_);
    close_now(backend_);
    EXPECT_EQ(zmq_ctx_term(ctx_), 0);
  }
  void* ctx_ = nullptr;
  void* frontend_ = nullptr;
  void* backend_ = nullptr;
  std::thread thread_;
};

TEST_F(Broker, ProxyCarriesRequestsAndRepliesUntilEterm) {
  void* capture = zmq_socket(ctx_, ZMQ_PULL);
  void* capture_in = zmq_socket(ctx_, ZMQ_PUSH);
  ASSERT_EQ(zmq_bind(capture, "inproc://capture"), 0);
  ASSERT_EQ(zmq_connect(capture_in, "inproc://capture"), 0);
  int rc = 0, err = 0;
  thread_ = std::thread([&] {
    rc = zmq_proxy(frontend_, backend_, capture_in);
    err = errno;
  });
  void* worker = make_socket(ctx_, ZMQ_REP);
  ASSERT_EQ(zmq_connect(worker, "inproc://backend"), 0);
  std::vector<void*> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(make_socket(ctx_, ZMQ_REQ));
    ASSERT_EQ(zmq_connect(clients.back(), "inproc://frontend"), 0);
  }
  for (int round = 0; round < 5; ++round) {
    for (size_t i = 0; i < clients.size(); ++i) {
      std::string request = "req-" + std::to_string(i) + "-" + std::to_string(round);
      ASSERT_EQ(send_str(clients[i], request), int(request.size()));
      ASSERT_EQ(recv_str(worker), request);
      ASSERT_EQ(send_str(worker, "re:" + request), int(request.size() + 3));
      ASSERT_EQ(recv_str(clients[i]), "re:" + request);
    }
  }
  // The capture socket saw every part both ways: [id, "", body] x 2 per exchange.
  int captured = 0;
  set_int(capture, ZMQ_RCVTIMEO, 100);
  while (recv_str(capture).rfind("<error", 0) != 0) ++captured;
  EXPECT_EQ(captured, 3 * 5 * 2 * 3);
  zmq_ctx_shutdown(ctx_);
  thread_.join();
  EXPECT_EQ(rc, -1);
  EXPECT_EQ(err, ETERM);
  for (void* c : clients) close_now(c);
  close_now(worker);
  close_now(capture);
  close_now(capture_in);
}

TEST_F(Broker, DeviceIsAProxy) {
  thread_ = std::thread([&] { zmq_device(ZMQ_QUEUE, frontend_, backend_); });
  void* client = make_socket(ctx_, ZMQ_DEALER);
  void* worker = make_socket(ctx_, ZMQ_DEALER);
  ASSERT_EQ(zmq_connect(client, "inproc://frontend"), 0);
  ASSERT_EQ(zmq_connect(worker, "inproc://backend"), 0);
  send_parts(client, {"a", "b"});
  Parts got = recv_parts(worker);
  ASSERT_EQ(got.size(), 3u);  // the client's routing id, then its parts
  EXPECT_EQ(got[1], "a");
  EXPECT_EQ(got[2], "b");
  send_parts(worker, {got[0], "back"});
  EXPECT_EQ(recv_parts(client), (Parts{"back"}));
  close_now(client);
  close_now(worker);
}

std::vector<uint64_t> statistics(void* control) {
  EXPECT_EQ(send_str(control, "STATISTICS"), 10);
  std::vector<uint64_t> values;
  for (const std::string& part : recv_parts(control)) {
    uint64_t v = 0;
    EXPECT_EQ(part.size(), sizeof v);
    std::memcpy(&v, part.data(), std::min(part.size(), sizeof v));
    values.push_back(v);
  }
  return values;
}

TEST_F(Broker, SteerablePauseResumeStatisticsTerminate) {
  void* control = make_socket(ctx_, ZMQ_PAIR);
  void* control_end = zmq_socket(ctx_, ZMQ_PAIR);
  ASSERT_EQ(zmq_bind(control_end, "inproc://control"), 0);
  ASSERT_EQ(zmq_connect(control, "inproc://control"), 0);
  int rc = -2;
  thread_ =
      std::thread([&] { rc = zmq_proxy_steerable(frontend_, backend_, nullptr, control_end); });
  void* client = make_socket(ctx_, ZMQ_DEALER);
  void* worker = make_socket(ctx_, ZMQ_DEALER);
  ASSERT_EQ(zmq_connect(client, "inproc://frontend"), 0);
  ASSERT_EQ(zmq_connect(worker, "inproc://backend"), 0);
  send_parts(client, {"hello"});
  Parts got = recv_parts(worker);  // [id, "hello"]: 2 parts, 1 message
  ASSERT_EQ(got.size(), 2u);

  EXPECT_EQ(statistics(control),
            (std::vector<uint64_t>{1, got[0].size() + 5, 0, 0, 0, 0, 1, got[0].size() + 5}));

  ASSERT_EQ(send_str(control, "PAUSE"), 5);
  EXPECT_EQ(statistics(control).size(), 8u);  // the proxy took PAUSE before this
  send_parts(client, {"held"});
  set_int(worker, ZMQ_RCVTIMEO, 100);
  EXPECT_EQ(recv_str(worker).rfind("<error", 0), 0u);  // paused: nothing moves
  ASSERT_EQ(send_str(control, "RESUME"), 6);
  set_int(worker, ZMQ_RCVTIMEO, 5000);
  EXPECT_EQ(recv_parts(worker).back(), "held");

  ASSERT_EQ(send_str(control, "NONSENSE"), 8);  // ignored (libzmq aborts)
  ASSERT_EQ(send_str(control, "TERMINATE"), 9);
  thread_.join();
  EXPECT_EQ(rc, 0);
  close_now(client);
  close_now(worker);
  close_now(control);
  close_now(control_end);
}

TEST_F(Broker, SteerableWithARepControlSocketReplies) {
  void* control = make_socket(ctx_, ZMQ_REQ);
  void* control_end = zmq_socket(ctx_, ZMQ_REP);
  ASSERT_EQ(zmq_bind(control_end, "inproc://rep-control"), 0);
  ASSERT_EQ(zmq_connect(control, "inproc://rep-control"), 0);
  int rc = -2;
  thread_ =
      std::thread([&] { rc = zmq_proxy_steerable(frontend_, backend_, nullptr, control_end); });
  ASSERT_EQ(send_str(control, "PAUSE"), 5);
  EXPECT_EQ(recv_str(control), "");
  ASSERT_EQ(send_str(control, "RESUME"), 6);
  EXPECT_EQ(recv_str(control), "");
  EXPECT_EQ(statistics(control), std::vector<uint64_t>(8, 0));
  ASSERT_EQ(send_str(control, "TERMINATE"), 9);
  EXPECT_EQ(recv_str(control), "");
  thread_.join();
  EXPECT_EQ(rc, 0);
  close_now(control);
  close_now(control_end);
}

TEST(ProxySingleSocket, ARepAnswersEachRequestWithItself) {
  // libzmq: with frontend == backend the proxy does not wait for POLLOUT, which a REP has only
  // after reading a request (test_proxy_single_socket).
  void* ctx = zmq_ctx_new();
  void* rep = zmq_socket(ctx, ZMQ_REP);
  ASSERT_EQ(zmq_bind(rep, "inproc://echo"), 0);
  void* control = zmq_socket(ctx, ZMQ_PAIR);
  void* control_end = make_socket(ctx, ZMQ_PAIR);
  ASSERT_EQ(zmq_bind(control, "inproc://echo-control"), 0);
  ASSERT_EQ(zmq_connect(control_end, "inproc://echo-control"), 0);
  int rc = -2;
  std::thread proxy([&] { rc = zmq_proxy_steerable(rep, rep, nullptr, control); });
  void* req = make_socket(ctx, ZMQ_REQ);
  ASSERT_EQ(zmq_connect(req, "inproc://echo"), 0);
  for (const char* text : {"msg1", "msg22"}) {
    ASSERT_EQ(send_str(req, text), int(strlen(text)));
    EXPECT_EQ(recv_str(req), text);
  }
  ASSERT_EQ(send_str(control_end, "TERMINATE"), 9);
  proxy.join();
  EXPECT_EQ(rc, 0);
  for (void* s : {req, rep, control, control_end}) close_now(s);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(ProxyErrors, BadSockets) {
  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_DEALER);
  errno = 0;
  EXPECT_EQ(zmq_proxy(nullptr, s, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(zmq_proxy(s, nullptr, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
  alignas(8) char garbage[64] = {};
  EXPECT_EQ(zmq_proxy(s, s, garbage), -1);
  EXPECT_EQ(errno, ENOTSOCK);
  EXPECT_EQ(zmq_proxy_steerable(s, s, nullptr, garbage), -1);
  EXPECT_EQ(errno, ENOTSOCK);
  EXPECT_EQ(zmq_close(s), 0);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
