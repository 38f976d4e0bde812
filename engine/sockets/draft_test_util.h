// Test helpers for the draft types: messages with routing ids and groups through a SocketCore
// on the loopback net, settled before and after like LoopbackNet's own calls.
#pragma once

#include <string>
#include <string_view>

#include "engine/sockets/testing/socket_test_util.h"

namespace zlab::testing {

inline Err send_msg(LoopbackNet& net, SocketCore* s, std::string_view body, uint32_t routing_id = 0,
                    std::string_view group = {}, int flags = 0) {
  net.settle();
  Msg m = Msg::copy_of(body);
  m.set_routing_id(routing_id);
  EXPECT_EQ(m.set_group(group), Err::kOk);
  Err err = s->send(m, flags, net.now_ns());
  net.settle();
  return err;
}

inline Err recv_msg(LoopbackNet& net, SocketCore* s, Msg* m) {
  net.settle();
  Err err = s->recv(m, net.now_ns());
  net.settle();
  return err;
}

// The transports the core tests run on: a ZMTP stream and an inproc link.
inline std::string endpoint_on(const std::string& transport, const std::string& name) {
  return transport == "inproc" ? "inproc://" + name : "tcp://" + name + ":1";
}

}  // namespace zlab::testing
