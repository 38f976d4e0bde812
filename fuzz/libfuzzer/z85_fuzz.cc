// Z85 (rfc 32) through the C API: decoding any string never writes past length*4/5 bytes,
// and encode then decode gives back the bytes.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/zmq.h"
#include "fuzz/libfuzzer/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);  // may hold a NUL: strlen stops
  std::vector<uint8_t> decoded(strlen(text.c_str()) * 4 / 5);
  if (decoded.empty()) decoded.resize(1);
  uint8_t* got = zmq_z85_decode(decoded.data(), text.c_str());
  if (got != nullptr) {
    char again[4096 + 1];
    if (decoded.size() <= 4096 * 4 / 5) {
      FUZZ_CHECK(zmq_z85_encode(again, decoded.data(), strlen(text.c_str()) * 4 / 5) == again);
      FUZZ_CHECK(std::strcmp(again, text.c_str()) == 0);
    }
  }
  size_t whole = size - size % 4;
  if (whole <= 4096 * 4 / 5) {
    char encoded[4096 + 1];
    FUZZ_CHECK(zmq_z85_encode(encoded, data, whole) == encoded);
    FUZZ_CHECK(std::strlen(encoded) == whole * 5 / 4);
    std::vector<uint8_t> back(whole + 1);
    if (whole > 0) {
      FUZZ_CHECK(zmq_z85_decode(back.data(), encoded) == back.data());
      FUZZ_CHECK(std::memcmp(back.data(), data, whole) == 0);
    }
  }
  return 0;
}
