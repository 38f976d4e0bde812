// The draft socket calls: zmq_socket_get_peer_state (ROUTER). Draft build only
// (build_flavour.h).
#include <errno.h>

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
