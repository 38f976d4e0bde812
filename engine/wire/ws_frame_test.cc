#include "engine/wire/ws_frame.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace zlab::wire {
namespace {

std::vector<uint8_t> drain(WsFrameEncoder& enc) {
  std::vector<uint8_t> out;
  IoSlice slices[64];
  size_t n = enc.poll_transmit(slices, 64);
  for (size_t i = 0; i < n; ++i)
    out.insert(out.end(), slices[i].data, slices[i].data + slices[i].size);
  enc.consume(out.size());
  return out;
}

Msg part(std::string_view text, bool more = false, bool command = false) {
  Msg m = Msg::copy_of(text);
  m.set_more(more);
  m.set_command(command);
  return m;
}

std::vector<WsFrame> decode_all(WsFrameDecoder& dec, std::span<const uint8_t> bytes,
                                size_t chunk = SIZE_MAX) {
  std::vector<WsFrame> frames;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t n = std::min(chunk, bytes.size() - at);
    size_t used = dec.feed(bytes.subspan(at, n));
    at += used;
    WsFrame f;
    while (dec.next(&f)) frames.push_back(std::move(f));
    if (used == 0 && dec.error() != WsFrameDecoder::Error::kNone) break;
  }
  return frames;
}

TEST(WsFrameEncoder, ServerFramesAreUnmaskedBinaryWithAFlagsByte) {
  WsFrameEncoder enc(/*mask=*/false, 0);
  enc.encode(part("ABC", /*more=*/true));
  enc.encode(part("\x05READY", false, /*command=*/true));
  std::vector<uint8_t> expected = {0x82, 0x04, 0x01, 'A', 'B', 'C', 0x82, 0x07,
                                   0x02, 0x05, 'R',  'E', 'A', 'D', 'Y'};
  EXPECT_EQ(drain(enc), expected);
}

TEST(WsFrameEncoder, ExtendedLengths) {
  struct Case {
    size_t body;
    std::vector<uint8_t> header;  // opcode byte, length bytes, flags byte
  };
  // The payload is the body plus its flags byte: 124 -> 125 (7-bit), 125 -> 126 (16-bit),
  // 65534 -> 65535 (16-bit), 65535 -> 65536 (64-bit).
  std::vector<Case> cases = {
      {124, {0x82, 125, 0}},
      {125, {0x82, 126, 0x00, 126, 0}},
      {65534, {0x82, 126, 0xFF, 0xFF, 0}},
      {65535, {0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
  };
  for (const auto& c : cases) {
    WsFrameEncoder enc(false, 0);
    enc.encode(Msg::copy_of(std::string(c.body, 'x')));
    std::vector<uint8_t> out = drain(enc);
    ASSERT_EQ(out.size(), c.header.size() + c.body) << c.body;
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + c.header.size()), c.header) << c.body;
    // And back.
    WsFrameDecoder dec(false);
    auto frames = decode_all(dec, out);
    ASSERT_EQ(frames.size(), 1u) << c.body;
    EXPECT_EQ(frames[0].body.size(), c.body);
  }
}

TEST(WsFrameEncoder, ClientMasksFlagsAndBodyButNeverTheCallersBytes) {
  WsFrameEncoder enc(/*mask=*/true, 42);
  std::string text(255, '\0');
  for (int i = 0; i < 255; ++i) text[i] = char(i);
  Msg original = Msg::copy_of(text);
  Msg shared = original.share();  // a second reference, as zmq_msg_copy makes
  enc.encode(std::move(shared));
  std::vector<uint8_t> out = drain(enc);
  ASSERT_EQ(out.size(), 2u + 2 + 4 + 256);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 0x80 | 126);
  const uint8_t* key = &out[4];
  EXPECT_EQ(out[8] ^ key[0], 0);  // the flags byte takes the key's first byte
  for (int i = 0; i < 255; ++i) ASSERT_EQ(uint8_t(out[9 + i] ^ key[(i + 1) % 4]), i) << i;
  // The sender's body is untouched.
  EXPECT_EQ(original.view(), text);
}

TEST(WsFrameEncoder, KeysDifferFromFrameToFrame) {
  WsFrameEncoder enc(true, 7);
  enc.encode(part("a"));
  enc.encode(part("a"));
  std::vector<uint8_t> out = drain(enc);
  ASSERT_EQ(out.size(), 16u);
  EXPECT_NE(std::vector<uint8_t>(out.begin() + 2, out.begin() + 6),
            std::vector<uint8_t>(out.begin() + 10, out.begin() + 14));
}

TEST(WsFrameEncoder, ControlFrames) {
  WsFrameEncoder enc(false, 0);
  enc.encode_control(ws_opcode::kPing, {});
  uint8_t code[2] = {0x03, 0xE8};
  enc.encode_control(ws_opcode::kClose, code);
  std::vector<uint8_t> expected = {0x89, 0x00, 0x88, 0x02, 0x03, 0xE8};
  EXPECT_EQ(drain(enc), expected);
}

TEST(WsFrameDecoder, RoundTripSplitAtEveryByte) {
  for (bool masked : {false, true}) {
    WsFrameEncoder enc(masked, 99);
    enc.encode(part("hello", true));
    enc.encode(Msg::copy_of(std::string(300, 'z')));
    enc.encode(part("\x04PING\x00\x00", false, true));
    enc.encode_control(ws_opcode::kPong,
                       std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("ctx"), 3));
    std::vector<uint8_t> bytes = drain(enc);
    for (size_t split = 1; split < bytes.size(); ++split) {
      WsFrameDecoder dec(/*expect_masked=*/masked, -1, 64);
      std::vector<WsFrame> frames;
      WsFrame f;
      // The first `split` bytes, then the rest, each offered until taken.
      size_t at = 0;
      for (size_t end : {split, bytes.size()}) {
        while (at < end) {
          at += dec.feed(std::span<const uint8_t>(bytes).subspan(at, end - at));
          while (dec.next(&f)) frames.push_back(std::move(f));
        }
      }
      ASSERT_EQ(dec.error(), WsFrameDecoder::Error::kNone) << masked << " " << split;
      ASSERT_EQ(frames.size(), 4u) << split;
      EXPECT_EQ(frames[0].body.view(), "hello");
      EXPECT_TRUE(frames[0].body.more());
      EXPECT_EQ(frames[1].body.view(), std::string(300, 'z'));
      EXPECT_FALSE(frames[1].body.more());
      EXPECT_TRUE(frames[2].body.command());
      EXPECT_EQ(frames[3].opcode, ws_opcode::kPong);
      EXPECT_EQ(frames[3].body.view(), "ctx");
    }
  }
}

TEST(WsFrameDecoder, LargeBodyReadInPlace) {
  WsFrameEncoder enc(true, 5);
  std::string big(100000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i % 251);
  enc.encode(Msg::copy_of(big));
  std::vector<uint8_t> bytes = drain(enc);
  WsFrameDecoder dec(true);
  auto frames = decode_all(dec, bytes, 1000);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].body.view(), big);
}

TEST(WsFrameDecoder, Rfc6455MaskedExample) {
  // RFC 6455 §5.7: a masked text "Hello" -- but with opcode binary and a flags byte first.
  std::vector<uint8_t> bytes = {0x82, 0x86, 0x37, 0xfa, 0x21, 0x3d, 0x37 ^ 0x01};
  const char* hello = "Hello";
  const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  for (int i = 0; i < 5; ++i) bytes.push_back(uint8_t(hello[i]) ^ key[(i + 1) % 4]);
  WsFrameDecoder dec(true);
  auto frames = decode_all(dec, bytes);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].body.view(), "Hello");
  EXPECT_TRUE(frames[0].body.more());
}

struct Bad {
  const char* what;
  std::vector<uint8_t> bytes;
  bool expect_masked;
  WsFrameDecoder::Error error;
  int64_t max = -1;
};

TEST(WsFrameDecoder, MalformedFramesAreErrors) {
  using E = WsFrameDecoder::Error;
  std::vector<Bad> cases = {
      {"no FIN", {0x02, 0x02, 0x00, 'a'}, false, E::kFragmented},
      {"continuation", {0x80, 0x02, 0x00, 'a'}, false, E::kFragmented},
      {"text", {0x81, 0x02, 0x00, 'a'}, false, E::kBadOpcode},
      {"opcode 3", {0x83, 0x00}, false, E::kBadOpcode},
      {"RSV1", {0xC2, 0x02, 0x00, 'a'}, false, E::kReservedBits},
      {"masked from server", {0x82, 0x82, 1, 2, 3, 4, 0, 0}, false, E::kMasking},
      {"unmasked from client", {0x82, 0x02, 0x00, 'a'}, true, E::kMasking},
      {"empty binary", {0x82, 0x00}, false, E::kEmptyBinary},
      {"reserved flags", {0x82, 0x02, 0x04, 'a'}, false, E::kReservedFlags},
      {"more on command", {0x82, 0x02, 0x03, 'a'}, false, E::kMoreOnCommand},
      {"big ping", {0x89, 126, 0x00, 126}, false, E::kBadControl},
      {"64-bit top bit", {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, false, E::kSizeOverflow},
      {"too large", {0x82, 0x05, 0x00, 'a', 'b', 'c', 'd'}, false, E::kTooLarge, 3},
  };
  for (const auto& c : cases) {
    WsFrameDecoder dec(c.expect_masked, c.max);
    dec.feed(c.bytes);
    WsFrame f;
    EXPECT_FALSE(dec.next(&f)) << c.what;
    EXPECT_EQ(dec.error(), c.error) << c.what << ": " << ws_decoder_error_name(dec.error());
    EXPECT_TRUE(dec.read_buffer().empty()) << c.what;  // nothing more is read
  }
}

TEST(WsFrameDecoder, MaxSizeCountsTheBodyNotTheFlagsByte) {
  WsFrameDecoder dec(false, 3);
  std::vector<uint8_t> bytes = {0x82, 0x04, 0x00, 'a', 'b', 'c'};
  auto frames = decode_all(dec, bytes);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].body.view(), "abc");
}

RC_GTEST_PROP(WsFrameProperty, AnyFramesAnySplitRoundTrip,
              (const std::vector<std::string>& bodies, bool masked, size_t chunk)) {
  WsFrameEncoder enc(masked, 1234);
  for (size_t i = 0; i < bodies.size(); ++i) enc.encode(part(bodies[i], i % 2 == 0));
  std::vector<uint8_t> bytes = drain(enc);
  WsFrameDecoder dec(masked, -1, 64);
  auto frames = decode_all(dec, bytes, chunk % 97 + 1);
  RC_ASSERT(dec.error() == WsFrameDecoder::Error::kNone);
  RC_ASSERT(frames.size() == bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    RC_ASSERT(frames[i].body.view() == bodies[i]);
    RC_ASSERT(frames[i].body.more() == (i % 2 == 0));
  }
}

}  // namespace
}  // namespace zlab::wire
