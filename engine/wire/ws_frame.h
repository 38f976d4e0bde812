// WebSocket frames (RFC 6455 §5) as libzmq's ZWS2.0 uses them: one ZMTP frame per binary
// frame, its payload a flags byte (MORE 0x01, COMMAND 0x02) then the ZMTP frame's body;
// ping, pong and close control frames are the transport's own. Frames are never fragmented
// (FIN always set; libzmq refuses continuations) and never text.
//
// A client masks every frame it sends with a fresh 4-byte key, a server never does, and each
// side refuses frames masked the other way. The mask covers the flags byte too. Keys come from
// a generator seeded by the caller (the core has no randomness of its own).
//
// The decoder reads a large body straight into its message and unmasks it there; the encoder
// reuses FrameEncoder's batches, refers to unmasked large bodies in place, and masks into a
// copy, never in place (a body may be shared with the sender or other peers).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/base/msg.h"
#include "engine/wire/decode_buffer.h"
#include "engine/wire/frame.h"

namespace zlab::wire {

namespace ws_opcode {
inline constexpr uint8_t kContinuation = 0x0;
inline constexpr uint8_t kText = 0x1;
inline constexpr uint8_t kBinary = 0x2;
inline constexpr uint8_t kClose = 0x8;
inline constexpr uint8_t kPing = 0x9;
inline constexpr uint8_t kPong = 0xA;
}  // namespace ws_opcode

namespace ws_flags {  // the first payload byte of a binary frame
inline constexpr uint8_t kMore = 0x01;
inline constexpr uint8_t kCommand = 0x02;
inline constexpr uint8_t kReserved = 0xFC;
}  // namespace ws_flags

inline constexpr size_t kMaxWsControlPayload = 125;  // RFC 6455 §5.5

struct WsFrame {
  uint8_t opcode = ws_opcode::kBinary;
  // Binary: the ZMTP frame, with more()/command() from the flags byte. Control: the payload.
  Msg body;
};

class WsFrameDecoder {
 public:
  enum class Error : uint8_t {
    kNone,
    kFragmented,     // FIN clear, or a continuation frame
    kReservedBits,   // RSV1-3 set (no extension was negotiated)
    kBadOpcode,      // text or an unknown opcode
    kMasking,        // masked when it must not be, or the other way round
    kBadControl,     // a control frame above 125 bytes
    kEmptyBinary,    // a binary frame without its flags byte
    kReservedFlags,  // a reserved bit in the flags byte
    kMoreOnCommand,  // commands are single frames
    kSizeOverflow,   // a 64-bit length with its top bit set
    kTooLarge,       // above ZMQ_MAXMSGSIZE
  };
  static constexpr size_t kDefaultBatchSize = DecodeBuffer::kDefaultBatchSize;

  // expect_masked: frames from a client (we are the server). max_body_size < 0: no limit.
  WsFrameDecoder(bool expect_masked, int64_t max_body_size = -1,
                 size_t batch_size = kDefaultBatchSize);

  // As FrameDecoder's.
  std::span<uint8_t> read_buffer() {
    return error_ == Error::kNone ? in_.read_buffer() : std::span<uint8_t>();
  }
  void commit(size_t n) { in_.commit(n); }
  size_t feed(std::span<const uint8_t> bytes) {
    return error_ == Error::kNone ? in_.feed(bytes) : 0;
  }

  // The next complete frame; false when more bytes are needed or on error.
  bool next(WsFrame* frame);
  Error error() const { return error_; }
  size_t buffered() const { return in_.buffered(); }

 private:
  struct Header {
    uint8_t opcode = 0;
    bool more = false;
    bool command = false;
    uint8_t mask[4] = {};
    bool masked = false;
    uint64_t body_size = 0;
  };
  bool parse(WsFrame* frame);
  void finish(Msg* body);
  bool fail(Error error);

  bool expect_masked_;
  int64_t max_body_size_;
  DecodeBuffer in_;
  Header header_;  // of the large frame being read in place
  Error error_ = Error::kNone;
};

std::string_view ws_decoder_error_name(WsFrameDecoder::Error error);

class WsFrameEncoder {
 public:
  // mask: we are the client. The seed starts the masking-key generator.
  WsFrameEncoder(bool mask, uint64_t seed);

  // A ZMTP frame (data or command) as one binary frame.
  void encode(Msg frame);
  // A ping, pong or close control frame (payload at most 125 bytes).
  void encode_control(uint8_t opcode, std::span<const uint8_t> payload);

  size_t pending_bytes() const { return out_.pending_bytes(); }
  bool empty() const { return out_.empty(); }
  size_t poll_transmit(IoSlice* out, size_t max) const { return out_.poll_transmit(out, max); }
  void consume(size_t n) { out_.consume(n); }
  // Bytes with no WebSocket framing: the HTTP handshake.
  void encode_raw(std::span<const uint8_t> bytes) { out_.encode_raw(bytes); }

 private:
  // Writes the header (with the key when masking) and returns the key, or zeros.
  std::array<uint8_t, 4> header(uint8_t opcode, uint64_t payload_size);
  uint32_t next_key();

  bool mask_;
  uint64_t rng_state_;
  FrameEncoder out_;
};

}  // namespace zlab::wire
