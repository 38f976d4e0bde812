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
#include <string_view>
#include <vector>

#include "engine/driver/driver.h"
#include "engine/proto/socks5_client.h"
#include "engine/real/inproc.h"
#include "engine/real/io_thread.h"
#include "engine/real/transport.h"
#include "engine/real/udp.h"
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
  // PEER: zmq_connect_peer (SocketCore::connect_peer); *routing_id is 0 on failure.
  Err connect_peer(const std::string& endpoint, uint32_t* routing_id);
  // DISH: zmq_join / zmq_leave.
  Err join(std::string_view group);
  Err leave(std::string_view group);
  Err unbind(const std::string& endpoint);
  Err disconnect(const std::string& endpoint);
  Err set_option(int id, std::span<const uint8_t> value);
  Err get_option(int id, uint8_t* out, size_t* size);
  uint32_t events();
  // zmq_socket_get_peer_state: SocketCore::peer_state under the lock.
  Err peer_state(std::string_view routing_id, int* state);
  // Messages the core dropped on purpose (HWM drop, unroutable): for conformance checks.
  uint64_t dropped_messages();
  // zmq_socket_monitor_pipes_stats: each peer's queues (SocketCore::pipe_stats).
  std::vector<PipeStats> pipe_stats();
  // Handshakes the monitor was not told of (ZMTP 2.0 peers): for conformance checks.
  uint64_t unreported_handshakes();
  // ZMQ_FD: readable whenever events() may have changed (edge-triggered, as libzmq's).
  int signal_fd() const { return signal_fd_; }
  // More fds written whenever ZMQ_FD is (zmq_poller: an eventfd of each poller's own, so several
  // pollers or threads watching one thread-safe socket never take each other's wake-ups).
  void add_signal_fd(int fd);
  void remove_signal_fd(int fd);
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

  // inproc: the waker the other side of this socket's links calls (set once, at creation).
  void init_waker();
  const std::shared_ptr<SocketWaker>& waker() const { return waker_; }
  // inproc: a connecter's link reached this socket's bind `listener`.
  void accept_inproc(uint32_t listener, std::shared_ptr<InprocLink> link);
  // inproc: the connect whose stream is `id` waited for `name`, which is bound now.
  void complete_inproc(StreamId id, const std::string& name);
  // inproc: the other side of a link woke this socket (see inproc.h).
  void wake_from_link();

 private:
  struct Stream {
    int fd = -1;
    uint64_t token = 0;
    bool connecting = false;  // until the core hears handle_connected
    uint32_t interest = 0;
    // ZMQ_SOCKS_PROXY: the SOCKS5 exchange that follows the tcp connect to the proxy.
    std::unique_ptr<proto::Socks5Client> socks;
    bool proxy_reached = false;  // the tcp connect to the proxy completed
    // udp://: the stream is a datagram endpoint; its datagrams move through this port.
    std::unique_ptr<UdpPort> udp;
  };
  struct Listener {
    Listening listening;
    uint64_t token = 0;
    bool inproc = false;
    std::string inproc_name;
    bool udp = false;  // a udp bind: the fd is the receiving socket, handed to its stream
  };

  template <typename Op>
  // `timeout_field`: ZMQ_SNDTIMEO or ZMQ_RCVTIMEO, read under the lock (another thread of a
  // thread-safe socket may be setting it).
  // `ready_bit`: the readiness the call needs (POLLOUT for a send, POLLIN for a recv).
  Err blocking(int flags, int SocketOptions::*timeout_field, uint32_t ready_bit, Op op);
  // A send or recv that just ran: `refused` is its readiness bit when it ended with EAGAIN,
  // 0 when it went through (see apply).
  struct Transfer {
    uint32_t refused;
  };
  // now_ns: the caller's reading of the clock, if it has one (-1: read it).
  void apply(std::unique_lock<std::mutex>& lock, int64_t now_ns = -1,
             const Transfer* transfer = nullptr);
  // After core_.events(): carries out what looking queued (a DISH closing a broken peer).
  void carry_out_events_work(std::unique_lock<std::mutex>& lock);
  void take_monitor_events();
  // Writes ZMQ_FD and the add_signal_fd fds (under the lock).
  void signal_watchers();
  void add_stream(StreamId id, int fd, bool connecting);
  ConnectResult connect_via_socks(StreamId id, const Endpoint& endpoint,
                                  const SocketOptions& options);
  void advance_socks(StreamId id, int64_t now_ns);
  void watch(Stream& stream, uint32_t interest);
  // inproc: a link to the socket bound to `name`, or none yet (the context then completes the
  // connect when the name is bound).
  std::shared_ptr<InprocLink> connect_inproc(StreamId id, const std::string& name);
  Err end_endpoint(const std::string& text, bool is_bind);

  // Driver: what the core asks of the real world.
  int64_t now_ns() override { return clock_ns(); }
  // The precise clock, never earlier than what the core was told before (under the lock).
  int64_t clock_ns();
  int64_t fast_clock_ns();
  Err listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
             std::string* resolved) override;
  ConnectResult connect(StreamId id, const Endpoint& endpoint,
                        const SocketOptions& options) override;
  void set_interest(StreamId id, bool read, bool write) override;
  void set_deadline(int64_t deadline_ns) override;
  void close_stream(StreamId id) override;
  void shutdown_write(StreamId id) override;
  void close_listener(EndpointId id) override;
  Err open_datagram(StreamId id, EndpointId listener, const Endpoint& endpoint, DatagramRole role,
                    const SocketOptions& options) override;
  // udp: a datagram stream's readiness (reads and writes whole datagrams).
  void on_datagram_io(StreamId id, uint32_t epoll_events, int64_t now_ns);
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
  std::shared_ptr<SocketWaker> waker_;
  std::deque<MonitorEvent> monitor_;
  std::function<void(const MonitorEvent&)> monitor_sink_;
  bool monitor_enabled_ = false;
  bool closed_ = false;
  bool interrupted_ = false;
  int signal_fd_ = -1;
  std::vector<int> extra_signal_fds_;  // add_signal_fd
  Err creation_error_ = Err::kOk;
  uint32_t last_events_ = 0;
  int waiters_ = 0;          // threads waiting on changed_ (under mu_)
  int64_t last_now_ns_ = 0;  // the latest time given to the core
  std::atomic<int64_t> deadline_ns_{INT64_MAX};
  std::atomic<bool> finished_{false};
};

}  // namespace zlab::real
