// inproc on the real driver: how one socket wakes another without ever holding two socket
// locks. A socket's core runs under that socket's lock; when it hands a message to an inproc
// peer (or makes room for one, or leaves) the shared pipe calls the peer's PipeWaker, which
// here only notes the wake-up for the calling thread. Every public entry point of a Socket
// opens an UnlockedScope before taking its lock; when the outermost scope closes (no socket
// lock held any more) the noted work runs: the woken socket takes its own lock, takes in what
// its links did, signals ZMQ_FD and wakes its blocked callers.
#pragma once

#include <functional>
#include <memory>

#include "engine/sockets/shared_pipe.h"

namespace zlab::real {

class Socket;

// Runs `task` once the calling thread holds no socket lock (at the end of the outermost
// UnlockedScope; at once if there is none).
void run_unlocked(std::function<void()> task);

class UnlockedScope {
 public:
  UnlockedScope();
  ~UnlockedScope();
  UnlockedScope(const UnlockedScope&) = delete;
  UnlockedScope& operator=(const UnlockedScope&) = delete;
  // Inside the outermost scope, with the lock released: runs what is pending now (a blocked
  // call does this before it waits, so the peers it woke are not left waiting for it).
  // Returns whether anything ran.
  static bool flush_if_outermost();
  // Whether flush_if_outermost() would run anything.
  static bool can_flush();
};

// Wakes a Socket from the other side of its inproc links.
class SocketWaker final : public PipeWaker {
 public:
  explicit SocketWaker(std::weak_ptr<Socket> socket) : socket_(std::move(socket)) {}
  void wake() override;

 private:
  std::weak_ptr<Socket> socket_;
};

}  // namespace zlab::real
