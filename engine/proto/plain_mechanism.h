// PLAIN (rfc 24): the client sends HELLO with a username and password in clear text; the server
// asks ZAP (rfc 27) and answers WELCOME, or ERROR with the ZAP status; the client's INITIATE and
// the server's READY carry the properties. As libzmq 4.3.4: a server without a ZAP handler
// refuses every client (HANDSHAKE_FAILED_NO_DETAIL, EFAULT), and malformed commands end the
// connection without an ERROR.
#pragma once

#include "engine/proto/mechanism.h"

namespace zlab::proto {

inline constexpr std::string_view kHello = "HELLO";
inline constexpr std::string_view kWelcome = "WELCOME";
inline constexpr std::string_view kInitiate = "INITIATE";

class PlainClient final : public Mechanism {
 public:
  explicit PlainClient(MechanismConfig config) : Mechanism(std::move(config)) {}
  void start() override;
  void handle_command(const Msg& frame) override;

 private:
  enum class State : uint8_t { kWaitWelcome, kWaitReady, kDone };
  State state_ = State::kWaitWelcome;
};

class PlainServer final : public Mechanism {
 public:
  explicit PlainServer(MechanismConfig config) : Mechanism(std::move(config)) {}
  void start() override {}
  void handle_command(const Msg& frame) override;
  void handle_zap_reply(std::span<const Msg> frames, bool no_handler) override;

 private:
  enum class State : uint8_t { kWaitHello, kWaitZap, kWaitInitiate, kDone };
  void handle_hello(std::span<const uint8_t> body);
  void handle_initiate(std::span<const uint8_t> body);
  State state_ = State::kWaitHello;
};

}  // namespace zlab::proto
