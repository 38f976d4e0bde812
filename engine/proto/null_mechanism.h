// NULL (rfc 37 §"The NULL Security Mechanism"): each side sends READY with its properties; with
// a ZAP domain set, ZAP is asked first (libzmq's rule) and a peer it refuses gets ERROR.
#pragma once

#include "engine/proto/mechanism.h"

namespace zlab::proto {

class NullMechanism final : public Mechanism {
 public:
  explicit NullMechanism(MechanismConfig config) : Mechanism(std::move(config)) {}

  void start() override;
  void handle_command(const Msg& frame) override;
  void handle_zap_reply(std::span<const Msg> frames, bool no_handler) override;

 private:
  void send_ready();
  void handle_ready(std::span<const uint8_t> body);
  void maybe_ready();

  bool ready_sent_ = false;
  bool ready_received_ = false;
  std::vector<wire::Property> received_;
};

}  // namespace zlab::proto
