// The simulator's driver: one SocketCore on one simulated host, run through the engine's
// Driver interface (engine/driver/driver.h) and its shared pumps, exactly as the real driver
// runs it. Nothing in the engine knows it is simulated.
//
//  * now_ns() is the host's clock (offset and drift), deadlines are converted to virtual time;
//  * listen/connect go to the simulated network ("tcp://host:port"; "*" binds this host, port
//    "*" or 0 is ephemeral); ZMQ_CONNECT_TIMEOUT, ZMQ_SNDBUF and ZMQ_RCVBUF are honoured;
//  * after every input the socket pumps, in stream-id order, each stream that may move bytes
//    (the core has room and the network bytes, or the core bytes and the network room), until
//    nothing moves. Which streams may is told, not polled: the core's set_interest, the
//    network's on_changed, and a pump that moved something (the stream may move more). These
//    are the streams, in the order, that pumping every stream would move: a debug build checks
//    it at every step. (Traces of the old every-stream pump differ in 2 runs of 2,100: asking
//    each stream for its read buffer compacted it at other moments, so reads split elsewhere.)
//  * the application side (send, recv, options, bind, ...) never blocks: blocking is the
//    actors' business (sim/world/world.h), built on ready_mask() and the Waitable hub.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/driver/driver.h"
#include "engine/sockets/socket_core.h"
#include "sim/base/event_queue.h"
#include "sim/base/host_clock.h"
#include "sim/base/trace.h"
#include "sim/net/datagram_net.h"
#include "sim/net/network.h"
#include "sim/world/waitable.h"

namespace zlab::sim {

class SimSocket;

// Where a socket's ZAP requests go (the world: its host's handler actor, sim/world/
// zap_handler.h). False when no handler is bound on that host.
class ZapRouter {
 public:
  virtual bool route_zap(HostId host, SimSocket* from, StreamId stream,
                         std::vector<Msg> frames) = 0;

 protected:
  ~ZapRouter() = default;
};

// What a simulated socket needs from its world.
struct SocketEnv {
  EventQueue* queue;
  Network* net;
  Trace* trace;
  HostClock* clock;  // its host's
  HostId host;
  std::string* engine_error = nullptr;  // where to report engine failures too (or null)
  ZapRouter* zap = nullptr;             // ZAP requests (null: no handler anywhere)
  DatagramNet* dgram = nullptr;         // udp:// (null: refused)
};

std::string_view monitor_event_name(uint16_t event);

class SimSocket final : public Driver,
                        public EndOwner,
                        public ListenOwner,
                        public EventTarget,
                        public DatagramOwner,
                        public Waitable {
 public:
  SimSocket(SocketEnv env, uint32_t id, SocketType type, uint64_t seed);
  ~SimSocket() override;
  SimSocket(const SimSocket&) = delete;
  SimSocket& operator=(const SimSocket&) = delete;

  uint32_t id() const { return id_; }
  HostId host() const { return env_.host; }
  SocketType type() const { return type_; }
  // False once closed and lingered, or when its host crashed.
  bool alive() const { return core_ != nullptr; }
  SocketCore& core() { return *core_; }

  // --- application side: never blocks; kAgain where libzmq would block ---
  Err bind(std::string_view endpoint);
  Err connect(std::string_view endpoint);
  Err unbind(std::string_view endpoint);
  Err disconnect(std::string_view endpoint);
  // Draft API: zmq_connect_peer (PEER), zmq_join / zmq_leave (DISH).
  Err connect_peer(std::string_view endpoint, uint32_t* routing_id);
  Err join(std::string_view group);
  Err leave(std::string_view group);
  Err set_option(int option, std::span<const uint8_t> value);
  Err set_int(int option, int value);
  Err set_bytes(int option, std::string_view value);
  int get_int(int option);
  std::string last_endpoint();
  Err send(Msg& part, int flags);
  Err recv(Msg* part);
  bool rcvmore() const { return core_ != nullptr && core_->rcvmore(); }
  uint32_t events();
  // Starts closing (ZMQ_LINGER applies); the socket goes away once finished.
  void close();
  bool closing() const { return closing_; }
  // The host crashed: gone at once, without a word to the network.
  void kill();

  // A ZAP handler (rfc 27) for this socket's handshakes: the request's frames in, the reply's
  // out (delimiter first). Without one, a mechanism that asks ZAP hears "no handler".
  using ZapHandler = std::function<std::vector<Msg>(const std::vector<Msg>& request)>;
  void set_zap_handler(ZapHandler handler) { zap_handler_ = std::move(handler); }

  // Monitor events seen so far, by event number.
  uint64_t monitor_count(uint16_t event) const;
  // Sends that found the socket mute (kAgain): HWM pressure, or no peer.
  uint64_t mutes() const { return mutes_; }
  // A failure of the engine seen by the driver (a stream that never settles, a timer that
  // fires forever), or empty.
  const std::string& engine_error() const { return engine_error_; }

  // Waitable
  uint32_t ready_mask() override;

  // --- Driver ---
  int64_t now_ns() override;
  Err listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
             std::string* resolved) override;
  ConnectResult connect(StreamId id, const Endpoint& endpoint,
                        const SocketOptions& options) override;
  void set_interest(StreamId id, bool read, bool write) override;
  void set_deadline(int64_t deadline_ns) override;
  void close_stream(StreamId id) override;
  void shutdown_write(StreamId id) override;
  void close_listener(EndpointId id) override;
  bool zap_request(StreamId id, std::vector<Msg> frames) override;
  Err open_datagram(StreamId id, EndpointId listener, const Endpoint& endpoint, DatagramRole role,
                    const SocketOptions& options) override;
  // --- udp owner ---
  void on_datagram(DgramId id) override;
  // The handler's reply to this socket's request for `stream` (ignored once the socket or
  // the connection is gone).
  void deliver_zap_reply(StreamId stream, std::vector<Msg> frames);

  // --- network owner ---
  void on_connect_result(EndRef end, Err err) override;
  void on_ready(EndRef end) override;
  void on_changed(EndRef end, uint64_t tag) override;
  EndOwner* on_accept(ListenerId listener, EndRef end, const std::string& peer) override;

  void on_event(const Event& event) override;

 private:
  enum EventKind : uint32_t { kTimer, kSettle };
  struct Stream {
    EndRef end;
    bool connecting = false;
    bool eof_given = false;    // handle_eof already called
    bool error_given = false;  // handle_stream_error already called
  };

  // Carries out what the core asked and pumps the told streams until nothing moves; then tells
  // the waiters (unless the call that got here changed nothing: a send or recv that would
  // block must not wake the actor that waits for a change to retry it).
  void settle(bool notify = true);
  bool pump_stream(StreamId id);
  // One round: pumps the told streams in id order (a stream told during the round is pumped in
  // it when its id is still ahead); true if any moved bytes.
  bool pump_told_streams();
  void tell(StreamId id);
  void take_core_news();
  // What pump_stream would look at: can this stream move bytes now?
  bool could_move(StreamId id, const Stream& st);
  void check_untold(uint64_t from, uint64_t to);
  // udp://: moves a datagram stream's datagrams; true if any moved.
  bool pump_datagrams(StreamId id);
  Err listen_udp(EndpointId id, const Endpoint& endpoint, std::string* resolved);
  void close_datagrams();
  void request_settle();
  void drain_monitor();
  void note_pressure(PacketSink* sink, Err err, bool dropped);
  void report_engine_error(std::string what);
  void trace(std::string_view event, uint64_t conn, int64_t bytes, std::string_view detail = {});
  bool parse_tcp(const Endpoint& endpoint, std::string* host, uint16_t* port, bool* any_port);

  SocketEnv env_;
  uint32_t id_;
  SocketType type_;
  std::string name_;  // "h1/3 PUSH" in traces
  std::unique_ptr<SocketCore> core_;
  std::map<StreamId, Stream> streams_;
  std::vector<StreamId> settle_ids_;  // settle()'s list of the udp streams, kept allocated
  std::vector<StreamId> told_;        // the streams that may move bytes, ascending, no repeats
  ZapHandler zap_handler_;
  std::vector<std::pair<StreamId, std::vector<Msg>>> zap_replies_;  // answered on next settle
  std::map<ConnId, StreamId> by_conn_;
  std::map<EndpointId, ListenerId> listeners_;
  std::map<ListenerId, EndpointId> by_listener_;
  // udp://: a bind's receiving socket until its stream takes it; each datagram stream's socket
  // and, for a sender, where it sends.
  struct UdpStream {
    DgramId socket = 0;
    std::string to;  // sender: a host name or a multicast group
    uint16_t port = 0;
  };
  std::map<EndpointId, DgramId> udp_listeners_;
  std::map<StreamId, UdpStream> udp_streams_;
  std::map<uint16_t, uint64_t> monitor_counts_;
  uint64_t mutes_ = 0;
  bool mute_ = false;      // for the packet sink: the last send found the socket mute
  bool dropping_ = false;  // drops at an HWM started and have not been quiet for long since
  int64_t last_drop_ns_ = 0;
  uint64_t drops_in_episode_ = 0;
  int64_t timer_at_ = INT64_MAX;
  uint64_t timer_gen_ = 0;
  int64_t last_timer_fire_ = -1;
  int timer_fires_at_same_time_ = 0;
  bool settle_scheduled_ = false;
  bool in_settle_ = false;
  bool settle_again_ = false;
  bool closing_ = false;
  std::string engine_error_;
};

}  // namespace zlab::sim
