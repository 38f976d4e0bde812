#include "engine/proto/framing.h"

#include "engine/wire/command.h"

namespace zlab::proto {

ZmtpFraming::ZmtpFraming(std::string mechanism, bool as_server, int64_t max_msg_size,
                         size_t routing_id_size)
    : FramingWith(wire::FrameDecoder(max_msg_size), wire::FrameEncoder()),
      mechanism_(std::move(mechanism)) {
  wire::Greeting greeting;
  greeting.mechanism = mechanism_;
  greeting.as_server = as_server;
  greeting.padding = routing_id_size + 1;  // as libzmq (wire/greeting.h)
  greeting_out_ = wire::encode_greeting(greeting);
  // The signature first, the rest once the peer's signature has come: rfc 23's "partial
  // greeting" way, as libzmq does. An application reading the bytes itself (a STREAM socket
  // speaking ZMTP, test_stream) sees the signature alone first, as from libzmq. The peer sends
  // its signature without waiting for anything, so nobody waits for the other.
  encoder_.encode_raw(std::span<const uint8_t>(greeting_out_.data(), wire::kSignatureSize));
}

std::span<uint8_t> ZmtpFraming::read_buffer() {
  if (failure_.reason != CloseReason::kNone) return {};
  // Read no further than the greeting: what follows belongs to the frame decoder.
  if (!greeting_done_) return {greeting_in_.data(), wire::kGreetingSize - greeting_.bytes_read()};
  return decoder_.read_buffer();
}

void ZmtpFraming::commit(size_t n) {
  if (greeting_done_) {
    decoder_.commit(n);
    return;
  }
  // A legacy peer is refused at its first decisive byte; the rest is not looked at.
  greeting_.feed({greeting_in_.data(), n});
  if (!greeting_rest_sent_ && greeting_.signature_complete()) {
    greeting_rest_sent_ = true;
    encoder_.encode_raw(std::span<const uint8_t>(greeting_out_.data() + wire::kSignatureSize,
                                                 wire::kGreetingSize - wire::kSignatureSize));
  }
  check_greeting();
}

void ZmtpFraming::check_greeting() {
  using GS = wire::GreetingReader::State;
  switch (greeting_.state()) {
    case GS::kNeedMore:
      return;
    case GS::kLegacyZmtp10:
    case GS::kLegacyZmtp20:
      failure_ = {CloseReason::kLegacyPeer,
                  std::string(wire::greeting_state_name(greeting_.state())), false};
      return;
    case GS::kBadMechanism:
      failure_ = {CloseReason::kBadGreeting, "malformed mechanism in greeting", false};
      return;
    case GS::kComplete:
      break;
  }
  const wire::Greeting& peer = greeting_.greeting();
  if (peer.mechanism != mechanism_) {
    failure_ = {CloseReason::kMechanismMismatch,
                "mechanism mismatch: peer " + peer.mechanism + ", ours " + mechanism_, false};
    return;
  }
  // A higher major version speaks at least 3.1.
  peer_minor_ = peer.major > wire::kVersionMajor ? wire::kVersionMinor : peer.minor;
  greeting_done_ = true;
}

bool ZmtpFraming::next(Msg* frame) {
  if (!greeting_done_ || failure_.reason != CloseReason::kNone) return false;
  if (decoder_.next(frame)) return true;
  auto err = decoder_.error();
  if (err == wire::FrameDecoder::Error::kTooLarge) {
    failure_ = {CloseReason::kTooLarge, std::string(wire::decoder_error_name(err)), true};
  } else if (err != wire::FrameDecoder::Error::kNone) {
    failure_ = {CloseReason::kMalformedFrame, std::string(wire::decoder_error_name(err)), true};
  }
  return false;
}

void ZmtpFraming::encode_ping(uint16_t ttl_ds) { encoder_.encode(wire::make_ping(ttl_ds, {})); }

}  // namespace zlab::proto
