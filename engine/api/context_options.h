// zmq_ctx_set/get and their draft forms zmq_ctx_set_ext/get_ext: one table of context options
// for both. An option value is an int (its size is sizeof(int)) except ZMQ_THREAD_NAME_PREFIX,
// which zmq_ctx_set_ext also takes as 1..16 bytes of text (as libzmq: a value of int size is
// read as an int).
#pragma once

#include <cstddef>

#include "engine/api/handles.h"

namespace zlab::api {

// 0, or -1 with errno EINVAL (unknown or read-only option, wrong size, value out of range).
int set_context_option(ContextHandle& ctx, int option, const void* value, size_t size);
// 0, or -1 with errno EINVAL. An int option wants size sizeof(int); ZMQ_THREAD_NAME_PREFIX
// also fills a larger buffer with the prefix's bytes and sets *size to their number.
int get_context_option(ContextHandle& ctx, int option, void* value, size_t* size);

}  // namespace zlab::api
