// Command, metadata, ERROR and PING parsing: no parser trusts a length, and what parses
// re-encodes to the same bytes (metadata, ERROR) or to a bounded PONG context (PING).
#include <cstdlib>

#include "engine/wire/command.h"
#include "fuzz/libfuzzer/fuzz_input.h"

namespace {

namespace wire = zlab::wire;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::Msg frame = zlab::Msg::copy_of(std::span<const uint8_t>(data, size));
  frame.set_command(true);
  wire::Parsed<wire::Command> cmd = wire::parse_command(frame);
  FUZZ_CHECK(cmd.ok() != !cmd.error.empty());
  // Every body parser runs on every body, whatever the name says.
  std::span<const uint8_t> body = cmd.ok() ? cmd.value->data : std::span<const uint8_t>(data, size);
  auto props = wire::parse_properties(body);
  if (props.ok()) {
    std::vector<uint8_t> again = wire::encode_properties(*props.value);
    FUZZ_CHECK(again.size() == body.size() && std::equal(again.begin(), again.end(), body.begin()));
  }
  auto error = wire::parse_error(body);
  if (error.ok()) FUZZ_CHECK(error.value->size() + 1 <= body.size());
  auto ping = wire::parse_ping(body);
  if (ping.ok()) {
    FUZZ_CHECK(ping.value->context.size() <= wire::kMaxPingContext);
    zlab::Msg pong = wire::make_pong(ping.value->context);
    FUZZ_CHECK(pong.command() && pong.size() == 5 + ping.value->context.size());
  }
  if (cmd.ok()) {
    zlab::Msg again = wire::make_command(cmd.value->name, cmd.value->data);
    FUZZ_CHECK(again.view() == frame.view());
  }
  return 0;
}
