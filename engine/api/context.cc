// Contexts: zmq_ctx_new/term/shutdown/set/get and the older zmq_init/zmq_term/zmq_ctx_destroy.
//
// The engine's context (I/O threads) is made with the first socket, so ZMQ_IO_THREADS and
// ZMQ_MAX_SOCKETS set before then take effect, as in libzmq.
#include <errno.h>

#include <climits>
#include <new>

#include "engine/api/context_options.h"
#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"

using zlab::api::context_of;
using zlab::api::ContextHandle;
using zlab::api::fail_with;

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
  return zlab::api::set_context_option(*ctx, option, &optval, sizeof optval);
}

extern "C" int zmq_ctx_get(void* context, int option) {
  ContextHandle* ctx = context_of(context);
  if (ctx == nullptr) return -1;
  int value = 0;
  size_t size = sizeof value;
  if (zlab::api::get_context_option(*ctx, option, &value, &size) != 0) return -1;
  return value;
}
