#include "engine/api/handles.h"

#include <errno.h>

#include "engine/api/errno_map.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"

namespace zlab::api {
namespace {

void set_int_option(real::Socket& socket, int id, int value) {
  socket.set_option(id, {reinterpret_cast<const uint8_t*>(&value), sizeof value});
}

}  // namespace

ContextHandle* context_of(void* p) {
  auto* h = static_cast<ContextHandle*>(p);
  if (h == nullptr || h->tag != kContextTag) return fail_null<ContextHandle>(EFAULT);
  return h;
}

SocketHandle* socket_of(void* p) {
  auto* h = static_cast<SocketHandle*>(p);
  if (h == nullptr || h->tag != kSocketTag || !h->socket) {
    return fail_null<SocketHandle>(ENOTSOCK);
  }
  return h;
}

std::shared_ptr<real::Socket> create_engine_socket(ContextHandle& ctx, SocketType type, Err* err) {
  std::lock_guard lock(ctx.mu);
  if (ctx.shut_down) {
    *err = Err::kTerminated;
    return nullptr;
  }
  if (!ctx.engine) {
    ctx.engine = std::make_unique<real::Context>(ctx.options.io_threads);
    ctx.engine->set_max_sockets(ctx.options.max_sockets);
  }
  std::shared_ptr<real::Socket> socket = ctx.engine->create_socket(type, err);
  if (!socket) return nullptr;
  if (ctx.options.ipv6) set_int_option(*socket, opt::kIpv6, 1);
  // libzmq: with ZMQ_BLOCKY off, new sockets do not linger, so zmq_ctx_term never waits.
  if (!ctx.options.blocky) set_int_option(*socket, opt::kLinger, 0);
  return socket;
}

void retire_socket(SocketHandle* h) {
  ContextHandle& ctx = *h->ctx;
  h->tag = kClosedSocketTag;
  h->socket.reset();
  h->monitor.reset();
  std::lock_guard lock(ctx.mu);
  ctx.closed_sockets.push_back(h);
  if (ctx.closed_sockets.size() > kClosedSocketsKept) {
    SocketHandle* oldest = ctx.closed_sockets.front();
    ctx.closed_sockets.pop_front();
    oldest->tag = kDeadTag;
    delete oldest;
  }
}

void free_closed_sockets(ContextHandle& ctx) {
  std::lock_guard lock(ctx.mu);
  for (SocketHandle* h : ctx.closed_sockets) {
    h->tag = kDeadTag;
    delete h;
  }
  ctx.closed_sockets.clear();
}

}  // namespace zlab::api
