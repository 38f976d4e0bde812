#include "engine/proto/framing.h"

#include "engine/wire/command.h"

namespace zlab::proto {

ZmtpFraming::ZmtpFraming(ZmtpFramingOptions options)
    : FramingWith(wire::FrameDecoder(options.max_msg_size), wire::FrameEncoder()),
      options_(std::move(options)) {
  wire::Greeting greeting;
  greeting.mechanism = options_.mechanism;
  greeting.as_server = options_.as_server;
  greeting.padding = options_.routing_id_size + 1;  // as libzmq (wire/greeting.h)
  greeting_out_ = wire::encode_greeting(greeting);
  // The signature first: rfc 15's way to meet a ZMTP 1.0/2.0 peer, rfc 23's "partial
  // greeting". An application reading the bytes itself (a STREAM socket speaking ZMTP,
  // test_stream) sees the signature alone first, as from libzmq. The peer sends its signature
  // without waiting for anything, so nobody waits for the other.
  encoder_.encode_raw(std::span<const uint8_t>(greeting_out_.data(), wire::kSignatureSize));
}

std::span<uint8_t> ZmtpFraming::read_buffer() {
  if (failure_.reason != CloseReason::kNone) return {};
  // Read no further than the greeting surely goes: what follows belongs to the frame decoder.
  if (!greeting_done_) return {greeting_in_.data() + greeting_.bytes_read(), greeting_.wanted()};
  return decoder_.read_buffer();
}

void ZmtpFraming::commit(size_t n) {
  if (greeting_done_) {
    decoder_.commit(n);
    return;
  }
  // A ZMTP 1.0 peer is refused at its first decisive byte; the rest is not looked at.
  greeting_.feed({greeting_in_.data() + greeting_.bytes_read(), n});
  send_greeting_pieces();
  check_greeting();
}

void ZmtpFraming::send_greeting_pieces() {
  if (!major_sent_ && greeting_.signature_complete()) {
    major_sent_ = true;
    encoder_.encode_raw(std::span<const uint8_t>(greeting_out_.data() + wire::kRevisionAt, 1));
  }
  if (rest_sent_ || !greeting_.revision_known()) return;
  rest_sent_ = true;
  if (greeting_.zmtp20()) {
    encoder_.encode_raw(std::span<const uint8_t>(&options_.socket_type, 1));
    return;
  }
  encoder_.encode_raw(std::span<const uint8_t>(greeting_out_.data() + wire::kRevisionAt + 1,
                                               wire::kGreetingSize - wire::kRevisionAt - 1));
}

void ZmtpFraming::check_greeting() {
  using GS = wire::GreetingReader::State;
  switch (greeting_.state()) {
    case GS::kNeedMore:
      return;
    case GS::kLegacyZmtp10:
      failure_ = {CloseReason::kLegacyPeer, "ZMTP 1.0 peer (not spoken: div/zmtp/no-zmtp10)",
                  false};
      return;
    case GS::kBadMechanism:
      failure_ = {CloseReason::kBadGreeting, "malformed mechanism in greeting", false};
      return;
    case GS::kCompleteZmtp20:
      if (!options_.zmtp20_allowed) {
        // No event but DISCONNECTED, as libzmq (zmtp_engine.cpp handshake_v2_0).
        failure_ = {CloseReason::kLegacyPeer,
                    "ZMTP 2.0 peer refused: it has no security, and " + options_.mechanism +
                        " or a ZAP domain is configured",
                    false, false};
        return;
      }
      peer_minor_ = 0;
      greeting_done_ = true;
      return;
    case GS::kComplete:
      break;
  }
  const wire::Greeting& peer = greeting_.greeting();
  if (peer.mechanism != options_.mechanism) {
    failure_ = {CloseReason::kMechanismMismatch,
                "mechanism mismatch: peer " + peer.mechanism + ", ours " + options_.mechanism,
                false};
    return;
  }
  // A version major other than 3 (higher, or libzmq's reading of 2) speaks at least 3.1.
  peer_minor_ = peer.major != wire::kVersionMajor ? wire::kVersionMinor : peer.minor;
  greeting_done_ = true;
}

std::optional<uint8_t> ZmtpFraming::zmtp20_socket_type() const {
  if (!greeting_done_ || !greeting_.zmtp20()) return std::nullopt;
  return greeting_.zmtp20_socket_type();
}

bool ZmtpFraming::next(Msg* frame) {
  if (!greeting_done_ || failure_.reason != CloseReason::kNone) return false;
  if (decoder_.next(frame)) {
    if (!frame->command() || !greeting_.zmtp20()) return true;
    // rfc 15: "Bits 2-7 are reserved for future use and MUST be zero"; a 2.0 peer has no
    // commands, and no ERROR can tell it.
    failure_ = {CloseReason::kMalformedFrame, "reserved flag bit 2 set by a ZMTP 2.0 peer", false};
    return false;
  }
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
