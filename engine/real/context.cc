#include "engine/real/context.h"

#include <algorithm>

#include "engine/real/socket.h"
#include "engine/sockets/routing.h"

namespace zlab::real {

Context::Context(int io_threads) : next_seed_(uint64_t(monotonic_ns())) {
  for (int i = 0; i < std::max(1, io_threads); ++i) {
    io_threads_.push_back(std::make_unique<IoThread>());
  }
}

Context::~Context() {
  // zmq_ctx_term waits for the application to close its sockets; a destructor must not wait
  // forever, so it closes what is still open (each still lingers as configured).
  shutdown();
  std::vector<std::shared_ptr<Socket>> open;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, socket] : sockets_) open.push_back(socket);
  }
  for (auto& s : open) s->close();
  terminate();
  io_threads_.clear();  // joins the threads; sockets are gone by now
}

IoThread& Context::io_thread_for_new_socket() {
  IoThread& io = *io_threads_[next_io_thread_];
  next_io_thread_ = (next_io_thread_ + 1) % io_threads_.size();
  return io;
}

std::shared_ptr<Socket> Context::create_socket(SocketType type, Err* err) {
  std::lock_guard lock(mu_);
  if (terminated_) {
    *err = Err::kTerminated;
    return nullptr;
  }
  if (int(sockets_.size()) >= max_sockets_) {
    *err = Err::kTooManyFiles;
    return nullptr;
  }
  if (!routing_supported(type)) {
    *err = Err::kInvalid;
    return nullptr;
  }
  IoThread& io = io_thread_for_new_socket();
  auto socket = std::make_shared<Socket>(*this, io, type, next_seed_++);
  if (socket->creation_error() != Err::kOk) {  // out of file descriptors, as libzmq: EMFILE
    *err = socket->creation_error();
    return nullptr;
  }
  socket->init_waker();
  sockets_.emplace(socket.get(), socket);
  io.attach_owner(socket);
  *err = Err::kOk;
  return socket;
}

void Context::shutdown() {
  std::vector<std::shared_ptr<Socket>> sockets;
  {
    std::lock_guard lock(mu_);
    terminated_ = true;
    for (auto& [ptr, socket] : sockets_) sockets.push_back(socket);
  }
  // Outside the context lock: a socket may be calling into the context right now.
  for (auto& s : sockets) s->interrupt();
}

void Context::terminate() {
  shutdown();
  std::unique_lock lock(mu_);
  all_closed_.wait(lock, [this] { return sockets_.empty(); });
}

bool Context::terminated() const {
  std::lock_guard lock(mu_);
  return terminated_;
}

void Context::socket_finished(const Socket* socket) {
  std::lock_guard lock(mu_);
  sockets_.erase(socket);
  if (sockets_.empty()) all_closed_.notify_all();
}

Err Context::inproc_bind(const std::string& name, std::weak_ptr<Socket> socket, uint32_t listener,
                         std::vector<InprocWaiter>* waiting) {
  std::lock_guard lock(mu_);
  auto it = inproc_.find(name);
  if (it != inproc_.end() && !it->second.socket.expired()) return Err::kAddrInUse;
  inproc_[name] = InprocEntry{std::move(socket), listener};
  if (auto w = inproc_waiting_.find(name); w != inproc_waiting_.end()) {
    *waiting = std::move(w->second);
    inproc_waiting_.erase(w);
  }
  return Err::kOk;
}

void Context::inproc_unbind(const std::string& name, const Socket* socket) {
  std::lock_guard lock(mu_);
  auto it = inproc_.find(name);
  if (it == inproc_.end()) return;
  auto bound = it->second.socket.lock();
  if (!bound || bound.get() == socket) inproc_.erase(it);
}

std::shared_ptr<Socket> Context::inproc_lookup(const std::string& name, uint32_t* listener,
                                               const std::weak_ptr<Socket>& waiter,
                                               uint32_t stream) {
  std::lock_guard lock(mu_);
  auto it = inproc_.find(name);
  std::shared_ptr<Socket> bound = it == inproc_.end() ? nullptr : it->second.socket.lock();
  if (bound) {
    *listener = it->second.listener;
    return bound;
  }
  // In the same critical section as the miss, so a bind cannot slip in between unnoticed.
  auto& list = inproc_waiting_[name];
  std::erase_if(list, [](const InprocWaiter& w) { return w.socket.expired(); });
  list.push_back(InprocWaiter{waiter, stream});
  return nullptr;
}

bool Context::inproc_is_bound(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = inproc_.find(name);
  return it != inproc_.end() && !it->second.socket.expired();
}

void Context::inproc_cancel(const Socket* socket, uint32_t stream) {
  std::lock_guard lock(mu_);
  for (auto it = inproc_waiting_.begin(); it != inproc_waiting_.end();) {
    std::erase_if(it->second, [&](const InprocWaiter& w) {
      std::shared_ptr<Socket> s = w.socket.lock();
      return !s || (s.get() == socket && w.stream == stream);
    });
    it = it->second.empty() ? inproc_waiting_.erase(it) : std::next(it);
  }
}

}  // namespace zlab::real
