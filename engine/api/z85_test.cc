#include <errno.h>
#include <gtest/gtest.h>
#include <stdint.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "engine/api/zmq.h"

namespace {

const std::string kAlphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// Returns the encoding, or "<null errno=N>".
std::string Encode(const std::vector<uint8_t>& data) {
  std::string out(data.size() * 5 / 4 + 1, '\x7f');
  errno = 0;
  char* r = zmq_z85_encode(out.data(), data.data(), data.size());
  if (r == nullptr) return "<null errno=" + std::to_string(errno) + ">";
  EXPECT_EQ(r, out.data());
  EXPECT_EQ(out.back(), '\0');
  out.pop_back();
  return out;
}

// Returns true and the bytes, or false with errno checked to be EINVAL and dest untouched.
bool Decode(const std::string& text, std::vector<uint8_t>* bytes) {
  std::vector<uint8_t> out(text.size() * 4 / 5 + 8, 0xAB);
  errno = 0;
  uint8_t* r = zmq_z85_decode(out.data(), text.c_str());
  if (r == nullptr) {
    EXPECT_EQ(errno, EINVAL) << text;
    EXPECT_EQ(out, std::vector<uint8_t>(out.size(), 0xAB)) << "dest written on failure: " << text;
    return false;
  }
  EXPECT_EQ(r, out.data());
  for (size_t i = text.size() * 4 / 5; i < out.size(); ++i) EXPECT_EQ(out[i], 0xAB) << "overrun";
  out.resize(text.size() * 4 / 5);
  *bytes = out;
  return true;
}

TEST(Z85, RfcTestVector) {
  const std::vector<uint8_t> hello = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
  EXPECT_EQ(Encode(hello), "HelloWorld");
  std::vector<uint8_t> decoded;
  ASSERT_TRUE(Decode("HelloWorld", &decoded));
  EXPECT_EQ(decoded, hello);
}

TEST(Z85, GroupExtremes) {
  EXPECT_EQ(Encode({0, 0, 0, 0}), "00000");
  EXPECT_EQ(Encode({0xFF, 0xFF, 0xFF, 0xFF}), "%nSc0");
  EXPECT_EQ(Encode({0, 0, 0, 84}), "0000#");
  EXPECT_EQ(Encode({0, 0, 0, 85}), "00010");
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(Decode("%nSc0", &bytes));
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF}));
  ASSERT_TRUE(Decode("00000", &bytes));
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0, 0, 0, 0}));
}

TEST(Z85, EveryDigitDecodesToItsPosition) {
  for (size_t digit = 0; digit < kAlphabet.size(); ++digit) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(Decode(std::string("0000") + kAlphabet[digit], &bytes)) << digit;
    EXPECT_EQ(bytes, (std::vector<uint8_t>{0, 0, 0, static_cast<uint8_t>(digit)}));
  }
}

TEST(Z85, EncodeEmptyInputIsTheEmptyString) {
  char out[4] = {'x', 'x', 'x', 'x'};
  errno = 0;
  EXPECT_EQ(zmq_z85_encode(out, nullptr, 0), out);
  EXPECT_EQ(out[0], '\0');
  EXPECT_EQ(errno, 0);
}

TEST(Z85, EncodeRejectsSizesNotAMultipleOfFour) {
  for (size_t size : {1u, 2u, 3u, 5u, 6u, 7u, 9u, 31u, 33u}) {
    EXPECT_EQ(Encode(std::vector<uint8_t>(size, 1)), "<null errno=22>") << size;
  }
}

TEST(Z85, EncodeRejectsNullPointers) {
  const uint8_t data[4] = {1, 2, 3, 4};
  char out[6];
  errno = 0;
  EXPECT_EQ(zmq_z85_encode(nullptr, data, 4), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(zmq_z85_encode(out, nullptr, 4), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

TEST(Z85, DecodeRejectsLengthsNotAMultipleOfFive) {
  std::vector<uint8_t> bytes;
  for (const char* text :
       {"", "0", "0000", "000000", "HelloWorl", "HelloWorld0", "HelloWorld0000"}) {
    EXPECT_FALSE(Decode(text, &bytes)) << '"' << text << '"';
  }
}

TEST(Z85, DecodeRejectsNullPointers) {
  uint8_t out[4];
  errno = 0;
  EXPECT_EQ(zmq_z85_decode(out, nullptr), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(zmq_z85_decode(nullptr, "00000"), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

TEST(Z85, DecodeRejectsEveryCharacterOutsideTheAlphabet) {
  int rejected = 0;
  for (int c = 1; c < 256; ++c) {
    if (kAlphabet.find(static_cast<char>(c)) != std::string::npos) continue;
    std::vector<uint8_t> bytes;
    // The bad character in the first, middle and last position of the second group.
    for (size_t pos : {5u, 7u, 9u}) {
      std::string text = "HelloWorld";
      text[pos] = static_cast<char>(c);
      EXPECT_FALSE(Decode(text, &bytes)) << "char " << c << " at " << pos;
    }
    ++rejected;
  }
  EXPECT_EQ(rejected, 255 - 85);
}

TEST(Z85, DecodeRejectsGroupsAbove32Bits) {
  std::vector<uint8_t> bytes;
  for (const char* text : {"%nSc1", "%nSd0", "%o000", "$0000", "#####", "%%%%%", "$$$$$",
                           "00000%nSc1", "%nSc0#####"}) {
    EXPECT_FALSE(Decode(text, &bytes)) << text;
  }
}

TEST(Z85, RoundTripsRandomData) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> data(4 * (rng() % 33));
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    const std::string text = Encode(data);
    ASSERT_EQ(text.size(), data.size() * 5 / 4);
    for (char c : text) ASSERT_NE(kAlphabet.find(c), std::string::npos);
    std::vector<uint8_t> back;
    if (data.empty()) {
      EXPECT_FALSE(Decode(text, &back));  // libzmq refuses the empty string.
      continue;
    }
    ASSERT_TRUE(Decode(text, &back));
    ASSERT_EQ(back, data);
  }
}

TEST(Z85, RoundTripsRandomValidText) {
  std::mt19937 rng(77);
  int decoded = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text(5 * (1 + rng() % 8), ' ');
    for (auto& c : text) c = kAlphabet[rng() % 85];
    std::vector<uint8_t> bytes;
    if (!Decode(text, &bytes)) continue;  // Some groups are above 0xFFFFFFFF.
    ++decoded;
    EXPECT_EQ(Encode(bytes), text);
  }
  EXPECT_GT(decoded, 500);
}

TEST(Z85, CurveKeySizedRoundTrip) {
  std::vector<uint8_t> key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 37 + 11);
  char text[41];
  ASSERT_EQ(zmq_z85_encode(text, key.data(), key.size()), text);
  EXPECT_EQ(strlen(text), 40u);
  uint8_t back[32];
  ASSERT_EQ(zmq_z85_decode(back, text), back);
  EXPECT_EQ(memcmp(back, key.data(), 32), 0);
}

}  // namespace
