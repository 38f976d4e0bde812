#include "engine/wire/frame.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace zlab::wire {
namespace {

struct Part {
  std::string body;
  bool more = false;
  bool command = false;
};

Msg to_msg(const Part& p) {
  Msg m = Msg::copy_of(std::string_view(p.body));
  m.set_more(p.more);
  m.set_command(p.command);
  return m;
}

// Drains the encoder as a kernel would: writes of at most `chunk` bytes.
std::vector<uint8_t> drain(FrameEncoder& enc, size_t chunk) {
  std::vector<uint8_t> out;
  IoSlice slices[16];
  while (!enc.empty()) {
    size_t n = enc.poll_transmit(slices, 16);
    size_t budget = chunk;
    size_t wrote = 0;
    for (size_t i = 0; i < n && budget > 0; ++i) {
      size_t take = std::min(budget, slices[i].size);
      out.insert(out.end(), slices[i].data, slices[i].data + take);
      budget -= take;
      wrote += take;
    }
    enc.consume(wrote);
  }
  return out;
}

std::vector<Part> decode_all(FrameDecoder& dec, const std::vector<uint8_t>& wire,
                             const std::vector<size_t>& cuts) {
  std::vector<Part> out;
  size_t pos = 0;
  size_t cut_index = 0;
  Msg m;
  while (pos < wire.size()) {
    size_t step = cuts.empty() ? wire.size() : std::max<size_t>(1, cuts[cut_index++ % cuts.size()]);
    size_t end = std::min(wire.size(), pos + step);
    while (pos < end) {
      size_t used = dec.feed({wire.data() + pos, end - pos});
      pos += used;
      while (dec.next(&m)) out.push_back({std::string(m.view()), m.more(), m.command()});
      if (dec.error() != FrameDecoder::Error::kNone) return out;
    }
  }
  while (dec.next(&m)) out.push_back({std::string(m.view()), m.more(), m.command()});
  return out;
}

TEST(FrameTest, ShortAndLongHeaders) {
  for (size_t size : {0u, 1u, 255u, 256u, 70000u}) {
    FrameEncoder enc;
    enc.encode(to_msg({std::string(size, 'a'), true, false}));
    std::vector<uint8_t> wire = drain(enc, 1 << 20);
    if (size <= 255) {
      ASSERT_EQ(wire.size(), 2 + size);
      EXPECT_EQ(wire[0], frame_flags::kMore);
      EXPECT_EQ(wire[1], size);
    } else {
      ASSERT_EQ(wire.size(), 9 + size);
      EXPECT_EQ(wire[0], frame_flags::kMore | frame_flags::kLong);
      uint64_t n = 0;
      for (int i = 1; i <= 8; ++i) n = (n << 8) | wire[i];
      EXPECT_EQ(n, size);
    }
  }
}

TEST(FrameTest, CommandFlag) {
  FrameEncoder enc;
  enc.encode(to_msg({"\x05READY", false, true}));
  auto wire = drain(enc, 100);
  EXPECT_EQ(wire[0], frame_flags::kCommand);
}

RC_GTEST_PROP(FrameTest, RoundTripsWhateverTheSplits, ()) {
  // Bodies up to a few times the batch size, so batched, zero-copy and direct reads all happen.
  auto parts = *rc::gen::container<std::vector<Part>>(rc::gen::build<Part>(
      rc::gen::set(&Part::body,
                   rc::gen::oneOf(rc::gen::mapcat(rc::gen::inRange<size_t>(0, 300),
                                                  [](size_t n) {
                                                    return rc::gen::container<std::string>(
                                                        n, rc::gen::arbitrary<char>());
                                                  }),
                                  rc::gen::map(rc::gen::inRange<size_t>(0, 40000),
                                               [](size_t n) { return std::string(n, 'z'); }))),
      rc::gen::set(&Part::more), rc::gen::set(&Part::command)));
  for (Part& p : parts) {
    if (p.command) p.more = false;
  }
  auto write_chunk = *rc::gen::inRange<size_t>(1, 20000);
  auto cuts = *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(1, 5000));

  FrameEncoder enc;
  for (const Part& p : parts) enc.encode(to_msg(p));
  std::vector<uint8_t> wire = drain(enc, write_chunk);
  FrameDecoder dec;
  std::vector<Part> got = decode_all(dec, wire, cuts);
  RC_ASSERT(dec.error() == FrameDecoder::Error::kNone);
  RC_ASSERT(got.size() == parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    RC_ASSERT(got[i].body == parts[i].body);
    RC_ASSERT(got[i].more == parts[i].more);
    RC_ASSERT(got[i].command == parts[i].command);
  }
  RC_ASSERT(dec.buffered() == 0u);
}

TEST(FrameTest, OneByteAtATime) {
  FrameEncoder enc;
  enc.encode(to_msg({std::string(5000, 'q'), true, false}));
  enc.encode(to_msg({"tail", false, false}));
  auto wire = drain(enc, 7);
  FrameDecoder dec(-1, 64);  // tiny batch: the 5000-byte body is read in place
  std::vector<Part> got = decode_all(dec, wire, {1});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, std::string(5000, 'q'));
  EXPECT_EQ(got[1].body, "tail");
}

TEST(FrameTest, LargeBodyIsReadIntoTheMessage) {
  FrameDecoder dec(-1, 1024);
  const uint8_t header[] = {frame_flags::kLong, 0, 0, 0, 0, 0, 0, 0x10, 0};  // 4096
  dec.feed(header);
  Msg m;
  EXPECT_FALSE(dec.next(&m));
  std::span<uint8_t> dst = dec.read_buffer();
  ASSERT_EQ(dst.size(), 4096u);  // the message body itself
  std::fill(dst.begin(), dst.end(), 'b');
  dec.commit(dst.size());
  ASSERT_TRUE(dec.next(&m));
  EXPECT_EQ(m.size(), 4096u);
  EXPECT_EQ(m.data()[4095], 'b');
}

TEST(FrameTest, ReservedFlagsAreRejected) {
  for (uint8_t bit : {0x08, 0x10, 0x20, 0x40, 0x80}) {
    FrameDecoder dec;
    const uint8_t bad[] = {bit, 0};
    dec.feed(bad);
    Msg m;
    EXPECT_FALSE(dec.next(&m));
    EXPECT_EQ(dec.error(), FrameDecoder::Error::kReservedFlags);
    EXPECT_TRUE(dec.read_buffer().empty());  // a failed decoder asks for nothing more
  }
}

TEST(FrameTest, MoreOnCommandIsRejected) {
  FrameDecoder dec;
  const uint8_t bad[] = {frame_flags::kCommand | frame_flags::kMore, 0};
  dec.feed(bad);
  Msg m;
  EXPECT_FALSE(dec.next(&m));
  EXPECT_EQ(dec.error(), FrameDecoder::Error::kMoreOnCommand);
}

TEST(FrameTest, SizeAbove63BitsIsRejected) {
  FrameDecoder dec;
  const uint8_t bad[] = {frame_flags::kLong, 0x80, 0, 0, 0, 0, 0, 0, 0};
  dec.feed(bad);
  Msg m;
  EXPECT_FALSE(dec.next(&m));
  EXPECT_EQ(dec.error(), FrameDecoder::Error::kSizeOverflow);
}

TEST(FrameTest, MaxMsgSizeIsEnforcedBeforeTheBodyArrives) {
  FrameDecoder dec(100);
  const uint8_t ok[] = {0, 100};
  dec.feed(ok);
  std::vector<uint8_t> body(100, 1);
  dec.feed(body);
  Msg m;
  EXPECT_TRUE(dec.next(&m));
  const uint8_t big[] = {frame_flags::kLong, 0, 0, 0, 0, 0, 0, 0, 101};
  dec.feed(big);
  EXPECT_FALSE(dec.next(&m));
  EXPECT_EQ(dec.error(), FrameDecoder::Error::kTooLarge);
}

TEST(FrameTest, DecoderStopsAskingWhenFramesAreNotTaken) {
  // Backpressure: a consumer that takes no frames makes the buffer fill, and then the decoder
  // offers no room, so the driver stops reading.
  FrameDecoder dec(-1, 64);
  std::vector<uint8_t> wire;
  for (int i = 0; i < 100; ++i) {
    wire.push_back(0);
    wire.push_back(0);
  }
  size_t used = dec.feed(wire);
  EXPECT_EQ(used, 64u);
  EXPECT_TRUE(dec.read_buffer().empty());
  Msg m;
  ASSERT_TRUE(dec.next(&m));
  EXPECT_FALSE(dec.read_buffer().empty());
}

TEST(FrameTest, EncoderRefersToLargeBodiesInPlace) {
  FrameEncoder enc;
  Msg big = Msg::copy_of(std::string_view(std::string(10000, 'x')));
  const uint8_t* body = big.data();
  enc.encode(to_msg({"a", true, false}));
  enc.encode(std::move(big));
  enc.encode(to_msg({"b", false, false}));
  IoSlice slices[8];
  size_t n = enc.poll_transmit(slices, 8);
  ASSERT_EQ(n, 3u);  // [hdr a hdr][body][hdr b]
  EXPECT_EQ(slices[1].data, body);
  EXPECT_EQ(enc.pending_bytes(), 2 + 1 + 9 + 10000 + 2 + 1u);
}

TEST(FrameTest, EncoderBatchesManySmallFramesIntoOneSlice) {
  FrameEncoder enc;
  for (int i = 0; i < 1000; ++i) enc.encode(to_msg({"abcd", false, false}));
  IoSlice slices[8];
  size_t n = enc.poll_transmit(slices, 8);
  EXPECT_EQ(n, 1u);  // 6000 bytes fit one batch
  EXPECT_EQ(slices[0].size, 6000u);
}

}  // namespace
}  // namespace zlab::wire

namespace zlab::wire {
namespace {

// Regression (fuzz/libfuzzer/corpus/zmtp_connection/crash-huge-size): a long header announcing
// 2^62 bytes, with no ZMQ_MAXMSGSIZE, waits for the body instead of allocating it.
TEST(FrameDecoderTest, AHugeAnnouncedSizeWaitsWithoutAllocatingIt) {
  FrameDecoder decoder;
  uint8_t header[] = {0x02, 0x40, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'};
  EXPECT_EQ(decoder.feed(header), sizeof header);
  Msg frame;
  EXPECT_FALSE(decoder.next(&frame));
  EXPECT_EQ(decoder.error(), FrameDecoder::Error::kNone);
  EXPECT_EQ(decoder.buffered(), 3u);
  EXPECT_LT(decoder.read_buffer().size(), size_t(1) << 20);
}

}  // namespace
}  // namespace zlab::wire
