// The security mechanism of one ZMTP 3.x connection (rfc 23/37): what runs between the greeting
// and the first message. Sans-I/O like the connection that owns it: command frames and ZAP
// replies in, command frames, ZAP requests, a status and events out. No clock, no socket, and
// no randomness of its own: a mechanism that needs random bytes draws them from the
// MechanismConfig::random the driver supplied (the real driver's CSPRNG, the simulator's seeded
// generator), so a simulated run stays the same per seed.
//
// NULL (rfc 37), PLAIN (rfc 24) and CURVE (rfc 25/26) are implementations; make_mechanism()
// picks one by name and side. ZAP (rfc 27) is reached through ZapClient (zap.h): a mechanism that
// authenticates emits a request as an output and waits for handle_zap_reply().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/msg.h"
#include "engine/proto/events.h"
#include "engine/proto/zap.h"
#include "engine/wire/command.h"

namespace zlab::proto {

// Fills the span with random bytes. Supplied by the driver through the socket.
using RandomBytes = std::function<void(std::span<uint8_t>)>;

struct MechanismConfig {
  std::string name = "NULL";  // "NULL", "PLAIN", "CURVE": the greeting's mechanism
  bool as_server = false;
  // What our READY (or PLAIN/CURVE INITIATE) announces: Socket-Type, Identity, ZMQ_METADATA.
  std::vector<wire::Property> own_properties;
  // ZAP (rfc 27): the domain (NULL asks ZAP only when it is set), ZMQ_ZAP_ENFORCE_DOMAIN, and
  // what a request says about the peer.
  std::string zap_domain;
  bool zap_enforce_domain = false;
  std::string zap_request_id = "1";
  std::string peer_address;  // the request's Address frame
  std::string routing_id;    // the request's Identity frame (ours, as libzmq sends it)
  // PLAIN client credentials.
  std::string plain_username;
  std::string plain_password;
  // CURVE keys (32 bytes each; server_key only on a client).
  std::string curve_public_key;
  std::string curve_secret_key;
  std::string curve_server_key;
  RandomBytes random;
};

// Why a handshake failed, in libzmq's terms: which monitor event, with which value, and whether
// an ERROR command tells the peer (and with which reason).
struct MechanismFailure {
  CloseReason reason = CloseReason::kNone;
  uint32_t protocol_error = 0;  // ZMQ_PROTOCOL_ERROR_*: HANDSHAKE_FAILED_PROTOCOL when set
  int no_detail_errno = 0;      // HANDSHAKE_FAILED_NO_DETAIL with this errno when set
  std::string detail;           // for logs and traces
  bool send_error = false;
  std::string error_reason;  // the ERROR command's reason when send_error
};

class Mechanism {
 public:
  enum class Status : uint8_t { kHandshaking, kReady, kFailed };

  virtual ~Mechanism() = default;

  // The greeting is done both ways: queue the first commands (a client's HELLO, NULL's READY)
  // or a ZAP request.
  virtual void start() = 0;
  // One command frame from the peer during the handshake (command() set).
  virtual void handle_command(const Msg& frame) = 0;
  // The ZAP handler's reply: its frames as they came (delimiter first). `no_handler`: nothing
  // is bound at inproc://zeromq.zap.01 (the frames are empty then).
  virtual void handle_zap_reply(std::span<const Msg> frames, bool no_handler);

  Status status() const { return status_; }
  // A ZAP request is out and its reply not yet in: the peer's next frames wait.
  bool waiting_for_zap() const { return zap_pending_; }
  const MechanismFailure& failure() const { return failure_; }
  // Commands to send, in order.
  bool poll_command(Msg* command);
  // A ZAP request to carry to the handler: its frames, delimiter first.
  bool poll_zap_request(std::vector<Msg>* frames);
  // HANDSHAKE_FAILED_AUTH values (300, 400, 500) to report, in order.
  bool poll_auth_failure(int* status_code);
  // Once kReady: the peer's properties (READY/INITIATE metadata, then ZAP's User-Id and
  // metadata).
  const std::vector<wire::Property>& peer_properties() const { return peer_properties_; }

  // After the handshake: a frame to the peer, and a frame from it. NULL and PLAIN pass frames
  // through; CURVE seals every frame into a MESSAGE command and opens it again. False from
  // decode() means the frame is refused (failure() says why).
  virtual bool encode(Msg* frame) { return frame != nullptr; }
  virtual bool decode(Msg* frame) { return frame != nullptr; }
  // Whether decode() wants every frame (CURVE: nothing travels in the clear after READY).
  virtual bool wraps_frames() const { return false; }

 protected:
  explicit Mechanism(MechanismConfig config) : config_(std::move(config)) {}

  void send(Msg command) { commands_.push_back(std::move(command)); }
  void send_zap_request(std::vector<Msg> frames) { zap_requests_.push_back(std::move(frames)); }
  void report_auth_failure(int status_code) { auth_failures_.push_back(status_code); }
  void ready(std::vector<wire::Property> peer_properties);
  void fail(MechanismFailure failure);
  // Shorthands: a protocol failure, and the same with an ERROR command to the peer.
  void fail_protocol(CloseReason reason, uint32_t code, std::string detail);
  // The peer's ERROR command: an authentication failure when its reason is a ZAP status code.
  void handle_peer_error(std::span<const uint8_t> body);

  // ZAP, shared by the mechanisms that authenticate: a request naming this mechanism and the
  // credentials, and what its reply decides. kAllowed: go on (zap_properties() holds User-Id
  // and the handler's metadata). Otherwise the mechanism has failed as libzmq fails: AUTH
  // reported for 300/400/500, an ERROR with the status for 400/500 (300 closes silently),
  // HANDSHAKE_FAILED_NO_DETAIL (EFAULT) without a handler unless `allow_without_handler`.
  enum class ZapOutcome : uint8_t { kAllowed, kDenied };
  void request_zap(std::string_view mechanism, std::vector<std::string_view> credentials);
  ZapOutcome take_zap_reply(std::span<const Msg> frames, bool no_handler,
                            bool allow_without_handler);
  const std::vector<wire::Property>& zap_properties() const { return zap_properties_; }
  bool zap_pending() const { return zap_pending_; }

  MechanismConfig config_;
  std::vector<wire::Property> peer_properties_;

 private:
  Status status_ = Status::kHandshaking;
  MechanismFailure failure_;
  std::deque<Msg> commands_;
  std::deque<std::vector<Msg>> zap_requests_;
  std::deque<int> auth_failures_;
  std::vector<wire::Property> zap_properties_;
  bool zap_pending_ = false;
};

// The mechanism for `config.name` on `config.as_server`'s side; nullptr for an unknown name.
std::unique_ptr<Mechanism> make_mechanism(MechanismConfig config);

// The command's name if the frame is a well-formed command, else empty.
std::string_view command_name(const Msg& frame);

}  // namespace zlab::proto
