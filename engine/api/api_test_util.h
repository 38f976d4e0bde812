// Small helpers shared by the C API tests. They call nothing but zmq.h.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "engine/api/zmq.h"

namespace zlab_api_test {

// A socket with a receive and send timeout, so a failing test fails instead of hanging.
inline void* make_socket(void* ctx, int type, int timeout_ms = 5000) {
  void* s = zmq_socket(ctx, type);
  EXPECT_NE(s, nullptr) << zmq_strerror(zmq_errno());
  if (s != nullptr) {
    EXPECT_EQ(zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms), 0);
    EXPECT_EQ(zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms), 0);
  }
  return s;
}

inline int get_int(void* s, int option) {
  int v = -12345;
  size_t size = sizeof v;
  EXPECT_EQ(zmq_getsockopt(s, option, &v, &size), 0) << zmq_strerror(zmq_errno());
  EXPECT_EQ(size, sizeof v);
  return v;
}

inline void set_int(void* s, int option, int v) {
  EXPECT_EQ(zmq_setsockopt(s, option, &v, sizeof v), 0)
      << option << ": " << zmq_strerror(zmq_errno());
}

inline std::string last_endpoint(void* s) {
  char buf[1024];
  size_t size = sizeof buf;
  EXPECT_EQ(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &size), 0);
  return std::string(buf);
}

// Binds to `endpoint` and returns what a peer connects to (the resolved wildcard).
inline std::string bind_any(void* s, const std::string& endpoint = "tcp://127.0.0.1:*") {
  EXPECT_EQ(zmq_bind(s, endpoint.c_str()), 0) << endpoint << ": " << zmq_strerror(zmq_errno());
  return last_endpoint(s);
}

inline int send_str(void* s, const std::string& text, int flags = 0) {
  return zmq_send(s, text.data(), text.size(), flags);
}

// One part as a string; "<errno name>" style marker on failure.
inline std::string recv_str(void* s, int flags = 0) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  int rc = zmq_msg_recv(&msg, s, flags);
  std::string out = rc < 0
                        ? std::string("<error ") + zmq_strerror(zmq_errno()) + ">"
                        : std::string(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  zmq_msg_close(&msg);
  return out;
}

inline void send_parts(void* s, const std::vector<std::string>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    int flags = i + 1 < parts.size() ? ZMQ_SNDMORE : 0;
    ASSERT_EQ(send_str(s, parts[i], flags), int(parts[i].size())) << zmq_strerror(zmq_errno());
  }
}

inline std::vector<std::string> recv_parts(void* s) {
  std::vector<std::string> parts;
  for (;;) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, s, 0) < 0) {
      parts.push_back(std::string("<error ") + zmq_strerror(zmq_errno()) + ">");
      zmq_msg_close(&msg);
      return parts;
    }
    parts.emplace_back(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    bool more = zmq_msg_more(&msg);
    zmq_msg_close(&msg);
    if (!more) return parts;
  }
}

inline void close_now(void* s) {
  int zero = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  EXPECT_EQ(zmq_close(s), 0);
}

inline long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return long(std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - since)
                  .count());
}

}  // namespace zlab_api_test
