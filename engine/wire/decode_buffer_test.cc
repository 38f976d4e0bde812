#include "engine/wire/decode_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace zlab::wire {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string_view text(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

TEST(DecodeBuffer, FeedThenParseAndConsume) {
  DecodeBuffer in(64);
  EXPECT_EQ(in.feed(bytes("hello world")), 11u);
  EXPECT_EQ(in.available(), 11u);
  EXPECT_EQ(in.buffered(), 11u);
  EXPECT_EQ(text(in.data(), 5), "hello");
  in.consume(6);
  EXPECT_EQ(text(in.data(), in.available()), "world");
  in.consume(5);
  EXPECT_EQ(in.available(), 0u);
  // Fully consumed: the whole buffer is free again.
  EXPECT_EQ(in.read_buffer().size(), 64u);
}

TEST(DecodeBuffer, BatchSizeHasAFloor) {
  DecodeBuffer in(1);
  EXPECT_EQ(in.read_buffer().size(), 64u);
  EXPECT_EQ(in.direct_min(), 32u);
}

TEST(DecodeBuffer, MakeRoomMovesUnparsedBytesToTheFront) {
  DecodeBuffer in(64);
  std::vector<uint8_t> fill(60, 'x');
  fill[50] = 'a';
  EXPECT_EQ(in.feed(fill), 60u);
  in.consume(50);
  // 10 bytes left at offset 50: 20 more do not fit behind them until compacted.
  in.make_room(30);
  EXPECT_EQ(in.data()[0], 'a');
  EXPECT_EQ(in.available(), 10u);
  EXPECT_EQ(in.read_buffer().size(), 54u);
}

TEST(DecodeBuffer, MakeRoomKeepsPositionWhenItFits) {
  DecodeBuffer in(64);
  in.feed(bytes("abcdef"));
  in.consume(2);
  in.make_room(4);
  EXPECT_EQ(in.read_buffer().size(), 58u);  // not compacted: writing continues at offset 6
}

TEST(DecodeBuffer, LargeBodyIsReadStraightIntoItsMessage) {
  DecodeBuffer in(64);
  in.feed(bytes("HDbody-start"));
  Msg& body = in.start_direct(2, 40);
  body.set_more(true);
  EXPECT_TRUE(in.in_direct());
  EXPECT_EQ(in.available(), 0u);
  EXPECT_EQ(in.buffered(), 10u);  // the part of the body already taken counts
  Msg out;
  EXPECT_FALSE(in.take_direct(&out));
  // The driver writes into the message's own bytes.
  std::span<uint8_t> dst = in.read_buffer();
  ASSERT_EQ(dst.size(), 30u);
  std::fill(dst.begin(), dst.end(), uint8_t('!'));
  in.commit(30);
  EXPECT_TRUE(in.read_buffer().empty());  // complete: nothing more goes in until taken
  EXPECT_EQ(in.feed(bytes("more")), 0u);
  ASSERT_TRUE(in.take_direct(&out));
  EXPECT_FALSE(in.in_direct());
  EXPECT_EQ(in.buffered(), 0u);
  EXPECT_EQ(out.view(), "body-start" + std::string(30, '!'));
  EXPECT_TRUE(out.more());
  EXPECT_EQ(in.read_buffer().size(), 64u);
}

TEST(DecodeBuffer, FeedSpillsFromLargeBodyOnlyUpToItsEnd) {
  DecodeBuffer in(64);
  in.start_direct(0, 40);
  EXPECT_EQ(in.feed(std::vector<uint8_t>(100, 'y')), 40u);
  Msg out;
  EXPECT_TRUE(in.take_direct(&out));
  EXPECT_EQ(out.size(), 40u);
}

}  // namespace
}  // namespace zlab::wire

namespace zlab::wire {
namespace {

// Found by fuzz/libfuzzer (zmtp_connection) and the live fuzzer: a header announcing 2^62 bytes
// made the decoder allocate them at once (std::bad_alloc killed the process). Above
// kUpfrontMax the body grows with what arrives and is allocated only once complete.
TEST(DecodeBuffer, AHugeAnnouncedBodyAllocatesOnlyWhatArrives) {
  DecodeBuffer in(64);
  in.start_direct(0, size_t(1) << 62);
  EXPECT_LE(in.read_buffer().size(), size_t(64));
  std::string chunk(1000, 'x');
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(in.feed({reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()}), 1000u);
  }
  EXPECT_EQ(in.buffered(), 10000u);
  EXPECT_LE(in.read_buffer().size(), size_t(20000));
  Msg body;
  EXPECT_FALSE(in.take_direct(&body));
}

TEST(DecodeBuffer, AStagedBodyArrivesWholeWithItsFlags) {
  DecodeBuffer in(64);
  size_t size = DecodeBuffer::kUpfrontMax + 3000;
  Msg& flags = in.start_direct(0, size);
  flags.set_more(true);
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = uint8_t(i * 7);
  size_t at = 0;
  while (at < size) {
    size_t n = in.feed({data.data() + at, std::min<size_t>(size - at, 1 << 20)});
    ASSERT_GT(n, 0u);
    at += n;
  }
  Msg body;
  ASSERT_TRUE(in.take_direct(&body));
  EXPECT_TRUE(body.more());
  ASSERT_EQ(body.size(), size);
  EXPECT_EQ(std::memcmp(body.data(), data.data(), size), 0);
  EXPECT_FALSE(in.in_direct());
}

}  // namespace
}  // namespace zlab::wire
