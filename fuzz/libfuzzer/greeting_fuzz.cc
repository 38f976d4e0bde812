// The greeting reader, fed split anywhere: the verdict does not depend on the split, and a
// complete greeting encodes back to the bytes it was read from (up to the filler and the
// signature padding, which ZMTP does not read).
#include <cstdlib>
#include <cstring>

#include "engine/wire/greeting.h"
#include "fuzz/libfuzzer/fuzz_input.h"

namespace {

using zlab::wire::GreetingReader;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::fuzz::FuzzInput in(data, size);
  size_t split = in.byte();
  std::span<const uint8_t> bytes = in.rest();
  GreetingReader whole;
  size_t used_whole = whole.feed(bytes);
  GreetingReader parts;
  size_t first = parts.feed(bytes.subspan(0, std::min(split, bytes.size())));
  size_t second = parts.feed(bytes.subspan(first));
  FUZZ_CHECK(whole.state() == parts.state());
  FUZZ_CHECK(used_whole == first + second && used_whole <= zlab::wire::kGreetingSize);
  // A verdict is final: the reader takes nothing more.
  if (whole.state() != GreetingReader::State::kNeedMore) FUZZ_CHECK(whole.feed(bytes) == 0);
  if (whole.state() == GreetingReader::State::kComplete) {
    zlab::wire::Greeting g = whole.greeting();
    // Revision 0 is ZMTP 1.0 and 1 is 2.0; 2 and up are read as 3.x, as libzmq reads them.
    FUZZ_CHECK(g.major >= 2 && !g.mechanism.empty() && g.mechanism.size() <= 20);
    auto again = zlab::wire::encode_greeting(g);
    FUZZ_CHECK(std::memcmp(again.data() + 10, bytes.data() + 10, 22) == 0);  // version, mechanism
    FUZZ_CHECK((again[32] != 0) == (bytes[32] != 0));
  }
  (void)zlab::wire::greeting_state_name(whole.state());
  return 0;
}
