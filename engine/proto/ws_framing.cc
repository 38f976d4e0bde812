#include "engine/proto/ws_framing.h"

namespace zlab::proto {
namespace {

constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseTooBig = 1009;

std::array<uint8_t, 16> nonce_from(uint64_t seed) {
  std::array<uint8_t, 16> nonce{};
  uint64_t z = seed;
  for (size_t i = 0; i < nonce.size(); ++i) {
    // splitmix64 steps: the key only has to differ between connections (RFC 6455 §4.1).
    z += 0x9E3779B97F4A7C15ull;
    uint64_t x = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    nonce[i] = uint8_t((x ^ (x >> 27)) >> 32);
  }
  return nonce;
}

std::string ws_protocol(std::string_view mechanism) {
  return std::string(wire::kZws20Prefix) + std::string(mechanism);
}

}  // namespace

WsFraming::WsFraming(const WsOptions& options, int64_t max_msg_size, std::string_view mechanism)
    : FramingWith(wire::WsFrameDecoder(/*expect_masked=*/!options.client, max_msg_size),
                  // The nonce used the seed's first steps; masking keys continue from elsewhere.
                  wire::WsFrameEncoder(/*mask=*/options.client, ~options.seed)),
      client_(options.client) {
  if (client_) {
    client_hs_.emplace(options.host, options.path, nonce_from(options.seed),
                       std::vector<std::string>{ws_protocol(mechanism)});
    const std::string& request = client_hs_->request();
    encoder_.encode_raw(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  } else {
    server_hs_.emplace(std::vector<std::string>{ws_protocol(mechanism)});
  }
}

std::span<uint8_t> WsFraming::read_buffer() {
  if (failure_.reason != CloseReason::kNone) return {};
  if (!upgraded_) return {hs_in_.data(), hs_in_.size()};
  return decoder_.read_buffer();
}

void WsFraming::commit(size_t n) {
  if (upgraded_) {
    decoder_.commit(n);
    return;
  }
  handshake_bytes(n);
}

void WsFraming::handshake_bytes(size_t n) {
  std::span<const uint8_t> bytes(hs_in_.data(), n);
  size_t used = 0;
  std::string error;
  if (client_) {
    used = client_hs_->feed(bytes);
    if (client_hs_->state() == wire::WsClientHandshake::State::kFailed) error = client_hs_->error();
    if (client_hs_->state() == wire::WsClientHandshake::State::kComplete) {
      protocol_ = client_hs_->protocol();
      upgraded_ = true;
    }
  } else {
    used = server_hs_->feed(bytes);
    auto state = server_hs_->state();
    if (state != wire::WsServerHandshake::State::kNeedMore) {
      // The 101, or a 400 saying what was wrong.
      const std::string& reply = server_hs_->reply();
      encoder_.encode_raw(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()));
    }
    if (state == wire::WsServerHandshake::State::kFailed) error = server_hs_->error();
    if (state == wire::WsServerHandshake::State::kComplete) {
      protocol_ = server_hs_->protocol();
      upgraded_ = true;
    }
  }
  if (!error.empty()) {
    fail(CloseReason::kBadWsHandshake, std::move(error));
    return;
  }
  // Frames may follow the head in the same read (a server sends READY right after its 101).
  if (upgraded_ && used < n) decoder_.feed(bytes.subspan(used));
}

bool WsFraming::next(Msg* frame) {
  if (!upgraded_ || failure_.reason != CloseReason::kNone) return false;
  wire::WsFrame ws;
  while (decoder_.next(&ws)) {
    switch (ws.opcode) {
      case wire::ws_opcode::kBinary:
        *frame = std::move(ws.body);
        return true;
      case wire::ws_opcode::kPing:
        encoder_.encode_control(wire::ws_opcode::kPong, ws.body.bytes());
        break;
      case wire::ws_opcode::kPong:
        break;  // its bytes already counted as traffic
      case wire::ws_opcode::kClose: {
        uint16_t code = ws.body.size() >= 2 ? uint16_t(ws.body.data()[0] << 8 | ws.body.data()[1])
                                            : kCloseNormal;
        send_close(code);
        fail(CloseReason::kPeerClosed,
             "peer closed the WebSocket (code " + std::to_string(code) + ")");
        return false;
      }
    }
  }
  auto err = decoder_.error();
  if (err != wire::WsFrameDecoder::Error::kNone) {
    bool too_large = err == wire::WsFrameDecoder::Error::kTooLarge;
    send_close(too_large ? kCloseTooBig : kCloseProtocolError);
    fail(too_large ? CloseReason::kTooLarge : CloseReason::kMalformedFrame,
         std::string(wire::ws_decoder_error_name(err)));
  }
  return false;
}

void WsFraming::encode_ping(uint16_t ttl_ds) {
  (void)ttl_ds;  // a WebSocket ping has no TTL
  encoder_.encode_control(wire::ws_opcode::kPing, {});
}

void WsFraming::send_close(uint16_t code) {
  if (close_sent_) return;
  close_sent_ = true;
  uint8_t payload[2] = {uint8_t(code >> 8), uint8_t(code)};
  encoder_.encode_control(wire::ws_opcode::kClose, payload);
}

void WsFraming::fail(CloseReason reason, std::string detail) {
  failure_ = {reason, std::move(detail), false};
}

}  // namespace zlab::proto
