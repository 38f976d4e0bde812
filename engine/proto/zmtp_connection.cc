#include "engine/proto/zmtp_connection.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <optional>
#include <string_view>

#include "engine/wire/command.h"

namespace zlab::proto {
namespace {

constexpr int64_t kNsPerDecisecond = 100 * kNsPerMs;

// The type command a command name is, if it is one.
std::optional<TypeCommand> type_command_named(std::string_view name) {
  if (name == wire::kSubscribe) return TypeCommand::kSubscribe;
  if (name == wire::kCancel) return TypeCommand::kCancel;
  if (name == wire::kJoin) return TypeCommand::kJoin;
  if (name == wire::kLeave) return TypeCommand::kLeave;
  return std::nullopt;
}

}  // namespace

// What each inbound frame means in each state after the greeting: the handshake and the
// command protocol in one table. During the handshake every command is the mechanism's (NULL's
// READY, PLAIN's and CURVE's HELLO/WELCOME/INITIATE/READY, ERROR); a data frame is out of
// sequence. Rows: kHandshake, kActive.
// clang-format off
const ZmtpConnection::Action ZmtpConnection::kTable[2][size_t(Input::kCount)] = {
  //                READY              ERROR                     PING                  PONG                SUBSCRIBE                    CANCEL                       unknown             data                    JOIN/LEAVE
  /* Handshake */ {Action::kMechanism,  Action::kMechanism,       Action::kMechanism,   Action::kMechanism, Action::kMechanism,          Action::kMechanism,          Action::kMechanism,  Action::kOutOfSequence, Action::kMechanism},
  /* Active    */ {Action::kUnexpected, Action::kHandlePeerError, Action::kHandlePing,  Action::kIgnore,    Action::kHandleSubscription, Action::kHandleSubscription, Action::kUnexpected, Action::kDeliver,       Action::kHandleGroupCommand},
};
// clang-format on

ZmtpConnection::ZmtpConnection(const ZmtpOptions& options, int64_t now_ns) : options_(options) {
  if (options_.websocket) {
    framing_ = std::make_unique<WsFraming>(*options_.websocket, options_.max_msg_size,
                                           options_.security.name);
  } else {
    ZmtpFramingOptions framing;
    framing.mechanism = options_.security.name;
    framing.as_server = options_.security.as_server;
    framing.max_msg_size = options_.max_msg_size;
    framing.routing_id_size = options_.routing_id.size();
    framing.socket_type = uint8_t(socket_type_info(options_.socket_type).zmq_value);
    framing.zmtp20_allowed =
        options_.security.name == "NULL" && options_.security.zap_domain.empty();
    framing_ = std::make_unique<ZmtpFraming>(std::move(framing));
  }
  MechanismConfig security = options_.security;
  auto& own = security.own_properties;
  own.emplace_back("Socket-Type", std::string(socket_type_info(options_.socket_type).name));
  if (options_.profile.sends_identity) own.emplace_back("Identity", options_.routing_id);
  for (const auto& p : options_.extra_properties) own.push_back(p);
  if (security.peer_address.empty()) security.peer_address = options_.peer_address;
  if (security.routing_id.empty()) security.routing_id = options_.routing_id;
  mechanism_ = make_mechanism(std::move(security));
  assert(mechanism_ != nullptr);  // the socket options only name known mechanisms
  if (options_.handshake_ivl_ns > 0) handshake_deadline_ns_ = now_ns + options_.handshake_ivl_ns;
}

ZmtpConnection::~ZmtpConnection() {
  if (peer_meta_ != nullptr) peer_meta_->unref();
}

std::span<uint8_t> ZmtpConnection::read_buffer() {
  if (state_ == State::kClosed || peer_eof_) return {};
  return framing_->read_buffer();
}

void ZmtpConnection::handle_read(size_t n, int64_t now_ns) {
  if (n == 0 || state_ == State::kClosed) return;
  on_traffic(now_ns);
  framing_->commit(n);
  if (state_ == State::kGreeting) process_greeting(now_ns);
  if (state_ == State::kHandshake) {
    Msg data;
    next_data(&data, now_ns);  // the handshake's commands; a data frame is out of sequence
  }
}

size_t ZmtpConnection::feed(std::span<const uint8_t> bytes, int64_t now_ns) {
  size_t used = 0;
  while (used < bytes.size()) {
    std::span<uint8_t> dst = read_buffer();
    if (dst.empty()) break;
    size_t n = std::min(dst.size(), bytes.size() - used);
    std::copy_n(bytes.data() + used, n, dst.data());
    handle_read(n, now_ns);
    used += n;
  }
  return used;
}

void ZmtpConnection::handle_eof(int64_t now_ns) {
  (void)now_ns;
  if (state_ == State::kClosed) return;
  if (state_ == State::kGreeting || state_ == State::kHandshake) {
    // libzmq reports a handshake the peer walked out of as HANDSHAKE_FAILED_NO_DETAIL with
    // EPIPE (its read of 0 bytes): a server whose ZAP handler never answers learns it so.
    MechanismFailure f;
    f.reason = CloseReason::kPeerClosed;
    f.detail = "peer closed the connection during the handshake";
    f.no_detail_errno = EPIPE;
    fail(f);
    return;
  }
  if (framing_->buffered() == 0) {
    fail(CloseReason::kPeerClosed, "peer closed the connection", false);
    return;
  }
  peer_eof_ = true;  // deliver the complete messages already received first
}

void ZmtpConnection::process_greeting(int64_t now_ns) {
  (void)now_ns;
  if (const FramingFailure* failure = framing_->failure()) {
    MechanismFailure f = make_failure(failure->reason, failure->detail, false);
    if (!failure->protocol_event) f.protocol_error = 0;
    fail(f);
    return;
  }
  if (!framing_->prelude_done()) return;
  peer_minor_ = framing_->peer_minor();
  state_ = State::kHandshake;
  if (auto type_byte = framing_->zmtp20_socket_type()) {
    start_zmtp20(*type_byte);
    return;
  }
  mechanism_->start();
  drive_mechanism();
}

// rfc 15: no mechanism and no commands; the greeting's socket type byte is checked as rfc 15's
// "Socket Compatibility" asks (libzmq does not), then both send an identity frame.
void ZmtpConnection::start_zmtp20(uint8_t type_byte) {
  zmtp20_ = true;
  auto peer = socket_type_from_zmq(type_byte);
  if (!peer) {
    fail(CloseReason::kBadGreeting,
         "unknown socket type " + std::to_string(type_byte) + " in a ZMTP 2.0 greeting", false);
    return;
  }
  if (!compatible(options_.socket_type, *peer)) {
    fail(CloseReason::kIncompatiblePeer,
         "incompatible socket type " + std::string(socket_type_info(*peer).name) + " for " +
             std::string(socket_type_info(options_.socket_type).name) + " (ZMTP 2.0)",
         false);
    return;
  }
  peer_type_ = *peer;
  framing_->encode(Msg::copy_of(std::string_view(options_.routing_id)));
}

// The first frame of a ZMTP 2.0 peer is its identity (rfc 15: a final frame): it plays the
// part of READY's Identity, so a ROUTER takes it as the peer's routing id.
void ZmtpConnection::handle_zmtp20_identity(const Msg& identity) {
  if (identity.more()) {
    fail(CloseReason::kMalformedFrame, "ZMTP 2.0 identity frame with MORE set", false);
    return;
  }
  std::vector<Metadata::Property> meta;
  meta.emplace_back("Socket-Type", std::string(socket_type_info(peer_type_).name));
  meta.emplace_back("Identity", std::string(identity.view()));
  // libzmq reports no handshake for a ZMTP 1.0/2.0 peer: messages simply flow.
  activate(std::move(meta), false);
}

void ZmtpConnection::drive_mechanism() {
  if (state_ != State::kHandshake) return;
  Msg command;
  while (mechanism_->poll_command(&command)) framing_->encode(std::move(command));
  int status_code = 0;
  while (mechanism_->poll_auth_failure(&status_code)) {
    ConnEvent ev{ConnEvent::Kind::kAuthFailed, CloseReason::kAuthFailed, {}};
    ev.value = status_code;
    events_.push_back(std::move(ev));
  }
  switch (mechanism_->status()) {
    case Mechanism::Status::kHandshaking:
      return;
    case Mechanism::Status::kReady:
      handshake_done();
      return;
    case Mechanism::Status::kFailed:
      fail(mechanism_->failure());
      return;
  }
}

bool ZmtpConnection::poll_zap_request(std::vector<Msg>* frames) {
  return mechanism_->poll_zap_request(frames);
}

void ZmtpConnection::handle_zap_reply(std::span<const Msg> frames, bool no_handler,
                                      int64_t now_ns) {
  if (state_ != State::kHandshake) return;
  mechanism_->handle_zap_reply(frames, no_handler);
  drive_mechanism();
  Msg data;
  if (state_ == State::kHandshake) next_data(&data, now_ns);  // commands that waited for ZAP
}

bool ZmtpConnection::poll_part(Msg* part, int64_t now_ns) {
  if (state_ != State::kActive) return false;
  if (next_data(part, now_ns)) return true;
  if (peer_eof_ && state_ == State::kActive) {
    fail(CloseReason::kPeerClosed, "peer closed the connection", false);
  }
  return false;
}

bool ZmtpConnection::next_data(Msg* data, int64_t now_ns) {
  Msg frame;
  while (state_ != State::kClosed && state_ != State::kGreeting) {
    bool handshaking = state_ == State::kHandshake;
    // While ZAP decides, the peer's next frames wait (a NULL peer's data after its READY).
    if (handshaking && mechanism_->waiting_for_zap()) return false;
    if (!framing_->next(&frame)) {
      if (const FramingFailure* failure = framing_->failure()) {
        fail(failure->reason, failure->detail, failure->send_error);
      }
      return false;
    }
    if (!handshaking && mechanism_->wraps_frames() && !mechanism_->decode(&frame)) {
      fail(mechanism_->failure());
      return false;
    }
    if (dispatch(std::move(frame), data, now_ns)) return true;
    // Frames after READY wait for the socket layer to pull them.
    if (handshaking && state_ == State::kActive) return false;
  }
  return false;
}

bool ZmtpConnection::dispatch(Msg frame, Msg* data, int64_t now_ns) {
  Input input = Input::kData;
  wire::Command cmd{};
  if (zmtp20_ && state_ == State::kHandshake) {
    handle_zmtp20_identity(frame);
    return false;
  }
  if (frame.command() && state_ == State::kHandshake) {
    mechanism_->handle_command(frame);
    drive_mechanism();
    return false;
  }
  if (frame.command()) {
    auto parsed = wire::parse_command(frame);
    if (!parsed.ok()) {
      fail(CloseReason::kMalformedCommand, std::string(parsed.error), true);
      return false;
    }
    cmd = *parsed.value;
    if (in_multipart_in_) {
      fail(CloseReason::kUnexpectedCommand, "command inside a multipart message", true);
      return false;
    }
    if (cmd.name == wire::kReady)
      input = Input::kReady;
    else if (cmd.name == wire::kError)
      input = Input::kError;
    else if (cmd.name == wire::kPing)
      input = Input::kPing;
    else if (cmd.name == wire::kPong)
      input = Input::kPong;
    else if (cmd.name == wire::kSubscribe)
      input = Input::kSubscribe;
    else if (cmd.name == wire::kCancel)
      input = Input::kCancel;
    else if (cmd.name == wire::kJoin || cmd.name == wire::kLeave)
      input = Input::kJoinLeave;
    else
      input = Input::kUnknownCommand;
  }
  size_t row = state_ == State::kHandshake ? 0 : 1;
  switch (kTable[row][size_t(input)]) {
    case Action::kMechanism:  // handed over above, before parsing
      return false;
    case Action::kHandlePeerError: {
      auto reason = wire::parse_error(cmd.data);
      fail(CloseReason::kPeerError, reason.ok() ? *reason.value : "malformed ERROR command", false);
      return false;
    }
    case Action::kHandlePing:
      handle_ping(cmd.data);
      return false;
    case Action::kIgnore:
      return false;
    case Action::kHandleSubscription: {
      TypeCommand command =
          input == Input::kSubscribe ? TypeCommand::kSubscribe : TypeCommand::kCancel;
      if (!options_.profile.accepts.has(command)) {
        fail(CloseReason::kUnexpectedCommand, "subscription sent to a non-publisher", true);
        return false;
      }
      // Uniform with 3.0 peers: a subscription is a message of 0x01/0x00 then the topic.
      Msg sub = Msg::with_size(1 + cmd.data.size());
      sub.mutable_data()[0] = input == Input::kSubscribe ? 1 : 0;
      std::copy(cmd.data.begin(), cmd.data.end(), sub.mutable_data() + 1);
      sub.set_metadata(peer_meta_);
      *data = std::move(sub);
      return true;
    }
    case Action::kHandleGroupCommand: {
      if (!options_.profile.accepts.has(*type_command_named(cmd.name))) {
        fail(CloseReason::kUnexpectedCommand, "JOIN/LEAVE sent to a non-RADIO", true);
        return false;
      }
      if (auto group = wire::parse_group(cmd.data); !group.ok()) {
        fail(CloseReason::kMalformedCommand, std::string(group.error), true);
        return false;
      }
      // The command frame itself, flagged as a command: RADIO's routing reads the group.
      frame.set_metadata(peer_meta_);
      *data = std::move(frame);
      return true;
    }
    case Action::kDeliver:
      in_multipart_in_ = frame.more();
      frame.set_metadata(peer_meta_);
      *data = std::move(frame);
      return true;
    case Action::kUnexpected:
      fail(CloseReason::kUnexpectedCommand, "unexpected command " + std::string(cmd.name), true);
      return false;
    case Action::kOutOfSequence:
      fail(CloseReason::kInvalidSequence, "data frame before READY", true);
      return false;
  }
  (void)now_ns;
  return false;
}

void ZmtpConnection::handshake_done() {
  std::vector<Metadata::Property> meta = mechanism_->peer_properties();
  const std::string* type_name = nullptr;
  for (const auto& [name, value] : meta) {
    if (equals_ignore_case(name, "Socket-Type")) type_name = &value;
  }
  if (type_name == nullptr) {
    fail(CloseReason::kMalformedCommand, "READY without Socket-Type", true);
    return;
  }
  auto peer = socket_type_from_name(*type_name);
  if (!peer || !compatible(options_.socket_type, *peer)) {
    fail(CloseReason::kIncompatiblePeer,
         "incompatible socket type " + *type_name + " for " +
             std::string(socket_type_info(options_.socket_type).name),
         true);
    return;
  }
  peer_type_ = *peer;
  activate(std::move(meta), true);
}

void ZmtpConnection::activate(std::vector<Metadata::Property> meta, bool report) {
  add_transport_properties(&meta, options_.peer_address, options_.source_fd);
  peer_meta_ = Metadata::create(std::move(meta));
  // ZMTP 3.0 has no SUBSCRIBE/CANCEL: a 3.0 peer gets the subscription messages themselves.
  // JOIN/LEAVE have no message form: they go as commands to any peer.
  commands_out_ = peer_minor_ >= 1 ? options_.profile.sends
                                   : options_.profile.sends.without(kSubscriptionCommands);
  state_ = State::kActive;
  handshake_deadline_ns_ = kNever;
  // ZMTP 2.0 has no PING: heartbeats are for 3.x peers only, as in libzmq.
  if (options_.heartbeat_ivl_ns > 0 && !zmtp20_) {
    next_ping_ns_ = last_read_ns_ + options_.heartbeat_ivl_ns;
  }
  ConnEvent ev{ConnEvent::Kind::kHandshakeSucceeded, CloseReason::kNone, {}};
  ev.reported = report;
  events_.push_back(std::move(ev));
}

void ZmtpConnection::handle_ping(std::span<const uint8_t> body) {
  auto ping = wire::parse_ping(body);
  if (!ping.ok()) {
    fail(CloseReason::kMalformedCommand, std::string(ping.error), true);
    return;
  }
  encode(wire::make_pong(ping.value->context));
  if (ping.value->ttl_ds > 0) {
    // Traffic seen so far was this PING; the TTL runs from now until more arrives.
    peer_ttl_ns_ = last_read_ns_ + int64_t(ping.value->ttl_ds) * kNsPerDecisecond;
  }
}

bool ZmtpConnection::can_send() const {
  return state_ == State::kActive && framing_->pending_bytes() < kMaxPendingBytes;
}

void ZmtpConnection::send_part(Msg part) {
  assert(state_ == State::kActive);
  bool single = !in_multipart_out_ && !part.more();
  in_multipart_out_ = part.more();
  if (single && part.command() && sends_type_command(part)) {
    encode(std::move(part));
    return;
  }
  if (single && send_as_command(part)) return;
  part.set_command(false);
  encode(std::move(part));
}

bool ZmtpConnection::sends_type_command(const Msg& part) const {
  auto cmd = wire::parse_command(part);
  if (!cmd.ok()) return false;
  std::optional<TypeCommand> command = type_command_named(cmd.value->name);
  return command && commands_out_.has(*command);
}

bool ZmtpConnection::send_as_command(const Msg& part) {
  if (part.size() < 1 || part.data()[0] > 1) return false;
  bool subscribe = part.data()[0] == 1;
  if (!commands_out_.has(subscribe ? TypeCommand::kSubscribe : TypeCommand::kCancel)) {
    return false;
  }
  std::span<const uint8_t> topic(part.data() + 1, part.size() - 1);
  encode(subscribe ? wire::make_subscribe(topic) : wire::make_cancel(topic));
  return true;
}

void ZmtpConnection::encode(Msg frame) {
  if (!mechanism_->encode(&frame)) {
    fail(mechanism_->failure());
    return;
  }
  framing_->encode(std::move(frame));
}

void ZmtpConnection::handle_written(size_t n, int64_t now_ns) {
  (void)now_ns;
  framing_->consume(n);
}

int64_t ZmtpConnection::next_deadline_ns() const {
  if (state_ == State::kClosed) return kNever;
  return std::min({handshake_deadline_ns_, next_ping_ns_, ping_timeout_ns_, peer_ttl_ns_});
}

void ZmtpConnection::handle_timeout(int64_t now_ns) {
  if (state_ == State::kClosed) return;
  if (now_ns >= handshake_deadline_ns_) {
    // libzmq reports a handshake that timed out as HANDSHAKE_FAILED_NO_DETAIL (then
    // DISCONNECTED), as one the peer walked out of; zlab gives it ETIMEDOUT for its errno.
    MechanismFailure f = make_failure(CloseReason::kHandshakeTimeout,
                                      "no handshake within ZMQ_HANDSHAKE_IVL", false);
    f.no_detail_errno = ETIMEDOUT;
    fail(f);
    return;
  }
  if (now_ns >= ping_timeout_ns_) {
    fail(CloseReason::kHeartbeatTimeout, "no traffic after PING (ZMQ_HEARTBEAT_TIMEOUT)", false);
    return;
  }
  if (now_ns >= peer_ttl_ns_) {
    fail(CloseReason::kHeartbeatTimeout, "peer's heartbeat TTL expired", false);
    return;
  }
  if (now_ns >= next_ping_ns_) {
    int64_t ttl_ds = std::clamp<int64_t>(options_.heartbeat_ttl_ns / kNsPerDecisecond, 0, 0xFFFF);
    if (mechanism_->wraps_frames()) {
      encode(wire::make_ping(uint16_t(ttl_ds), {}));  // sealed like every frame
    } else {
      framing_->encode_ping(uint16_t(ttl_ds));
    }
    int64_t timeout = options_.heartbeat_timeout_ns >= 0 ? options_.heartbeat_timeout_ns
                                                         : options_.heartbeat_ivl_ns;
    if (ping_timeout_ns_ == kNever) ping_timeout_ns_ = now_ns + timeout;
    next_ping_ns_ = now_ns + options_.heartbeat_ivl_ns;
  }
}

void ZmtpConnection::on_traffic(int64_t now_ns) {
  last_read_ns_ = now_ns;
  ping_timeout_ns_ = kNever;
  peer_ttl_ns_ = kNever;
}

bool ZmtpConnection::poll_event(ConnEvent* event) {
  if (events_.empty()) return false;
  *event = std::move(events_.front());
  events_.pop_front();
  return true;
}

void ZmtpConnection::close(CloseReason reason, std::string detail) {
  fail(reason, std::move(detail), false);
}

void ZmtpConnection::fail(CloseReason reason, std::string detail, bool send_error) {
  fail(make_failure(reason, std::move(detail), send_error));
}

MechanismFailure ZmtpConnection::make_failure(CloseReason reason, std::string detail,
                                              bool send_error) const {
  MechanismFailure f;
  f.reason = reason;
  // HANDSHAKE_FAILED_PROTOCOL is about the handshake: a framing failure later only disconnects.
  // (A mechanism's own failures keep their code: libzmq reports a CURVE MESSAGE it refuses.)
  f.protocol_error = state_ == State::kActive ? 0 : default_protocol_error(reason);
  f.send_error = send_error;
  f.error_reason = detail;
  f.detail = std::move(detail);
  return f;
}

void ZmtpConnection::fail(const MechanismFailure& failure) {
  if (state_ == State::kClosed) return;
  bool was_active = state_ == State::kActive;
  // A ZMTP 2.0 peer has no commands: it is closed without an ERROR.
  if (failure.send_error && state_ != State::kGreeting && !zmtp20_) {
    Msg error = wire::make_error(failure.error_reason);
    sent_error_ = true;
    if (state_ == State::kActive) {
      encode(std::move(error));
    } else {
      framing_->encode(std::move(error));
    }
  }
  state_ = State::kClosed;
  handshake_deadline_ns_ = next_ping_ns_ = ping_timeout_ns_ = peer_ttl_ns_ = kNever;
  ConnEvent ev{ConnEvent::Kind::kClosed, failure.reason, failure.detail};
  ev.after_handshake = was_active;
  ev.protocol_error = failure.protocol_error;
  ev.value = failure.no_detail_errno;
  events_.push_back(std::move(ev));
}

void ZmtpConnection::emit(ConnEvent::Kind kind, CloseReason reason, std::string detail) {
  events_.push_back(ConnEvent{kind, reason, std::move(detail)});
}

}  // namespace zlab::proto
