#include "engine/wire/decode_buffer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace zlab::wire {

DecodeBuffer::DecodeBuffer(size_t batch_size) : buf_(std::max<size_t>(batch_size, 64)) {}

size_t DecodeBuffer::buffered() const {
  return (wpos_ - rpos_) + (in_direct_ ? direct_filled_ : 0);
}

std::span<uint8_t> DecodeBuffer::read_buffer() {
  if (in_direct_ && staged_) return staging_buffer();
  if (in_direct_) {
    return {direct_.mutable_data() + direct_filled_, direct_size_ - direct_filled_};
  }
  if (buf_.size() - wpos_ < buf_.size() / 4) compact();
  return {buf_.data() + wpos_, buf_.size() - wpos_};
}

void DecodeBuffer::commit(size_t n) {
  if (in_direct_) {
    assert(direct_filled_ + n <= (staged_ ? staging_.size() : direct_size_));
    direct_filled_ += n;
  } else {
    assert(wpos_ + n <= buf_.size());
    wpos_ += n;
  }
}

size_t DecodeBuffer::feed(std::span<const uint8_t> bytes) {
  size_t used = 0;
  while (used < bytes.size()) {
    std::span<uint8_t> dst = read_buffer();
    if (dst.empty()) break;
    size_t n = std::min(dst.size(), bytes.size() - used);
    std::memcpy(dst.data(), bytes.data() + used, n);
    commit(n);
    used += n;
  }
  return used;
}

void DecodeBuffer::consume(size_t n) {
  assert(n <= available());
  rpos_ += n;
  if (rpos_ == wpos_) rpos_ = wpos_ = 0;
}

void DecodeBuffer::make_room(size_t n) {
  if (rpos_ + n > buf_.size()) compact();
}

void DecodeBuffer::compact() {
  if (rpos_ == 0) return;
  size_t live = wpos_ - rpos_;
  if (live > 0) std::memmove(buf_.data(), buf_.data() + rpos_, live);
  rpos_ = 0;
  wpos_ = live;
}

std::span<uint8_t> DecodeBuffer::staging_buffer() {
  if (direct_filled_ == staging_.size() && direct_filled_ < direct_size_) {
    // Double what has arrived (at least one batch), never past the body's size.
    size_t grow = std::max(direct_filled_, buf_.size());
    staging_.resize(std::min(direct_size_, direct_filled_ + grow));
  }
  return {staging_.data() + direct_filled_, staging_.size() - direct_filled_};
}

Msg& DecodeBuffer::start_direct(size_t skip, size_t size) {
  size_t have = available() - skip;
  assert(have < size);
  staged_ = size > kUpfrontMax;
  direct_size_ = size;
  if (staged_) {
    direct_ = Msg();
    staging_.assign(data() + skip, data() + skip + have);
  } else {
    direct_ = Msg::with_size(size);
    std::memcpy(direct_.mutable_data(), data() + skip, have);
  }
  direct_filled_ = have;
  in_direct_ = true;
  rpos_ = wpos_ = 0;
  return direct_;
}

bool DecodeBuffer::take_direct(Msg* body) {
  if (!in_direct_ || direct_filled_ < direct_size_) return false;
  if (staged_) {
    // Every byte has arrived: now the message is allocated, once, and the flags carried over.
    Msg whole = Msg::with_size(direct_size_);
    std::memcpy(whole.mutable_data(), staging_.data(), direct_size_);
    whole.set_more(direct_.more());
    whole.set_command(direct_.command());
    direct_ = std::move(whole);
    std::vector<uint8_t>().swap(staging_);
    staged_ = false;
  }
  *body = std::move(direct_);
  in_direct_ = false;
  direct_filled_ = 0;
  direct_size_ = 0;
  return true;
}

}  // namespace zlab::wire
