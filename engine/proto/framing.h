// How a ZMTP connection's frames travel as bytes: ZMTP's own greeting and framing (tcp, ipc),
// or an HTTP upgrade then WebSocket binary frames (ws, libzmq's ZWS2.0). ZmtpConnection runs
// the same handshake, commands and heartbeats over either; only this layer differs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
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
  // Whether the monitor hears HANDSHAKE_FAILED_PROTOCOL (libzmq refuses a ZMTP 2.0 peer of a
  // socket with security with DISCONNECTED alone).
  bool protocol_event = true;
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
  // Set once the prelude is done with a ZMTP 2.0 peer (rfc 15): its greeting's socket type
  // byte. Such a peer sends an identity frame, then data frames; it has no commands.
  virtual std::optional<uint8_t> zmtp20_socket_type() const { return std::nullopt; }
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

// ZMTP over a byte stream: the greeting, then rfc 23 frames; or, with a ZMTP 2.0 peer, the
// 12-byte rfc 15 greeting, then rfc 15 frames (rfc 23's without commands).
//
// Our greeting goes out as libzmq 4.3.4 sends it, each piece once the peer's bytes allow:
//
//   | the peer's bytes so far           | we send                                         |
//   |-----------------------------------|-------------------------------------------------|
//   | none                              | the signature (10 bytes)                        |
//   | its signature (bit 0 of byte 9)   | our version major, 3                            |
//   | its revision byte 0x01 (ZMTP 2.0) | our socket type byte (our greeting ends at 12)  |
//   | its revision byte 3 or more       | the rest of the 3.x greeting (53 bytes)         |
//   | a ZMTP 1.0 start                  | nothing more: refused (div/zmtp/no-zmtp10)      |
//
// A ZMTP 2.0 peer reads 12 bytes and takes our 3 as "a later revision", so it speaks 2.0.
struct ZmtpFramingOptions {
  std::string mechanism = "NULL";
  bool as_server = false;
  int64_t max_msg_size = -1;
  size_t routing_id_size = 0;  // the signature's padding says it, as libzmq's does
  uint8_t socket_type = 0;     // zmq.h number: our ZMTP 2.0 greeting's last byte
  // ZMTP 2.0 has no security: a 2.0 peer is only spoken to with NULL and no ZAP domain
  // (libzmq's zap_enabled()).
  bool zmtp20_allowed = true;
};

class ZmtpFraming final : public FramingWith<wire::FrameDecoder, wire::FrameEncoder> {
 public:
  explicit ZmtpFraming(ZmtpFramingOptions options);

  std::span<uint8_t> read_buffer() override;
  void commit(size_t n) override;
  bool prelude_done() const override { return greeting_done_; }
  uint8_t peer_minor() const override { return peer_minor_; }
  std::optional<uint8_t> zmtp20_socket_type() const override;
  bool next(Msg* frame) override;
  void encode_ping(uint16_t ttl_ds) override;

 private:
  // Sends what of our greeting the peer's bytes so far call for (the table above).
  void send_greeting_pieces();
  void check_greeting();

  ZmtpFramingOptions options_;
  wire::GreetingReader greeting_;
  std::array<uint8_t, wire::kGreetingSize> greeting_in_{};
  std::array<uint8_t, wire::kGreetingSize> greeting_out_{};
  bool major_sent_ = false;  // our version major (once the peer's signature came)
  bool rest_sent_ = false;   // the rest of our greeting (once the peer's revision came)
  bool greeting_done_ = false;
  uint8_t peer_minor_ = 0;
};

}  // namespace zlab::proto
