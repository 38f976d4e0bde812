#include "engine/real/socket.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/real/context.h"

namespace zlab::real {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int kMaxReadsPerEvent = 64;  // then other fds get their turn
constexpr int kMaxWritesPerEvent = 64;

}  // namespace

Socket::Socket(Context& ctx, IoThread& io, SocketType type, uint64_t seed)
    : ctx_(ctx), io_(io), type_(type), core_(type, seed) {
  signal_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Socket::~Socket() {
  for (auto& [id, stream] : streams_) ::close(stream.fd);
  for (auto& [id, listener] : listeners_) {
    if (!listener.inproc) close_listening(listener.listening);
  }
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

// --- application side ---

template <typename Op>
Err Socket::blocking(int flags, int timeout_ms, Op op) {
  std::unique_lock lock(mu_);
  if (closed_) return Err::kNotSupported;
  int64_t deadline = timeout_ms < 0 ? INT64_MAX : monotonic_ns() + timeout_ms * kNsPerMs;
  for (;;) {
    if (interrupted_) return Err::kTerminated;
    Err err = op(monotonic_ns());
    apply(lock);
    if (err != Err::kAgain || (flags & kDontWait) || timeout_ms == 0) return err;
    if (deadline == INT64_MAX) {
      changed_.wait(lock);
    } else {
      int64_t left = deadline - monotonic_ns();
      if (left <= 0) return Err::kAgain;
      changed_.wait_for(lock, std::chrono::nanoseconds(left));
    }
  }
}

Err Socket::send(Msg& part, int flags) {
  return blocking(flags, core_.options().sndtimeo_ms,
                  [&](int64_t now) { return core_.send(part, flags & kSendMoreFlag, now); });
}

Err Socket::recv(Msg* part, int flags) {
  return blocking(flags, core_.options().rcvtimeo_ms,
                  [&](int64_t now) { return core_.recv(part, now); });
}

Err Socket::bind(const std::string& text) {
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = Err::kOk;
  auto request = core_.bind(text, &err);
  if (!request) return err;
  Listener listener;
  int64_t now = monotonic_ns();
  if (request->endpoint.transport == Transport::kInproc) {
    listener.inproc = true;
    listener.inproc_name = request->endpoint.address;
    err = ctx_.inproc_bind(listener.inproc_name, weak_from_this(), request->listener);
    listener.listening.resolved = text;
  } else {
    err = listen_on(request->endpoint, core_.options().ipv6, core_.options().backlog,
                    &listener.listening);
  }
  err = core_.complete_bind(request->listener, err, listener.listening.resolved, now);
  if (err == Err::kOk) {
    if (!listener.inproc) {
      listener.token =
          io_.add(listener.listening.fd, weak_from_this(), request->listener, true, EPOLLIN);
    }
    listeners_[request->listener] = std::move(listener);
  }
  apply(lock);
  return err;
}

Err Socket::connect(const std::string& text) {
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = core_.connect(text, monotonic_ns());
  apply(lock);
  return err;
}

Err Socket::unbind(const std::string& text) {
  std::unique_lock lock(mu_);
  Err err = core_.unbind(text, monotonic_ns());
  apply(lock);
  return err;
}

Err Socket::disconnect(const std::string& text) {
  std::unique_lock lock(mu_);
  Err err = core_.disconnect(text, monotonic_ns());
  apply(lock);
  return err;
}

Err Socket::set_option(int id, std::span<const uint8_t> value) {
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  Err err = core_.set_option(id, value, monotonic_ns());
  apply(lock);
  return err;
}

Err Socket::get_option(int id, uint8_t* out, size_t* size) {
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  if (id == opt::kEvents || id == opt::kFd) {
    if (*size < sizeof(int)) return Err::kInvalid;
    int v = 0;
    if (id == opt::kFd) {
      v = signal_fd_;
    } else {
      uint64_t drained;
      ssize_t rc = ::read(signal_fd_, &drained, sizeof drained);  // edge-triggered: re-arm
      (void)rc;
      v = int(core_.events(monotonic_ns()));
      last_events_ = uint32_t(v);
    }
    std::memcpy(out, &v, sizeof v);
    *size = sizeof v;
    return Err::kOk;
  }
  return core_.get_option(id, out, size);
}

uint32_t Socket::events() {
  std::unique_lock lock(mu_);
  return core_.events(monotonic_ns());
}

void Socket::close() {
  std::unique_lock lock(mu_);
  if (closed_) return;
  closed_ = true;
  for (auto& [id, listener] : listeners_) {
    if (listener.inproc) ctx_.inproc_unbind(listener.inproc_name, this);
  }
  core_.close(monotonic_ns());
  apply(lock);
  changed_.notify_all();
}

void Socket::interrupt() {
  std::unique_lock lock(mu_);
  interrupted_ = true;
  changed_.notify_all();
}

bool Socket::poll_monitor_event(MonitorEvent* event) {
  std::unique_lock lock(mu_);
  if (monitor_.empty()) return false;
  *event = std::move(monitor_.front());
  monitor_.pop_front();
  return true;
}

void Socket::set_monitor_enabled(bool enabled) {
  std::unique_lock lock(mu_);
  monitor_enabled_ = enabled;
  if (!enabled) monitor_.clear();
}

// --- carrying out what the core asks ---

void Socket::apply(std::unique_lock<std::mutex>& lock) {
  (void)lock;  // held by the caller
  int64_t now = monotonic_ns();
  for (int guard = 0; guard < 1000; ++guard) {
    IoAction action;
    bool any = false;
    while (core_.poll_action(&action)) {
      any = true;
      switch (action.kind) {
        case IoAction::Kind::kConnect:
          do_connect(action.id, action.endpoint, now);
          break;
        case IoAction::Kind::kCloseStream:
          close_stream(action.id);
          break;
        case IoAction::Kind::kCloseListener:
          close_listener(action.id);
          break;
      }
    }
    if (!any) break;
  }
  StreamId dirty;
  while (core_.poll_dirty(&dirty)) update_interest(dirty);
  MonitorEvent ev;
  while (core_.poll_monitor_event(&ev)) {
    if (!monitor_enabled_) continue;
    if (auto it = streams_.find(ev.stream); it != streams_.end()) ev.value = it->second.fd;
    if (monitor_.size() < 4096) monitor_.push_back(std::move(ev));
  }
  int64_t old_deadline = deadline_ns_.load(std::memory_order_relaxed);
  int64_t deadline = core_.next_deadline_ns();
  deadline_ns_.store(deadline, std::memory_order_release);
  if (deadline < old_deadline) io_.wake();
  uint32_t events = core_.events(now);
  if ((events & ~last_events_) != 0) {
    uint64_t one = 1;
    ssize_t rc = ::write(signal_fd_, &one, sizeof one);
    (void)rc;
  }
  last_events_ = events;
  if (core_.finished()) {
    finished_.store(true, std::memory_order_release);
    ctx_.socket_finished(this);
  }
  changed_.notify_all();
}

void Socket::add_stream(StreamId id, int fd, bool connecting) {
  Stream stream;
  stream.fd = fd;
  stream.connecting = connecting;
  stream.interest = connecting ? uint32_t(EPOLLOUT) : 0u;
  stream.token = io_.add(fd, weak_from_this(), id, false, stream.interest);
  streams_[id] = stream;
}

void Socket::do_connect(StreamId id, const Endpoint& endpoint, int64_t now_ns) {
  if (endpoint.transport == Transport::kInproc) {
    uint32_t listener = 0;
    std::shared_ptr<Socket> binder = ctx_.inproc_lookup(endpoint.address, &listener);
    if (!binder) {
      core_.handle_connect_failed(id, Err::kConnRefused, now_ns);
      return;
    }
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
      core_.handle_connect_failed(id, errno_to_err(errno), now_ns);
      return;
    }
    add_stream(id, fds[0], false);
    core_.handle_connected(id, "inproc", now_ns);
    int other = fds[1];
    // The binder takes its end on its own I/O thread: no socket lock is held across sockets.
    binder->io_.post([binder, listener, other] { binder->accept_inproc(listener, other); });
    return;
  }
  bool in_progress = false;
  Err err = Err::kOk;
  int fd = connect_to(endpoint, core_.options().ipv6, &in_progress, &err);
  if (fd < 0) {
    core_.handle_connect_failed(id, err, now_ns);
    return;
  }
  add_stream(id, fd, in_progress);
  if (!in_progress) core_.handle_connected(id, peer_address_of(fd), now_ns);
}

void Socket::accept_inproc(uint32_t listener, int fd) {
  std::unique_lock lock(mu_);
  if (listeners_.count(listener) == 0) {
    ::close(fd);
    return;
  }
  StreamId id = core_.handle_accepted(listener, "inproc", monotonic_ns());
  add_stream(id, fd, false);
  apply(lock);
}

void Socket::close_stream(StreamId id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  io_.remove(it->second.token, it->second.fd);
  ::close(it->second.fd);
  streams_.erase(it);
}

void Socket::close_listener(EndpointId id) {
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  if (it->second.inproc) {
    ctx_.inproc_unbind(it->second.inproc_name, this);
  } else {
    io_.remove(it->second.token, it->second.listening.fd);
    close_listening(it->second.listening);
  }
  listeners_.erase(it);
}

void Socket::update_interest(StreamId id) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.connecting) return;
  uint32_t interest = 0;
  if (!core_.read_buffer(id).empty()) interest |= EPOLLIN;
  if (core_.wants_write(id)) interest |= EPOLLOUT;
  if (interest != it->second.interest) {
    it->second.interest = interest;
    io_.modify(it->second.token, it->second.fd, interest);
  }
}

// --- I/O thread side ---

void Socket::read_stream(StreamId id, Stream& stream, int64_t now_ns) {
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    std::span<uint8_t> buf = core_.read_buffer(id);
    if (buf.empty()) return;
    ssize_t n = ::read(stream.fd, buf.data(), buf.size());
    if (n > 0) {
      core_.handle_read(id, size_t(n), now_ns);
      if (size_t(n) < buf.size()) return;  // drained for now
    } else if (n == 0) {
      core_.handle_eof(id, now_ns);
      return;
    } else {
      if (errno == EAGAIN || errno == EINTR) return;
      core_.handle_stream_error(id, errno_to_err(errno), now_ns);
      return;
    }
  }
}

void Socket::write_stream(StreamId id, Stream& stream, int64_t now_ns) {
  wire::IoSlice slices[64];
  iovec iov[64];
  for (int i = 0; i < kMaxWritesPerEvent; ++i) {
    size_t n = core_.poll_transmit(id, slices, 64);
    if (n == 0) return;
    size_t total = 0;
    for (size_t k = 0; k < n; ++k) {
      iov[k].iov_base = const_cast<uint8_t*>(slices[k].data);
      iov[k].iov_len = slices[k].size;
      total += slices[k].size;
    }
    ssize_t wrote = ::writev(stream.fd, iov, int(n));
    if (wrote < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      core_.handle_stream_error(id, errno_to_err(errno), now_ns);
      return;
    }
    core_.handle_written(id, size_t(wrote), now_ns);
    if (size_t(wrote) < total) return;  // the kernel buffer is full
  }
}

void Socket::on_io(uint32_t id, bool listener, uint32_t epoll_events) {
  std::unique_lock lock(mu_);
  int64_t now = monotonic_ns();
  if (listener) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) return;
    int listen_fd = it->second.listening.fd;
    for (int i = 0; i < 64; ++i) {
      std::string address;
      Err err = Err::kOk;
      int fd = accept_from(listen_fd, &address, &err);
      if (fd < 0) break;
      StreamId stream = core_.handle_accepted(id, address, now);
      add_stream(stream, fd, false);
    }
    apply(lock);
    return;
  }
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream& stream = it->second;
  if (stream.connecting) {
    if (epoll_events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      Err err = finish_connect(stream.fd);
      if (err == Err::kOk) {
        stream.connecting = false;
        stream.interest = EPOLLOUT;
        core_.handle_connected(id, peer_address_of(stream.fd), now);
      } else {
        close_stream(id);
        core_.handle_connect_failed(id, err, now);
      }
    }
    apply(lock);
    return;
  }
  if (epoll_events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_stream(id, stream, now);
  if (streams_.count(id) && (epoll_events & EPOLLOUT)) write_stream(id, stream, now);
  // Bytes queued by the reads above (a PONG, an ERROR) go out without waiting for EPOLLOUT.
  if (streams_.count(id) && core_.wants_write(id)) write_stream(id, streams_[id], now);
  // Writing may have drained the output: drop EPOLLOUT now rather than spin on it.
  update_interest(id);
  apply(lock);
}

void Socket::on_timer(int64_t now_ns) {
  std::unique_lock lock(mu_);
  core_.handle_timeout(now_ns);
  apply(lock);
}

}  // namespace zlab::real
