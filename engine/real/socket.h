// A socket on the real driver: the sans-I/O SocketCore behind one mutex, driven by an I/O
// thread (reads, writes, accepts, connects, timers) and by application threads (send, recv,
// options, bind/connect). Blocking calls wait on a condition variable, bounded by
// ZMQ_SNDTIMEO/RCVTIMEO, and fail with kTerminated when the context terminates.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "engine/driver/driver.h"
#include "engine/proto/socks5_client.h"
#include "engine/real/io_thread.h"
#include "engine/real/transport.h"
#include "engine/real/zap_agent.h"
#include "engine/sockets/socket_core.h"

namespace zlab::real {

class Context;

inline constexpr int kDontWait = 1;      // as ZMQ_DONTWAIT
inline constexpr int kSendMoreFlag = 2;  // as ZMQ_SNDMORE

class Socket final : public IoOwner, private Driver, public std::enable_shared_from_this<Socket> {
 public:
  Socket(Context& ctx, IoThread& io, SocketType type, uint64_t seed);
  ~Socket() override;

  SocketType type() const { return type_; }
  Err send(Msg& part, int flags);
  Err recv(Msg* part, int flags);
  Err bind(const std::string& endpoint);
  Err connect(const std::string& endpoint);
  Err unbind(const std::string& endpoint);
  Err disconnect(const std::string& endpoint);
  Err set_option(int id, std::span<const uint8_t> value);
  Err get_option(int id, uint8_t* out, size_t* size);
  uint32_t events();
  // Messages the core dropped on purpose (HWM drop, unroutable): for conformance checks.
  uint64_t dropped_messages();
  // ZMQ_FD: readable whenever events() may have changed (edge-triggered, as libzmq's).
  int signal_fd() const { return signal_fd_; }
  // Why the socket could not be made (its ZMQ_FD eventfd: EMFILE when out of descriptors), or
  // kOk; a socket that failed is never used.
  Err creation_error() const { return creation_error_; }
  // zmq_close: the socket lingers in the background, then goes away.
  void close();
  // Called by the context on shutdown: blocked calls return kTerminated.
  void interrupt();
  // Monitor events (taken by the C API's monitor).
  bool poll_monitor_event(MonitorEvent* event);
  void set_monitor_enabled(bool enabled);
  // Hands each monitor event to `sink` as it happens instead of queueing it (zmq_socket_monitor).
  // The sink runs with this socket's lock held, on whichever thread changed the socket: it must
  // not block and must not call into this socket. An empty function removes it; once this
  // returns, the old sink is no longer running and will not be called again.
  void set_monitor_sink(std::function<void(const MonitorEvent&)> sink);

  // IoOwner
  void on_io(uint32_t id, bool listener, uint32_t epoll_events) override;
  void on_timer(int64_t now_ns) override;
  int64_t deadline_ns() const override { return deadline_ns_.load(std::memory_order_acquire); }
  bool finished() const override { return finished_.load(std::memory_order_acquire); }

  // inproc: the binder side gets the other end of a socketpair, and the connecter's RCVHWM;
  // `peer` is the connecter, whose end is `peer_fd`.
  void accept_inproc(uint32_t listener, int fd, int64_t peer_rcvhwm, std::weak_ptr<Socket> peer,
                     int peer_fd);
  // inproc: reads and writes the stream whose end here is `fd`; true when any byte moved.
  bool pump_inproc(int fd);
  // inproc: whether the stream whose end here is `fd` has finished its handshake; if not, waits
  // at most `wait_ms` for the I/O thread to move it on.
  bool inproc_active(int fd, int wait_ms);
  // inproc: `name` was bound; connects waiting for it complete now (on this socket's I/O thread).
  void inproc_bound(const std::string& name);

 private:
  struct Stream {
    int fd = -1;
    uint64_t token = 0;
    bool connecting = false;  // until the core hears handle_connected
    bool inproc = false;
    std::weak_ptr<Socket> inproc_peer;  // inproc: the socket at the other end, and its end's fd
    int inproc_peer_fd = -1;
    uint32_t interest = 0;
    // ZMQ_SOCKS_PROXY: the SOCKS5 exchange that follows the tcp connect to the proxy.
    std::unique_ptr<proto::Socks5Client> socks;
    bool proxy_reached = false;  // the tcp connect to the proxy completed
  };
  struct Listener {
    Listening listening;
    uint64_t token = 0;
    bool inproc = false;
    std::string inproc_name;
  };

  template <typename Op>
  Err blocking(int flags, int timeout_ms, Op op);
  void apply(std::unique_lock<std::mutex>& lock);
  void add_stream(StreamId id, int fd, bool connecting, bool inproc = false);
  ConnectResult connect_via_socks(StreamId id, const Endpoint& endpoint,
                                  const SocketOptions& options);
  void advance_socks(StreamId id, int64_t now_ns);
  void watch(Stream& stream, uint32_t interest);
  // inproc: a socketpair to the binder. kConnRefused when nobody is bound to `name` (this
  // socket is then told of the bind); another error if the socketpair could not be made.
  Err connect_inproc(StreamId id, const std::string& name);
  void complete_inproc(const std::string& name);
  // inproc streams, read and written by the application's thread too (see send/recv).
  std::vector<StreamId> inproc_streams() const;
  // Writes what inproc streams have queued, and flags their peers (inproc_unread_).
  void write_inproc_streams(int64_t now_ns);
  // Reads what inproc peers have already written; true when anything came in.
  bool read_inproc_streams(int64_t now_ns);
  Err end_endpoint(const std::string& text, bool is_bind);

  // Driver: what the core asks of the real world.
  int64_t now_ns() override { return monotonic_ns(); }
  Err listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
             std::string* resolved) override;
  ConnectResult connect(StreamId id, const Endpoint& endpoint,
                        const SocketOptions& options) override;
  void set_interest(StreamId id, bool read, bool write) override;
  void set_deadline(int64_t deadline_ns) override;
  void close_stream(StreamId id) override;
  void close_listener(EndpointId id) override;
  bool zap_request(StreamId id, std::vector<Msg> frames) override;
  // A ZAP reply from the agent's thread (no lock held there).
  void deliver_zap_reply(StreamId id, std::vector<Msg> frames);

  Context& ctx_;
  IoThread& io_;
  std::unique_ptr<ZapAgent> zap_agent_;  // made at the first ZAP request, stopped at close()
  SocketType type_;
  std::mutex mu_;
  std::condition_variable changed_;
  SocketCore core_;
  std::map<StreamId, Stream> streams_;
  std::map<EndpointId, Listener> listeners_;
  std::map<StreamId, std::string> inproc_pending_;  // inproc connects waiting for a bind
  std::map<StreamId, int64_t> inproc_peer_rcvhwm_;  // made inproc connections: binder's RCVHWM
  // inproc connects made by connect() itself: the binder takes its end in that call, after
  // this socket's lock is released (no lock is ever held across two sockets).
  struct InprocAccept {
    std::shared_ptr<Socket> binder;
    uint32_t listener;
    int binder_fd;
    int own_fd;
    int64_t own_rcvhwm;
  };
  bool connecting_now_ = false;
  std::vector<InprocAccept> inproc_accepts_;
  std::deque<MonitorEvent> monitor_;
  std::function<void(const MonitorEvent&)> monitor_sink_;
  bool monitor_enabled_ = false;
  bool closed_ = false;
  bool interrupted_ = false;
  int signal_fd_ = -1;
  Err creation_error_ = Err::kOk;
  uint32_t last_events_ = 0;
  std::atomic<int64_t> deadline_ns_{INT64_MAX};
  // ZMQ_RCVHWM, readable by an inproc peer without this socket's lock (no lock is ever held
  // across two sockets).
  std::atomic<int64_t> rcvhwm_{1000};
  std::atomic<bool> finished_{false};
  // An inproc peer wrote to this socket since it last looked (set by the peer, without our lock).
  std::atomic<bool> inproc_unread_{false};
};

}  // namespace zlab::real
