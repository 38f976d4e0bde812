#include "engine/api/context_options.h"

#include <errno.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/api/errno_map.h"
#include "engine/api/zmq.h"

namespace zlab::api {
namespace {

// libzmq's answer on Linux (its epoll poller sets no limit of its own).
constexpr int kSocketLimit = 65535;
// libzmq names its threads with at most 16 bytes of prefix.
constexpr size_t kThreadNamePrefixMax = 16;
// ZMQ_ZERO_COPY_RECV is a draft constant, but libzmq's context takes it in every build.
constexpr int kZeroCopyRecv = 10;

int set_int_option(ContextHandle& ctx, int option, int value) {
  if (value < 0) return fail_with(EINVAL);  // no option takes a negative value
  ContextOptions& o = ctx.options;
  switch (option) {
    case ZMQ_IO_THREADS:
      o.io_threads = value;
      return 0;
    case ZMQ_MAX_SOCKETS:
      if (value < 1) return fail_with(EINVAL);
      o.max_sockets = value;
      if (ctx.engine) ctx.engine->set_max_sockets(value);
      return 0;
    case ZMQ_IPV6:
      o.ipv6 = value != 0;
      return 0;
    case ZMQ_BLOCKY:
      o.blocky = value != 0;
      return 0;
    case ZMQ_MAX_MSGSZ:
      o.max_msgsz = value;
      return 0;
    case ZMQ_THREAD_PRIORITY:
      o.thread_priority = value;
      return 0;
    case ZMQ_THREAD_SCHED_POLICY:
      o.thread_sched_policy = value;
      return 0;
    case ZMQ_THREAD_NAME_PREFIX:
      o.thread_name_prefix = std::to_string(value);
      return 0;
    case ZMQ_THREAD_AFFINITY_CPU_ADD:
    case ZMQ_THREAD_AFFINITY_CPU_REMOVE:
      return 0;
    case kZeroCopyRecv:
      o.zero_copy_recv = value != 0;
      return 0;
    default:  // unknown, or read-only (ZMQ_SOCKET_LIMIT, ZMQ_MSG_T_SIZE)
      return fail_with(EINVAL);
  }
}

// -1 (errno EINVAL) for an option zmq_ctx_get does not know.
int get_int_option(const ContextHandle& ctx, int option, int* value) {
  const ContextOptions& o = ctx.options;
  switch (option) {
    case ZMQ_IO_THREADS:
      *value = o.io_threads;
      return 0;
    case ZMQ_MAX_SOCKETS:
      *value = o.max_sockets;
      return 0;
    case ZMQ_SOCKET_LIMIT:  // the same number as ZMQ_THREAD_PRIORITY: libzmq answers this one
      *value = kSocketLimit;
      return 0;
    case ZMQ_IPV6:
      *value = o.ipv6 ? 1 : 0;
      return 0;
    case ZMQ_BLOCKY:
      *value = o.blocky ? 1 : 0;
      return 0;
    case ZMQ_MAX_MSGSZ:
      *value = o.max_msgsz;
      return 0;
    case ZMQ_MSG_T_SIZE:
      *value = int(sizeof(zmq_msg_t));
      return 0;
    case ZMQ_THREAD_SCHED_POLICY:
      *value = o.thread_sched_policy;
      return 0;
    case ZMQ_THREAD_NAME_PREFIX:  // as libzmq: the prefix read as a number
      *value = std::atoi(o.thread_name_prefix.c_str());
      return 0;
    case kZeroCopyRecv:
      *value = o.zero_copy_recv ? 1 : 0;
      return 0;
    default:
      return fail_with(EINVAL);
  }
}

}  // namespace

int set_context_option(ContextHandle& ctx, int option, const void* value, size_t size) {
  if (value == nullptr && size != 0) return fail_with(EFAULT);
  std::lock_guard lock(ctx.mu);
  if (size == sizeof(int)) {
    int v;
    std::memcpy(&v, value, sizeof v);
    return set_int_option(ctx, option, v);
  }
  if (option == ZMQ_THREAD_NAME_PREFIX && size > 0 && size <= kThreadNamePrefixMax) {
    ctx.options.thread_name_prefix.assign(static_cast<const char*>(value), size);
    return 0;
  }
  return fail_with(EINVAL);
}

int get_context_option(ContextHandle& ctx, int option, void* value, size_t* size) {
  if (size == nullptr || (value == nullptr && *size != 0)) return fail_with(EFAULT);
  std::lock_guard lock(ctx.mu);
  if (*size == sizeof(int)) {
    int v = 0;
    if (get_int_option(ctx, option, &v) != 0) return -1;
    std::memcpy(value, &v, sizeof v);
    return 0;
  }
  const std::string& prefix = ctx.options.thread_name_prefix;
  if (option == ZMQ_THREAD_NAME_PREFIX && *size >= prefix.size()) {
    std::memcpy(value, prefix.data(), prefix.size());
    *size = prefix.size();
    return 0;
  }
  return fail_with(EINVAL);
}

}  // namespace zlab::api
