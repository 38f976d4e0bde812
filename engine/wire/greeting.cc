#include "engine/wire/greeting.h"

#include <algorithm>
#include <cstring>

namespace zlab::wire {
namespace {

constexpr size_t kVersionMajorAt = kRevisionAt;
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

std::array<uint8_t, kGreetingV2Size> encode_greeting_v2(uint8_t socket_type, uint64_t padding) {
  Greeting signature_only;
  signature_only.padding = padding;
  auto full = encode_greeting(signature_only);
  std::array<uint8_t, kGreetingV2Size> out{};
  std::copy_n(full.begin(), kSignatureSize, out.begin());
  out[kRevisionAt] = kRevisionZmtp20;
  out[kRevisionAt + 1] = socket_type;
  return out;
}

size_t GreetingReader::feed(std::span<const uint8_t> bytes) {
  if (state_ != State::kNeedMore) return 0;
  // Examine as each decisive byte arrives: a ZMTP 1.0 peer is refused at the earliest byte,
  // and the revision byte decides how many bytes are the greeting's (12 or 64).
  size_t used = 0;
  while (used < bytes.size() && have_ < size() && state_ == State::kNeedMore) {
    buf_[have_++] = bytes[used++];
    if (have_ == 1 || have_ == kSignatureSize || have_ == kVersionMajorAt + 1 || have_ == size()) {
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
  // Revision 0x00 is ZMTP 1.0 with a revision byte (its framing), 0x01 is ZMTP 2.0 (a 12-byte
  // greeting). Anything higher is read as a 3.x greeting, as libzmq does (2 included).
  if (have_ > kVersionMajorAt && buf_[kVersionMajorAt] == kRevisionZmtp10) {
    state_ = State::kLegacyZmtp10;
    return;
  }
  if (zmtp20()) {
    if (have_ == kGreetingV2Size) state_ = State::kCompleteZmtp20;
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
    case GreetingReader::State::kCompleteZmtp20:
      return "ZMTP 2.0 greeting";
    case GreetingReader::State::kBadMechanism:
      return "malformed mechanism";
  }
  return "unknown";
}

}  // namespace zlab::wire
