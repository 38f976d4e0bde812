// How a ZMTP connection's frames travel as bytes: ZMTP's own greeting and framing (tcp, ipc),
// or an HTTP upgrade then WebSocket binary frames (ws, libzmq's ZWS2.0). ZmtpConnection runs
// the same handshake, commands and heartbeats over either; only this layer differs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "engine/base/msg.h"
#include "engine/proto/events.h"
#include "engine/wire/frame.h"
#include "engine/wire/greeting.h"

namespace zlab::proto {

struct FramingFailure {
  CloseReason reason = CloseReason::kNone;
  std::string detail;
  bool send_error = false;  // whether an ERROR command should tell the peer
};

class Framing {
 public:
  virtual ~Framing() = default;

  // Where the driver puts the next bytes; empty while decoded frames wait to be taken.
  virtual std::span<uint8_t> read_buffer() = 0;
  virtual void commit(size_t n) = 0;
  // The greeting or HTTP upgrade is done both ways: ZMTP frames may flow.
  virtual bool prelude_done() const = 0;
  // The ZMTP minor version the peer speaks (1: it takes SUBSCRIBE/CANCEL commands).
  virtual uint8_t peer_minor() const = 0;
  // The next ZMTP frame (data, or a command with command() set). False when more bytes are
  // needed, or on failure().
  virtual bool next(Msg* frame) = 0;
  // Set once the peer broke the prelude or the framing; nothing more is read.
  virtual const FramingFailure* failure() const = 0;
  virtual size_t buffered() const = 0;

  virtual void encode(Msg frame) = 0;
  // A heartbeat: a ZMTP PING command, or a WebSocket ping.
  virtual void encode_ping(uint16_t ttl_ds) = 0;
  virtual size_t poll_transmit(wire::IoSlice* out, size_t max) const = 0;
  virtual size_t pending_bytes() const = 0;
  virtual void consume(size_t n) = 0;
};

// What every framing keeps: its decoder, its encoder, and the failure once there is one. The
// encoder's side of Framing only forwards.
template <class Decoder, class Encoder>
class FramingWith : public Framing {
 public:
  const FramingFailure* failure() const final {
    return failure_.reason == CloseReason::kNone ? nullptr : &failure_;
  }
  size_t buffered() const final { return decoder_.buffered(); }

  void encode(Msg frame) final { encoder_.encode(std::move(frame)); }
  size_t poll_transmit(wire::IoSlice* out, size_t max) const final {
    return encoder_.poll_transmit(out, max);
  }
  size_t pending_bytes() const final { return encoder_.pending_bytes(); }
  void consume(size_t n) final { encoder_.consume(n); }

 protected:
  FramingWith(Decoder decoder, Encoder encoder)
      : decoder_(std::move(decoder)), encoder_(std::move(encoder)) {}

  Decoder decoder_;
  Encoder encoder_;
  FramingFailure failure_;
};

// ZMTP 3.x over a byte stream: the 64-byte greeting, then rfc 23 frames.
class ZmtpFraming final : public FramingWith<wire::FrameDecoder, wire::FrameEncoder> {
 public:
  ZmtpFraming(std::string mechanism, bool as_server, int64_t max_msg_size, size_t routing_id_size);

  std::span<uint8_t> read_buffer() override;
  void commit(size_t n) override;
  bool prelude_done() const override { return greeting_done_; }
  uint8_t peer_minor() const override { return peer_minor_; }
  bool next(Msg* frame) override;
  void encode_ping(uint16_t ttl_ds) override;

 private:
  void check_greeting();

  std::string mechanism_;
  wire::GreetingReader greeting_;
  std::array<uint8_t, wire::kGreetingSize> greeting_in_{};
  std::array<uint8_t, wire::kGreetingSize> greeting_out_{};
  bool greeting_rest_sent_ = false;  // our greeting after the signature (once the peer's came)
  bool greeting_done_ = false;
  uint8_t peer_minor_ = 0;
};

}  // namespace zlab::proto
