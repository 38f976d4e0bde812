// A context: I/O threads, the sockets made in it, and the inproc endpoint registry.
// Terminating it fails blocking calls with kTerminated and waits for every socket to be
// closed and to finish lingering, as zmq_ctx_term does.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/socket_type.h"
#include "engine/real/io_thread.h"

namespace zlab::real {

class Socket;

class Context {
 public:
  explicit Context(int io_threads = 1);
  // Closes sockets still open, then waits for them to finish lingering.
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // nullptr with *err set (kTerminated, kInvalid for an unknown or unbuilt type, kTooManyFiles).
  std::shared_ptr<Socket> create_socket(SocketType type, Err* err);
  // Stops new sockets and fails blocking calls with kTerminated (zmq_ctx_shutdown).
  void shutdown();
  // shutdown(), then waits until every socket is closed and done lingering (zmq_ctx_term).
  void terminate();
  bool terminated() const;
  int max_sockets() const { return max_sockets_; }
  void set_max_sockets(int n) { max_sockets_ = n; }

  // --- used by sockets ---
  IoThread& io_thread_for_new_socket();
  // A connect waiting for its inproc name to be bound (libzmq's pending connection).
  struct InprocWaiter {
    std::weak_ptr<Socket> socket;
    uint32_t stream;
  };
  // Binds `name`; the connects that waited for it are handed to the caller (`waiting`), which
  // completes them once it holds no socket lock.
  Err inproc_bind(const std::string& name, std::weak_ptr<Socket> socket, uint32_t listener,
                  std::vector<InprocWaiter>* waiting);
  void inproc_unbind(const std::string& name, const Socket* socket);
  // The bound socket and listener for a name, if any. Otherwise the connect `stream` of
  // `waiter` waits for the name (handed to the binder by inproc_bind), as libzmq completes a
  // connect made before the bind at once instead of at the next reconnect.
  std::shared_ptr<Socket> inproc_lookup(const std::string& name, uint32_t* listener,
                                        const std::weak_ptr<Socket>& waiter, uint32_t stream);
  // Whether a live socket has bound `name` now (a query: nothing waits for it).
  bool inproc_is_bound(const std::string& name) const;
  // The connect `stream` of `socket` no longer waits (disconnected, closed).
  void inproc_cancel(const Socket* socket, uint32_t stream);
  void socket_finished(const Socket* socket);

 private:
  struct InprocEntry {
    std::weak_ptr<Socket> socket;
    uint32_t listener;
  };
  mutable std::mutex mu_;
  std::condition_variable all_closed_;
  std::vector<std::unique_ptr<IoThread>> io_threads_;
  // By address: closing one of many thousands of sockets must not cost a scan of them all.
  std::unordered_map<const Socket*, std::shared_ptr<Socket>> sockets_;
  std::map<std::string, InprocEntry> inproc_;
  std::map<std::string, std::vector<InprocWaiter>> inproc_waiting_;
  size_t next_io_thread_ = 0;
  uint64_t next_seed_;
  int max_sockets_ = 1023;
  bool terminated_ = false;
};

}  // namespace zlab::real
