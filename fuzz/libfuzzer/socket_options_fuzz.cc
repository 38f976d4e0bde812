// Socket options as zmq_setsockopt takes them, on any socket type: a sequence of (option,
// size, value) settings, each answered with ok or a clear error, then every option it set (and
// a window of others) read back at two buffer sizes. Nothing may crash, overrun or report a
// size larger than the buffer it filled.
#include <array>
#include <bitset>
#include <cstdlib>
#include <cstring>

#include "engine/sockets/socket_core.h"
#include "fuzz/libfuzzer/fuzz_input.h"
#include "fuzz/libfuzzer/fuzz_types.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZLAB_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZLAB_FUZZ_ASAN 1
#endif
#endif
#ifdef ZLAB_FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace {

constexpr size_t kOutBytes = 300 + 12;  // a multiple of ASan's 8-byte granule

#ifdef ZLAB_FUZZ_ASAN
// Under ASan the bytes past `cap` are poisoned while get_option runs: any write (or read) past
// the buffer it was given is reported where it happens. (Checking a byte pattern afterwards
// cost ~77,000 instrumented comparisons an input and made this target run at 0.9k/s.)
zlab::Err get_guarded(zlab::SocketCore& socket, int id, uint8_t* out, size_t cap, size_t* got) {
  ASAN_POISON_MEMORY_REGION(out + cap, kOutBytes - cap);
  zlab::Err err = socket.get_option(id, out, got);
  ASAN_UNPOISON_MEMORY_REGION(out + cap, kOutBytes - cap);
  return err;
}
#else
// Without ASan (the plain corpus replay): a pattern past `cap` must be untouched.
zlab::Err get_guarded(zlab::SocketCore& socket, int id, uint8_t* out, size_t cap, size_t* got) {
  static const auto kPattern = [] {
    std::array<uint8_t, kOutBytes> p;
    p.fill(0xAB);
    return p;
  }();
  std::memcpy(out, kPattern.data(), kOutBytes);
  zlab::Err err = socket.get_option(id, out, got);
  FUZZ_CHECK(std::memcmp(out + cap, kPattern.data(), kOutBytes - cap) == 0);  // no overrun
  return err;
}
#endif

void read_back(zlab::SocketCore& socket, int id) {
  for (size_t cap : {size_t(id % 9), size_t(300)}) {  // a small buffer, a large one
    uint8_t out[kOutBytes];
    size_t got = cap;
    zlab::Err err = get_guarded(socket, id, out, cap, &got);
    if (err == zlab::Err::kOk) FUZZ_CHECK(got <= cap);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::fuzz::FuzzInput in(data, size);
  uint8_t first = in.byte();
  zlab::SocketType type = zlab::fuzz::pick_type(first);  // any type the engine builds
  zlab::SocketCore socket(type, /*seed=*/1);
  int64_t now_ns = 0;
  std::bitset<128> touched;
  while (!in.empty()) {
    int id = in.byte() % 128;
    touched.set(id);
    size_t n = in.byte() % 40;
    std::span<const uint8_t> value = in.take(n);
    // A NULL value (the C API's NULL with size 0) is its own case for some options.
    if (n == 0 && (in.byte() & 1)) value = std::span<const uint8_t>();
    zlab::Err err = socket.set_option(id, value, now_ns);
    FUZZ_CHECK(err == zlab::Err::kOk || err == zlab::Err::kInvalid ||
               err == zlab::Err::kNotSupported || err == zlab::Err::kFsm ||
               err == zlab::Err::kTerminated);
    now_ns += 1'000'000;
  }
  // Every option the input set is read back, and a window of 16 others the first byte picks:
  // an option nobody set reads the same on every input of a type, so reading all 128 on each
  // (as this target first did) spent most of its time re-reading defaults.
  int window = (first / zlab::fuzz::built_types().size()) % 8 * 16;
  for (int id = 0; id < 128; ++id) {
    if (touched.test(id) || (id >= window && id < window + 16)) read_back(socket, id);
  }
  return 0;
}
