#include "engine/proto/mechanism.h"

#include <errno.h>

#include "engine/proto/curve_mechanism.h"
#include "engine/proto/null_mechanism.h"
#include "engine/proto/plain_mechanism.h"

namespace zlab::proto {

void Mechanism::handle_zap_reply(std::span<const Msg> frames, bool no_handler) {
  (void)frames;
  (void)no_handler;
  fail_protocol(CloseReason::kZapFailure, protocol_error::kZapUnspecified,
                "ZAP reply without a request");
}

bool Mechanism::poll_command(Msg* command) {
  if (commands_.empty()) return false;
  *command = std::move(commands_.front());
  commands_.pop_front();
  return true;
}

bool Mechanism::poll_zap_request(std::vector<Msg>* frames) {
  if (zap_requests_.empty()) return false;
  *frames = std::move(zap_requests_.front());
  zap_requests_.pop_front();
  return true;
}

bool Mechanism::poll_auth_failure(int* status_code) {
  if (auth_failures_.empty()) return false;
  *status_code = auth_failures_.front();
  auth_failures_.pop_front();
  return true;
}

void Mechanism::ready(std::vector<wire::Property> peer_properties) {
  if (status_ != Status::kHandshaking) return;
  peer_properties_ = std::move(peer_properties);
  status_ = Status::kReady;
}

void Mechanism::fail(MechanismFailure failure) {
  if (status_ == Status::kFailed) return;
  failure_ = std::move(failure);
  status_ = Status::kFailed;
}

void Mechanism::fail_protocol(CloseReason reason, uint32_t code, std::string detail) {
  MechanismFailure f;
  f.reason = reason;
  f.protocol_error = code;
  f.detail = std::move(detail);
  fail(std::move(f));
}

void Mechanism::handle_peer_error(std::span<const uint8_t> body) {
  auto reason = wire::parse_error(body);
  if (!reason.ok()) {
    fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandError,
                  "malformed ERROR command");
    return;
  }
  // "300", "400", "500": the peer's ZAP handler refused us (libzmq reports it as AUTH).
  const std::string& r = *reason.value;
  if (r.size() == 3 && r[0] >= '3' && r[0] <= '5' && r[1] == '0' && r[2] == '0') {
    report_auth_failure((r[0] - '0') * 100);
  }
  MechanismFailure f;
  f.reason = CloseReason::kPeerError;
  f.detail = r;
  fail(std::move(f));
}

void Mechanism::request_zap(std::string_view mechanism, std::vector<std::string_view> credentials) {
  ZapRequestFields f;
  f.request_id = config_.zap_request_id;
  f.domain = config_.zap_domain;
  f.address = config_.peer_address;
  f.identity = config_.routing_id;
  f.mechanism = mechanism;
  f.credentials = std::move(credentials);
  send_zap_request(make_zap_request(f));
  zap_pending_ = true;
}

Mechanism::ZapOutcome Mechanism::take_zap_reply(std::span<const Msg> frames, bool no_handler,
                                                bool allow_without_handler) {
  if (!zap_pending_) {
    fail_protocol(CloseReason::kZapFailure, protocol_error::kZapUnspecified,
                  "ZAP reply without a request");
    return ZapOutcome::kDenied;
  }
  zap_pending_ = false;
  if (no_handler) {
    if (allow_without_handler) return ZapOutcome::kAllowed;
    MechanismFailure f;
    f.reason = CloseReason::kZapFailure;
    f.no_detail_errno = EFAULT;  // libzmq's value when ZAP is needed and nobody is bound
    f.detail = "no ZAP handler at inproc://zeromq.zap.01";
    fail(std::move(f));
    return ZapOutcome::kDenied;
  }
  ZapReply reply = parse_zap_reply(frames, config_.zap_request_id);
  if (!reply.ok()) {
    fail_protocol(CloseReason::kZapFailure, reply.protocol_error, reply.error);
    return ZapOutcome::kDenied;
  }
  if (reply.status_code == "200") {
    zap_properties_.emplace_back("User-Id", reply.user_id);
    for (auto& p : reply.metadata) zap_properties_.push_back(std::move(p));
    return ZapOutcome::kAllowed;
  }
  report_auth_failure((reply.status_code[0] - '0') * 100);
  MechanismFailure f;
  f.reason = CloseReason::kAuthFailed;
  f.detail = "ZAP handler answered " + reply.status_code;
  // A temporary failure (300) closes without an ERROR (rfc 27; libzmq).
  f.send_error = reply.status_code != "300";
  f.error_reason = reply.status_code;
  fail(std::move(f));
  return ZapOutcome::kDenied;
}

std::unique_ptr<Mechanism> make_mechanism(MechanismConfig config) {
  if (config.name == "NULL") return std::make_unique<NullMechanism>(std::move(config));
  if (config.name == "PLAIN") {
    if (config.as_server) return std::make_unique<PlainServer>(std::move(config));
    return std::make_unique<PlainClient>(std::move(config));
  }
  if (config.name == "CURVE") {
    if (config.as_server) return std::make_unique<CurveServer>(std::move(config));
    return std::make_unique<CurveClient>(std::move(config));
  }
  return nullptr;
}

std::string_view command_name(const Msg& frame) {
  auto parsed = wire::parse_command(frame);
  return parsed.ok() ? parsed.value->name : std::string_view();
}

}  // namespace zlab::proto
