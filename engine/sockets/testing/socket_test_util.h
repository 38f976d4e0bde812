// Shorthands for socket tests over LoopbackNet.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/sockets/testing/loopback_net.h"

namespace zlab::testing {

using Parts = std::vector<std::string>;

inline Err set_int(SocketCore* s, int id, int value, int64_t now_ns = 0) {
  return s->set_option(id, {reinterpret_cast<const uint8_t*>(&value), sizeof value}, now_ns);
}

inline Err set_bytes(SocketCore* s, int id, std::string_view value, int64_t now_ns = 0) {
  return s->set_option(id, {reinterpret_cast<const uint8_t*>(value.data()), value.size()}, now_ns);
}

inline int get_int(SocketCore* s, int id) {
  int v = -12345;
  size_t size = sizeof v;
  EXPECT_EQ(s->get_option(id, reinterpret_cast<uint8_t*>(&v), &size), Err::kOk);
  return v;
}

inline std::string recv_string(LoopbackNet& net, SocketCore* s) {
  std::string body;
  EXPECT_EQ(net.recv(s, &body), Err::kOk);
  return body;
}

inline Parts recv_parts(LoopbackNet& net, SocketCore* s) {
  Parts parts;
  EXPECT_EQ(net.recv_multipart(s, &parts), Err::kOk);
  return parts;
}

inline bool has_event(const std::vector<MonitorEvent>& events, uint16_t event) {
  for (const auto& e : events) {
    if (e.event == event) return true;
  }
  return false;
}

}  // namespace zlab::testing
