// The ZMTP frame decoder, fed in chunks whose sizes come from the input: every frame it
// returns is re-encoded and decoded again to the same frame, and an error is final.
#include <cstdlib>

#include "engine/wire/frame.h"
#include "engine/wire/zmtp_bytes.h"
#include "fuzz/libfuzzer/fuzz_input.h"

namespace {

using zlab::Msg;
using zlab::wire::FrameDecoder;

void check_round_trip(const Msg& frame) {
  std::string bytes = zlab::wire::bytes::frame(frame.view(), frame.more(), frame.command());
  zlab::wire::bytes::Stream again = zlab::wire::bytes::parse_frames(bytes);
  FUZZ_CHECK(again.frames.size() == 1 && again.trailing == 0);
  FUZZ_CHECK(again.frames[0].body == frame.view() && again.frames[0].more == frame.more());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::fuzz::FuzzInput in(data, size);
  int64_t max_size = (in.byte() & 1) ? int64_t(in.u16()) : -1;
  size_t batch = 64 + (in.byte() & 0x3F) * 16;  // small batches reach the direct-read path
  size_t chunk = 1 + (in.byte() & 0x1F);
  FrameDecoder decoder(max_size >= 0 ? max_size : int64_t(size), batch);
  std::span<const uint8_t> rest = in.rest();
  int frames = 0;
  while (true) {
    size_t n = decoder.feed(rest.subspan(0, std::min(chunk, rest.size())));
    rest = rest.subspan(n);
    Msg frame;
    bool any = false;
    while (decoder.next(&frame)) {
      FUZZ_CHECK(!(frame.more() && frame.command()));
      // The first frames of each input are re-encoded: enough to cover the encoder's forms
      // without spending the run on allocations.
      if (++frames <= 4) check_round_trip(frame);
      any = true;
    }
    if (decoder.error() != FrameDecoder::Error::kNone) {
      FUZZ_CHECK(decoder.read_buffer().empty() && decoder.feed(rest) == 0 && !decoder.next(&frame));
      break;
    }
    if (rest.empty() || (n == 0 && !any)) break;
  }
  return 0;
}
