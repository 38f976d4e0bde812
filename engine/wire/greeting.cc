#include "engine/wire/greeting.h"

#include <algorithm>
#include <cstring>

namespace zlab::wire {
namespace {

constexpr size_t kVersionMajorAt = 10;
constexpr size_t kVersionMinorAt = 11;
constexpr size_t kMechanismAt = 12;
constexpr size_t kAsServerAt = 32;

}  // namespace

std::array<uint8_t, kGreetingSize> encode_greeting(const Greeting& greeting) {
  std::array<uint8_t, kGreetingSize> out{};
  out[0] = 0xFF;
  for (int i = 0; i < 8; ++i) out[1 + i] = uint8_t(greeting.padding >> (56 - 8 * i));
  out[9] = 0x7F;
  out[kVersionMajorAt] = greeting.major;
  out[kVersionMinorAt] = greeting.minor;
  size_t n = std::min(greeting.mechanism.size(), kMechanismSize);
  std::memcpy(out.data() + kMechanismAt, greeting.mechanism.data(), n);
  out[kAsServerAt] = greeting.as_server ? 1 : 0;
  return out;
}

size_t GreetingReader::feed(std::span<const uint8_t> bytes) {
  if (state_ != State::kNeedMore) return 0;
  size_t take = std::min(bytes.size(), kGreetingSize - have_);
  // Examine as each decisive byte arrives, so a legacy peer is refused at the earliest byte.
  size_t used = 0;
  while (used < take && state_ == State::kNeedMore) {
    buf_[have_++] = bytes[used++];
    if (have_ == 1 || have_ == kSignatureSize || have_ == kVersionMajorAt + 1 ||
        have_ == kGreetingSize) {
      examine();
    }
  }
  return used;
}

void GreetingReader::examine() {
  // A ZMTP 1.0 peer starts with a one-byte frame length (never 0xFF for its identity), or a
  // long length whose tenth byte (its flags) has bit 0 clear; 3.x has 0x7F there.
  if (buf_[0] != 0xFF) {
    state_ = State::kLegacyZmtp10;
    return;
  }
  if (have_ >= kSignatureSize && (buf_[9] & 0x01) == 0) {
    state_ = State::kLegacyZmtp10;
    return;
  }
  // Revision 0x00/0x01 is ZMTP 2.0 (or 1.0 with a revision byte); 3 or higher is accepted.
  if (have_ > kVersionMajorAt && buf_[kVersionMajorAt] < kVersionMajor) {
    state_ = State::kLegacyZmtp20;
    return;
  }
  if (have_ < kGreetingSize) return;

  greeting_.major = buf_[kVersionMajorAt];
  greeting_.minor = buf_[kVersionMinorAt];
  const uint8_t* mech = buf_.data() + kMechanismAt;
  size_t len = 0;
  while (len < kMechanismSize && mech[len] != 0) ++len;
  for (size_t i = 0; i < kMechanismSize; ++i) {
    bool printable = mech[i] >= 0x21 && mech[i] <= 0x7E;
    if ((i < len && !printable) || (i >= len && mech[i] != 0)) {
      state_ = State::kBadMechanism;
      return;
    }
  }
  if (len == 0) {
    state_ = State::kBadMechanism;
    return;
  }
  greeting_.mechanism.assign(reinterpret_cast<const char*>(mech), len);
  greeting_.as_server = buf_[kAsServerAt] != 0;
  state_ = State::kComplete;
}

std::string_view greeting_state_name(GreetingReader::State state) {
  switch (state) {
    case GreetingReader::State::kNeedMore:
      return "need more";
    case GreetingReader::State::kComplete:
      return "complete";
    case GreetingReader::State::kLegacyZmtp10:
      return "ZMTP 1.0 peer";
    case GreetingReader::State::kLegacyZmtp20:
      return "ZMTP 2.0 peer";
    case GreetingReader::State::kBadMechanism:
      return "malformed mechanism";
  }
  return "unknown";
}

}  // namespace zlab::wire
