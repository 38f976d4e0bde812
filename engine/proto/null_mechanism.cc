#include "engine/proto/null_mechanism.h"

namespace zlab::proto {

void NullMechanism::start() {
  // libzmq asks ZAP under NULL only when a domain is set; without a handler that is allowed
  // unless ZMQ_ZAP_ENFORCE_DOMAIN.
  if (!config_.zap_domain.empty()) {
    request_zap("NULL", {});
    return;
  }
  send_ready();
}

void NullMechanism::handle_zap_reply(std::span<const Msg> frames, bool no_handler) {
  if (take_zap_reply(frames, no_handler, !config_.zap_enforce_domain) != ZapOutcome::kAllowed) {
    return;
  }
  send_ready();
  maybe_ready();
}

void NullMechanism::send_ready() {
  send(wire::make_ready(config_.own_properties));
  ready_sent_ = true;
}

void NullMechanism::handle_command(const Msg& frame) {
  auto cmd = wire::parse_command(frame);
  if (!cmd.ok()) {
    MechanismFailure f{CloseReason::kMalformedCommand,
                       protocol_error::kZmtpMalformedCommandUnspecified,
                       0,
                       std::string(cmd.error),
                       true,
                       std::string(cmd.error)};
    fail(std::move(f));
    return;
  }
  std::string_view name = cmd.value->name;
  if (name == wire::kError) {
    handle_peer_error(cmd.value->data);
    return;
  }
  if (name != wire::kReady || ready_received_) {
    std::string why = "unexpected command " + std::string(name);
    fail({CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand, 0, why, true,
          why});
    return;
  }
  handle_ready(cmd.value->data);
}

void NullMechanism::handle_ready(std::span<const uint8_t> body) {
  auto props = wire::parse_properties(body);
  if (!props.ok()) {
    std::string why(props.error);
    fail({CloseReason::kMalformedCommand, protocol_error::kZmtpInvalidMetadata, 0, why, true, why});
    return;
  }
  received_ = std::move(*props.value);
  ready_received_ = true;
  maybe_ready();
}

void NullMechanism::maybe_ready() {
  if (!ready_sent_ || !ready_received_ || status() != Status::kHandshaking) return;
  std::vector<wire::Property> all = std::move(received_);
  for (const auto& p : zap_properties()) all.push_back(p);
  ready(std::move(all));
}

}  // namespace zlab::proto
