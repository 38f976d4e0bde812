#include "engine/wire/greeting.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace zlab::wire {
namespace {

using State = GreetingReader::State;

std::vector<uint8_t> bytes_of(const Greeting& g) {
  auto a = encode_greeting(g);
  return {a.begin(), a.end()};
}

TEST(GreetingTest, EncodesTheRfcLayout) {
  Greeting g;
  g.as_server = true;
  auto b = encode_greeting(g);
  EXPECT_EQ(b[0], 0xFF);
  EXPECT_EQ(b[9], 0x7F);
  EXPECT_EQ(b[10], 3);
  EXPECT_EQ(b[11], 1);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[12]), 4), "NULL");
  EXPECT_EQ(b[16], 0);
  EXPECT_EQ(b[32], 1);
  for (size_t i = 33; i < 64; ++i) EXPECT_EQ(b[i], 0) << i;
}

TEST(GreetingTest, PaddingIsBigEndianInTheSignature) {
  Greeting g;
  g.padding = 6;  // what libzmq sends for a 5-byte identity
  auto b = encode_greeting(g);
  const uint8_t want[10] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x7F};
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(b[i], want[i]) << i;
  g.padding = 0x0102030405060708ull;
  b = encode_greeting(g);
  for (size_t i = 1; i <= 8; ++i) EXPECT_EQ(b[i], i) << i;
}

TEST(GreetingTest, RoundTripsOneByteAtATime) {
  Greeting g;
  g.mechanism = "PLAIN";
  g.as_server = true;
  auto b = bytes_of(g);
  GreetingReader r;
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(r.state(), State::kNeedMore);
    EXPECT_EQ(r.feed({&b[i], 1}), 1u);
  }
  ASSERT_EQ(r.state(), State::kComplete);
  EXPECT_EQ(r.greeting().mechanism, "PLAIN");
  EXPECT_TRUE(r.greeting().as_server);
  EXPECT_EQ(r.greeting().minor, 1);
}

TEST(GreetingTest, TakesOnlyItsOwnBytes) {
  auto b = bytes_of(Greeting{});
  b.push_back(0x04);  // the first byte of a command after the greeting
  GreetingReader r;
  EXPECT_EQ(r.feed(b), 64u);
  EXPECT_EQ(r.state(), State::kComplete);
}

TEST(GreetingTest, PaddingIsNotSignificant) {
  auto b = bytes_of(Greeting{});
  for (int i = 1; i <= 8; ++i) b[i] = uint8_t(0xA0 + i);  // libzmq's padding is not zeros
  GreetingReader r;
  r.feed(b);
  EXPECT_EQ(r.state(), State::kComplete);
}

TEST(GreetingTest, HigherVersionsAreAccepted) {
  Greeting g;
  g.major = 4;
  g.minor = 7;
  GreetingReader r;
  r.feed(bytes_of(g));
  ASSERT_EQ(r.state(), State::kComplete);
  EXPECT_EQ(r.greeting().major, 4);
}

TEST(GreetingTest, Zmtp30PeerIsAccepted) {
  Greeting g;
  g.minor = 0;
  GreetingReader r;
  r.feed(bytes_of(g));
  ASSERT_EQ(r.state(), State::kComplete);
  EXPECT_EQ(r.greeting().minor, 0);
}

TEST(GreetingTest, Zmtp10IsRefusedAtTheFirstByte) {
  // ZMTP 1.0: a one-byte length, then flags and the identity.
  const uint8_t legacy[] = {0x01, 0x00};
  GreetingReader r;
  EXPECT_EQ(r.feed(legacy), 1u);
  EXPECT_EQ(r.state(), State::kLegacyZmtp10);
}

TEST(GreetingTest, Zmtp10LongLengthIsRefusedAtTheTenthByte) {
  std::vector<uint8_t> b = {0xFF, 0, 0, 0, 0, 0, 0, 1, 0, 0x00};
  GreetingReader r;
  r.feed({b.data(), 9});
  EXPECT_EQ(r.state(), State::kNeedMore);
  r.feed({b.data() + 9, 1});
  EXPECT_EQ(r.state(), State::kLegacyZmtp10);
}

TEST(GreetingTest, Zmtp10WithRevisionZeroIsRefusedAtTheRevisionByte) {
  // libzmq's ZMTP_1_0: a signature, then revision 0x00 and 1.0 framing (div/zmtp/no-zmtp10).
  auto b = encode_greeting_v2(5, 1);
  b[kRevisionAt] = kRevisionZmtp10;
  GreetingReader r;
  EXPECT_EQ(r.feed(b), 11u);
  EXPECT_EQ(r.state(), State::kLegacyZmtp10);
}

TEST(GreetingTest, EncodesTheZmtp20Layout) {
  auto b = encode_greeting_v2(6, 6);  // a ROUTER with a 5-byte identity
  const uint8_t want[12] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x7F, 0x01, 6};
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(b[i], want[i]) << i;
}

// rfc 15: the revision byte 0x01 says the greeting is 12 bytes; a split anywhere reads the
// same, and the reader never takes a byte of the identity frame that follows.
TEST(GreetingTest, Zmtp20GreetingEndsAtTwelveBytesWhereverItIsSplit) {
  auto g = encode_greeting_v2(5, 1);
  std::vector<uint8_t> b(g.begin(), g.end());
  b.insert(b.end(), {0x00, 0x00});  // the identity frame (empty) after it
  for (size_t split = 0; split <= b.size(); ++split) {
    SCOPED_TRACE(split);
    GreetingReader r;
    size_t used = 0;
    // As a connection reads: never more than wanted() at once.
    for (size_t part_end : {split, b.size()}) {
      while (used < part_end && r.wanted() > 0) {
        size_t n = std::min(r.wanted(), part_end - used);
        EXPECT_EQ(r.feed({b.data() + used, n}), n);
        used += n;
      }
    }
    ASSERT_EQ(r.state(), State::kCompleteZmtp20);
    EXPECT_EQ(used, 12u);
    EXPECT_TRUE(r.zmtp20());
    EXPECT_EQ(r.zmtp20_socket_type(), 5);
    EXPECT_EQ(r.wanted(), 0u);
  }
}

TEST(GreetingTest, RevisionByteDecidesTheLength) {
  GreetingReader r;
  auto g = encode_greeting(Greeting{});
  EXPECT_EQ(r.wanted(), 11u);  // up to the revision byte: the length is not known before
  r.feed({g.data(), 10});
  EXPECT_TRUE(r.signature_complete());
  EXPECT_FALSE(r.revision_known());
  EXPECT_EQ(r.wanted(), 1u);
  r.feed({g.data() + 10, 1});
  EXPECT_TRUE(r.revision_known());
  EXPECT_FALSE(r.zmtp20());
  EXPECT_EQ(r.wanted(), 53u);
}

TEST(GreetingTest, RevisionTwoIsReadAsZmtp3) {
  // libzmq's select_handshake_fun: any revision above 1 gets the 3.x greeting.
  Greeting g;
  g.major = 2;
  GreetingReader r;
  EXPECT_EQ(r.feed(bytes_of(g)), 64u);
  EXPECT_EQ(r.state(), State::kComplete);
}

TEST(GreetingTest, MalformedMechanismIsRefused) {
  auto b = bytes_of(Greeting{});
  b[17] = 'X';  // a byte after the NUL padding started
  GreetingReader r;
  r.feed(b);
  EXPECT_EQ(r.state(), State::kBadMechanism);

  auto empty = bytes_of(Greeting{});
  for (int i = 12; i < 32; ++i) empty[i] = 0;
  GreetingReader r2;
  r2.feed(empty);
  EXPECT_EQ(r2.state(), State::kBadMechanism);
}

}  // namespace
}  // namespace zlab::wire
