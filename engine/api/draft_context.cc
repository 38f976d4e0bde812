// The draft context calls zmq_ctx_set_ext/zmq_ctx_get_ext: zmq_ctx_set/get with a value of any
// size (context_options.h). Draft build only (build_flavour.h).
#include "engine/api/context_options.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"

extern "C" int zmq_ctx_set_ext(void* context, int option, const void* optval, size_t optvallen) {
  zlab::api::ContextHandle* ctx = zlab::api::context_of(context);
  if (ctx == nullptr) return -1;
  return zlab::api::set_context_option(*ctx, option, optval, optvallen);
}

extern "C" int zmq_ctx_get_ext(void* context, int option, void* optval, size_t* optvallen) {
  zlab::api::ContextHandle* ctx = zlab::api::context_of(context);
  if (ctx == nullptr) return -1;
  return zlab::api::get_context_option(*ctx, option, optval, optvallen);
}
