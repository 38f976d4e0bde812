#include "engine/wire/frame.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace zlab::wire {

FrameDecoder::FrameDecoder(int64_t max_frame_size, size_t batch_size)
    : in_(batch_size), max_frame_size_(max_frame_size) {}

bool FrameDecoder::fail(Error error) {
  error_ = error;
  return false;
}

bool FrameDecoder::next(Msg* frame) {
  if (error_ != Error::kNone) return false;
  if (in_.in_direct()) return in_.take_direct(frame);
  return parse_header(frame);
}

bool FrameDecoder::parse_header(Msg* frame) {
  size_t avail = in_.available();
  if (avail < 1) return false;
  const uint8_t* p = in_.data();
  uint8_t flags = p[0];
  if (flags & frame_flags::kReserved) return fail(Error::kReservedFlags);
  bool is_command = flags & frame_flags::kCommand;
  bool more = flags & frame_flags::kMore;
  if (is_command && more) return fail(Error::kMoreOnCommand);
  size_t header = (flags & frame_flags::kLong) ? 9 : 2;
  if (avail < header) {
    in_.make_room(header);
    return false;
  }
  uint64_t size = 0;
  if (header == 2) {
    size = p[1];
  } else {
    for (int i = 1; i <= 8; ++i) size = (size << 8) | p[i];
    if (size > kMaxFrameSize) return fail(Error::kSizeOverflow);
  }
  if (max_frame_size_ >= 0 && size > uint64_t(max_frame_size_)) return fail(Error::kTooLarge);

  size_t have_body = avail - header;
  if (have_body >= size) {
    *frame = Msg::copy_of(std::span<const uint8_t>(p + header, size));
    in_.consume(header + size);
  } else if (size > in_.direct_min()) {
    // A large body: take what is buffered, then read the rest straight into the message.
    Msg& body = in_.start_direct(header, size);
    body.set_more(more);
    body.set_command(is_command);
    return false;
  } else {
    in_.make_room(header + size);
    return false;
  }
  frame->set_more(more);
  frame->set_command(is_command);
  return true;
}

std::string_view decoder_error_name(FrameDecoder::Error error) {
  switch (error) {
    case FrameDecoder::Error::kNone:
      return "none";
    case FrameDecoder::Error::kReservedFlags:
      return "reserved flag bits set";
    case FrameDecoder::Error::kMoreOnCommand:
      return "MORE flag on a command";
    case FrameDecoder::Error::kSizeOverflow:
      return "frame size above 2^63-1";
    case FrameDecoder::Error::kTooLarge:
      return "frame larger than ZMQ_MAXMSGSIZE";
  }
  return "unknown";
}

void FrameEncoder::append(const uint8_t* data, size_t n) {
  while (n > 0) {
    if (chunks_.empty() || chunks_.back().is_body || chunks_.back().bytes.size() >= kBatchSize) {
      Chunk chunk;
      if (!spare_.empty()) {
        chunk.bytes = std::move(spare_.back());
        spare_.pop_back();
      } else {
        chunk.bytes.reserve(kBatchSize);
      }
      chunks_.push_back(std::move(chunk));
    }
    std::vector<uint8_t>& bytes = chunks_.back().bytes;
    size_t take = std::min(n, std::max(kBatchSize, bytes.capacity()) - bytes.size());
    bytes.insert(bytes.end(), data, data + take);
    data += take;
    n -= take;
    pending_ += take;
  }
}

void FrameEncoder::encode(Msg frame) {
  uint8_t header[9];
  uint8_t flags =
      (frame.more() ? frame_flags::kMore : 0) | (frame.command() ? frame_flags::kCommand : 0);
  size_t size = frame.size();
  size_t header_len;
  if (size <= 255) {
    header[0] = flags;
    header[1] = uint8_t(size);
    header_len = 2;
  } else {
    header[0] = flags | frame_flags::kLong;
    for (int i = 0; i < 8; ++i) header[1 + i] = uint8_t(uint64_t(size) >> (56 - 8 * i));
    header_len = 9;
  }
  append(header, header_len);
  encode_raw(std::move(frame));
}

void FrameEncoder::encode_raw(Msg bytes) {
  if (bytes.size() < kZeroCopyMin) {
    append(bytes.data(), bytes.size());
    return;
  }
  pending_ += bytes.size();
  Chunk chunk;
  chunk.is_body = true;
  chunk.body = std::move(bytes);
  chunks_.push_back(std::move(chunk));
}

void FrameEncoder::encode_raw(std::span<const uint8_t> bytes) {
  append(bytes.data(), bytes.size());
}

size_t FrameEncoder::poll_transmit(IoSlice* out, size_t max) const {
  size_t n = 0;
  for (const Chunk& chunk : chunks_) {
    if (n == max) break;
    size_t left = chunk.size() - chunk.offset;
    if (left == 0) continue;
    out[n++] = IoSlice{chunk.data() + chunk.offset, left};
  }
  return n;
}

void FrameEncoder::consume(size_t n) {
  assert(n <= pending_);
  pending_ -= n;
  while (n > 0 || (!chunks_.empty() && chunks_.front().offset == chunks_.front().size())) {
    Chunk& front = chunks_.front();
    size_t take = std::min(n, front.size() - front.offset);
    front.offset += take;
    n -= take;
    if (front.offset < front.size()) break;
    // A fully written chunk: recycle its buffer, unless it is the batch still being appended to.
    if (!front.is_body && chunks_.size() == 1) {
      front.bytes.clear();
      front.offset = 0;
      break;
    }
    if (!front.is_body && spare_.size() < 4) {
      front.bytes.clear();
      spare_.push_back(std::move(front.bytes));
    }
    chunks_.pop_front();
  }
}

}  // namespace zlab::wire
