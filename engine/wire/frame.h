// ZMTP frames (rfc 23 §"Framing", rfc 37): a flags byte, a 1- or 8-byte size, the body.
//
// The decoder is fed by a driver reading into read_buffer(); a large body is read straight
// into its message, so it is copied by the kernel only. The encoder batches headers and small
// bodies and refers to large bodies in place, so one writev carries many frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

#include "engine/base/msg.h"
#include "engine/wire/decode_buffer.h"

namespace zlab::wire {

namespace frame_flags {
inline constexpr uint8_t kMore = 0x01;
inline constexpr uint8_t kLong = 0x02;
inline constexpr uint8_t kCommand = 0x04;
inline constexpr uint8_t kReserved = 0xF8;
}  // namespace frame_flags

inline constexpr uint64_t kMaxFrameSize = uint64_t(INT64_MAX);  // 2^63-1, rfc 23

class FrameDecoder {
 public:
  enum class Error : uint8_t {
    kNone,
    kReservedFlags,  // a reserved flag bit is set
    kMoreOnCommand,  // commands are single frames
    kSizeOverflow,   // long size above 2^63-1
    kTooLarge,       // above ZMQ_MAXMSGSIZE
  };
  static constexpr size_t kDefaultBatchSize = DecodeBuffer::kDefaultBatchSize;

  // max_frame_size < 0: no limit (ZMQ_MAXMSGSIZE = -1).
  explicit FrameDecoder(int64_t max_frame_size = -1, size_t batch_size = kDefaultBatchSize);

  // Where the driver should put the next bytes. Empty when decoded frames must be taken with
  // next() first, or after an error.
  std::span<uint8_t> read_buffer() {
    return error_ == Error::kNone ? in_.read_buffer() : std::span<uint8_t>();
  }
  // `n` bytes were written at the start of read_buffer().
  void commit(size_t n) { in_.commit(n); }
  // Copies bytes in (tests, simulator); returns how many were taken.
  size_t feed(std::span<const uint8_t> bytes) {
    return error_ == Error::kNone ? in_.feed(bytes) : 0;
  }

  // Takes the next complete frame. False when more bytes are needed or on error.
  bool next(Msg* frame);
  Error error() const { return error_; }
  // Bytes received and not yet returned as frames.
  size_t buffered() const { return in_.buffered(); }

 private:
  bool parse_header(Msg* frame);
  bool fail(Error error);

  DecodeBuffer in_;
  int64_t max_frame_size_;
  Error error_ = Error::kNone;
};

std::string_view decoder_error_name(FrameDecoder::Error error);

struct IoSlice {
  const uint8_t* data;
  size_t size;
};

class FrameEncoder {
 public:
  static constexpr size_t kBatchSize = 8192;
  static constexpr size_t kZeroCopyMin = 1024;  // bodies at least this large are not copied

  // A framed part: header from frame.size(), frame.more(), frame.command().
  void encode(Msg frame);
  // Bytes with no frame header (the greeting; STREAM payloads).
  void encode_raw(Msg bytes);
  void encode_raw(std::span<const uint8_t> bytes);

  size_t pending_bytes() const { return pending_; }
  bool empty() const { return pending_ == 0; }
  // Fills up to `max` slices of pending output, in order; returns how many.
  size_t poll_transmit(IoSlice* out, size_t max) const;
  // The first `n` pending bytes were written.
  void consume(size_t n);

 private:
  struct Chunk {
    std::vector<uint8_t> bytes;  // batch of headers and small bodies, or
    Msg body;                    // one large body referred to in place
    bool is_body = false;
    size_t offset = 0;  // bytes of this chunk already written
    size_t size() const { return is_body ? body.size() : bytes.size(); }
    const uint8_t* data() const { return is_body ? body.data() : bytes.data(); }
  };
  void append(const uint8_t* data, size_t n);

  std::deque<Chunk> chunks_;
  std::vector<std::vector<uint8_t>> spare_;  // recycled batch buffers
  size_t pending_ = 0;
};

}  // namespace zlab::wire
