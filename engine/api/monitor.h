// zmq_socket_monitor: a socket's events, as libzmq 4.3 sends them, on a PAIR socket bound to an
// inproc endpoint. Each event is a two-part message: a 6-byte frame (16-bit event number, then
// 32-bit value, both in host byte order) and the endpoint as text.
//
// The monitored socket never waits for its monitor. Its events go to a bounded queue; a small
// thread per monitor moves them to the PAIR socket whenever the PAIR can take them (once the
// reader has connected, and while its high-water mark allows). When kMaxQueuedEvents are waiting,
// newer events are dropped (counted in dropped()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/api/handles.h"
#include "engine/sockets/socket_core.h"

namespace zlab::api {

class Monitor {
 public:
  static constexpr size_t kMaxQueuedEvents = 10000;
  // How long closing waits for a reader that is still connecting to take the last events.
  static constexpr int kStopGraceMs = 200;
  // The PAIR socket's linger: what it already holds keeps flowing to the reader this long.
  static constexpr int kPairLingerMs = 500;

  // `pair` is bound already; `events` is zmq_socket_monitor's mask.
  Monitor(std::shared_ptr<real::Socket> pair, int events);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The sink given to the monitored socket: queues the event if the mask wants it. Runs with the
  // monitored socket's lock held.
  void post(const MonitorEvent& event);
  // Queues MONITOR_STOPPED (if wanted), delivers what it can, then closes the PAIR socket.
  void stop();
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Event {
    uint16_t event;
    uint32_t value;
    std::string endpoint;
  };
  void queue(Event event);
  void run();
  // Sends queued events while the PAIR socket takes them; false when it cannot take more yet.
  bool deliver();

  std::shared_ptr<real::Socket> pair_;
  const int events_;
  // The fd of each connection (from CONNECTED/ACCEPTED), for DISCONNECTED: by then the engine
  // has closed it and reports its stream id. Only post() touches it (under the socket's lock).
  std::map<uint32_t, uint32_t> connection_fds_;
  // The same for listeners, by endpoint (LISTENING, then CLOSED).
  std::map<std::string, uint32_t> listener_fds_;
  int wake_fd_ = -1;
  std::mutex mu_;  // guards queue_ and stopping_
  std::deque<Event> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

// Stops sending `socket`'s events to `monitor` (see Monitor::stop). Nothing happens if
// `monitor` is empty.
void stop_monitor(real::Socket& socket, std::shared_ptr<Monitor> monitor);

}  // namespace zlab::api
