// CURVE (rfc 25 on CurveZMQ, rfc 26) as libzmq 4.3.4 speaks it. The client sends HELLO with its
// transient key; the server answers WELCOME with its transient key and a cookie only it can
// open; the client's INITIATE carries the cookie, its long-term key vouched for by the
// transient one, and its properties; the server (after ZAP) answers READY. Then every frame,
// commands included, travels sealed in a MESSAGE whose 8-byte nonce only ever grows: a peer's
// nonce that does not exceed the last one is refused (a replay or a reordering).
//
// Crypto is libsodium's (crypto_box, crypto_secretbox, crypto_scalarmult_base); every random
// byte (transient secrets, cookie key, long nonces) comes from MechanismConfig::random.
// Like libzmq: MESSAGE is sent as a data frame (libzmq sets no COMMAND flag on it) and either
// is taken; a server without a ZAP handler lets any client with valid crypto in unless
// ZMQ_ZAP_ENFORCE_DOMAIN.
#pragma once

#include <array>
#include <cstdint>

#include "engine/proto/mechanism.h"

namespace zlab::proto {

inline constexpr size_t kCurveKeySize = 32;
using CurveKey = std::array<uint8_t, kCurveKeySize>;

class CurveMechanism : public Mechanism {
 public:
  bool encode(Msg* frame) override;
  bool decode(Msg* frame) override;
  bool wraps_frames() const override { return status() == Status::kReady; }

 protected:
  CurveMechanism(MechanismConfig config, bool server);
  // A transient key pair from the driver's random bytes.
  void make_transient_keys();
  uint64_t next_nonce() { return nonce_++; }
  // A peer's short nonce: it must grow (libzmq: ZMTP_INVALID_SEQUENCE otherwise).
  bool accept_peer_nonce(uint64_t nonce);
  // The handshake's nonces (HELLO, INITIATE, READY) set the mark MESSAGE nonces must pass.
  void set_peer_nonce(uint64_t nonce) { peer_nonce_ = nonce; }
  void fail_crypto(std::string detail);
  std::vector<uint8_t> random_bytes(size_t n);

  CurveKey transient_public_{};
  CurveKey transient_secret_{};
  std::array<uint8_t, 32> precomputed_{};  // crypto_box_beforenm of the two transient keys

 private:
  const char* send_prefix_;  // "CurveZMQMESSAGEC" from a client, "...S" from a server
  const char* recv_prefix_;
  uint64_t nonce_ = 1;
  uint64_t peer_nonce_ = 1;
};

class CurveClient final : public CurveMechanism {
 public:
  explicit CurveClient(MechanismConfig config);
  void start() override;
  void handle_command(const Msg& frame) override;

 private:
  enum class State : uint8_t { kWaitWelcome, kWaitReady, kDone };
  void handle_welcome(std::span<const uint8_t> cmd);
  void handle_ready(std::span<const uint8_t> cmd);
  State state_ = State::kWaitWelcome;
};

class CurveServer final : public CurveMechanism {
 public:
  explicit CurveServer(MechanismConfig config);
  void start() override;
  void handle_command(const Msg& frame) override;
  void handle_zap_reply(std::span<const Msg> frames, bool no_handler) override;

 private:
  enum class State : uint8_t { kWaitHello, kWaitInitiate, kWaitZap, kDone };
  void handle_hello(std::span<const uint8_t> cmd);
  void handle_initiate(std::span<const uint8_t> cmd);
  void send_ready();
  State state_ = State::kWaitHello;
  CurveKey client_transient_{};
  std::array<uint8_t, 32> cookie_key_{};
  std::vector<wire::Property> initiate_properties_;
};

// True when `key` is 32 bytes.
bool valid_curve_key(std::string_view key);

}  // namespace zlab::proto
