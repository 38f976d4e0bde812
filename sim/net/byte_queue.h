// A FIFO of bytes in one contiguous buffer: append at the back, consume from the front.
// The simulated TCP buffers (send buffer, receive buffer) are these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace zlab::sim {

class ByteQueue {
 public:
  size_t size() const { return buf_.size() - head_; }
  bool empty() const { return size() == 0; }
  const uint8_t* data() const { return buf_.data() + head_; }
  void append(const uint8_t* p, size_t n) { buf_.insert(buf_.end(), p, p + n); }
  // Drops `n` bytes from the front (n <= size()).
  void consume(size_t n) {
    head_ += n;
    if (head_ == buf_.size()) {
      clear();
    } else if (head_ >= 4096 && head_ * 2 >= buf_.size()) {
      buf_.erase(buf_.begin(), buf_.begin() + ptrdiff_t(head_));
      head_ = 0;
    }
  }
  // Keeps the first `n` bytes, drops the rest (n <= size()).
  void truncate(size_t n) { buf_.resize(head_ + n); }
  void clear() {
    buf_.clear();
    head_ = 0;
  }

 private:
  std::vector<uint8_t> buf_;
  size_t head_ = 0;
};

}  // namespace zlab::sim
