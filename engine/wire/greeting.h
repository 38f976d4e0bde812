// The ZMTP 3.x greeting (rfc 23, rfc 37): signature, version, mechanism, as-server, filler; and
// the ZMTP 2.0 greeting (rfc 15): signature, revision 0x01, socket type.
//
// Read incrementally, as rfc 15's "Backwards Interoperability" and rfc 23's "Version
// Negotiation" have it: the revision byte (the 11th) says how long the greeting is, so the
// reader stops at 12 bytes for a ZMTP 2.0 peer and at 64 for 3.x. A ZMTP 1.0 peer is
// recognised after its first byte (or its tenth) and refused (div/zmtp/no-zmtp10).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zlab::wire {

inline constexpr size_t kGreetingSize = 64;
inline constexpr size_t kGreetingV2Size = 12;  // rfc 15: signature, revision, socket type
inline constexpr size_t kSignatureSize = 10;
inline constexpr size_t kRevisionAt = 10;         // the version major of 3.x, the revision of 2.0
inline constexpr uint8_t kRevisionZmtp10 = 0x00;  // libzmq's ZMTP_1_0: 1.0 with a revision
inline constexpr uint8_t kRevisionZmtp20 = 0x01;
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
// A ZMTP 2.0 greeting: the signature (padding as in Greeting), revision 0x01 and the socket
// type's zmq.h number (rfc 15's socket-type values are those numbers).
std::array<uint8_t, kGreetingV2Size> encode_greeting_v2(uint8_t socket_type, uint64_t padding);

class GreetingReader {
 public:
  enum class State : uint8_t {
    kNeedMore,        // feed more bytes
    kComplete,        // a ZMTP 3.x greeting (or higher): greeting() is valid
    kCompleteZmtp20,  // a ZMTP 2.0 greeting: zmtp20_socket_type() is valid
    kLegacyZmtp10,    // a ZMTP 1.0 peer (unversioned, or revision 0x00): refuse
    kBadMechanism,    // mechanism field is not NUL-padded printable ASCII
  };

  // Consumes at most what the greeting still needs; returns bytes consumed.
  size_t feed(std::span<const uint8_t> bytes);
  State state() const { return state_; }
  // How many bytes have been read (the signature is complete at 10).
  size_t bytes_read() const { return have_; }
  // How many more bytes are surely the greeting's: up to the revision byte until it has come
  // (a ZMTP 2.0 greeting ends one byte after it), then up to the end. Reading no more than
  // this leaves the bytes after the greeting to the frame decoder.
  size_t wanted() const {
    if (state_ != State::kNeedMore) return 0;
    return (revision_known() ? size() : kRevisionAt + 1) - have_;
  }
  bool signature_complete() const {
    return have_ >= kSignatureSize && state_ != State::kLegacyZmtp10;
  }
  // Whether the peer's revision byte has come (and it is no ZMTP 1.0 peer): from here on the
  // greeting's length is known, and so is what to send after our version major.
  bool revision_known() const { return have_ > kRevisionAt && state_ != State::kLegacyZmtp10; }
  bool zmtp20() const { return revision_known() && buf_[kRevisionAt] == kRevisionZmtp20; }
  const Greeting& greeting() const { return greeting_; }
  // The socket type byte of a ZMTP 2.0 greeting (a zmq.h number; not checked here).
  uint8_t zmtp20_socket_type() const { return buf_[kGreetingV2Size - 1]; }

 private:
  void examine();
  size_t size() const { return zmtp20() ? kGreetingV2Size : kGreetingSize; }

  std::array<uint8_t, kGreetingSize> buf_{};
  size_t have_ = 0;
  State state_ = State::kNeedMore;
  Greeting greeting_;
};

std::string_view greeting_state_name(GreetingReader::State state);

}  // namespace zlab::wire
