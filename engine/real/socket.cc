#include "engine/real/socket.h"

#include <sodium.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "engine/real/context.h"

namespace zlab::real {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int kMaxReadsPerEvent = 64;  // then other fds get their turn
constexpr int kMaxWritesPerEvent = 64;
// ZMTP's greeting, staged (signature, then the rest), and READY take a few turns each way; a
// turn the I/O threads took waits 1 ms at most, so an inproc connect waits 100 ms at worst.
constexpr int kMaxInprocHandshakeRounds = 100;

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
      written_ += size_t(w);
      return Status::kOk;
    }
    if (errno == EAGAIN || errno == EINTR) return Status::kWouldBlock;
    *err = errno_to_err(errno);
    return Status::kError;
  }

  size_t written() const { return written_; }

 private:
  int fd_;
  size_t written_ = 0;
};

}  // namespace

Socket::Socket(Context& ctx, IoThread& io, SocketType type, uint64_t seed)
    : ctx_(ctx), io_(io), type_(type), core_(type, seed) {
  signal_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (signal_fd_ < 0) creation_error_ = errno_to_err(errno);
  // Security mechanisms draw their random bytes (CURVE's transient keys, cookies, nonces) from
  // libsodium's CSPRNG here; the simulator leaves the core's seeded generator in place.
  static const bool sodium_ready = sodium_init() >= 0;
  if (sodium_ready) {
    core_.set_random_source(
        [](std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); });
  }
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
  return blocking(flags, core_.options().sndtimeo_ms, [&](int64_t now) {
    // Subscriptions an inproc SUB has sent count for this message, as with libzmq's pipes.
    if (inproc_unread_.exchange(false, std::memory_order_acq_rel)) read_inproc_streams(now);
    Err err = core_.send(part, flags & kSendMoreFlag, now);
    // An inproc peer lives in this process: hand it the message now rather than when the I/O
    // thread gets to it (with recv's read below, a receive after a send sees it).
    if (err == Err::kOk) write_inproc_streams(now);
    return err;
  });
}

Err Socket::recv(Msg* part, int flags) {
  return blocking(flags, core_.options().rcvtimeo_ms, [&](int64_t now) {
    Err err = core_.recv(part, now);
    // An inproc peer lives in this process: what it has sent is taken now rather than when the
    // I/O thread gets to it, so a receive after a send (in program order) sees the message.
    if (err == Err::kAgain && read_inproc_streams(now)) err = core_.recv(part, now);
    return err;
  });
}

Err Socket::bind(const std::string& text) {
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = bind_through(core_, *this, text);
  apply(lock);
  return err;
}

Err Socket::connect(const std::string& text) {
  std::vector<InprocAccept> accepts;
  Err err;
  {
    std::unique_lock lock(mu_);
    if (closed_ || interrupted_) return Err::kTerminated;
    connecting_now_ = true;
    err = core_.connect(text, monotonic_ns());
    apply(lock);
    connecting_now_ = false;
    accepts.swap(inproc_accepts_);
  }
  // inproc: the binder takes its end now, and the two handshake before connect returns (as
  // libzmq's inproc pipes are there at once), so a subscription made next goes straight out.
  for (InprocAccept& a : accepts) {
    a.binder->accept_inproc(a.listener, a.binder_fd, a.own_rcvhwm, weak_from_this(), a.own_fd);
    // The I/O threads may move some of the bytes meanwhile: go on until our side is done.
    for (int round = 0; round < kMaxInprocHandshakeRounds; ++round) {
      bool moved = pump_inproc(a.own_fd);
      moved = a.binder->pump_inproc(a.binder_fd) || moved;
      if (inproc_active(a.own_fd, moved ? 0 : 1)) break;
    }
  }
  return err;
}

Err Socket::unbind(const std::string& text) { return end_endpoint(text, true); }

Err Socket::disconnect(const std::string& text) { return end_endpoint(text, false); }

// unbind/disconnect: the endpoint as spelled, else (tcp) as that spelling resolves. The name is
// looked up without the lock held, so a slow resolver holds up neither this socket's I/O nor
// its other callers.
Err Socket::end_endpoint(const std::string& text, bool is_bind) {
  auto end = [&](const std::string& spelling) {
    std::unique_lock lock(mu_);
    Err err = is_bind ? core_.unbind(spelling, monotonic_ns())
                      : core_.disconnect(spelling, monotonic_ns());
    apply(lock);
    return err;
  };
  Err err = end(text);
  ParsedEndpoint parsed = parse_endpoint(text);
  if (err != Err::kNoEntry || !parsed.endpoint || parsed.endpoint->transport != Transport::kTcp) {
    return err;
  }
  bool ipv6 = false;
  {
    std::unique_lock lock(mu_);
    ipv6 = core_.options().ipv6;
  }
  std::string resolved = resolved_tcp_endpoint(parsed.endpoint->address, ipv6);
  return resolved.empty() || resolved == text ? err : end(resolved);
}

Err Socket::set_option(int id, std::span<const uint8_t> value) {
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  int64_t now = monotonic_ns();
  Err err = core_.set_option(id, value, now);
  write_inproc_streams(now);  // a SUBSCRIBE reaches an inproc publisher now
  rcvhwm_.store(core_.options().rcvhwm, std::memory_order_relaxed);
  apply(lock);
  return err;
}

Err Socket::get_option(int id, uint8_t* out, size_t* size) {
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  if (id == opt::kEvents || id == opt::kFd) {
    if (*size < sizeof(int)) return Err::kInvalid;  // checked before ZMQ_EVENTS re-arms
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
    return put_padded(&v, sizeof v, out, size);
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
  // The ZAP agent's thread takes this socket's lock to deliver: stop it without holding it.
  std::unique_ptr<ZapAgent> agent = std::move(zap_agent_);
  lock.unlock();
  if (agent) agent->stop();
}

bool Socket::zap_request(StreamId id, std::vector<Msg> frames) {
  if (!ZapAgent::handler_bound(ctx_)) return false;
  if (closed_) return true;  // closing: the connection goes away unanswered
  if (!zap_agent_) {
    std::weak_ptr<Socket> self = weak_from_this();
    zap_agent_ = std::make_unique<ZapAgent>(ctx_, [self](StreamId s, std::vector<Msg> reply) {
      if (auto socket = self.lock()) socket->deliver_zap_reply(s, std::move(reply));
    });
  }
  zap_agent_->submit(id, std::move(frames));
  return true;
}

void Socket::deliver_zap_reply(StreamId id, std::vector<Msg> frames) {
  std::unique_lock lock(mu_);
  core_.handle_zap_reply(id, frames, false, monotonic_ns());
  apply(lock);
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
    err = options.use_fd >= 0 ? adopt_listener(options.use_fd, endpoint, &listener.listening)
                              : listen_on(endpoint, options.ipv6, options.backlog,
                                          {options.sndbuf, options.rcvbuf}, &listener.listening);
    if (err == Err::kOk) {
      listener.token = io_.add(listener.listening.fd, weak_from_this(), id, true, EPOLLIN);
    }
  }
  if (err != Err::kOk) return err;
  *resolved = listener.listening.resolved;
  listeners_[id] = std::move(listener);
  return Err::kOk;
}

void Socket::add_stream(StreamId id, int fd, bool connecting, bool inproc) {
  Stream stream;
  stream.fd = fd;
  stream.connecting = connecting;
  stream.inproc = inproc;
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
  return {Kind::kConnected, Err::kOk, peer_address_of(fd), fd};
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
  add_stream(id, fds[0], false, true);
  streams_[id].inproc_peer = binder;
  streams_[id].inproc_peer_fd = fds[1];
  int other = fds[1];
  int64_t my_rcvhwm = core_.options().rcvhwm;
  if (connecting_now_) {  // connect() hands it over once this socket's lock is released
    inproc_accepts_.push_back({binder, listener, other, fds[0], my_rcvhwm});
  } else {
    // The binder takes its end on its own I/O thread: no socket lock is held across sockets.
    std::weak_ptr<Socket> self = weak_from_this();
    int own = fds[0];
    binder->io_.post([binder, listener, other, my_rcvhwm, self, own] {
      binder->accept_inproc(listener, other, my_rcvhwm, self, own);
    });
  }
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

void Socket::accept_inproc(uint32_t listener, int fd, int64_t peer_rcvhwm,
                           std::weak_ptr<Socket> peer, int peer_fd) {
  std::unique_lock lock(mu_);
  if (listeners_.count(listener) == 0) {
    ::close(fd);
    return;
  }
  StreamId id = core_.handle_accepted(listener, "inproc", monotonic_ns());
  add_stream(id, fd, false, true);
  streams_[id].inproc_peer = std::move(peer);
  streams_[id].inproc_peer_fd = peer_fd;
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

namespace {

// An FdStream that remembers whether it read anything.
class CountingFdStream final : public ByteStream {
 public:
  explicit CountingFdStream(int fd) : inner_(fd) {}
  Status read(std::span<uint8_t> into, size_t* n, Err* err) override {
    Status status = inner_.read(into, n, err);
    if (status == Status::kOk) bytes_read_ += *n;
    return status;
  }
  Status writev(const wire::IoSlice* slices, size_t count, size_t* n, Err* err) override {
    return inner_.writev(slices, count, n, err);
  }
  size_t bytes_read() const { return bytes_read_; }

 private:
  FdStream inner_;
  size_t bytes_read_ = 0;
};

}  // namespace

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
      StreamId stream = core_.handle_accepted(id, std::move(peer.address), now, fd);
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
        core_.handle_connected(id, peer_address_of(stream.fd), now, stream.fd);
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

void Socket::write_inproc_streams(int64_t now_ns) {
  for (StreamId id : inproc_streams()) {
    if (!core_.wants_write(id)) continue;
    auto it = streams_.find(id);
    if (it == streams_.end()) continue;
    FdStream fd_stream(it->second.fd);
    pump_out(core_, id, fd_stream, now_ns, kMaxWritesPerEvent);
    if (fd_stream.written() == 0) continue;
    if (std::shared_ptr<Socket> peer = it->second.inproc_peer.lock()) {
      peer->inproc_unread_.store(true, std::memory_order_release);
    }
  }
}

std::vector<StreamId> Socket::inproc_streams() const {
  std::vector<StreamId> ids;
  for (const auto& [id, stream] : streams_) {
    if (stream.inproc && !stream.connecting) ids.push_back(id);
  }
  return ids;
}

bool Socket::read_inproc_streams(int64_t now_ns) {
  bool any = false;
  for (StreamId id : inproc_streams()) {
    auto it = streams_.find(id);
    // Gone (an EOF just read closed it), or its pipe is full: nothing more to take.
    if (it == streams_.end() || core_.read_buffer(id).empty()) continue;
    CountingFdStream counting(it->second.fd);
    pump_in(core_, id, counting, now_ns, kMaxReadsPerEvent);
    any = any || counting.bytes_read() > 0;
  }
  return any;
}

void Socket::on_timer(int64_t now_ns) {
  std::unique_lock lock(mu_);
  core_.handle_timeout(now_ns);
  apply(lock);
}

bool Socket::pump_inproc(int fd) {
  std::unique_lock lock(mu_);
  auto it = std::find_if(streams_.begin(), streams_.end(), [&](const auto& entry) {
    return entry.second.fd == fd && entry.second.inproc && !entry.second.connecting;
  });
  if (it == streams_.end()) return false;
  StreamId id = it->first;
  int64_t now = monotonic_ns();
  size_t moved = 0;
  if (!core_.read_buffer(id).empty()) {
    CountingFdStream counting(fd);
    pump_in(core_, id, counting, now, kMaxReadsPerEvent);
    moved += counting.bytes_read();
  }
  if (streams_.count(id) && core_.wants_write(id)) {
    FdStream out(fd);
    pump_out(core_, id, out, now, kMaxWritesPerEvent);
    moved += out.written();
  }
  if (streams_.count(id)) set_interest(id, !core_.read_buffer(id).empty(), core_.wants_write(id));
  apply(lock);
  return moved > 0;
}

bool Socket::inproc_active(int fd, int wait_ms) {
  std::unique_lock lock(mu_);
  auto active = [&] {
    for (const auto& [id, stream] : streams_) {
      if (stream.fd == fd && stream.inproc) return core_.stream_active(id);
    }
    return true;  // gone: nothing to wait for
  };
  if (active()) return true;
  if (wait_ms > 0) changed_.wait_for(lock, std::chrono::milliseconds(wait_ms));
  return active();
}

}  // namespace zlab::real
