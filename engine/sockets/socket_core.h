// A socket, sans-I/O: options, endpoints, peers and their connections, reconnection, linger,
// monitor events, and the socket type's routing. It never blocks and never calls out: the
// application side returns kAgain where a call would block, and the driver side is a set of
// handle_* inputs and poll_* outputs (see engine/README.md, "The seam").
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/msg.h"
#include "engine/base/socket_type.h"
#include "engine/proto/mechanism.h"
#include "engine/sockets/deadline_queue.h"
#include "engine/sockets/endpoint.h"
#include "engine/sockets/error_close.h"
#include "engine/sockets/options.h"
#include "engine/sockets/peer.h"
#include "engine/sockets/routing.h"
#include "engine/wire/frame.h"

namespace zlab {

// Flags of send(), as in zmq.h.
inline constexpr int kSendMore = 2;
// Bits of events(), as in zmq.h.
inline constexpr uint32_t kPollIn = 1;
inline constexpr uint32_t kPollOut = 2;

// Monitor events with libzmq's numbers (zmq_socket_monitor).
namespace monitor {
inline constexpr uint16_t kConnected = 0x0001;
inline constexpr uint16_t kConnectDelayed = 0x0002;
inline constexpr uint16_t kConnectRetried = 0x0004;
inline constexpr uint16_t kListening = 0x0008;
inline constexpr uint16_t kBindFailed = 0x0010;
inline constexpr uint16_t kAccepted = 0x0020;
inline constexpr uint16_t kAcceptFailed = 0x0040;
inline constexpr uint16_t kClosed = 0x0080;
inline constexpr uint16_t kCloseFailed = 0x0100;
inline constexpr uint16_t kDisconnected = 0x0200;
inline constexpr uint16_t kMonitorStopped = 0x0400;
inline constexpr uint16_t kHandshakeFailedNoDetail = 0x0800;
inline constexpr uint16_t kHandshakeSucceeded = 0x1000;
inline constexpr uint16_t kHandshakeFailedProtocol = 0x2000;
inline constexpr uint16_t kHandshakeFailedAuth = 0x4000;
}  // namespace monitor

struct MonitorEvent {
  uint16_t event;
  int64_t value;  // stream id (the driver maps it to an fd), interval, or protocol error code
  std::string endpoint;
  StreamId stream = kNoStream;
  std::string detail;  // why, for people reading logs and traces
};

// What the socket asks the driver to do.
struct IoAction {
  // kShutdownWrite: shutdown(SHUT_WR), a FIN after what was written; the stream still reads.
  // kOpenDatagram (udp://): stream `id` is a datagram endpoint; with a `listener`, the one that
  // listener bound (DatagramRole::kReceive; kAddressed for DGRAM, which also sends from it),
  // else one that sends to `endpoint` (kSend).
  enum class Kind : uint8_t {
    kConnect,
    kCloseStream,
    kCloseListener,
    kShutdownWrite,
    kOpenDatagram
  };
  Kind kind;
  uint32_t id;                              // stream or listener
  Endpoint endpoint;                        // kConnect, kOpenDatagram: where to
  EndpointId listener = 0;                  // kOpenDatagram: the bind whose socket receives
  DatagramRole role = DatagramRole::kSend;  // kOpenDatagram: how the endpoint moves datagrams
};

// One peer's queues, for zmq_socket_monitor_pipes_stats: whole messages waiting to go to it and
// waiting to be read from it, with its stream (kNoStream over inproc) and endpoint.
struct PipeStats {
  StreamId stream = kNoStream;
  std::string endpoint;
  uint64_t outbound = 0;
  uint64_t inbound = 0;
};

struct BindRequest {
  EndpointId listener;
  Endpoint endpoint;
};

class SocketCore final : private SocketServices {
 public:
  SocketCore(SocketType type, uint64_t seed);
  ~SocketCore() override;
  SocketCore(const SocketCore&) = delete;
  SocketCore& operator=(const SocketCore&) = delete;

  SocketType type() const { return type_; }

  // --- application side ---
  // kAgain: would block (mute state, or no peer); the part is untouched then.
  Err send(Msg& part, int flags, int64_t now_ns);
  Err recv(Msg* part, int64_t now_ns);
  bool rcvmore() const { return rcvmore_; }
  uint32_t events(int64_t now_ns);
  Err set_option(int id, std::span<const uint8_t> value, int64_t now_ns);
  Err get_option(int id, uint8_t* out, size_t* size) const;
  const SocketOptions& options() const override { return options_; }

  // bind() is two steps because listening is the driver's: it must call complete_bind().
  std::optional<BindRequest> bind(std::string_view endpoint, Err* err);
  Err complete_bind(EndpointId listener, Err result, std::string resolved, int64_t now_ns);
  Err connect(std::string_view endpoint, int64_t now_ns);
  // PEER's zmq_connect_peer: connect(), and the routing id messages name the new peer by.
  // kFault with ZMQ_IMMEDIATE (no peer exists before the handshake), as libzmq.
  Err connect_peer(std::string_view endpoint, int64_t now_ns, uint32_t* routing_id);
  // DISH's zmq_join / zmq_leave (kNotSupported on other types).
  Err join(std::string_view group, int64_t now_ns);
  Err leave(std::string_view group, int64_t now_ns);
  Err unbind(std::string_view endpoint, int64_t now_ns);
  Err disconnect(std::string_view endpoint, int64_t now_ns);
  // Starts closing: queued messages are still sent for up to ZMQ_LINGER.
  void close(int64_t now_ns);
  // Closed, lingered, and every stream and listener released.
  bool finished() const;

  // --- driver side ---
  // peer_address and source_fd are what the driver knows of the connection, shown on its
  // messages ("Peer-Address"; ZMQ_SRCFD: the driver's descriptor for it, -1 for none).
  StreamId handle_accepted(EndpointId listener, std::string peer_address, int64_t now_ns,
                           int source_fd = -1);
  void handle_connected(StreamId stream, std::string peer_address, int64_t now_ns,
                        int source_fd = -1);
  void handle_connect_failed(StreamId stream, Err err, int64_t now_ns);
  // inproc: the connect whose stream is `stream` reached a bound socket through `link` (made
  // by the driver; this socket is its connecter side). The peer's pipes become the link's.
  void handle_inproc_connected(StreamId stream, std::shared_ptr<InprocLink> link, int64_t now_ns);
  // inproc: a connecter's `link` reached this socket's bind `listener` (binder side).
  void handle_inproc_accepted(EndpointId listener, std::shared_ptr<InprocLink> link,
                              int64_t now_ns);
  // inproc: the other side of a link woke this socket (a message in an empty pipe, room, its
  // announcement, or it left).
  void handle_inproc_activity(int64_t now_ns);
  std::span<uint8_t> read_buffer(StreamId stream);
  void handle_read(StreamId stream, size_t n, int64_t now_ns);
  void handle_eof(StreamId stream, int64_t now_ns);
  void handle_stream_error(StreamId stream, Err err, int64_t now_ns);
  size_t poll_transmit(StreamId stream, wire::IoSlice* out, size_t max) const;
  void handle_written(StreamId stream, size_t n, int64_t now_ns);
  bool wants_write(StreamId stream) const;
  // Whether the stream's connection has finished its handshake.
  bool stream_active(StreamId stream) const;
  void handle_timeout(int64_t now_ns);
  // Not const: it takes in the peers whose deadlines changed since it was last asked.
  int64_t next_deadline_ns() {
    if (!timers_stale_ && deadlines_.idle()) return timers_ns_;  // most calls: nothing moved
    return compute_next_deadline_ns();
  }
  bool poll_action(IoAction* action);
  // Actions, ZAP requests or dirty streams wait for the driver (carry_out's work).
  bool driver_work_pending() const {
    return !actions_.empty() || !zap_requests_.empty() || !dirty_.empty();
  }
  bool poll_monitor_event(MonitorEvent* event);
  bool monitor_event_pending() const { return !monitor_.empty(); }
  // ZAP (rfc 27): a request a connection wants carried to the handler at
  // inproc://zeromq.zap.01 (frames, delimiter first), and the handler's reply to it, or
  // no_handler when nothing is bound there. A reply for a stream that is gone is ignored.
  bool poll_zap_request(StreamId* stream, std::vector<Msg>* frames);
  void handle_zap_reply(StreamId stream, std::span<const Msg> frames, bool no_handler,
                        int64_t now_ns);
  // Where a security mechanism's random bytes come from: the driver's source (the real
  // driver's CSPRNG). Without one they come from the seeded generator (simulator, tests).
  void set_random_source(proto::RandomBytes random) { random_source_ = std::move(random); }
  // Streams whose read or write interest may have changed since the last call.
  bool poll_dirty(StreamId* stream);

  // zmq_socket_get_peer_state (Routing::peer_state): kPeerWritable in *state or not.
  Err peer_state(std::string_view routing_id, int* state) {
    return routing_->peer_state(routing_id, state);
  }

  // Each peer's queues (zmq_socket_monitor_pipes_stats); none when there is no peer.
  std::vector<PipeStats> pipe_stats() const;

  // Test and simulator introspection.
  size_t peer_count() const { return peers_.size(); }
  uint64_t dropped_messages() const;
  // Handshakes completed without a HANDSHAKE_SUCCEEDED event (ZMTP 2.0 peers, as libzmq):
  // what a conformance property counts as a handshake besides the monitor's events.
  uint64_t unreported_handshakes() const { return unreported_handshakes_; }

 private:
  struct EndpointRec {
    EndpointRec(EndpointId id_in, Endpoint endpoint_in, bool is_bind_in)
        : id(id_in), endpoint(std::move(endpoint_in)), is_bind(is_bind_in) {}
    EndpointId id;
    Endpoint endpoint;
    bool is_bind;
    bool bound = false;
    std::string resolved;  // what LAST_ENDPOINT reports
    Peer* peer = nullptr;  // connect: its peer (kept across reconnects)
    StreamId stream = kNoStream;
    int64_t reconnect_at_ns = INT64_MAX;
    int current_ivl_ms = 0;
    std::string connect_routing_id;
  };

  // SocketServices
  uint32_t random_u32() override;
  void disconnect_peer(Peer& peer) override;
  void close_after_flush(Peer& peer) override;
  void for_each_peer(void (*fn)(Peer&, void*), void* arg) override;

  Peer& new_peer(EndpointRec& rec, bool from_connect);
  void start_connect(EndpointRec& rec, int64_t now_ns);
  // `endpoint`: the bind or connect endpoint the stream belongs to (its transport picks the
  // framing); `connecting`: we dialled (the WebSocket client side); `source_fd`: ZMQ_SRCFD.
  void attach_connection(Peer& peer, StreamId stream, const Endpoint& endpoint, bool connecting,
                         std::string peer_address, int source_fd, bool as_server, int64_t now_ns);
  proto::MechanismConfig security_config(StreamId stream);
  std::unique_ptr<proto::Connection> make_connection(StreamId stream, const Endpoint& endpoint,
                                                     bool connecting, std::string peer_address,
                                                     int source_fd, bool as_server, int64_t now_ns);
  void pump_peer(Peer& peer, int64_t now_ns);
  void pull(Peer& peer, int64_t now_ns);
  void flush(Peer& peer, int64_t now_ns);
  void flush_all(int64_t now_ns);
  void process_events(Peer& peer, int64_t now_ns);
  // session_over: a connect()ed endpoint makes no new connection (proto::ends_session).
  // after_handshake: the connection had finished its handshake (ZMQ_DISCONNECT_MSG).
  void connection_lost(Peer& peer, proto::CloseReason reason, bool after_handshake,
                       bool session_over, int64_t now_ns);
  void schedule_reconnect(EndpointRec& rec, int64_t now_ns);
  void give_up_connect(EndpointRec& rec);
  void send_hello(Peer& peer);
  void take_disconnect_msg(Peer& peer);
  bool stops_reconnect(const proto::ConnEvent& closed) const;
  // drain: let the connection write what it still has (an ERROR command) before closing; a
  // connection that refused its peer with ERROR then closes gently (error_close.h).
  void release_stream(StreamId stream, Peer* peer, int64_t now_ns, bool drain = true);
  // The stream has written its ERROR: shut down writing, read until the peer closes.
  void shut_down_after_error(StreamId stream);
  // Whether a bind has a listener libzmq reports events of (not inproc, not udp).
  static bool has_listener(const Endpoint& endpoint);
  // udp://: whether this type may bind (receive) or connect (send) datagrams; kOk or why not.
  Err check_datagram_role(const Endpoint& endpoint, DatagramRole role) const;
  // What a udp bind's endpoint does: receive (DISH), or send and receive by address (DGRAM).
  DatagramRole bound_datagram_role() const {
    return traits_.addressed_datagrams ? DatagramRole::kAddressed : DatagramRole::kReceive;
  }
  void close_refused(StreamId stream);
  void apply_hwms(int64_t now_ns);
  void attach_link(Peer& peer, std::shared_ptr<InprocLink> link, int side, int64_t now_ns);
  // Takes in what the other side of a link did; the peer may be gone afterwards.
  void update_inproc(Peer& peer, int64_t now_ns);
  // Takes in the peers the waker named since the last call (update_inproc each).
  void take_inproc_wakes(int64_t now_ns);
  void inproc_lost(Peer& peer);
  void close_link(Peer& peer);
  void drop_unread(Peer& peer);
  void remove_peer(Peer& peer);
  void reap_dead_peers();
  // Nothing more can be sent to the peer; reap_dead_peers() removes it once read out.
  void mark_out_dead(Peer& peer);
  // Pumps the connections the HWM held back whose in pipes have room again.
  void pump_held_back(int64_t now_ns);
  void check_linger(int64_t now_ns);
  EndpointRec* find_endpoint(std::string_view text, bool is_bind);
  void emit(uint16_t event, int64_t value, const std::string& endpoint, StreamId stream = kNoStream,
            std::string detail = {});
  void mark_dirty(StreamId stream);
  // The peer's connection was driven: its deadline may have moved (deadline_queue.h).
  void touch_deadline(const Peer& peer);
  int64_t compute_next_deadline_ns();
  // The linger deadline, a refused stream's or a reconnect's may have changed.
  void timers_changed() { timers_stale_ = true; }
  // The peer's connection deadline (kNever: none); false when the peer is gone.
  bool peer_deadline(uint32_t id, int64_t* at_ns) const;
  Peer* peer_of(StreamId stream) const;
  Peer* find_peer(uint32_t id) const;

  SocketType type_;
  const SocketTraits& traits_;  // the type's facts (socket_traits.h): asked, never the type
  SocketOptions options_;
  std::unique_ptr<Routing> routing_;
  uint64_t rng_state_;
  std::map<uint32_t, std::unique_ptr<Peer>> peers_;
  uint64_t dropped_by_removed_peers_ = 0;  // their drops still count once they are gone
  uint64_t unreported_handshakes_ = 0;
  std::map<StreamId, Peer*> streams_;
  // Streams whose connection closed but still write (an ERROR command) before closing.
  std::map<StreamId, std::unique_ptr<proto::Connection>> draining_;
  // Streams refused with an ERROR, drained until the peer closes or a bound (error_close.h).
  ErrorCloses error_closes_;
  std::map<EndpointId, EndpointRec> endpoints_;
  std::deque<IoAction> actions_;
  std::deque<MonitorEvent> monitor_;
  std::deque<std::pair<StreamId, std::vector<Msg>>> zap_requests_;
  proto::RandomBytes random_source_;
  std::vector<StreamId> dirty_;
  DeadlineQueue deadlines_;  // the peers' connection deadlines
  // Ready lists, so that a call costs the same with 10 peers or 10,000 (peer ids):
  std::vector<uint32_t> written_;    // out pipes written since the last flush_all
  std::vector<uint32_t> held_back_;  // connections the in pipe's HWM stopped
  std::vector<uint32_t> dead_;       // peers marked out_dead, not yet removed
  std::vector<uint32_t> flushing_;   // flush_all's and pump_held_back's scratch
  std::vector<uint32_t> pumping_;
  int64_t timers_ns_ = INT64_MAX;  // the earliest of the other deadlines (timers_changed)
  bool timers_stale_ = true;
  size_t inproc_peers_ = 0;           // peers over an InprocLink
  std::shared_ptr<PipeWaker> waker_;  // this socket's, from its first link (one per socket)
  std::vector<uint32_t> woken_;       // take_inproc_wakes' scratch
  bool intercepts_all_ = false;       // the routing's intercepts_all(), fixed by the type
  bool can_send_ = false;             // socket_type_info(type_), read once
  bool can_recv_ = false;
  uint32_t next_peer_id_ = 1;
  uint32_t next_stream_id_ = 1;
  uint32_t next_endpoint_id_ = 1;
  bool rcvmore_ = false;
  bool closing_ = false;
  int64_t linger_deadline_ns_ = INT64_MAX;
};

}  // namespace zlab
