#include "engine/wire/ws_frame.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace zlab::wire {
namespace {

bool known_opcode(uint8_t opcode) {
  return opcode == ws_opcode::kBinary || opcode == ws_opcode::kClose ||
         opcode == ws_opcode::kPing || opcode == ws_opcode::kPong;
}

// XORs `data` with the key, the key's byte `offset` applying to data[0].
void apply_mask(const uint8_t* src, uint8_t* dst, size_t n, const uint8_t key[4], size_t offset) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i] ^ key[(i + offset) & 3];
}

}  // namespace

// --- decoder ---

WsFrameDecoder::WsFrameDecoder(bool expect_masked, int64_t max_body_size, size_t batch_size)
    : expect_masked_(expect_masked), max_body_size_(max_body_size), in_(batch_size) {}

bool WsFrameDecoder::fail(Error error) {
  error_ = error;
  return false;
}

bool WsFrameDecoder::next(WsFrame* frame) {
  if (error_ != Error::kNone) return false;
  if (!in_.in_direct()) return parse(frame);
  Msg body;
  if (!in_.take_direct(&body)) return false;
  finish(&body);
  frame->opcode = header_.opcode;
  frame->body = std::move(body);
  return true;
}

// Unmasks a body in place (the key's byte 1 onwards for binary frames: byte 0 masked the flags)
// and sets its flags.
void WsFrameDecoder::finish(Msg* body) {
  if (header_.masked && !body->empty()) {
    size_t offset = header_.opcode == ws_opcode::kBinary ? 1 : 0;
    uint8_t* data = body->mutable_data();
    apply_mask(data, data, body->size(), header_.mask, offset);
  }
  body->set_more(header_.more);
  body->set_command(header_.command);
}

bool WsFrameDecoder::parse(WsFrame* frame) {
  size_t avail = in_.available();
  const uint8_t* p = in_.data();
  // Waits for `n` bytes in all, making room for them at the end of the buffer.
  auto wait_for = [&](size_t n) {
    in_.make_room(n);
    return false;
  };
  if (avail < 2) return wait_for(2);
  Header h;
  h.opcode = p[0] & 0x0F;
  if (p[0] & 0x70) return fail(Error::kReservedBits);
  if (h.opcode == ws_opcode::kContinuation || !(p[0] & 0x80)) return fail(Error::kFragmented);
  if (!known_opcode(h.opcode)) return fail(Error::kBadOpcode);
  h.masked = p[1] & 0x80;
  if (h.masked != expect_masked_) return fail(Error::kMasking);
  uint8_t len7 = p[1] & 0x7F;
  size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  if (avail < 2 + ext) return wait_for(2 + ext);
  uint64_t payload = len7;
  if (ext > 0) {
    payload = 0;
    for (size_t i = 0; i < ext; ++i) payload = (payload << 8) | p[2 + i];
    if (payload >> 63) return fail(Error::kSizeOverflow);
  }
  bool binary = h.opcode == ws_opcode::kBinary;
  if (!binary && payload > kMaxWsControlPayload) return fail(Error::kBadControl);
  if (binary && payload == 0) return fail(Error::kEmptyBinary);
  size_t header_len = 2 + ext + (h.masked ? 4 : 0);
  // A binary frame's flags byte is read with its header.
  size_t need = header_len + (binary ? 1 : 0);
  if (avail < need) return wait_for(need);
  if (h.masked) std::memcpy(h.mask, p + header_len - 4, 4);
  uint64_t body_size = payload;
  if (binary) {
    uint8_t flags = p[header_len] ^ (h.masked ? h.mask[0] : 0);
    if (flags & ws_flags::kReserved) return fail(Error::kReservedFlags);
    h.more = flags & ws_flags::kMore;
    h.command = flags & ws_flags::kCommand;
    if (h.more && h.command) return fail(Error::kMoreOnCommand);
    body_size = payload - 1;
    if (max_body_size_ >= 0 && body_size > uint64_t(max_body_size_)) {
      return fail(Error::kTooLarge);
    }
  }
  header_ = h;
  size_t have_body = avail - need;
  if (have_body >= body_size) {
    Msg body = Msg::copy_of(std::span<const uint8_t>(p + need, body_size));
    in_.consume(need + body_size);
    finish(&body);
    frame->opcode = h.opcode;
    frame->body = std::move(body);
    return true;
  }
  if (body_size > in_.direct_min()) {
    // A large body: take what is buffered, then read the rest straight into the message.
    in_.start_direct(need, body_size);
    return false;
  }
  return wait_for(need + body_size);
}

std::string_view ws_decoder_error_name(WsFrameDecoder::Error error) {
  using E = WsFrameDecoder::Error;
  switch (error) {
    case E::kNone:
      return "none";
    case E::kFragmented:
      return "fragmented WebSocket frame";
    case E::kReservedBits:
      return "WebSocket RSV bits set";
    case E::kBadOpcode:
      return "WebSocket opcode other than binary, close, ping, pong";
    case E::kMasking:
      return "WebSocket frame masked the wrong way";
    case E::kBadControl:
      return "WebSocket control frame above 125 bytes";
    case E::kEmptyBinary:
      return "WebSocket binary frame without a flags byte";
    case E::kReservedFlags:
      return "reserved flag bits set";
    case E::kMoreOnCommand:
      return "MORE flag on a command";
    case E::kSizeOverflow:
      return "frame size above 2^63-1";
    case E::kTooLarge:
      return "frame larger than ZMQ_MAXMSGSIZE";
  }
  return "unknown";
}

// --- encoder ---

WsFrameEncoder::WsFrameEncoder(bool mask, uint64_t seed) : mask_(mask), rng_state_(seed) {}

uint32_t WsFrameEncoder::next_key() {
  // splitmix64, as the socket core's generator.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return uint32_t((z ^ (z >> 31)) >> 32);
}

std::array<uint8_t, 4> WsFrameEncoder::header(uint8_t opcode, uint64_t payload_size) {
  uint8_t h[14];
  size_t n = 0;
  h[n++] = 0x80 | opcode;  // FIN: never fragmented
  uint8_t mask_bit = mask_ ? 0x80 : 0;
  if (payload_size <= 125) {
    h[n++] = mask_bit | uint8_t(payload_size);
  } else if (payload_size <= 0xFFFF) {
    h[n++] = mask_bit | 126;
    h[n++] = uint8_t(payload_size >> 8);
    h[n++] = uint8_t(payload_size);
  } else {
    h[n++] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) h[n++] = uint8_t(payload_size >> (56 - 8 * i));
  }
  std::array<uint8_t, 4> key{};
  if (mask_) {
    uint32_t k = next_key();
    for (int i = 0; i < 4; ++i) key[i] = uint8_t(k >> (24 - 8 * i));
    std::memcpy(h + n, key.data(), 4);
    n += 4;
  }
  out_.encode_raw(std::span<const uint8_t>(h, n));
  return key;
}

void WsFrameEncoder::encode(Msg frame) {
  uint8_t flags = (frame.more() ? ws_flags::kMore : 0) | (frame.command() ? ws_flags::kCommand : 0);
  std::array<uint8_t, 4> key = header(ws_opcode::kBinary, uint64_t(frame.size()) + 1);
  uint8_t masked_flags = flags ^ key[0];
  out_.encode_raw(std::span<const uint8_t>(&masked_flags, 1));
  if (!mask_) {
    out_.encode_raw(std::move(frame));
    return;
  }
  // Into a copy: the body may be shared with the application or other connections.
  Msg masked = Msg::with_size(frame.size());
  apply_mask(frame.data(), masked.mutable_data(), frame.size(), key.data(), 1);
  out_.encode_raw(std::move(masked));
}

void WsFrameEncoder::encode_control(uint8_t opcode, std::span<const uint8_t> payload) {
  assert(payload.size() <= kMaxWsControlPayload);
  std::array<uint8_t, 4> key = header(opcode, payload.size());
  uint8_t masked[kMaxWsControlPayload];
  apply_mask(payload.data(), masked, payload.size(), key.data(), 0);
  out_.encode_raw(std::span<const uint8_t>(masked, payload.size()));
}

}  // namespace zlab::wire
