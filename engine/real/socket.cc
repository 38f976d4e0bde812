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
#include <utility>
#include <vector>

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
    // Every stream is a socket (tcp, ipc): sendmsg with MSG_NOSIGNAL, so a
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
  if (signal_fd_ < 0) creation_error_ = errno_to_err(errno);
  // Security mechanisms draw their random bytes (CURVE's transient keys, cookies, nonces) from
  // libsodium's CSPRNG here; the simulator leaves the core's seeded generator in place.
  static const bool sodium_ready = sodium_init() >= 0;
  if (sodium_ready) {
    core_.set_random_source(
        [](std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); });
  }
}

int64_t Socket::clock_ns() {
  last_now_ns_ = std::max(monotonic_ns(), last_now_ns_);
  return last_now_ns_;
}

// Send, receive and inproc wake-ups take the coarse clock (what they time, heartbeats and the
// like, counts in ms), never earlier than what this socket's core has already been told.
int64_t Socket::fast_clock_ns() {
  last_now_ns_ = std::max(coarse_monotonic_ns(), last_now_ns_);
  return last_now_ns_;
}

void Socket::init_waker() { waker_ = std::make_shared<SocketWaker>(weak_from_this()); }

Socket::~Socket() {
  for (auto& [id, stream] : streams_) ::close(stream.fd);
  for (auto& [id, listener] : listeners_) {
    if (!listener.inproc) close_listening(listener.listening);
  }
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

// --- application side ---

template <typename Op>
Err Socket::blocking(int flags, int SocketOptions::*timeout_field, uint32_t ready_bit, Op op) {
  UnlockedScope scope;  // wakes the inproc peers this call woke once the lock is released
  std::unique_lock lock(mu_);
  if (closed_) return Err::kNotSupported;
  const int timeout_ms = core_.options().*timeout_field;
  int64_t deadline = timeout_ms < 0 ? INT64_MAX : monotonic_ns() + timeout_ms * kNsPerMs;
  for (;;) {
    if (interrupted_) return Err::kTerminated;
    int64_t now = fast_clock_ns();
    Err err = op(now);
    const Transfer transfer{err == Err::kAgain ? ready_bit : 0};
    apply(lock, now, &transfer);
    if (err != Err::kAgain || (flags & kDontWait) || timeout_ms == 0) return err;
    // Before sleeping, wake the inproc peers this call woke (it may be what they wait for);
    // then look again, as anything may have happened while the lock was released.
    if (UnlockedScope::can_flush()) {
      lock.unlock();
      UnlockedScope::flush_if_outermost();
      lock.lock();
      continue;
    }
    int64_t left = deadline == INT64_MAX ? 0 : deadline - monotonic_ns();
    if (deadline != INT64_MAX && left <= 0) return Err::kAgain;
    ++waiters_;  // apply() notifies only when someone waits
    if (deadline == INT64_MAX) {
      changed_.wait(lock);
    } else {
      changed_.wait_for(lock, std::chrono::nanoseconds(left));
    }
    --waiters_;
  }
}

Err Socket::send(Msg& part, int flags) {
  return blocking(flags, &SocketOptions::sndtimeo_ms, kPollOut,
                  [&](int64_t now) { return core_.send(part, flags & kSendMoreFlag, now); });
}

Err Socket::recv(Msg* part, int flags) {
  return blocking(flags, &SocketOptions::rcvtimeo_ms, kPollIn,
                  [&](int64_t now) { return core_.recv(part, now); });
}

Err Socket::bind(const std::string& text) {
  UnlockedScope scope;  // connects that waited for an inproc name complete once unlocked
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = bind_through(core_, *this, text);
  apply(lock);
  if (err == Err::kOk) signal_watchers();  // ZMQ_FD reads as libzmq's: see connect()
  return err;
}

Err Socket::connect(const std::string& text) {
  // inproc: the bound socket joins the link, and each side takes in the other's announcement,
  // once this lock is released and before this returns: the connection exists on return, as
  // libzmq's inproc pipes do.
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = core_.connect(text, clock_ns());
  apply(lock);
  // libzmq's socket gets a command from the session or listener it made (own_t::launch_child),
  // so its ZMQ_FD is readable after every bind and connect; programs that watch that fd before
  // any message (libzmq's test_poller) see it so here too. The reader checks ZMQ_EVENTS anyway.
  if (err == Err::kOk) signal_watchers();
  return err;
}

Err Socket::connect_peer(const std::string& text, uint32_t* routing_id) {
  UnlockedScope scope;  // as connect(): an inproc connection exists on return
  std::unique_lock lock(mu_);
  *routing_id = 0;
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = core_.connect_peer(text, clock_ns(), routing_id);
  apply(lock);
  return err;
}

Err Socket::join(std::string_view group) {
  UnlockedScope scope;  // an inproc RADIO hears the JOIN once the lock is released
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = core_.join(group, clock_ns());
  apply(lock);
  return err;
}

Err Socket::leave(std::string_view group) {
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  if (closed_ || interrupted_) return Err::kTerminated;
  Err err = core_.leave(group, clock_ns());
  apply(lock);
  return err;
}

Err Socket::unbind(const std::string& text) { return end_endpoint(text, true); }

Err Socket::disconnect(const std::string& text) { return end_endpoint(text, false); }

// unbind/disconnect: the endpoint as spelled, else (tcp) as that spelling resolves. The name is
// looked up without the lock held, so a slow resolver holds up neither this socket's I/O nor
// its other callers.
Err Socket::end_endpoint(const std::string& text, bool is_bind) {
  UnlockedScope scope;  // an inproc peer hears of it once the lock is released
  auto end = [&](const std::string& spelling) {
    std::unique_lock lock(mu_);
    Err err = is_bind ? core_.unbind(spelling, clock_ns()) : core_.disconnect(spelling, clock_ns());
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
  UnlockedScope scope;  // a SUBSCRIBE wakes an inproc publisher once the lock is released
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  Err err = core_.set_option(id, value, clock_ns());
  apply(lock);
  return err;
}

Err Socket::get_option(int id, uint8_t* out, size_t* size) {
  UnlockedScope scope;  // ZMQ_EVENTS may take in an inproc peer's subscriptions (and wake it)
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
      v = int(core_.events(clock_ns()));
      last_events_ = uint32_t(v);
      carry_out_events_work(lock);
    }
    return put_padded(&v, sizeof v, out, size);
  }
  return core_.get_option(id, out, size);
}

uint32_t Socket::events() {
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  uint32_t ev = core_.events(clock_ns());
  carry_out_events_work(lock);
  return ev;
}

// Looking may act: a DISH that finds a malformed message (a lone frame where a group frame is
// due) drops it and closes that connection (DishRouting::fetch). Without this the close waited
// for the next send or receive, so a DISH only polled (zmq_poll) kept the broken peer forever.
void Socket::carry_out_events_work(std::unique_lock<std::mutex>& lock) {
  if (core_.driver_work_pending()) apply(lock);
}

Err Socket::peer_state(std::string_view routing_id, int* state) {
  std::unique_lock lock(mu_);
  if (interrupted_) return Err::kTerminated;
  return core_.peer_state(routing_id, state);
}

std::vector<PipeStats> Socket::pipe_stats() {
  std::unique_lock lock(mu_);
  return core_.pipe_stats();
}

uint64_t Socket::dropped_messages() {
  std::unique_lock lock(mu_);
  return core_.dropped_messages();
}

uint64_t Socket::unreported_handshakes() {
  std::unique_lock lock(mu_);
  return core_.unreported_handshakes();
}

void Socket::close() {
  UnlockedScope scope;  // inproc peers hear of it once the lock is released
  std::unique_lock lock(mu_);
  if (closed_) return;
  closed_ = true;  // from here on no new ZAP agent starts (zap_request)
  // The ZAP agent's thread takes this socket's lock to deliver and uses the context: stop it
  // without the lock, and before this socket can finish (the context may go right after).
  if (std::unique_ptr<ZapAgent> agent = std::move(zap_agent_)) {
    lock.unlock();
    agent->stop();
    lock.lock();
  }
  for (auto& [id, listener] : listeners_) {
    if (listener.inproc) ctx_.inproc_unbind(listener.inproc_name, this);
  }
  core_.close(clock_ns());
  apply(lock);
  changed_.notify_all();
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
  UnlockedScope scope;  // inproc peers this wakes run once the lock is released
  std::unique_lock lock(mu_);
  core_.handle_zap_reply(id, frames, false, monotonic_ns());
  apply(lock);
}

void Socket::interrupt() {
  std::unique_lock lock(mu_);
  interrupted_ = true;
  changed_.notify_all();
  // Wake whoever polls ZMQ_FD (zmq_poll, proxies): their next ZMQ_EVENTS read fails with ETERM.
  signal_watchers();
}

void Socket::add_signal_fd(int fd) {
  std::unique_lock lock(mu_);
  extra_signal_fds_.push_back(fd);
}

void Socket::remove_signal_fd(int fd) {
  std::unique_lock lock(mu_);
  std::erase(extra_signal_fds_, fd);
}

void Socket::signal_watchers() {
  uint64_t one = 1;
  ssize_t rc = ::write(signal_fd_, &one, sizeof one);
  for (int fd : extra_signal_fds_) rc = ::write(fd, &one, sizeof one);
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

// The core's monitor events, to the sink or the queue (zmq_socket_monitor).
void Socket::take_monitor_events() {
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
}

void Socket::apply(std::unique_lock<std::mutex>& lock, int64_t now_ns, const Transfer* transfer) {
  (void)lock;  // held by the caller
  carry_out(core_, *this);
  if (core_.monitor_event_pending()) take_monitor_events();
  // ZMQ_FD takes an edge for readiness the application has not seen since it last learned it:
  // from a ZMQ_EVENTS read, or from a send or recv refused with EAGAIN (libzmq's contract: its
  // reader is marked asleep only by a read that finds nothing). So a send or recv that went
  // through looks at nothing (~200 instructions a message), and one refused only forgets its
  // bit, so the next arrival or room signals. The I/O thread and inproc wake-ups look on
  // every call (a SUB, XSUB or DISH fetches a landed message then, which the fair queue's
  // order depends on); so does everyone while a poller's own fds (not re-armed by a ZMQ_EVENTS
  // read) watch.
  if (transfer == nullptr || !extra_signal_fds_.empty()) {
    uint32_t events = core_.events(now_ns >= 0 ? now_ns : clock_ns());
    if ((events & ~last_events_) != 0) signal_watchers();  // ZMQ_FD: something new to look at
    last_events_ = events;
  } else {
    last_events_ &= ~transfer->refused;
  }
  if (core_.finished() && !finished_.load(std::memory_order_relaxed)) {
    finished_.store(true, std::memory_order_release);
    io_.owner_finished(this);
    // Last: once told, zmq_ctx_term may return and free the context and its I/O threads.
    ctx_.socket_finished(this);
  }
  if (waiters_ > 0) changed_.notify_all();
}

void Socket::set_deadline(int64_t deadline_ns) {
  // Unchanged on almost every call: a load, not a read-modify-write of a shared cache line.
  if (deadline_ns_.load(std::memory_order_relaxed) == deadline_ns) return;
  int64_t old = deadline_ns_.exchange(deadline_ns, std::memory_order_acq_rel);
  if (deadline_ns < old) io_.deadline_moved_earlier(this);
}

Err Socket::listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
                   std::string* resolved) {
  Listener listener;
  Err err;
  if (endpoint.transport == Transport::kInproc) {
    listener.inproc = true;
    listener.inproc_name = endpoint.address;
    std::vector<Context::InprocWaiter> waiting;
    err = ctx_.inproc_bind(listener.inproc_name, weak_from_this(), id, &waiting);
    listener.listening.resolved = endpoint.text;
    // Connects made before the bind complete now, as in libzmq: each once this socket's lock is
    // released, and before zmq_bind returns.
    for (Context::InprocWaiter& w : waiting) {
      std::string name = endpoint.address;
      run_unlocked([w, name] {
        if (std::shared_ptr<Socket> waiter = w.socket.lock())
          waiter->complete_inproc(w.stream, name);
      });
    }
  } else if (endpoint.transport == Transport::kUdp) {
    // Bound now, so zmq_bind reports EADDRINUSE (libzmq binds later, on its I/O thread, and
    // reports nothing); the stream the core opens next takes the socket (open_datagram).
    UdpAddress address;
    err = parse_udp_address(endpoint.address, true, &address);
    if (err == Err::kOk) err = udp_bind(address, options.ipv6, &listener.listening.fd);
    listener.udp = true;
    listener.listening.resolved = endpoint.text;  // as libzmq's LAST_ENDPOINT: as given
  } else {
    err = options.use_fd >= 0
              ? adopt_listener(options.use_fd, endpoint, &listener.listening)
              : listen_on(endpoint, options.ipv6, options.backlog,
                          {options.sndbuf, options.rcvbuf, options.priority}, &listener.listening);
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
    // Nobody bound yet: in progress until the bind (complete_inproc), as in libzmq, where a
    // connect before the bind completes the moment the bind happens.
    std::shared_ptr<InprocLink> link = connect_inproc(id, endpoint.address);
    if (!link) return {Kind::kInProgress, Err::kOk, {}};
    ConnectResult result{Kind::kConnected, Err::kOk, "inproc"};
    result.inproc = std::move(link);
    return result;
  }
  if (endpoint.transport == Transport::kTcp && !options.socks_proxy.empty()) {
    return connect_via_socks(id, endpoint, options);
  }
  bool in_progress = false;
  Err err = Err::kOk;
  int fd = connect_to(endpoint, options.ipv6, {options.sndbuf, options.rcvbuf, options.priority},
                      &in_progress, &err);
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
  int fd = connect_to(proxy, options.ipv6, {options.sndbuf, options.rcvbuf, options.priority},
                      &in_progress, &err);
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

std::shared_ptr<InprocLink> Socket::connect_inproc(StreamId id, const std::string& name) {
  uint32_t listener = 0;
  std::shared_ptr<Socket> binder = ctx_.inproc_lookup(name, &listener, weak_from_this(), id);
  if (!binder) return nullptr;
  auto link = std::make_shared<InprocLink>(waker_, binder->waker());
  // The binder joins once this socket's lock is released (never two socket locks at once).
  run_unlocked([binder, listener, link] { binder->accept_inproc(listener, link); });
  return link;
}

void Socket::complete_inproc(StreamId id, const std::string& name) {
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  if (std::shared_ptr<InprocLink> link = connect_inproc(id, name)) {
    core_.handle_inproc_connected(id, std::move(link), clock_ns());
  }  // else unbound again meanwhile: waiting again
  apply(lock);
}

void Socket::accept_inproc(uint32_t listener, std::shared_ptr<InprocLink> link) {
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  core_.handle_inproc_accepted(listener, std::move(link), clock_ns());
  apply(lock);
}

void Socket::wake_from_link() {
  // A finished socket has nothing left to do, and its context may be gone already.
  if (finished_.load(std::memory_order_acquire)) return;
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  if (finished_.load(std::memory_order_relaxed)) return;  // finished meanwhile (set under mu_)
  int64_t now = fast_clock_ns();
  core_.handle_inproc_activity(now);
  apply(lock, now);
}

void Socket::close_stream(StreamId id) {
  ctx_.inproc_cancel(this, id);  // a connect still waiting for its inproc name
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  io_.remove(it->second.token, it->second.fd);
  ::close(it->second.fd);
  streams_.erase(it);
}

void Socket::shutdown_write(StreamId id) {
  auto it = streams_.find(id);
  if (it != streams_.end()) ::shutdown(it->second.fd, SHUT_WR);
}

void Socket::close_listener(EndpointId id) {
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  if (it->second.inproc) {
    ctx_.inproc_unbind(it->second.inproc_name, this);
  } else if (it->second.udp) {
    if (it->second.listening.fd >= 0) ::close(it->second.listening.fd);  // never handed over
  } else {
    io_.remove(it->second.token, it->second.listening.fd);
    close_listening(it->second.listening);
  }
  listeners_.erase(it);
}

Err Socket::open_datagram(StreamId id, EndpointId listener, const Endpoint& endpoint,
                          DatagramRole role, const SocketOptions& options) {
  int fd = -1;
  std::unique_ptr<UdpPort> port;
  if (role != DatagramRole::kSend) {
    auto it = listeners_.find(listener);
    if (it == listeners_.end() || !it->second.udp || it->second.listening.fd < 0) {
      return Err::kInvalid;
    }
    fd = std::exchange(it->second.listening.fd, -1);
    port = std::make_unique<UdpPort>(role == DatagramRole::kAddressed ? UdpPort::addressed(fd)
                                                                      : UdpPort(fd));
  } else {
    UdpAddress address;
    UdpSender sender;
    if (Err err = parse_udp_address(endpoint.address, false, &address); err != Err::kOk) return err;
    if (Err err = udp_open_sender(address, options.ipv6, options.multicast_hops,
                                  options.multicast_loop, &sender);
        err != Err::kOk) {
      return err;
    }
    fd = sender.fd;
    port = std::make_unique<UdpPort>(sender);
  }
  add_stream(id, fd, false);
  streams_[id].udp = std::move(port);
  return Err::kOk;
}

void Socket::on_datagram_io(StreamId id, uint32_t epoll_events, int64_t now_ns) {
  UdpPort& port = *streams_[id].udp;
  if (epoll_events & (EPOLLIN | EPOLLERR)) {
    pump_datagrams_in(core_, id, port, now_ns, kMaxReadsPerEvent);
  }
  if (streams_.count(id) && core_.wants_write(id)) {
    pump_datagrams_out(core_, id, port, now_ns, kMaxWritesPerEvent);
  }
  if (streams_.count(id)) set_interest(id, !core_.read_buffer(id).empty(), core_.wants_write(id));
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
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  int64_t now = clock_ns();
  if (listener) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) return;
    int listen_fd = it->second.listening.fd;
    for (int i = 0; i < 64; ++i) {
      AcceptedPeer peer;
      Err err = Err::kOk;
      int fd = accept_from(listen_fd, &peer, &err, core_.options().priority);
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
  if (stream.udp) {
    on_datagram_io(id, epoll_events, now);
    apply(lock);
    return;
  }
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

void Socket::on_timer(int64_t now_ns) {
  UnlockedScope scope;
  std::unique_lock lock(mu_);
  now_ns = last_now_ns_ = std::max(now_ns, last_now_ns_);
  core_.handle_timeout(now_ns);
  apply(lock);
}

}  // namespace zlab::real
