// Contexts: zmq_ctx_new/term/shutdown/set/get and the older zmq_init/zmq_term/zmq_ctx_destroy.
//
// The engine's context (I/O threads) is made with the first socket, so ZMQ_IO_THREADS and
// ZMQ_MAX_SOCKETS set before then take effect, as in libzmq.
#include <errno.h>

#include <climits>
#include <new>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"

using zlab::api::context_of;
using zlab::api::ContextHandle;
using zlab::api::fail_with;

namespace {

// libzmq's answer on Linux (its epoll poller sets no limit of its own).
constexpr int kSocketLimit = 65535;

}  // namespace

extern "C" void* zmq_ctx_new(void) {
  auto* ctx = new (std::nothrow) ContextHandle();
  if (ctx == nullptr) return zlab::api::fail_null(ENOMEM);
  return ctx;
}

extern "C" int zmq_ctx_shutdown(void* context) {
  ContextHandle* ctx = context_of(context);
  if (ctx == nullptr) return -1;
  if (zlab::api::forked(*ctx)) return 0;  // the parent's sockets are not the child's to wake
  zlab::real::Context* engine;
  {
    std::lock_guard lock(ctx->mu);
    ctx->shut_down = true;
    engine = ctx->engine.get();
  }
  if (engine != nullptr) engine->shutdown();
  return 0;
}

extern "C" int zmq_ctx_term(void* context) {
  ContextHandle* ctx = context_of(context);
  if (ctx == nullptr) return -1;
  if (zlab::api::forked(*ctx)) {
    // A fork()ed child ends its use of the parent's context at once: its sockets' lingering
    // and its I/O threads live in the parent (libzmq's child does not wait either). The
    // engine is not destroyed (that would join threads the child does not have): the memory
    // stays with the child until it exits or execs.
    ctx->tag = zlab::api::kDeadTag;
    return 0;
  }
  zlab::real::Context* engine;
  {
    std::lock_guard lock(ctx->mu);
    ctx->shut_down = true;
    engine = ctx->engine.get();
  }
  // Blocking calls on the context's sockets now fail with ETERM; wait (without the lock: the
  // application's zmq_close calls need it) until each socket is closed and done lingering.
  if (engine != nullptr) engine->terminate();
  zlab::api::free_closed_sockets(*ctx);
  ctx->tag = zlab::api::kDeadTag;
  delete ctx;  // joins the I/O threads
  return 0;
}

extern "C" int zmq_ctx_destroy(void* context) { return zmq_ctx_term(context); }

extern "C" int zmq_term(void* context) { return zmq_ctx_term(context); }

extern "C" void* zmq_init(int io_threads) {
  if (io_threads < 0) return zlab::api::fail_null(EINVAL);
  void* ctx = zmq_ctx_new();
  if (ctx != nullptr) static_cast<ContextHandle*>(ctx)->options.io_threads = io_threads;
  return ctx;
}

extern "C" int zmq_ctx_set(void* context, int option, int optval) {
  ContextHandle* ctx = context_of(context);
  if (ctx == nullptr) return -1;
  if (optval < 0) return fail_with(EINVAL);  // no option takes a negative value
  std::lock_guard lock(ctx->mu);
  zlab::api::ContextOptions& o = ctx->options;
  switch (option) {
    case ZMQ_IO_THREADS:
      o.io_threads = optval;
      return 0;
    case ZMQ_MAX_SOCKETS:
      if (optval < 1) return fail_with(EINVAL);
      o.max_sockets = optval;
      if (ctx->engine) ctx->engine->set_max_sockets(optval);
      return 0;
    case ZMQ_IPV6:
      o.ipv6 = optval != 0;
      return 0;
    case ZMQ_BLOCKY:
      o.blocky = optval != 0;
      return 0;
    case ZMQ_MAX_MSGSZ:
      o.max_msgsz = optval;
      return 0;
    case ZMQ_THREAD_PRIORITY:
      o.thread_priority = optval;
      return 0;
    case ZMQ_THREAD_SCHED_POLICY:
      o.thread_sched_policy = optval;
      return 0;
    case ZMQ_THREAD_NAME_PREFIX:
      o.thread_name_prefix = optval;
      return 0;
    case ZMQ_THREAD_AFFINITY_CPU_ADD:
    case ZMQ_THREAD_AFFINITY_CPU_REMOVE:
      return 0;
    default:  // unknown, or read-only (ZMQ_SOCKET_LIMIT, ZMQ_MSG_T_SIZE)
      return fail_with(EINVAL);
  }
}

extern "C" int zmq_ctx_get(void* context, int option) {
  ContextHandle* ctx = context_of(context);
  if (ctx == nullptr) return -1;
  std::lock_guard lock(ctx->mu);
  const zlab::api::ContextOptions& o = ctx->options;
  switch (option) {
    case ZMQ_IO_THREADS:
      return o.io_threads;
    case ZMQ_MAX_SOCKETS:
      return o.max_sockets;
    case ZMQ_SOCKET_LIMIT:  // the same number as ZMQ_THREAD_PRIORITY: libzmq answers this one
      return kSocketLimit;
    case ZMQ_IPV6:
      return o.ipv6 ? 1 : 0;
    case ZMQ_BLOCKY:
      return o.blocky ? 1 : 0;
    case ZMQ_MAX_MSGSZ:
      return o.max_msgsz;
    case ZMQ_MSG_T_SIZE:
      return int(sizeof(zmq_msg_t));
    case ZMQ_THREAD_SCHED_POLICY:
      return o.thread_sched_policy;
    case ZMQ_THREAD_NAME_PREFIX:
      return o.thread_name_prefix;
    default:
      return fail_with(EINVAL);
  }
}
