// Sockets: zmq_socket, zmq_close, zmq_bind, zmq_connect, zmq_unbind, zmq_disconnect.
#include <errno.h>

#include <new>
#include <optional>

#include "engine/api/build_flavour.h"
#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/monitor.h"
#include "engine/api/zmq.h"

using zlab::Err;
using zlab::api::fail;
using zlab::api::fail_with;
using zlab::api::socket_of;
using zlab::api::SocketHandle;

namespace {

template <typename Op>
int endpoint_call(void* socket, const char* endpoint, Op op) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (endpoint == nullptr) return fail_with(EINVAL);
  Err err = op(*h->socket, std::string(endpoint));
  return err == Err::kOk ? 0 : fail(err);
}

}  // namespace

extern "C" void* zmq_socket(void* context, int type) {
  zlab::api::ContextHandle* ctx = zlab::api::context_of(context);
  if (ctx == nullptr) return nullptr;
  std::optional<zlab::SocketType> socket_type = zlab::socket_type_from_zmq(type);
  // The draft types exist in the draft build only (libzmq without drafts refuses them too).
  if (!socket_type ||
      (zlab::socket_type_info(*socket_type).draft && !zlab::api::draft_api_built())) {
    return zlab::api::fail_null(EINVAL);
  }
  auto* h = new (std::nothrow) SocketHandle();
  if (h == nullptr) return zlab::api::fail_null(ENOMEM);
  Err err = Err::kOk;
  h->socket = zlab::api::create_engine_socket(*ctx, *socket_type, &err);
  if (!h->socket) {
    delete h;
    return zlab::api::fail_null(zlab::api::errno_of(err));
  }
  h->ctx = ctx;
  return h;
}

extern "C" int zmq_close(void* socket) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  std::shared_ptr<zlab::real::Socket> engine_socket = h->socket;
  std::shared_ptr<zlab::api::Monitor> monitor = std::move(h->monitor);
  if (zlab::api::forked(*h->ctx)) {
    // Closing would unregister the parent's fds from the epoll set both processes share (the
    // parent would stop accepting) and wait for I/O threads the child does not have: the
    // child only lets go of the handle. The monitor's thread is the parent's too: not joined.
    new std::shared_ptr<zlab::api::Monitor>(std::move(monitor));  // deliberately never freed
    zlab::api::retire_socket(h);
    return 0;
  }
  // First: once the socket is closed, zmq_ctx_term may return and free `h`.
  zlab::api::retire_socket(h);
  engine_socket->close();  // what closing reports (listeners closed) still reaches the monitor
  zlab::api::stop_monitor(*engine_socket, std::move(monitor));
  return 0;
}

extern "C" int zmq_bind(void* socket, const char* endpoint) {
  return endpoint_call(socket, endpoint,
                       [](zlab::real::Socket& s, const std::string& e) { return s.bind(e); });
}

extern "C" int zmq_connect(void* socket, const char* endpoint) {
  return endpoint_call(socket, endpoint,
                       [](zlab::real::Socket& s, const std::string& e) { return s.connect(e); });
}

extern "C" int zmq_unbind(void* socket, const char* endpoint) {
  return endpoint_call(socket, endpoint,
                       [](zlab::real::Socket& s, const std::string& e) { return s.unbind(e); });
}

extern "C" int zmq_disconnect(void* socket, const char* endpoint) {
  return endpoint_call(socket, endpoint,
                       [](zlab::real::Socket& s, const std::string& e) { return s.disconnect(e); });
}
