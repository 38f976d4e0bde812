#include "engine/api/monitor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <tuple>

#include "engine/api/errno_map.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"

namespace zlab::api {
namespace {

constexpr std::string_view kInprocPrefix = "inproc://";

void signal(int fd) {
  uint64_t one = 1;
  ssize_t rc = ::write(fd, &one, sizeof one);
  (void)rc;  // a full counter already means "wake up"
}

// One end of a connection as libzmq's monitor names it: "tcp://127.0.0.1:5555",
// "tcp://[::1]:5555", "ipc:///path" (an unnamed end: "ipc://"); "" when the fd has none.
std::string socket_end_address(int fd, const std::string& scheme, bool local) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((local ? getsockname(fd, sa, &len) : getpeername(fd, sa, &len)) != 0) return "";
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return scheme + "://" + host + ":" + std::to_string(ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return scheme + "://[" + host + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    auto* a = reinterpret_cast<sockaddr_un*>(&ss);
    size_t path_len =
        len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    std::string path(a->sun_path, strnlen(a->sun_path, path_len));
    if (path_len > 0 && a->sun_path[0] == '\0')
      path = "@" + std::string(a->sun_path + 1, path_len - 1);
    return "ipc://" + path;
  }
  return "";
}

}  // namespace

Monitor::Monitor(std::shared_ptr<real::Socket> pair, uint64_t events, int version)
    : pair_(std::move(pair)), events_(events), version_(version) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  // Like libzmq's own threads, this one takes no signals: they go to the application's.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

Monitor::~Monitor() {
  if (thread_.joinable()) stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Monitor::post(const MonitorEvent& event) {
  constexpr size_t kMaxRemembered = 1 << 16;  // connections and listeners that never end
  uint32_t value = uint32_t(event.value);
  if (event.stream != kNoStream) {
    if (event.event == ZMQ_EVENT_CONNECTED || event.event == ZMQ_EVENT_ACCEPTED) {
      if (connection_fds_.size() >= kMaxRemembered) connection_fds_.clear();
      connection_fds_[event.stream] = value;
    } else if (event.event == ZMQ_EVENT_DISCONNECTED) {
      auto it = connection_fds_.find(event.stream);
      if (it != connection_fds_.end()) {
        value = it->second;
        connection_fds_.erase(it);
      }
    }
  }
  if (event.event == ZMQ_EVENT_LISTENING) {
    if (listener_fds_.size() >= kMaxRemembered) listener_fds_.clear();
    listener_fds_[event.endpoint] = value;
  } else if (event.event == ZMQ_EVENT_CLOSED && event.stream == kNoStream) {
    auto it = listener_fds_.find(event.endpoint);
    if (it != listener_fds_.end()) {
      value = it->second;
      listener_fds_.erase(it);
    }
  }
  if ((event.event & events_) == 0) return;
  Event out{event.event, {value}, event.endpoint, {}, {}};
  if (version_ >= 2) std::tie(out.local, out.remote) = ends_of(event, value);
  queue(std::move(out));
}

// libzmq's endpoint pair of an event: a listener's is (its endpoint, ""), a connect's before it
// connects ("", its endpoint), a connection's the addresses of its two ends, from its fd.
Monitor::Ends Monitor::ends_of(const MonitorEvent& event, uint32_t value) {
  std::lock_guard lock(ends_mu_);
  bool from_connection = event.stream != kNoStream &&
                         (event.event == ZMQ_EVENT_CONNECTED || event.event == ZMQ_EVENT_ACCEPTED);
  if (from_connection) {
    std::string scheme = event.endpoint.substr(0, event.endpoint.find("://"));
    Ends ends{socket_end_address(int(value), scheme, true),
              socket_end_address(int(value), scheme, false)};
    if (connection_ends_.size() >= (1u << 16)) connection_ends_.clear();
    connection_ends_[event.stream] = ends;
    return ends;
  }
  if (auto it = connection_ends_.find(event.stream);
      event.stream != kNoStream && it != connection_ends_.end()) {
    Ends ends = it->second;
    if (event.event == ZMQ_EVENT_DISCONNECTED) connection_ends_.erase(it);
    return ends;
  }
  switch (event.event) {
    case ZMQ_EVENT_LISTENING:
    case ZMQ_EVENT_BIND_FAILED:
    case ZMQ_EVENT_ACCEPT_FAILED:
      return {event.endpoint, ""};
    case ZMQ_EVENT_CLOSED:
      return event.stream == kNoStream ? Ends{event.endpoint, ""} : Ends{"", event.endpoint};
    case ZMQ_EVENT_MONITOR_STOPPED:
      return {"", ""};
    default:
      return {"", event.endpoint};
  }
}

void Monitor::post_pipe_stats(StreamId stream, const std::string& endpoint, uint64_t outbound,
                              uint64_t inbound) {
  if (!wants(kEventPipesStats)) return;
  Ends ends{endpoint, ""};
  {
    std::lock_guard lock(ends_mu_);
    if (auto it = connection_ends_.find(stream);
        stream != kNoStream && it != connection_ends_.end())
      ends = it->second;
  }
  queue(Event{kEventPipesStats, {outbound, inbound}, endpoint, ends.first, ends.second});
}

void Monitor::queue(Event event) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueuedEvents) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(event));
  }
  signal(wake_fd_);
}

void Monitor::stop() {
  if (!thread_.joinable()) return;
  if (events_ & ZMQ_EVENT_MONITOR_STOPPED) queue(Event{ZMQ_EVENT_MONITOR_STOPPED, {0}, "", "", ""});
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  signal(wake_fd_);
  thread_.join();
}

bool Monitor::deliver() {
  for (;;) {
    Event event;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return true;
      event = queue_.front();
    }
    if (!send_event(event)) return false;  // no reader yet, or it is behind: keep the event
    std::lock_guard lock(mu_);
    queue_.pop_front();
  }
}

bool Monitor::send_event(const Event& event) {
  std::vector<Msg> parts;
  if (version_ == 1) {
    uint16_t number = uint16_t(event.event);
    uint32_t value = uint32_t(event.values.empty() ? 0 : event.values[0]);
    uint8_t head[6];
    std::memcpy(head, &number, sizeof number);
    std::memcpy(head + 2, &value, sizeof value);
    parts.push_back(Msg::copy_of(std::span<const uint8_t>(head, sizeof head)));
    parts.push_back(Msg::copy_of(event.endpoint));
  } else {
    auto u64 = [](uint64_t v) {
      return Msg::copy_of(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&v), 8));
    };
    parts.push_back(u64(event.event));
    parts.push_back(u64(event.values.size()));
    for (uint64_t v : event.values) parts.push_back(u64(v));
    parts.push_back(Msg::copy_of(event.local));
    parts.push_back(Msg::copy_of(event.remote));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    int flags = real::kDontWait | (i + 1 < parts.size() ? real::kSendMoreFlag : 0);
    Err err = pair_->send(parts[i], flags);
    if (err == Err::kAgain && i == 0) return false;
    if (err != Err::kOk) {  // terminated: nobody will read it (a started message always ends)
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
  }
  return true;
}

void Monitor::run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point give_up = Clock::time_point::max();
  bool terminated = false;
  for (;;) {
    // Reading ZMQ_EVENTS re-arms the PAIR's ZMQ_FD: it signals once it can take more. After the
    // context is terminated the FD stays signalled and sending drops events: stop watching it.
    int pair_events = 0;
    size_t size = sizeof pair_events;
    if (!terminated) {
      terminated = pair_->get_option(opt::kEvents, reinterpret_cast<uint8_t*>(&pair_events),
                                     &size) == Err::kTerminated;
    }
    bool all_sent = deliver();
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    int timeout_ms = -1;
    if (stopping) {
      if (give_up == Clock::time_point::max()) {
        give_up = Clock::now() + std::chrono::milliseconds(kStopGraceMs);
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(give_up - Clock::now()).count();
      if (all_sent || left <= 0) break;
      timeout_ms = int(left) + 1;
    }
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {pair_->signal_fd(), POLLIN, 0}};
    if (::poll(fds, terminated ? 1 : 2, timeout_ms) > 0 && (fds[0].revents & POLLIN)) {
      uint64_t count;
      ssize_t rc = ::read(wake_fd_, &count, sizeof count);
      (void)rc;
    }
  }
  {
    std::lock_guard lock(mu_);
    dropped_.fetch_add(queue_.size(), std::memory_order_relaxed);
    queue_.clear();
  }
  pair_->close();
}

void stop_monitor(real::Socket& socket, std::shared_ptr<Monitor> monitor) {
  if (!monitor) return;
  socket.set_monitor_sink(nullptr);  // from here on, nothing posts to `monitor`
  monitor->stop();
}

}  // namespace zlab::api

namespace zlab::api {

int start_monitor(SocketHandle& h, const char* endpoint, uint64_t events, int version,
                  SocketType type) {
  if (endpoint == nullptr) {
    stop_monitor(*h.socket, std::move(h.monitor));
    return 0;
  }
  if (std::string_view(endpoint).substr(0, kInprocPrefix.size()) != kInprocPrefix) {
    return fail_with(EPROTONOSUPPORT);  // libzmq: monitors live on inproc endpoints only
  }
  stop_monitor(*h.socket, std::move(h.monitor));
  Err err = Err::kOk;
  std::shared_ptr<real::Socket> out = create_engine_socket(*h.ctx, type, &err);
  if (!out) return fail(err);
  int linger = Monitor::kPairLingerMs;
  out->set_option(opt::kLinger, {reinterpret_cast<const uint8_t*>(&linger), sizeof linger});
  err = out->bind(endpoint);
  if (err != Err::kOk) {
    out->close();
    return fail(err);
  }
  auto monitor = std::make_shared<Monitor>(std::move(out), events, version);
  h.monitor = monitor;
  h.socket->set_monitor_sink([monitor](const MonitorEvent& event) { monitor->post(event); });
  return 0;
}

}  // namespace zlab::api

extern "C" int zmq_socket_monitor(void* socket, const char* endpoint, int events) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(socket);
  if (h == nullptr) return -1;
  return zlab::api::start_monitor(*h, endpoint, uint64_t(unsigned(events)), 1,
                                  zlab::SocketType::kPair);
}
