// Reading structured choices from a libFuzzer input: the first bytes pick options, the rest is
// data. Never reads past the end (an exhausted input yields zeros).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace zlab::fuzz {

// An invariant of a target failed: say which, then abort (libFuzzer saves the input).
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::zlab::fuzz::fail(#cond, __FILE__, __LINE__))

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  uint16_t u16() { return uint16_t(byte() << 8 | byte()); }
  // Up to `n` bytes (fewer at the end).
  std::span<const uint8_t> take(size_t n) {
    size_t k = n < size_ - at_ ? n : size_ - at_;
    std::span<const uint8_t> out(data_ + at_, k);
    at_ += k;
    return out;
  }
  std::span<const uint8_t> rest() { return take(size_ - at_); }
  bool empty() const { return at_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

inline std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace zlab::fuzz
