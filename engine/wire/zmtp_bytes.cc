#include "engine/wire/zmtp_bytes.h"

#include <cstring>

namespace zlab::wire::bytes {
namespace {

std::span<const uint8_t> span_of(std::string_view text) { return as_bytes(text); }

// Everything an encoder holds, in order.
Bytes drain(FrameEncoder& encoder) {
  Bytes out;
  IoSlice slices[16];
  while (!encoder.empty()) {
    size_t n = encoder.poll_transmit(slices, 16);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      out.append(reinterpret_cast<const char*>(slices[i].data), slices[i].size);
      total += slices[i].size;
    }
    encoder.consume(total);
  }
  return out;
}

Bytes encode_msg(Msg msg) {
  FrameEncoder encoder;
  encoder.encode(std::move(msg));
  return drain(encoder);
}

void put_be(Bytes* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out->push_back(char(uint8_t(value >> (8 * i))));
}

}  // namespace

Bytes greeting(const Greeting& greeting) {
  auto g = encode_greeting(greeting);
  return Bytes(reinterpret_cast<const char*>(g.data()), g.size());
}

Bytes greeting_v2(uint8_t socket_type, uint64_t padding) {
  auto g = encode_greeting_v2(socket_type, padding);
  return Bytes(reinterpret_cast<const char*>(g.data()), g.size());
}

Bytes greeting(std::string_view mechanism, bool as_server, uint8_t minor) {
  Greeting g;
  g.mechanism = std::string(mechanism);
  g.as_server = as_server;
  g.minor = minor;
  return greeting(g);
}

Bytes frame(std::string_view body, bool more, bool command) {
  Msg msg = Msg::copy_of(body);
  msg.set_more(more);
  msg.set_command(command);
  return encode_msg(std::move(msg));
}

Bytes message(const std::vector<std::string>& parts) {
  Bytes out;
  for (size_t i = 0; i < parts.size(); ++i) out += frame(parts[i], i + 1 < parts.size());
  return out;
}

Bytes command(std::string_view name, std::string_view data) {
  return encode_msg(make_command(name, span_of(data)));
}

Bytes ready(const std::vector<Property>& properties) { return encode_msg(make_ready(properties)); }

Bytes ready_socket_type(std::string_view socket_type) {
  return ready({{"Socket-Type", std::string(socket_type)}});
}

Bytes error(std::string_view reason) { return encode_msg(make_error(reason)); }

Bytes ping(uint16_t ttl_ds, std::string_view context) {
  return encode_msg(make_ping(ttl_ds, span_of(context)));
}

Bytes pong(std::string_view context) { return encode_msg(make_pong(span_of(context))); }

Bytes subscribe(std::string_view topic) { return encode_msg(make_subscribe(span_of(topic))); }

Bytes cancel(std::string_view topic) { return encode_msg(make_cancel(span_of(topic))); }

Bytes subscribe_v30(std::string_view topic) { return frame("\x01" + std::string(topic)); }

Bytes cancel_v30(std::string_view topic) {
  return frame(std::string(1, '\0') + std::string(topic));
}

Bytes join(std::string_view group) { return encode_msg(make_join(group)); }

Bytes leave(std::string_view group) { return encode_msg(make_leave(group)); }

Bytes radio_message(std::string_view group, std::string_view body) {
  return message({std::string(group), std::string(body)});
}

Bytes properties(const std::vector<Property>& properties) {
  std::vector<uint8_t> raw = encode_properties(properties);
  return Bytes(raw.begin(), raw.end());
}

Bytes null_handshake(std::string_view socket_type, uint8_t minor) {
  return greeting("NULL", false, minor) + ready_socket_type(socket_type);
}

Bytes raw_signature(uint64_t padding, uint8_t last) {
  Bytes out(1, char(0xFF));
  put_be(&out, padding, 8);
  out.push_back(char(last));
  return out;
}

Bytes raw_frame_header(uint8_t flags, uint64_t size, bool long_form) {
  Bytes out(1, char(long_form ? (flags | frame_flags::kLong) : flags));
  put_be(&out, size, long_form ? 8 : 1);
  return out;
}

Bytes raw_frame(uint8_t flags, std::string_view body, bool long_form) {
  long_form = long_form || body.size() > 255;
  return raw_frame_header(flags, body.size(), long_form) + std::string(body);
}

Bytes raw_property(std::string_view name, uint32_t value_size, std::string_view value) {
  Bytes out(1, char(uint8_t(name.size())));
  out += name;
  put_be(&out, value_size, 4);
  out += value;
  return out;
}

std::string Frame::command_name() const {
  if (!command) return "";
  Msg msg = Msg::copy_of(std::string_view(body));  // the parsed name is a view into it
  Parsed<Command> cmd = parse_command(msg);
  return cmd.ok() ? std::string(cmd.value->name) : "";
}

Bytes Frame::command_data() const {
  if (!command || body.empty()) return "";
  size_t skip = 1 + uint8_t(body[0]);
  return skip <= body.size() ? body.substr(skip) : "";
}

std::vector<std::string> Stream::command_names() const {
  std::vector<std::string> out;
  for (const Frame& f : frames) {
    if (f.command) out.push_back(f.command_name());
  }
  return out;
}

bool Stream::has_command(std::string_view name) const {
  for (const Frame& f : frames) {
    if (f.command && f.command_name() == name) return true;
  }
  return false;
}

Stream parse_frames(std::string_view bytes) {
  Stream out;
  // No complete frame is larger than the input: a size above it is an incomplete frame, and
  // a lying size never makes the parser allocate it.
  FrameDecoder decoder(int64_t(bytes.size()));
  std::span<const uint8_t> in = span_of(bytes);
  while (decoder.error() == FrameDecoder::Error::kNone) {
    size_t taken = decoder.feed(in);
    in = in.subspan(taken);
    Msg msg;
    bool any = false;
    while (decoder.next(&msg)) {
      out.frames.push_back({msg.more(), msg.command(), Bytes(msg.view())});
      any = true;
    }
    if (in.empty() || (taken == 0 && !any)) break;
  }
  out.frame_error = decoder.error();
  out.trailing = decoder.buffered() + in.size();
  if (out.frame_error == FrameDecoder::Error::kTooLarge)
    out.frame_error = FrameDecoder::Error::kNone;
  return out;
}

Stream parse_stream(std::string_view bytes) {
  GreetingReader reader;
  size_t used = reader.feed(span_of(bytes));
  bool zmtp20 = reader.state() == GreetingReader::State::kCompleteZmtp20;
  if (reader.state() != GreetingReader::State::kComplete && !zmtp20) {
    Stream out;
    out.greeting_state = reader.state();
    out.trailing = bytes.size();
    return out;
  }
  Stream out = parse_frames(bytes.substr(used));
  out.greeting_state = reader.state();
  if (!zmtp20) out.greeting = reader.greeting();
  return out;
}

}  // namespace zlab::wire::bytes
