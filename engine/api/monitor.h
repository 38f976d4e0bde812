// zmq_socket_monitor: a socket's events, as libzmq 4.3 sends them, on a PAIR socket bound to an
// inproc endpoint. Each event is a two-part message: a 6-byte frame (16-bit event number, then
// 32-bit value, both in host byte order) and the endpoint as text.
//
// The monitored socket never waits for its monitor. Its events go to a bounded queue; a small
// thread per monitor moves them to the PAIR socket whenever the PAIR can take them (once the
// reader has connected, and while its high-water mark allows). When kMaxQueuedEvents are waiting,
// newer events are dropped (counted in dropped()).
//
// The draft zmq_socket_monitor_versioned (draft_monitor.cc) picks the monitor socket's type
// (PAIR, PUB or PUSH) and the format: version 1 is the above; version 2 sends a 64-bit event,
// a 64-bit count of values, the values (64-bit each), then the local and the remote end of the
// connection as text (libzmq 4.3.4's draft format), and may ask for ZMQ_EVENT_PIPES_STATS.
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
#include <utility>
#include <vector>

#include "engine/api/handles.h"
#include "engine/sockets/socket_core.h"

namespace zlab::api {

// zmq.h's draft ZMQ_EVENT_PIPES_STATS (draft_monitor.cc checks it).
inline constexpr uint64_t kEventPipesStats = 0x10000;

class Monitor {
 public:
  static constexpr size_t kMaxQueuedEvents = 10000;
  // How long closing waits for a reader that is still connecting to take the last events.
  static constexpr int kStopGraceMs = 200;
  // The PAIR socket's linger: what it already holds keeps flowing to the reader this long.
  static constexpr int kPairLingerMs = 500;

  // `pair` is bound already (a PAIR, PUB or PUSH socket); `events` is the mask; `version` the
  // format (1 or 2).
  Monitor(std::shared_ptr<real::Socket> pair, uint64_t events, int version = 1);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The sink given to the monitored socket: queues the event if the mask wants it. Runs with the
  // monitored socket's lock held.
  void post(const MonitorEvent& event);
  bool wants(uint64_t event) const { return (events_ & event) != 0; }
  // ZMQ_EVENT_PIPES_STATS (version 2): the messages queued toward a peer and from it, on the
  // connection `stream` (its ends as reported at CONNECTED/ACCEPTED), or on the inproc
  // `endpoint`.
  void post_pipe_stats(StreamId stream, const std::string& endpoint, uint64_t outbound,
                       uint64_t inbound);
  // Queues MONITOR_STOPPED (if wanted), delivers what it can, then closes the PAIR socket.
  void stop();
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Event {
    uint64_t event;
    std::vector<uint64_t> values;  // version 1: one, at most 32 bits
    std::string endpoint;          // version 1's second frame
    std::string local, remote;     // version 2's last frames
  };
  // The local and remote ends of a connection, a listener's or a connect's (version 2).
  using Ends = std::pair<std::string, std::string>;
  Ends ends_of(const MonitorEvent& event, uint32_t value);
  // Sends one event in the monitor's format; false when the socket cannot take it yet.
  bool send_event(const Event& event);
  void queue(Event event);
  void run();
  // Sends queued events while the PAIR socket takes them; false when it cannot take more yet.
  bool deliver();

  std::shared_ptr<real::Socket> pair_;
  const uint64_t events_;
  const int version_;
  // Version 2: each connection's ends, by stream (from CONNECTED/ACCEPTED, whose value is the
  // connection's fd), until DISCONNECTED. Only post() touches it.
  std::map<uint32_t, Ends> connection_ends_;
  std::mutex ends_mu_;  // connection_ends_: post() and post_pipe_stats() run on any thread
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

// zmq_socket_monitor(_versioned): `h`'s events matching `events` go to a new socket of `type`
// bound at the inproc `endpoint`, in format `version` (the caller checked both); NULL stops.
// 0, or -1 with errno set.
int start_monitor(SocketHandle& h, const char* endpoint, uint64_t events, int version,
                  SocketType type);

// Stops sending `socket`'s events to `monitor` (see Monitor::stop). Nothing happens if
// `monitor` is empty.
void stop_monitor(real::Socket& socket, std::shared_ptr<Monitor> monitor);

}  // namespace zlab::api
