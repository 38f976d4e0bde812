// Z85 (ZeroMQ RFC 32): four bytes <-> five characters of an 85-symbol alphabet, big-endian.
//
// Matches libzmq: encoding needs a whole number of 4-byte groups, decoding a non-empty whole
// number of 5-character groups, each worth at most 0xFFFFFFFF and made of alphabet characters;
// anything else returns NULL with errno EINVAL. Differences, both on inputs libzmq crashes on or
// leaves undefined: NULL pointers are EINVAL here, and a rejected string leaves dest untouched
// (libzmq may have written the groups before the bad one).
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <array>

#include "engine/api/zmq.h"

namespace {

constexpr char kAlphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr int kBase = 85;
constexpr int kGroupBytes = 4;
constexpr int kGroupChars = 5;
constexpr uint8_t kNotADigit = 0xFF;

static_assert(sizeof kAlphabet == kBase + 1, "85 symbols plus the terminator");

// Character -> digit value, kNotADigit for characters outside the alphabet.
constexpr std::array<uint8_t, 256> MakeDigitTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kNotADigit;
  for (int digit = 0; digit < kBase; ++digit) {
    table[static_cast<unsigned char>(kAlphabet[digit])] = static_cast<uint8_t>(digit);
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDigitOf = MakeDigitTable();

// The 32-bit value of five characters, or false if one is not a digit or the value overflows.
bool DecodeGroup(const char* chars, uint32_t* value) {
  uint64_t acc = 0;  // 85^5 - 1 < 2^33: no overflow in 64 bits.
  for (int i = 0; i < kGroupChars; ++i) {
    const uint8_t digit = kDigitOf[static_cast<unsigned char>(chars[i])];
    if (digit == kNotADigit) return false;
    acc = acc * kBase + digit;
  }
  if (acc > UINT32_MAX) return false;
  *value = static_cast<uint32_t>(acc);
  return true;
}

template <typename T>
T* InvalidArgument() {
  errno = EINVAL;
  return nullptr;
}

}  // namespace

extern "C" char* zmq_z85_encode(char* dest, const uint8_t* data, size_t size) {
  if (size % kGroupBytes != 0 || dest == nullptr || (data == nullptr && size != 0)) {
    return InvalidArgument<char>();
  }
  char* out = dest;
  for (size_t at = 0; at < size; at += kGroupBytes) {
    uint32_t value = 0;
    for (int i = 0; i < kGroupBytes; ++i) value = (value << 8) | data[at + i];
    for (int i = kGroupChars - 1; i >= 0; --i) {
      out[i] = kAlphabet[value % kBase];
      value /= kBase;
    }
    out += kGroupChars;
  }
  *out = '\0';
  return dest;
}

extern "C" uint8_t* zmq_z85_decode(uint8_t* dest, const char* string) {
  if (dest == nullptr || string == nullptr) return InvalidArgument<uint8_t>();
  const size_t length = strlen(string);
  if (length == 0 || length % kGroupChars != 0) return InvalidArgument<uint8_t>();
  uint32_t value = 0;
  for (size_t at = 0; at < length; at += kGroupChars) {  // Validate everything first.
    if (!DecodeGroup(string + at, &value)) return InvalidArgument<uint8_t>();
  }
  uint8_t* out = dest;
  for (size_t at = 0; at < length; at += kGroupChars) {
    DecodeGroup(string + at, &value);
    for (int i = kGroupBytes - 1; i >= 0; --i) {
      out[i] = static_cast<uint8_t>(value & 0xFF);
      value >>= 8;
    }
    out += kGroupBytes;
  }
  return dest;
}
