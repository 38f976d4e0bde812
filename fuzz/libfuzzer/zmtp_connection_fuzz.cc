// A whole ZmtpConnection fed a peer's bytes: the first input bytes choose its socket type (any
// the engine builds, the draft ones included: fuzz_types.h), role, limits, heartbeats and how
// reads are split; the rest is what the peer sends. Output, events and parts are drained after
// every read and time moves on, so the handshake, heartbeat and close paths all run.
// Invariants a conforming endpoint keeps: a command never reaches the application (but
// JOIN/LEAVE for a RADIO, whose routing keeps its groups from them), no part arrives before the
// handshake or after the close, a part is never larger than ZMQ_MAXMSGSIZE, and a closed
// connection stays closed.
#include <cstdlib>

#include "engine/proto/zmtp_connection.h"
#include "engine/sockets/routing.h"
#include "fuzz/libfuzzer/fuzz_input.h"
#include "fuzz/libfuzzer/fuzz_types.h"

namespace {

using zlab::Msg;
using zlab::proto::ConnEvent;
using zlab::proto::ZmtpConnection;

constexpr int64_t kMs = 1'000'000;

size_t drain_output(ZmtpConnection& c, int64_t now_ns) {
  size_t total = 0;
  zlab::wire::IoSlice slices[8];
  for (int round = 0; round < 64 && c.pending_bytes() > 0; ++round) {
    size_t n = c.poll_transmit(slices, 8);
    size_t wrote = 0;
    for (size_t i = 0; i < n; ++i) wrote += slices[i].size;
    c.handle_written(wrote, now_ns);
    total += wrote;
  }
  return total;
}

struct Observed {
  bool handshaken = false;
  bool closed = false;
};

void drain_events(ZmtpConnection& c, Observed* seen) {
  ConnEvent e;
  while (c.poll_event(&e)) {
    FUZZ_CHECK(!seen->closed);  // nothing after the close
    if (e.kind == ConnEvent::Kind::kHandshakeSucceeded) {
      FUZZ_CHECK(!seen->handshaken);
      seen->handshaken = true;
    } else {
      seen->closed = true;
    }
  }
}

// The one kind of command that reaches the application side: JOIN/LEAVE to a type that takes
// them (RADIO's routing keeps its groups from them, rfc 48).
bool group_command_taken(const zlab::proto::TypeProfile& profile, const Msg& part) {
  using zlab::proto::TypeCommand;
  std::string_view body = part.view();
  return (body.starts_with("\x04JOIN") && profile.accepts.has(TypeCommand::kJoin)) ||
         (body.starts_with("\x05LEAVE") && profile.accepts.has(TypeCommand::kLeave));
}

void drain(ZmtpConnection& c, int64_t now_ns, const zlab::proto::ZmtpOptions& options,
           Observed* seen) {
  const int64_t max_msg_size = options.max_msg_size;
  drain_events(c, seen);
  Msg part;
  for (int i = 0; i < 4096 && c.poll_part(&part, now_ns); ++i) {
    FUZZ_CHECK(seen->handshaken);
    FUZZ_CHECK(!part.command() || group_command_taken(options.profile, part));
    if (max_msg_size >= 0) FUZZ_CHECK(part.size() <= uint64_t(max_msg_size));
  }
  drain_events(c, seen);  // taking the last part after an EOF closes the connection
  drain_output(c, now_ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zlab::fuzz::FuzzInput in(data, size);
  zlab::proto::ZmtpOptions options;
  uint8_t pick = in.byte();
  options.socket_type = zlab::fuzz::pick_type(pick & 0x7f);
  options.profile = zlab::socket_traits(options.socket_type).wire;  // what the type sends, takes
  options.security.as_server = pick & 0x80;
  if (options.socket_type == zlab::SocketType::kDealer) options.routing_id = "me";
  uint8_t limits = in.byte();
  options.max_msg_size = (limits & 1) ? int64_t(in.u16()) : -1;
  if (limits & 2) {
    options.heartbeat_ivl_ns = 10 * kMs;
    options.heartbeat_ttl_ns = 50 * kMs;
  }
  options.handshake_ivl_ns = (limits & 4) ? 100 * kMs : 0;
  size_t chunk = 1 + (in.byte() % 97);
  int64_t now_ns = 0;
  ZmtpConnection c(options, now_ns);
  Observed seen;
  drain(c, now_ns, options, &seen);
  std::span<const uint8_t> rest = in.rest();
  while (!rest.empty() && !c.closed()) {
    size_t n = c.feed(rest.subspan(0, std::min(chunk, rest.size())), now_ns);
    rest = rest.subspan(n);
    drain(c, now_ns, options, &seen);
    if (c.can_send()) {
      c.send_part(Msg::copy_of(std::string_view("reply")));
      FUZZ_CHECK(seen.handshaken);
    }
    now_ns += 7 * kMs;
    if (c.next_deadline_ns() <= now_ns) c.handle_timeout(now_ns);
    drain(c, now_ns, options, &seen);
    if (n == 0 && !c.read_buffer().empty()) break;  // refused more input while reading
    if (n == 0) break;                              // backpressure with nobody taking parts: stop
  }
  if (!c.closed()) c.handle_eof(now_ns);
  drain(c, now_ns, options, &seen);
  FUZZ_CHECK(c.closed() == seen.closed);
  return 0;
}
