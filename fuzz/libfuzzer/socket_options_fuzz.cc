// Socket options as zmq_setsockopt takes them, on any socket type: a sequence of (option,
// size, value) settings, each answered with ok or a clear error, then every option read back
// at several buffer sizes. Nothing may crash, overrun or report a size larger than the buffer
// it filled.
#include <cstdlib>
#include <cstring>

#include "engine/sockets/socket_core.h"
#include "fuzz/libfuzzer/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::fuzz::FuzzInput in(data, size);
  auto type = zlab::SocketType(in.byte() % 12);  // the classic types (drafts have no routing)
  zlab::SocketCore socket(type, /*seed=*/1);
  int64_t now_ns = 0;
  while (!in.empty()) {
    int id = in.byte() % 128;
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
  for (int id = 0; id < 128; ++id) {
    for (size_t cap : {size_t(id % 9), size_t(300)}) {  // a small buffer, a large one
      uint8_t out[300 + 8];
      std::memset(out, 0xAB, sizeof out);
      size_t got = cap;
      zlab::Err err = socket.get_option(id, out, &got);
      if (err == zlab::Err::kOk) FUZZ_CHECK(got <= cap);
      for (size_t i = cap; i < sizeof out; ++i) FUZZ_CHECK(out[i] == 0xAB);  // no overrun
    }
  }
  return 0;
}
