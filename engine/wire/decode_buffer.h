// The input buffer both frame decoders (ZMTP's and WebSocket's) read through: small frames are
// parsed from a batch buffer the driver reads into, a large body is read straight into its
// message, so the kernel is its only copier. The decoders keep only their parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/base/msg.h"

namespace zlab::wire {

class DecodeBuffer {
 public:
  static constexpr size_t kDefaultBatchSize = 8192;

  explicit DecodeBuffer(size_t batch_size = kDefaultBatchSize);

  // Where the driver should put the next bytes: the rest of the large body being filled, or
  // the free end of the batch buffer (compacted when little is left). Empty when a large body
  // is complete and must be taken first.
  std::span<uint8_t> read_buffer();
  // `n` bytes were written at the start of read_buffer().
  void commit(size_t n);
  // Copies bytes in (tests, simulator); returns how many were taken.
  size_t feed(std::span<const uint8_t> bytes);
  // Bytes received and not yet taken.
  size_t buffered() const;

  // --- for the parser: the buffered bytes not yet parsed ---
  const uint8_t* data() const { return buf_.data() + rpos_; }
  size_t available() const { return wpos_ - rpos_; }
  // The first `n` available bytes were parsed.
  void consume(size_t n);
  // More bytes are needed: makes room for `n` bytes from data() on.
  void make_room(size_t n);

  // Bodies larger than this are read straight into their message.
  size_t direct_min() const { return buf_.size() / 2; }
  // Bodies up to this size get their message when their header arrives. A larger one is
  // staged in a buffer that grows with the bytes received and becomes its message once
  // complete: a peer cannot make us allocate memory for bytes it has not sent (a size of 2^62
  // in a header is a closed connection or a long wait, never a failed allocation).
  static constexpr size_t kUpfrontMax = size_t(64) << 20;
  // Starts a large body of `size` bytes: the available bytes after the first `skip` begin it,
  // the rest is read into it. Returns the message, for its flags.
  Msg& start_direct(size_t skip, size_t size);
  bool in_direct() const { return in_direct_; }
  // Takes the large body once it is complete; false while bytes are missing.
  bool take_direct(Msg* body);

 private:
  void compact();
  // The free end of the staging buffer, grown when full.
  std::span<uint8_t> staging_buffer();

  std::vector<uint8_t> buf_;
  size_t rpos_ = 0;
  size_t wpos_ = 0;
  Msg direct_;  // the large body being filled (when staged: only its flags)
  size_t direct_filled_ = 0;
  size_t direct_size_ = 0;
  bool in_direct_ = false;
  bool staged_ = false;           // a body above kUpfrontMax: bytes go to staging_
  std::vector<uint8_t> staging_;  // grows with the bytes received
};

}  // namespace zlab::wire
