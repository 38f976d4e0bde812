#include "engine/real/socket.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/real/context.h"

namespace zlab::real {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int kMaxReadsPerEvent = 64;  // then other fds get their turn
constexpr int kMaxWritesPerEvent = 64;

// A non-blocking fd as the pumps see it.
class FdStream final : public ByteStream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}
  Status read(std::span<uint8_t> into, size_t* n, Err* err) override {
    ssize_t r = ::read(fd_, into.data(), into.size());
    if (r > 0) {
      *n = size_t(r);
      return Status::kOk;
    }
    if (r == 0) return Status::kEof;
    if (errno == EAGAIN || errno == EINTR) return Status::kWouldBlock;
    *err = errno_to_err(errno);
    return Status::kError;
  }
  Status writev(const wire::IoSlice* slices, size_t count, size_t* n, Err* err) override {
    iovec iov[64];
    count = std::min<size_t>(count, 64);
    for (size_t k = 0; k < count; ++k) {
      iov[k].iov_base = const_cast<uint8_t*>(slices[k].data);
      iov[k].iov_len = slices[k].size;
    }
    // Every stream is a socket (tcp, ipc, inproc socketpair): sendmsg with MSG_NOSIGNAL, so a
    // peer that went away is an EPIPE error here, never a SIGPIPE that kills the application.
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    ssize_t w = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (w >= 0) {
      *n = size_t(w);
      return Status::kOk;
    }
    if (errno == EAGAIN || errno == EINTR) return Status::kWouldBlock;
    *err = errno_to_err(errno);
    return Status::kError;
  }

 private:
  int fd_;
};

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
  Err err = bind_through(core_, *this, text);
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
  rcvhwm_.store(core_.options().rcvhwm, std::memory_order_relaxed);
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

uint64_t Socket::dropped_messages() {
  std::unique_lock lock(mu_);
  return core_.dropped_messages();
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
  // Wake whoever polls ZMQ_FD (zmq_poll, proxies): their next ZMQ_EVENTS read fails with ETERM.
  uint64_t one = 1;
  ssize_t rc = ::write(signal_fd_, &one, sizeof one);
  (void)rc;
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

void Socket::set_monitor_sink(std::function<void(const MonitorEvent&)> sink) {
  std::unique_lock lock(mu_);
  monitor_sink_ = std::move(sink);
}

// --- carrying out what the core asks ---

void Socket::apply(std::unique_lock<std::mutex>& lock) {
  (void)lock;  // held by the caller
  carry_out(core_, *this);
  for (auto& [stream, rcvhwm] : inproc_peer_rcvhwm_) core_.handle_peer_rcvhwm(stream, rcvhwm);
  inproc_peer_rcvhwm_.clear();
  MonitorEvent ev;
  while (core_.poll_monitor_event(&ev)) {
    if (!monitor_enabled_ && !monitor_sink_) continue;
    // Where the core reports a connection or listener by its id (ACCEPTED, CONNECTED, LISTENING,
    // ...), the application sees its fd; other values (protocol error codes, 0) stay as they are.
    if (ev.stream != kNoStream && ev.value == int64_t(ev.stream)) {
      if (auto it = streams_.find(ev.stream); it != streams_.end()) ev.value = it->second.fd;
    } else if (ev.event == monitor::kListening) {  // reported by its listener id
      auto it = listeners_.find(EndpointId(ev.value));
      if (it != listeners_.end() && it->second.listening.fd >= 0) {
        ev.value = it->second.listening.fd;
      }
    }
    if (monitor_sink_) {
      monitor_sink_(ev);
    } else if (monitor_.size() < 4096) {
      monitor_.push_back(std::move(ev));
    }
  }
  uint32_t events = core_.events(monotonic_ns());
  if ((events & ~last_events_) != 0) {
    uint64_t one = 1;
    ssize_t rc = ::write(signal_fd_, &one, sizeof one);  // ZMQ_FD: something new to look at
    (void)rc;
  }
  last_events_ = events;
  if (core_.finished()) {
    finished_.store(true, std::memory_order_release);
    ctx_.socket_finished(this);
  }
  changed_.notify_all();
}

void Socket::set_deadline(int64_t deadline_ns) {
  int64_t old = deadline_ns_.exchange(deadline_ns, std::memory_order_acq_rel);
  if (deadline_ns < old) io_.wake();
}

Err Socket::listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
                   std::string* resolved) {
  Listener listener;
  Err err;
  if (endpoint.transport == Transport::kInproc) {
    listener.inproc = true;
    listener.inproc_name = endpoint.address;
    err = ctx_.inproc_bind(listener.inproc_name, weak_from_this(), id);
    listener.listening.resolved = endpoint.text;
  } else {
    err = listen_on(endpoint, options.ipv6, options.backlog, {options.sndbuf, options.rcvbuf},
                    &listener.listening);
    if (err == Err::kOk) {
      listener.token = io_.add(listener.listening.fd, weak_from_this(), id, true, EPOLLIN);
    }
  }
  if (err != Err::kOk) return err;
  *resolved = listener.listening.resolved;
  listeners_[id] = std::move(listener);
  return Err::kOk;
}

void Socket::add_stream(StreamId id, int fd, bool connecting) {
  Stream stream;
  stream.fd = fd;
  stream.connecting = connecting;
  stream.interest = connecting ? uint32_t(EPOLLOUT) : 0u;
  stream.token = io_.add(fd, weak_from_this(), id, false, stream.interest);
  streams_[id] = std::move(stream);
}

ConnectResult Socket::connect(StreamId id, const Endpoint& endpoint, const SocketOptions& options) {
  using Kind = ConnectResult::Kind;
  if (endpoint.transport == Transport::kInproc) {
    Err err = connect_inproc(id, endpoint.address);
    if (err == Err::kOk) return {Kind::kConnected, Err::kOk, "inproc"};
    if (err != Err::kConnRefused) return {Kind::kFailed, err, {}};
    // Nobody bound yet: in progress until the bind (inproc_bound), as in libzmq, where a
    // connect before the bind completes the moment the bind happens.
    inproc_pending_[id] = endpoint.address;
    return {Kind::kInProgress, Err::kOk, {}};
  }
  if (endpoint.transport == Transport::kTcp && !options.socks_proxy.empty()) {
    return connect_via_socks(id, endpoint, options);
  }
  bool in_progress = false;
  Err err = Err::kOk;
  int fd = connect_to(endpoint, options.ipv6, {options.sndbuf, options.rcvbuf}, &in_progress, &err);
  if (fd < 0) return {Kind::kFailed, err, {}};
  add_stream(id, fd, in_progress);
  if (in_progress) return {Kind::kInProgress, Err::kOk, {}};
  return {Kind::kConnected, Err::kOk, peer_address_of(fd)};
}

// ZMQ_SOCKS_PROXY: a tcp connect to the proxy, then the SOCKS5 exchange (advance_socks); the
// core hears handle_connected only once the proxy has reached the target. In progress until
// then, even when the tcp connect completes at once.
ConnectResult Socket::connect_via_socks(StreamId id, const Endpoint& endpoint,
                                        const SocketOptions& options) {
  using Kind = ConnectResult::Kind;
  std::optional<proto::Socks5Target> target = proto::parse_socks5_target(endpoint.address);
  if (!target) return {Kind::kFailed, Err::kInvalid, {}};
  Endpoint proxy{Transport::kTcp, options.socks_proxy, "tcp://" + options.socks_proxy};
  bool in_progress = false;
  Err err = Err::kOk;
  int fd = connect_to(proxy, options.ipv6, {options.sndbuf, options.rcvbuf}, &in_progress, &err);
  if (fd < 0) return {Kind::kFailed, err, {}};
  add_stream(id, fd, true);  // EPOLLOUT: the connect completing, or at once the greeting's room
  streams_[id].socks = std::make_unique<proto::Socks5Client>(
      std::move(*target), options.socks_username, options.socks_password);
  return {Kind::kInProgress, Err::kOk, {}};
}

void Socket::watch(Stream& stream, uint32_t interest) {
  if (interest == stream.interest) return;
  stream.interest = interest;
  io_.modify(stream.token, stream.fd, interest);
}

// Moves bytes between the proxy and the SOCKS5 client until it waits for the proxy, is done
// (the core's connection starts) or failed (the core retries as after any failed connect).
void Socket::advance_socks(StreamId id, int64_t now_ns) {
  Stream& stream = streams_[id];
  proto::Socks5Client& client = *stream.socks;
  FdStream fd_stream(stream.fd);
  for (bool moved = true; moved && !client.done() && !client.failed();) {
    moved = false;
    if (std::span<const uint8_t> out = client.poll_transmit(); !out.empty()) {
      wire::IoSlice slice{out.data(), out.size()};
      size_t n = 0;
      Err err = Err::kOk;
      ByteStream::Status status = fd_stream.writev(&slice, 1, &n, &err);
      if (status == ByteStream::Status::kOk && n > 0) {
        client.handle_written(n);
        moved = true;
      } else if (status != ByteStream::Status::kWouldBlock) {
        client.handle_eof();
      }
    } else if (std::span<uint8_t> room = client.read_buffer(); !room.empty()) {
      size_t n = 0;
      Err err = Err::kOk;
      ByteStream::Status status = fd_stream.read(room, &n, &err);
      if (status == ByteStream::Status::kOk) {
        client.handle_read(n);
        moved = true;
      } else if (status != ByteStream::Status::kWouldBlock) {
        client.handle_eof();
      }
    }
  }
  if (client.failed()) {
    Err err = client.error();
    close_stream(id);
    core_.handle_connect_failed(id, err, now_ns);
  } else if (client.done()) {
    stream.socks.reset();
    stream.connecting = false;
    watch(stream, EPOLLOUT);
    core_.handle_connected(id, peer_address_of(stream.fd), now_ns);
  } else {
    watch(stream, client.poll_transmit().empty() ? uint32_t(EPOLLIN) : uint32_t(EPOLLOUT));
  }
}

Err Socket::connect_inproc(StreamId id, const std::string& name) {
  uint32_t listener = 0;
  std::shared_ptr<Socket> binder = ctx_.inproc_lookup(name, &listener, weak_from_this());
  if (!binder) return Err::kConnRefused;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return errno_to_err(errno);
  }
  add_stream(id, fds[0], false);
  int other = fds[1];
  // The binder takes its end on its own I/O thread: no socket lock is held across sockets.
  int64_t my_rcvhwm = core_.options().rcvhwm;
  binder->io_.post(
      [binder, listener, other, my_rcvhwm] { binder->accept_inproc(listener, other, my_rcvhwm); });
  // Told to the core once it knows the connection (apply()).
  inproc_peer_rcvhwm_[id] = binder->rcvhwm_.load(std::memory_order_relaxed);
  return Err::kOk;
}

void Socket::inproc_bound(const std::string& name) {
  std::weak_ptr<Socket> weak = weak_from_this();
  io_.post([weak, name] {
    if (auto self = weak.lock()) self->complete_inproc(name);
  });
}

void Socket::complete_inproc(const std::string& name) {
  std::unique_lock lock(mu_);
  std::vector<StreamId> ready;
  for (auto& [id, pending] : inproc_pending_) {
    if (pending == name) ready.push_back(id);
  }
  for (StreamId id : ready) {
    Err err = connect_inproc(id, name);
    if (err == Err::kOk) {
      inproc_pending_.erase(id);
      core_.handle_connected(id, "inproc", monotonic_ns());
    } else if (err != Err::kConnRefused) {
      inproc_pending_.erase(id);
      core_.handle_connect_failed(id, err, monotonic_ns());
    }  // else unbound again meanwhile: still waiting, and registered again
  }
  apply(lock);
}

void Socket::accept_inproc(uint32_t listener, int fd, int64_t peer_rcvhwm) {
  std::unique_lock lock(mu_);
  if (listeners_.count(listener) == 0) {
    ::close(fd);
    return;
  }
  StreamId id = core_.handle_accepted(listener, "inproc", monotonic_ns());
  add_stream(id, fd, false);
  core_.handle_peer_rcvhwm(id, peer_rcvhwm);
  apply(lock);
}

void Socket::close_stream(StreamId id) {
  inproc_pending_.erase(id);
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

void Socket::set_interest(StreamId id, bool read, bool write) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.connecting) return;
  uint32_t interest = (read ? uint32_t(EPOLLIN) : 0u) | (write ? uint32_t(EPOLLOUT) : 0u);
  if (interest != it->second.interest) {
    it->second.interest = interest;
    io_.modify(it->second.token, it->second.fd, interest);
  }
}

// --- I/O thread side ---

void Socket::on_io(uint32_t id, bool listener, uint32_t epoll_events) {
  std::unique_lock lock(mu_);
  int64_t now = monotonic_ns();
  if (listener) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) return;
    int listen_fd = it->second.listening.fd;
    for (int i = 0; i < 64; ++i) {
      AcceptedPeer peer;
      Err err = Err::kOk;
      int fd = accept_from(listen_fd, &peer, &err);
      if (fd < 0) break;
      if (!peer_admitted(fd, peer, core_.options())) {
        ::close(fd);  // filtered out: closed at once, unseen by the core (no event), as libzmq
        continue;
      }
      StreamId stream = core_.handle_accepted(id, std::move(peer.address), now);
      add_stream(stream, fd, false);
    }
    apply(lock);
    return;
  }
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream& stream = it->second;
  if (stream.socks && stream.proxy_reached) {
    advance_socks(id, now);
    apply(lock);
    return;
  }
  if (stream.connecting) {
    if (epoll_events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      Err err = finish_connect(stream.fd);
      if (err == Err::kOk && stream.socks) {
        stream.proxy_reached = true;
        advance_socks(id, now);
      } else if (err == Err::kOk) {
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
  FdStream fd_stream(stream.fd);
  if (epoll_events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    pump_in(core_, id, fd_stream, now, kMaxReadsPerEvent);
  }
  // Write whenever there is output, not only on EPOLLOUT: bytes the reads just queued (a PONG,
  // an ERROR) go out at once. The stream may be gone after the reads: check again.
  if (streams_.count(id) && core_.wants_write(id)) {
    pump_out(core_, id, fd_stream, now, kMaxWritesPerEvent);
  }
  if (streams_.count(id)) set_interest(id, !core_.read_buffer(id).empty(), core_.wants_write(id));
  apply(lock);
}

void Socket::on_timer(int64_t now_ns) {
  std::unique_lock lock(mu_);
  core_.handle_timeout(now_ns);
  apply(lock);
}

}  // namespace zlab::real
