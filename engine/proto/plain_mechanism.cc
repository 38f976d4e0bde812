#include "engine/proto/plain_mechanism.h"

#include <string>

namespace zlab::proto {
namespace {

// A command's data after its name; `ok` false when the frame is no well-formed command.
struct Body {
  bool ok = false;
  std::string_view name;
  std::span<const uint8_t> data;
};

Body body_of(const Msg& frame) {
  auto cmd = wire::parse_command(frame);
  if (!cmd.ok()) return {};
  return {true, cmd.value->name, cmd.value->data};
}

// libzmq 4.3.4's PLAIN server names its ERROR with the C literal "\x05ERROR", which C reads as
// 0x5E then "RROR" (conformance: div/plain/error-command-prefix). Its reason follows as usual.
bool libzmq_plain_error(const Msg& frame, std::span<const uint8_t>* reason) {
  constexpr std::string_view kPrefix = "\x5eRROR";
  if (frame.view().substr(0, kPrefix.size()) != kPrefix) return false;
  *reason = {frame.data() + kPrefix.size(), frame.size() - kPrefix.size()};
  return true;
}

}  // namespace

// --- client ---

void PlainClient::start() {
  const std::string& user = config_.plain_username;
  const std::string& pass = config_.plain_password;
  std::vector<uint8_t> body;
  body.push_back(uint8_t(user.size()));
  body.insert(body.end(), user.begin(), user.end());
  body.push_back(uint8_t(pass.size()));
  body.insert(body.end(), pass.begin(), pass.end());
  send(wire::make_command(kHello, body));
}

void PlainClient::handle_command(const Msg& frame) {
  std::span<const uint8_t> libzmq_reason;
  if (state_ != State::kDone && libzmq_plain_error(frame, &libzmq_reason)) {
    handle_peer_error(libzmq_reason);
    return;
  }
  Body b = body_of(frame);
  if (b.ok && b.name == wire::kError && state_ != State::kDone) {
    handle_peer_error(b.data);
    return;
  }
  if (b.ok && b.name == kWelcome && state_ == State::kWaitWelcome) {
    if (!b.data.empty()) {
      fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandWelcome,
                    "WELCOME with data");
      return;
    }
    send(wire::make_command(kInitiate, wire::encode_properties(config_.own_properties)));
    state_ = State::kWaitReady;
    return;
  }
  if (b.ok && b.name == wire::kReady && state_ == State::kWaitReady) {
    auto props = wire::parse_properties(b.data);
    if (!props.ok()) {
      fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpInvalidMetadata,
                    "READY: " + std::string(props.error));
      return;
    }
    state_ = State::kDone;
    ready(std::move(*props.value));
    return;
  }
  fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                "unexpected command " + std::string(b.name) + " in the PLAIN handshake");
}

// --- server ---

void PlainServer::handle_command(const Msg& frame) {
  Body b = body_of(frame);
  if (state_ == State::kWaitHello) {
    if (!b.ok) {
      fail_protocol(CloseReason::kMalformedCommand,
                    protocol_error::kZmtpMalformedCommandUnspecified, "malformed command");
    } else if (b.name != kHello) {
      fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                    "expected HELLO, got " + std::string(b.name));
    } else {
      handle_hello(b.data);
    }
    return;
  }
  if (state_ == State::kWaitInitiate) {
    if (b.ok && b.name == kInitiate) {
      handle_initiate(b.data);
    } else {
      fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                    "expected INITIATE, got " + std::string(b.name));
    }
    return;
  }
  // A command while ZAP decides, or after READY: libzmq's "unspecified" protocol error.
  fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnspecified,
                "unexpected command " + std::string(b.name) + " in the PLAIN handshake");
}

void PlainServer::handle_hello(std::span<const uint8_t> body) {
  // username-size(1) username password-size(1) password, and nothing after.
  auto malformed = [this](const char* why) {
    fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandHello,
                  std::string("HELLO: ") + why);
  };
  if (body.empty()) return malformed("no username");
  size_t user_len = body[0];
  if (body.size() - 1 < user_len) return malformed("username truncated");
  std::string_view user(reinterpret_cast<const char*>(body.data() + 1), user_len);
  size_t at = 1 + user_len;
  if (body.size() <= at) return malformed("no password");
  size_t pass_len = body[at];
  if (body.size() - at - 1 != pass_len) return malformed("password truncated or trailing bytes");
  std::string_view pass(reinterpret_cast<const char*>(body.data() + at + 1), pass_len);
  state_ = State::kWaitZap;
  request_zap("PLAIN", {user, pass});
}

void PlainServer::handle_zap_reply(std::span<const Msg> frames, bool no_handler) {
  if (state_ != State::kWaitZap) {
    Mechanism::handle_zap_reply(frames, no_handler);
    return;
  }
  // PLAIN without a handler would let anybody in: libzmq refuses instead.
  if (take_zap_reply(frames, no_handler, false) != ZapOutcome::kAllowed) return;
  send(wire::make_command(kWelcome, {}));
  state_ = State::kWaitInitiate;
}

void PlainServer::handle_initiate(std::span<const uint8_t> body) {
  auto props = wire::parse_properties(body);
  if (!props.ok()) {
    fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpInvalidMetadata,
                  "INITIATE: " + std::string(props.error));
    return;
  }
  send(wire::make_ready(config_.own_properties));
  state_ = State::kDone;
  std::vector<wire::Property> all = std::move(*props.value);
  for (const auto& p : zap_properties()) all.push_back(p);
  ready(std::move(all));
}

}  // namespace zlab::proto
