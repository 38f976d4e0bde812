#include "engine/api/socket_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace zlab::api {

SocketSignal::SocketSignal() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

SocketSignal::~SocketSignal() {
  for (const auto& socket : sockets_) socket->remove_signal_fd(fd_);
  if (fd_ >= 0) ::close(fd_);
}

void SocketSignal::watch(const std::shared_ptr<real::Socket>& socket) {
  for (const auto& watched : sockets_) {
    if (watched == socket) return;  // zmq_poll may list a socket twice
  }
  socket->add_signal_fd(fd_);
  sockets_.push_back(socket);
}

void SocketSignal::unwatch(const real::Socket& socket) {
  for (auto it = sockets_.begin(); it != sockets_.end(); ++it) {
    if (it->get() == &socket) {
      (*it)->remove_signal_fd(fd_);
      sockets_.erase(it);
      return;
    }
  }
}

void SocketSignal::drain() {
  uint64_t count;
  ssize_t rc = ::read(fd_, &count, sizeof count);
  (void)rc;
}

}  // namespace zlab::api
