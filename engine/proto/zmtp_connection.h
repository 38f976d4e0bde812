// One ZMTP 3.1 connection, sans-I/O: greeting, the security mechanism's handshake (NULL, PLAIN,
// CURVE: proto/mechanism.h), commands, heartbeats, limits. A ZMTP 2.0 peer (rfc 15) is spoken
// to in 2.0 (NULL only): identity frames instead of the handshake, no commands.
// Over tcp and ipc its bytes are ZMTP's greeting and frames; over ws (ZmtpOptions::websocket)
// an HTTP upgrade and WebSocket frames (proto/framing.h): the rest is the same.
//
// Inputs: handle_read() after the driver filled read_buffer(), handle_written(),
// handle_timeout(), handle_eof(); all carry now_ns. Outputs: poll_transmit() bytes,
// poll_part() data frames, poll_event() events, next_deadline_ns(). The socket layer above
// pulls parts only while its pipe has room; while it does not, the decoder fills up, the
// connection offers no read buffer and the driver stops reading (TCP backpressure).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/base/metadata.h"
#include "engine/base/msg.h"
#include "engine/base/socket_type.h"
#include "engine/proto/connection.h"
#include "engine/proto/framing.h"
#include "engine/proto/mechanism.h"
#include "engine/proto/ws_framing.h"
#include "engine/wire/frame.h"

namespace zlab::proto {

struct ZmtpOptions {
  SocketType socket_type = SocketType::kPair;
  std::string routing_id;  // sent as Identity by REQ, DEALER and ROUTER
  // The security mechanism: its name, side, credentials, ZAP settings and random source.
  // Socket-Type, Identity and the extra properties are added to its own_properties here.
  MechanismConfig security;
  int64_t handshake_ivl_ns = 30'000 * kNsPerMs;      // ZMQ_HANDSHAKE_IVL; 0 = none
  int64_t heartbeat_ivl_ns = 0;                      // ZMQ_HEARTBEAT_IVL; 0 = off
  int64_t heartbeat_ttl_ns = 0;                      // ZMQ_HEARTBEAT_TTL, sent in PING
  int64_t heartbeat_timeout_ns = -1;                 // ZMQ_HEARTBEAT_TIMEOUT; -1 = the interval
  int64_t max_msg_size = -1;                         // ZMQ_MAXMSGSIZE; -1 = none
  std::vector<Metadata::Property> extra_properties;  // ZMQ_METADATA ("X-..." names)
  std::string peer_address;  // from the transport; added to the peer's metadata as Peer-Address
  std::optional<WsOptions> websocket;  // ws://: WebSocket framing after an HTTP upgrade
  int source_fd = -1;                  // from the transport: ZMQ_SRCFD ("__fd"), -1 for none
};

class ZmtpConnection final : public Connection {
 public:
  ZmtpConnection(const ZmtpOptions& options, int64_t now_ns);
  ~ZmtpConnection() override;
  ZmtpConnection(const ZmtpConnection&) = delete;
  ZmtpConnection& operator=(const ZmtpConnection&) = delete;

  // --- inbound bytes ---
  std::span<uint8_t> read_buffer() override;
  void handle_read(size_t n, int64_t now_ns) override;
  void handle_eof(int64_t now_ns) override;
  // Copies bytes through read_buffer()/handle_read(); returns how many were taken.
  size_t feed(std::span<const uint8_t> bytes, int64_t now_ns);

  // --- outbound bytes ---
  size_t poll_transmit(wire::IoSlice* out, size_t max) const override {
    return framing_->poll_transmit(out, max);
  }
  size_t pending_bytes() const override { return framing_->pending_bytes(); }
  void handle_written(size_t n, int64_t now_ns) override;

  // --- timers ---
  int64_t next_deadline_ns() const override;
  void handle_timeout(int64_t now_ns) override;

  // --- messages ---
  // The next inbound data frame (its more() flag marks multipart). Subscriptions from 3.1
  // peers arrive here as 3.0-style messages (0x01/0x00 + topic), whatever the peer sent; a
  // RADIO gets JOIN/LEAVE as their command frames (command() set).
  bool poll_part(Msg* part, int64_t now_ns) override;
  // Whether send_part() may be called: handshake done, not closing, output not too far behind.
  bool can_send() const override;
  // Queues an outbound data frame. A single-frame subscription message from a SUB/XSUB socket
  // is sent as a SUBSCRIBE/CANCEL command to a 3.1 peer; a command part (DISH's JOIN/LEAVE,
  // wire::make_join) is sent as the command it is.
  void send_part(Msg part) override;

  bool poll_event(ConnEvent* event) override;

  // Starts an orderly close: nothing more is read or queued; what is queued is still written.
  void close(CloseReason reason, std::string detail) override;
  bool active() const override { return state_ == State::kActive; }
  bool closed() const override { return state_ == State::kClosed; }
  // Closed and nothing left to write: the driver may close the stream.
  bool finished() const override {
    return state_ == State::kClosed && framing_->pending_bytes() == 0;
  }

  const Metadata* peer_metadata() const override { return peer_meta_; }
  // ZAP (rfc 27) through the driver: a request's frames (delimiter first) to carry to the
  // handler at inproc://zeromq.zap.01, and its reply (no_handler: nothing is bound there).
  bool poll_zap_request(std::vector<Msg>* frames) override;
  void handle_zap_reply(std::span<const Msg> frames, bool no_handler, int64_t now_ns) override;
  bool sent_error() const override { return sent_error_; }
  SocketType peer_type() const { return peer_type_; }
  bool peer_speaks_zmtp20() const { return zmtp20_; }
  uint8_t peer_minor_version() const { return peer_minor_; }
  // Output backlog above which can_send() turns false: one write batch, as libzmq's engine
  // holds, so the rest waits in the pipe where the HWM counts it.
  static constexpr size_t kMaxPendingBytes = wire::FrameEncoder::kBatchSize;

 private:
  enum class State : uint8_t { kGreeting, kHandshake, kActive, kClosed };
  enum class Input : uint8_t {
    kReady,
    kError,
    kPing,
    kPong,
    kSubscribe,
    kCancel,
    kUnknownCommand,
    kData,
    kJoinLeave,  // rfc 48: delivered to a RADIO as the command frame
    kCount
  };
  enum class Action : uint8_t {
    kMechanism,
    kHandlePeerError,
    kHandlePing,
    kIgnore,
    kHandleSubscription,
    kHandleGroupCommand,
    kDeliver,
    kUnexpected,
    kOutOfSequence
  };
  static const Action kTable[2][size_t(Input::kCount)];

  void process_greeting(int64_t now_ns);
  // Handles commands until a data frame is at the head (returned in `data`) or input runs out.
  bool next_data(Msg* data, int64_t now_ns);
  bool dispatch(Msg frame, Msg* data, int64_t now_ns);
  // Sends what the mechanism queued and acts on its status: active once ready, closed on failure.
  void drive_mechanism();
  void handshake_done();
  void start_zmtp20(uint8_t type_byte);
  void handle_zmtp20_identity(const Msg& identity);
  // The handshake is done: the peer's properties (transport ones are added here); `report`:
  // whether the monitor hears HANDSHAKE_SUCCEEDED.
  void activate(std::vector<Metadata::Property> meta, bool report);
  void handle_ping(std::span<const uint8_t> body);
  // A frame to the peer, through the mechanism once the handshake is done (CURVE seals it).
  void encode(Msg frame);
  void fail(CloseReason reason, std::string detail, bool send_error);
  void fail(const MechanismFailure& failure);
  MechanismFailure make_failure(CloseReason reason, std::string detail, bool send_error) const;
  void emit(ConnEvent::Kind kind, CloseReason reason = CloseReason::kNone, std::string detail = {});
  void on_traffic(int64_t now_ns);

  ZmtpOptions options_;
  State state_ = State::kGreeting;  // the greeting, or the HTTP upgrade over ws
  std::unique_ptr<Framing> framing_;
  std::unique_ptr<Mechanism> mechanism_;
  std::deque<ConnEvent> events_;
  const Metadata* peer_meta_ = nullptr;
  SocketType peer_type_ = SocketType::kPair;
  uint8_t peer_minor_ = 0;
  bool zmtp20_ = false;            // the peer speaks ZMTP 2.0 (rfc 15): identity frame, no commands
  bool in_multipart_in_ = false;   // the last inbound data frame had MORE
  bool in_multipart_out_ = false;  // the last outbound data frame had MORE
  bool send_subscriptions_as_commands_ = false;
  // Deadlines (kNever when not armed).
  int64_t handshake_deadline_ns_ = kNever;
  int64_t next_ping_ns_ = kNever;
  int64_t ping_timeout_ns_ = kNever;  // armed when a PING is sent, cleared by any traffic
  int64_t peer_ttl_ns_ = kNever;      // armed by a PING with a TTL, cleared by any traffic
  int64_t last_read_ns_ = 0;
  bool peer_eof_ = false;  // the peer closed; deliver what is buffered, then close
  bool sent_error_ = false;
};

}  // namespace zlab::proto
