// An eventfd of a waiter's own that thread-safe sockets write whenever their ZMQ_EVENTS may have
// gained a bit (real::Socket::add_signal_fd). A thread-safe socket has no ZMQ_FD (several
// threads cannot share one edge-triggered fd: one would take the others' wake-ups), so zmq_poll
// and each zmq_poller watch such sockets through one of these instead, as libzmq's pollers
// watch them through a signaler of their own.
#pragma once

#include <memory>
#include <vector>

#include "engine/real/socket.h"

namespace zlab::api {

class SocketSignal {
 public:
  SocketSignal();
  ~SocketSignal();  // stops watching every socket
  SocketSignal(const SocketSignal&) = delete;
  SocketSignal& operator=(const SocketSignal&) = delete;

  // False when no eventfd could be made (out of descriptors: EMFILE).
  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // From now on, `socket` writes fd() (add before reading its events, or a change in between
  // would go unnoticed).
  void watch(const std::shared_ptr<real::Socket>& socket);
  void unwatch(const real::Socket& socket);
  // Takes what was written, so the next poll(2) waits for something new.
  void drain();

 private:
  int fd_ = -1;
  std::vector<std::shared_ptr<real::Socket>> sockets_;
};

}  // namespace zlab::api
