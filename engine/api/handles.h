// The objects behind the C API's void* handles: contexts and sockets.
//
// Each handle starts with a tag, so a pointer that is not a live context or socket is refused
// with EFAULT or ENOTSOCK instead of being used (as far as reading the tag is possible: a wild
// pointer into unmapped memory still crashes, as with libzmq). A closed socket's handle stays
// allocated, tagged closed, until its context is terminated, so using a closed socket fails
// with ENOTSOCK; a context keeps at most kClosedSocketsKept of them and frees the oldest first.
#pragma once

#include <unistd.h>

#include <climits>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "engine/base/err.h"
#include "engine/base/socket_type.h"
#include "engine/real/context.h"
#include "engine/real/socket.h"

namespace zlab::api {

inline constexpr uint64_t kContextTag = 0x7a6c61622d637478;       // "zlab-ctx"
inline constexpr uint64_t kSocketTag = 0x7a6c61622d736f63;        // "zlab-soc"
inline constexpr uint64_t kClosedSocketTag = 0x7a6c61622d646561;  // "zlab-dea"
inline constexpr uint64_t kDeadTag = 0;
inline constexpr size_t kClosedSocketsKept = 4096;

struct SocketHandle;

// What zmq_ctx_set configures. Thread settings are kept and reported, not applied (README).
struct ContextOptions {
  int io_threads = 1;
  int max_sockets = 1023;
  int max_msgsz = INT_MAX;
  int thread_priority = -1;
  int thread_sched_policy = -1;
  std::string thread_name_prefix;  // zmq_ctx_set's int in decimal, or zmq_ctx_set_ext's bytes
  bool ipv6 = false;
  bool blocky = true;
  bool zero_copy_recv = true;  // ZMQ_ZERO_COPY_RECV: kept and reported (zlab never copies)
};

struct ContextHandle {
  uint64_t tag = kContextTag;
  // The process that made the context. A child made by fork() inherits the context's memory
  // but none of its threads (handles.cc, forked()).
  const pid_t pid = getpid();
  std::mutex mu;  // guards everything below
  ContextOptions options;
  bool shut_down = false;
  // Made with the first socket, as libzmq starts its I/O threads then (ZMQ_IO_THREADS applies
  // until that moment).
  std::unique_ptr<real::Context> engine;
  std::deque<SocketHandle*> closed_sockets;
};

// Socket options the engine has no field for: kept here and reported back (sockopt.cc).
struct ApiOptions {
  uint64_t affinity = 0;
  int rate = 100;
  int recovery_ivl_ms = 10000;
};

// zmq_socket_monitor's state (monitor.h).
class Monitor;

struct SocketHandle {
  uint64_t tag = kSocketTag;
  ContextHandle* ctx = nullptr;
  std::shared_ptr<real::Socket> socket;  // empty once closed
  ApiOptions options;
  std::shared_ptr<Monitor> monitor;  // set while zmq_socket_monitor is on
};

// The live context behind `p`, or nullptr with errno EFAULT.
ContextHandle* context_of(void* p);
// The open socket behind `p`, or nullptr with errno ENOTSOCK.
SocketHandle* socket_of(void* p);

// Whether this process is a fork()ed child of the one that made `ctx`. Such a child may close
// the sockets and terminate the context it inherited (libzmq supports it, test_fork): that
// releases only the child's view of them. The I/O threads, the kernel objects shared with the
// parent (epoll sets, eventfds) and the parent's connections are left alone, and nothing waits
// for threads that do not exist in the child.
inline bool forked(const ContextHandle& ctx) { return getpid() != ctx.pid; }

// A socket of the engine in `ctx`, with the context's defaults (ZMQ_IPV6, ZMQ_BLOCKY) applied.
// nullptr with *err set: kTerminated after zmq_ctx_shutdown/term, kTooManyFiles, kInvalid.
std::shared_ptr<real::Socket> create_engine_socket(ContextHandle& ctx, SocketType type, Err* err);

// zmq_close's bookkeeping: tags `h` closed and keeps it until the context goes. The caller
// closes the engine socket afterwards (after which `h` may be freed by zmq_ctx_term).
void retire_socket(SocketHandle* h);

// zmq_ctx_term's bookkeeping, once every socket is closed: frees the kept handles.
void free_closed_sockets(ContextHandle& ctx);

}  // namespace zlab::api
