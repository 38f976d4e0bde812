// The ZMTP 3.x greeting (rfc 23, rfc 37): signature, version, mechanism, as-server, filler.
//
// Read incrementally so a legacy peer is recognised as early as its bytes allow: a ZMTP 1.0
// peer after its first byte (or its tenth), a ZMTP 2.0 peer after its eleventh.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zlab::wire {

inline constexpr size_t kGreetingSize = 64;
inline constexpr size_t kSignatureSize = 10;
inline constexpr size_t kMechanismSize = 20;
inline constexpr uint8_t kVersionMajor = 3;
inline constexpr uint8_t kVersionMinor = 1;

struct Greeting {
  uint8_t major = kVersionMajor;
  uint8_t minor = kVersionMinor;
  std::string mechanism = "NULL";  // at most 20 bytes
  bool as_server = false;
  // Signature bytes 1..8, big-endian. Not significant in ZMTP 3 (rfc 23: never validated);
  // libzmq sends its identity's length + 1 there, which a ZMTP 1.0 peer reads as the length
  // of an identity frame.
  uint64_t padding = 0;
};

// The 10-byte signature, then the remaining 54 bytes.
std::array<uint8_t, kGreetingSize> encode_greeting(const Greeting& greeting);

class GreetingReader {
 public:
  enum class State : uint8_t {
    kNeedMore,      // feed more bytes
    kComplete,      // greeting() is valid
    kLegacyZmtp10,  // a ZMTP 1.0 peer: refuse
    kLegacyZmtp20,  // a ZMTP 2.0 peer: refuse
    kBadMechanism,  // mechanism field is not NUL-padded printable ASCII
  };

  // Consumes at most what the greeting still needs; returns bytes consumed.
  size_t feed(std::span<const uint8_t> bytes);
  State state() const { return state_; }
  // How many bytes have been read (the signature is complete at 10).
  size_t bytes_read() const { return have_; }
  bool signature_complete() const {
    return have_ >= kSignatureSize && state_ != State::kLegacyZmtp10;
  }
  const Greeting& greeting() const { return greeting_; }

 private:
  void examine();

  std::array<uint8_t, kGreetingSize> buf_{};
  size_t have_ = 0;
  State state_ = State::kNeedMore;
  Greeting greeting_;
};

std::string_view greeting_state_name(GreetingReader::State state);

}  // namespace zlab::wire
