#include "engine/api/monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string_view>

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

}  // namespace

Monitor::Monitor(std::shared_ptr<real::Socket> pair, int events)
    : pair_(std::move(pair)), events_(events) {
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
  queue(Event{event.event, value, event.endpoint});
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
  if (events_ & ZMQ_EVENT_MONITOR_STOPPED) queue(Event{ZMQ_EVENT_MONITOR_STOPPED, 0, ""});
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
    uint8_t head[6];
    std::memcpy(head, &event.event, sizeof event.event);
    std::memcpy(head + 2, &event.value, sizeof event.value);
    Msg first = Msg::copy_of(std::span<const uint8_t>(head, sizeof head));
    Err err = pair_->send(first, real::kDontWait | real::kSendMoreFlag);
    if (err == Err::kAgain) return false;  // no reader yet, or it is behind: keep the event
    if (err == Err::kOk) {
      Msg second = Msg::copy_of(event.endpoint);
      pair_->send(second, real::kDontWait);  // a started message can always be finished
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);  // terminated: nobody will read it
    }
    std::lock_guard lock(mu_);
    queue_.pop_front();
  }
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

extern "C" int zmq_socket_monitor(void* socket, const char* endpoint, int events) {
  using namespace zlab;
  api::SocketHandle* h = api::socket_of(socket);
  if (h == nullptr) return -1;
  if (endpoint == nullptr) {
    api::stop_monitor(*h->socket, std::move(h->monitor));
    return 0;
  }
  if (std::string_view(endpoint).substr(0, api::kInprocPrefix.size()) != api::kInprocPrefix) {
    return api::fail_with(EPROTONOSUPPORT);  // libzmq: monitors live on inproc endpoints only
  }
  api::stop_monitor(*h->socket, std::move(h->monitor));
  Err err = Err::kOk;
  std::shared_ptr<real::Socket> pair = api::create_engine_socket(*h->ctx, SocketType::kPair, &err);
  if (!pair) return api::fail(err);
  int linger = api::Monitor::kPairLingerMs;
  pair->set_option(opt::kLinger, {reinterpret_cast<const uint8_t*>(&linger), sizeof linger});
  err = pair->bind(endpoint);
  if (err != Err::kOk) {
    pair->close();
    return api::fail(err);
  }
  auto monitor = std::make_shared<api::Monitor>(std::move(pair), events);
  h->monitor = monitor;
  h->socket->set_monitor_sink([monitor](const MonitorEvent& event) { monitor->post(event); });
  return 0;
}
