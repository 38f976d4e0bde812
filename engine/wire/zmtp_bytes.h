// ZMTP bytes for peers that speak the wire by hand: tests, probes and the fuzzer.
//
// Valid bytes come from the engine's own codec (greeting.h, frame.h, command.h), so there is
// one truth of what ZMTP looks like. What the codec refuses to produce (non-canonical long
// sizes, reserved flags, lying lengths, truncations) is built here by the raw_* functions and
// nowhere else. The parser reads a whole captured byte stream back with the same decoders the
// engine runs. Mechanism commands (HELLO, WELCOME, INITIATE...) are plain command(name, data)
// frames until their builders land in command.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/wire/command.h"
#include "engine/wire/frame.h"
#include "engine/wire/greeting.h"

namespace zlab::wire::bytes {

// Binary bytes in a std::string: what sockets, gtest and the simulator's raw connections take.
using Bytes = std::string;

// --- valid bytes, through the codec ---
Bytes greeting(const Greeting& greeting = {});
Bytes greeting(std::string_view mechanism, bool as_server, uint8_t minor = kVersionMinor);
// ZMTP 2.0 (rfc 15): signature, revision 0x01, the socket type's zmq.h number. Its identity
// is a frame(identity) sent after it; ZMTP 2.0 frames are frame()'s without commands. The
// padding is the identity's length + 1, as libzmq and JeroMQ send it.
Bytes greeting_v2(uint8_t socket_type, uint64_t padding = 1);
// A frame as the engine's encoder writes it (long form above 255 bytes).
Bytes frame(std::string_view body, bool more = false, bool command = false);
// Parts of one message, MORE on all but the last.
Bytes message(const std::vector<std::string>& parts);
Bytes command(std::string_view name, std::string_view data = {});
Bytes ready(const std::vector<Property>& properties);
Bytes ready_socket_type(std::string_view socket_type);
Bytes error(std::string_view reason);
Bytes ping(uint16_t ttl_ds, std::string_view context = {});
Bytes pong(std::string_view context = {});
Bytes subscribe(std::string_view topic);
Bytes cancel(std::string_view topic);
// ZMTP 3.0 subscriptions travel as messages: 0x01 / 0x00 then the topic.
Bytes subscribe_v30(std::string_view topic);
Bytes cancel_v30(std::string_view topic);
// rfc 48: JOIN / LEAVE commands, and a RADIO message: the group frame (MORE), then the body.
Bytes join(std::string_view group);
Bytes leave(std::string_view group);
Bytes radio_message(std::string_view group, std::string_view body);
Bytes properties(const std::vector<Property>& properties);
// Greeting, then READY announcing `socket_type`: a NULL handshake's whole first flight.
Bytes null_handshake(std::string_view socket_type, uint8_t minor = kVersionMinor);

// --- bytes the codec would never write ---
// Signature bytes 0..9: 0xFF, 8 padding bytes, then `last` (0x7F for ZMTP 3).
Bytes raw_signature(uint64_t padding = 0, uint8_t last = 0x7F);
// A frame header with any flags byte and any size, in long form when `long_form`; the size
// need not match what follows.
Bytes raw_frame_header(uint8_t flags, uint64_t size, bool long_form);
// A whole frame with the given flags byte (reserved bits, MORE on a command...), its size
// taken from the body, short or long as `long_form` says (long for a short body too).
Bytes raw_frame(uint8_t flags, std::string_view body, bool long_form = false);
// One metadata property with a value size that may lie (`value_size` is written as given).
Bytes raw_property(std::string_view name, uint32_t value_size, std::string_view value);

// --- parsing a captured stream ---
struct Frame {
  bool more = false;
  bool command = false;
  Bytes body;
  // The command's name ("" for a message or a malformed command).
  std::string command_name() const;
  // The command's data after its name (empty for a message).
  Bytes command_data() const;
};

struct Stream {
  GreetingReader::State greeting_state = GreetingReader::State::kNeedMore;
  std::optional<Greeting> greeting;  // set when a 3.x greeting was complete and valid
  // (a ZMTP 2.0 greeting: greeting_state is kCompleteZmtp20 and the frames follow it)
  std::vector<Frame> frames;  // every complete frame after the greeting
  FrameDecoder::Error frame_error = FrameDecoder::Error::kNone;
  size_t trailing = 0;  // bytes of an incomplete last frame (or greeting)

  std::vector<std::string> command_names() const;
  bool has_command(std::string_view name) const;
};

// A peer's bytes from the start of its connection: a greeting, then frames.
Stream parse_stream(std::string_view bytes);
// Frames only (the bytes after a greeting).
Stream parse_frames(std::string_view bytes);

}  // namespace zlab::wire::bytes
