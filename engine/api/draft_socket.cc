// The draft socket calls: zmq_join/zmq_leave (DISH), zmq_connect_peer (PEER),
// zmq_socket_get_peer_state (ROUTER). Draft build only (build_flavour.h).
#include <errno.h>

#include <cstring>
#include <string>
#include <string_view>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"

using zlab::Err;
using zlab::api::fail;
using zlab::api::fail_with;

// ZMQ_POLLOUT when the ROUTER's peer `routing_id` can take a message now (its HWM not reached),
// else 0; EHOSTUNREACH for no such peer, ENOTSUP for other socket types (as libzmq).
extern "C" int zmq_socket_get_peer_state(void* socket, const void* routing_id,
                                         size_t routing_id_size) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(socket);
  if (h == nullptr) return -1;
  if (routing_id == nullptr && routing_id_size != 0) return fail_with(EFAULT);
  int state = 0;
  Err err = h->socket->peer_state(
      std::string_view(static_cast<const char*>(routing_id), routing_id_size), &state);
  if (err != Err::kOk) return fail(err);
  return state;
}

namespace {

// zmq_join / zmq_leave: a group of up to ZMQ_GROUP_MAX_LENGTH bytes (EINVAL beyond, as libzmq),
// on a DISH (ENOTSUP otherwise); joining a group twice or leaving one not joined is EINVAL.
template <typename Op>
int group_call(void* socket, const char* group, Op op) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(socket);
  if (h == nullptr) return -1;
  if (group == nullptr) return fail_with(EINVAL);
  Err err = op(*h->socket, std::string_view(group, std::strlen(group)));
  return err == Err::kOk ? 0 : fail(err);
}

}  // namespace

extern "C" int zmq_join(void* socket, const char* group) {
  return group_call(socket, group,
                    [](zlab::real::Socket& s, std::string_view g) { return s.join(g); });
}

extern "C" int zmq_leave(void* socket, const char* group) {
  return group_call(socket, group,
                    [](zlab::real::Socket& s, std::string_view g) { return s.leave(g); });
}

// zmq_connect: and the routing id the new peer's messages carry (what zmq_msg_set_routing_id
// names it by). 0 with errno on failure: ENOTSOCK, ENOTSUP (not a PEER), EFAULT (ZMQ_IMMEDIATE
// set: the peer would not exist yet), and zmq_connect's errors (EINVAL, EPROTONOSUPPORT, ...).
extern "C" uint32_t zmq_connect_peer(void* socket, const char* endpoint) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(socket);
  if (h == nullptr) return 0;
  if (endpoint == nullptr) {
    fail_with(EINVAL);
    return 0;
  }
  uint32_t routing_id = 0;
  Err err = h->socket->connect_peer(std::string(endpoint), &routing_id);
  if (err != Err::kOk) {
    fail(err);
    return 0;
  }
  return routing_id;
}
