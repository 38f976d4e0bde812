// The wire's own rules (RFC 23 ZMTP 3.0, RFC 37 ZMTP 3.1, the heartbeat options of
// zmq_setsockopt(3)): a raw peer on h1 (Lab::raw_peer) speaks bytes from engine/wire/zmtp_bytes
// to the socket under test, bound on h0, and reads back what the socket writes. The same
// bodies run on the simulator (benign faults: latency, split I/O, clock drift, late bind), on
// real tcp and against another implementation's agent, whose socket the raw peer reaches over
// loopback like any peer.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "conformance/properties/agent.h"
#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::conform {
namespace {

namespace wb = wire::bytes;

constexpr int kPort = 5555;

// Values for failure messages: printable bytes as they are, the rest as \xNN.
std::string show(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(uint8_t(c)));
      out += buf;
    }
  }
  return out + "'";
}
std::string show(size_t n) { return std::to_string(n); }
std::string show(int n) { return std::to_string(n); }
template <typename T>
std::string show(const std::vector<T>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + show(items[i]);
  return out + "]";
}

std::string type_str(SocketType t) { return std::string(socket_type_info(t).name); }

// Types that take a message from the raw peer into their application; the others show a
// working connection by sending to it.
// The types the wire rules apply to (they share one applies_to in rules.json).
// The types the wire rules apply to that the implementation under test builds (Debian's
// stable libzmq has no draft types: a draft draw there would leave the case unobservable).
std::vector<SocketType> wire_types() {
  return built_by(impl_under_test(), rule_types("rule/wire/split-greeting-handshake"));
}

bool receives_from_peer(SocketType t) { return letters(t).receives_unprompted; }
std::vector<SocketType> receiving_types() {
  std::vector<SocketType> out;
  for (SocketType t : wire_types()) {
    if (receives_from_peer(t)) out.push_back(t);
  }
  return out;
}
bool is_publisher(SocketType t) { return letters(t).filter == Filter::kPublishes; }
bool subscribes(SocketType t) {
  Filter f = letters(t).filter;
  return f == Filter::kSubscribesByOption || f == Filter::kSubscribesBySend;
}

// The bytes of one message from the raw peer that `t` delivers as `body`: behind an empty
// delimiter where its envelope needs one (REP), in group "g" for a type that joins groups
// (prepare() joined it; rfc 48: the group frame, then the body).
std::string peer_message(SocketType t, const std::string& body) {
  if (letters(t).filter == Filter::kJoins) return wb::radio_message("g", body);
  return wb::message(letters(t).wire_delimited ? Parts{"", body} : Parts{body});
}

// What the raw peer says so that a filtering sender sends to it: a subscription to
// everything in its version's form, or a JOIN of the group prepare() sends in.
std::string ask_for_everything(SocketType t, uint8_t minor) {
  if (letters(t).filter == Filter::kSendsToGroup) return wb::join("g");
  return minor >= 1 ? wb::subscribe("") : wb::subscribe_v30("");
}
bool filters_by_peer(SocketType t) {
  Filter f = letters(t).filter;
  return f == Filter::kPublishes || f == Filter::kSendsToGroup;
}

// Reads and drops what a type hands up of its peers' subscriptions (XPUB).
void drop_handed_up(Lab& lab, Sock* s) {
  if (!letters(s->type()).hands_up_subscriptions) return;
  while (lab.recv(s)) {
  }
}

// The raw peer's side of one connection: what it has read so far, and writes that finish.
class Wire {
 public:
  Wire(Lab& lab, RawPeer* raw) : lab_(lab), raw_(raw) {}

  bool open() {
    return lab_.wait_for([&] { return raw_->open(); }, 20'000);
  }
  void pump() { raw_->read(&in_); }
  bool closed() {
    pump();
    return raw_->closed();
  }
  // Writes all of `bytes`, reading meanwhile; false if the connection closed first.
  bool write(std::string_view bytes) {
    size_t done = 0;
    lab_.wait_for(
        [&] {
          done += raw_->write(bytes.substr(done));
          return done == bytes.size() || closed();
        },
        10'000);
    return done == bytes.size();
  }
  // Writes `bytes` cut at `cuts` (ascending offsets), letting 1 ms pass after each piece so
  // the pieces arrive apart.
  bool write_in_pieces(std::string_view bytes, const std::vector<size_t>& cuts) {
    size_t from = 0;
    for (size_t cut : cuts) {
      if (cut <= from || cut >= bytes.size()) continue;
      if (!write(bytes.substr(from, cut - from))) return false;
      lab_.advance_ms(1);
      from = cut;
    }
    return write(bytes.substr(from));
  }
  wb::Stream stream() {
    pump();
    return wb::parse_stream(in_);
  }
  // Until `done(stream)` or the connection closes; returns done's last answer.
  bool wait(const std::function<bool(const wb::Stream&)>& done, int64_t timeout_ms = 10'000) {
    bool ok = false;
    lab_.wait_for(
        [&] {
          ok = done(stream());
          return ok || raw_->closed();
        },
        timeout_ms);
    return ok;
  }
  bool wait_closed(int64_t timeout_ms) {
    return lab_.wait_for([&] { return closed(); }, timeout_ms);
  }
  // The socket's READY came (after its greeting).
  bool wait_ready(int64_t timeout_ms = 10'000) {
    return wait([](const wb::Stream& s) { return s.has_command("READY"); }, timeout_ms);
  }
  size_t pings_seen() {
    size_t n = 0;
    for (const wb::Frame& f : stream().frames) n += f.command_name() == "PING";
    return n;
  }

 private:
  Lab& lab_;
  RawPeer* raw_;
  std::string in_;
};

// The socket under test on h0, prepared as a property's peer would need it, and the raw peer
// on h1 that speaks to it: the socket binds and the raw peer connects, or (drawn) the raw peer
// listens and the socket connects, so every rule covers both ends of a connect.
struct Placed {
  Sock* socket;
  RawPeer* raw;
};
// `prepared`: the socket gets the test defaults of prepare() (SUB/XSUB take everything).
Placed place(Lab& lab, SocketType t, const std::function<void(Sock*)>& options = {},
             bool prepared = true) {
  Sock* s = lab.socket(0, t);
  if (prepared) prepare(s, t, "");
  if (options) options(s);
  bool binds = *rc::gen::arbitrary<bool>();
  evidence().count(binds ? "socket_binds" : "socket_connects");
  if (socket_type_info(t).draft) evidence().count("draft_type");  // rfc 41, 48, 49: ZMTP 3.1 too
  RC_LOG() << type_str(t) << (binds ? " binds" : " connects") << "\n";
  if (binds) {
    RC_ASSERT(s->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
    return {s, lab.raw_peer(1, 0, kPort)};
  }
  RawPeer* raw = lab.raw_listener(1, kPort);
  RC_ASSERT(s->connect(lab.endpoint(1, kPort)) == Err::kOk);
  return {s, raw};
}

// Proves the connection carries messages: the raw peer (as `t`'s partner) sends one the
// socket delivers, or the socket sends one the raw peer reads. `minor` is the raw peer's
// ZMTP minor version (its form of a subscription).
void expect_traffic(Lab& lab, Sock* s, SocketType t, Wire& w, uint8_t minor = 1) {
  const std::string body = "over-the-wire";
  if (receives_from_peer(t)) {
    RC_ASSERT(w.write(peer_message(t, body)));
    std::optional<Parts> got;
    bool arrived = lab.wait_for([&] { return (got = lab.recv(s)).has_value(); }, 10'000);
    RC_LOG() << type_str(t) << " got " << (arrived ? show(*got) : "nothing") << "\n";
    EXPECT_RULE(arrived, "the raw peer's message at the " << type_str(t) << " within 10 s");
    RC_ASSERT(body_of(t, *got) == std::optional<std::string>(body));
    return;
  }
  if (filters_by_peer(t)) RC_ASSERT(w.write(ask_for_everything(t, minor)));
  auto got_body = [&](const wb::Stream& st) {
    for (const wb::Frame& f : st.frames) {
      if (!f.command && f.body == body) return true;
    }
    return false;
  };
  bool arrived = false;
  bool sent = false;  // PUSH and REQ refuse (EAGAIN) until the handshake attached the peer
  for (int attempt = 0; attempt < 200 && !arrived; ++attempt) {
    // a PUB drops until subscribed, a RADIO until joined
    if (!sent || filters_by_peer(t)) sent = lab.send(s, {body});
    drop_handed_up(lab, s);  // the subscription, handed to an XPUB's application
    arrived = w.wait(got_body, 50);
  }
  RC_LOG() << type_str(t) << "'s message " << (arrived ? "reached" : "never reached")
           << " the raw peer\n";
  EXPECT_RULE(arrived, "the " << type_str(t) << "'s message at the raw peer");
}

// Every message the socket delivers within `ms` (it is not a publisher: nothing to send).
std::vector<Parts> delivered_within(Lab& lab, Sock* s, int64_t ms) {
  std::vector<Parts> out;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(s)) out.push_back(*m);
        return false;
      },
      ms);
  return out;
}

// What the socket says when it refuses: if it sent an ERROR, its reason is one length octet
// and at most 255 characters, nothing after (RFC 23 error-reason = short-size 0*255VCHAR).
void expect_well_formed_error(const wb::Stream& st) {
  for (const wb::Frame& f : st.frames) {
    if (f.command_name() != "ERROR") continue;
    const std::string data = f.command_data();
    RC_LOG() << "ERROR data of " << data.size() << " bytes\n";
    EXPECT_RULE(!data.empty(), "the ERROR command to carry a reason");
    RC_ASSERT(size_t(uint8_t(data[0])) + 1 == data.size());
  }
}

std::string gen_bytes(size_t lo, size_t hi) {
  return *rc::gen::container<std::string>(*rc::gen::inRange(lo, hi + 1),
                                          rc::gen::arbitrary<char>());
}

// --- rule/wire/split-greeting-handshake ---------------------------------------------------
// The raw peer's greeting and READY reach the socket in pieces: cut at one generated byte
// boundary, at a generated set of boundaries, or one byte at a time. The socket still
// answers with its greeting and READY, sends no ERROR, completes one handshake, and the
// connection carries a message.
void split_handshake_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  const std::string out = wb::null_handshake(type_str(partner(t)));
  int mode = *rc::gen::inRange(0, 3);
  std::vector<size_t> cuts;
  if (mode == 0) cuts.push_back(*rc::gen::inRange<size_t>(1, out.size()));
  if (mode == 1) {
    for (size_t i = 1; i < out.size(); ++i) cuts.push_back(i);
  }
  if (mode == 2) {
    cuts = *rc::gen::container<std::vector<size_t>>(*rc::gen::inRange<size_t>(1, 8),
                                                    rc::gen::inRange<size_t>(1, out.size()));
    std::sort(cuts.begin(), cuts.end());
  }
  RC_LOG() << type_str(t) << ", handshake of " << out.size() << " bytes cut at " << show(cuts)
           << "\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection to the " << type_str(t) << " open");
  RC_ASSERT(w.write_in_pieces(out, cuts));
  EXPECT_RULE(w.wait_ready(), "READY from the " << type_str(t));
  wb::Stream st = w.stream();
  EXPECT_RULE(st.greeting.has_value(), "a whole greeting from the " << type_str(t));
  RC_ASSERT(!st.has_command("ERROR"));
  RC_ASSERT(lab.wait_for([&] { return lab.handshakes(s) == 1; }, 5'000));
  expect_traffic(lab, s, t, w);
  EXPECT_RULE(!w.closed(), "the connection open after traffic");
  evidence().count("pieces", int64_t(cuts.size()) + 1);
  evidence().exercised();
}

// --- rule/wire/version-negotiation --------------------------------------------------------
// The raw peer announces ZMTP 3.0 (minor 0) or a higher minor (2..255). The socket accepts
// either (no ERROR, no close) and speaks the lower version: to a 3.0 peer a subscriber sends
// its subscription as a message (0x01 + topic), never a SUBSCRIBE command (3.1 only); to 3.1
// and higher, a SUBSCRIBE command. A publisher takes the peer's form of a subscription and
// sends what matches it, and only that. Every type's connection carries a message.
void version_negotiation_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  uint8_t minor = *rc::gen::oneOf(rc::gen::just<uint8_t>(0), rc::gen::inRange<uint8_t>(2, 255),
                                  rc::gen::just<uint8_t>(255));
  // A higher major version is a higher protocol too (RFC 37: "greater or equal to 3.1").
  uint8_t major = *rc::gen::oneOf(rc::gen::just<uint8_t>(3), rc::gen::just<uint8_t>(3),
                                  rc::gen::inRange<uint8_t>(4, 255));
  if (major > 3) minor = *rc::gen::inRange<uint8_t>(0, 255);
  const bool lower = major == 3 && minor == 0;  // the one version below the socket's own
  std::string topic = *rc::gen::element<std::string>("", "a", "topic", "\x01x");
  RC_LOG() << type_str(t) << " with a ZMTP " << int(major) << "." << int(minor) << " peer, topic '"
           << topic << "'\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(
      lab, t,
      [&](Sock* s) {
        if (subscribes(t)) subscribe(s, t, topic);
      },
      /*prepared=*/!subscribes(t));  // a subscriber subscribes to the drawn topic instead
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection to the " << type_str(t) << " open");
  wire::Greeting hello;
  hello.major = major;
  hello.minor = minor;
  RC_ASSERT(w.write(wb::greeting(hello) + wb::ready_socket_type(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the " << type_str(t) << " to a ZMTP " << int(major) << "."
                                                << int(minor) << " greeting");
  RC_ASSERT(w.stream().greeting->major == 3);
  if (subscribes(t)) {
    // The subscription made before the connection, then one made after it: each in the
    // negotiated form. (A libzmq socket does its work inside API calls: events() is the
    // application polling it meanwhile.)
    const std::string later = topic + "-later";
    for (const std::string& sub : {topic, later}) {
      if (sub == later) subscribe(s, t, later);
      auto form = [&](const wb::Stream& st) -> std::string {
        for (const wb::Frame& f : st.frames) {
          if (f.command_name() == "SUBSCRIBE" && f.command_data() == sub) return "command";
          if (!f.command && f.body == "\x01" + sub) return "message";
        }
        return "";
      };
      RC_ASSERT(w.wait([&](const wb::Stream& st) {
        s->events();
        return !form(st).empty();
      }));
      const std::string got = form(w.stream());
      RC_LOG() << "subscription '" << sub << "' sent as a " << got << "\n";
      RC_ASSERT(got == (lower ? "message" : "command"));
    }
    // The peer publishes in its own framing; what matches the topic is delivered.
    RC_ASSERT(w.write(wb::message({topic + "-match"})));
    std::optional<Parts> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv(s)).has_value(); }, 10'000));
    RC_ASSERT(*got == Parts{topic + "-match"});
    evidence().count(lower ? "v30_subscriber" : "newer_subscriber");
  }
  if (is_publisher(t)) {
    RC_ASSERT(w.write(lower ? wb::subscribe_v30(topic) : wb::subscribe(topic)));
    auto arrived = [&](const std::string& body) {
      return [body](const wb::Stream& st) {
        for (const wb::Frame& f : st.frames) {
          if (!f.command && f.body == body) return true;
        }
        return false;
      };
    };
    bool matched = false;
    for (int attempt = 0; attempt < 200 && !matched; ++attempt) {
      lab.send(s, {"no-match-" + std::string(1, char(0xFE))});  // matches no topic tried
      lab.send(s, {topic + "-match"});
      drop_handed_up(lab, s);
      matched = w.wait(arrived(topic + "-match"), 50);
    }
    EXPECT_RULE(matched, "the message on the matching topic delivered");
    if (!topic.empty()) RC_ASSERT(!arrived("no-match-" + std::string(1, char(0xFE)))(w.stream()));
    evidence().count(lower ? "v30_publisher" : "newer_publisher");
  } else if (!subscribes(t)) {
    expect_traffic(lab, s, t, w, lower ? 0 : 1);
  }
  RC_ASSERT(!w.stream().has_command("ERROR"));
  EXPECT_RULE(!w.closed(), "the connection open after traffic");
  evidence().exercised();
}

// --- rule/wire/ping-pong ------------------------------------------------------------------
// The raw peer sends PING with a TTL and a context of 0..16 bytes, either after the socket's
// READY or in the same write as its own greeting and READY (a peer may send right after its
// READY). The socket answers with a PONG whose data is exactly the context, and the
// connection goes on carrying messages. (Short TTLs, which end a silent connection, are
// rule/wire/heartbeat-timeout's.)
void ping_pong_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  uint16_t ttl_ds =
      *rc::gen::oneOf(rc::gen::just<uint16_t>(0), rc::gen::inRange<uint16_t>(100, 65535),
                      rc::gen::just<uint16_t>(65535));
  // Up to 16 context bytes (RFC 37); a longer one is echoed cut to its first 16, as libzmq
  // and zlab both do, rather than the peer being dropped.
  std::string context = gen_bytes(0, *rc::gen::element<size_t>(16, 40));
  bool with_ready = *rc::gen::arbitrary<bool>();
  RC_LOG() << type_str(t) << ": PING ttl " << ttl_ds << " ds, context of " << context.size()
           << " bytes, " << (with_ready ? "in the write of READY" : "after the handshake") << "\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection to the " << type_str(t) << " open");
  const std::string hello = wb::null_handshake(type_str(partner(t)));
  const std::string ping = wb::ping(ttl_ds, context);
  if (with_ready) {
    RC_ASSERT(w.write(hello + ping));
  } else {
    RC_ASSERT(w.write(hello));
    EXPECT_RULE(w.wait_ready(), "READY from the " << type_str(t));
    RC_ASSERT(w.write(ping));
  }
  auto ponged = [](const wb::Stream& st) { return st.has_command("PONG"); };
  bool answered = w.wait(ponged);
  const wb::Stream st = w.stream();
  RC_LOG() << "socket sent " << show(st.command_names())
           << (w.closed() ? " and closed the connection" : "") << "\n";
  EXPECT_RULE(answered, "a PONG to the PING");
  for (const wb::Frame& f : st.frames) {
    if (f.command_name() == "PONG")
      RC_ASSERT(f.command_data() == context.substr(0, wire::kMaxPingContext));
  }
  expect_traffic(lab, s, t, w);
  EXPECT_RULE(!w.closed(), "the connection open after the PING");
  evidence().count(with_ready ? "ping_with_ready" : "ping_after_handshake");
  evidence().exercised();
}

// --- rule/wire/heartbeat-interval ---------------------------------------------------------
// With ZMQ_HEARTBEAT_IVL the socket sends a PING every interval; its TTL field is
// ZMQ_HEARTBEAT_TTL in deciseconds, rounded down as libzmq does (99 ms is 0, 6553599 ms the
// largest value taken; above it the option is refused and the old value stays). The raw peer
// answers every PING with a PONG; over four intervals at least two PINGs come, never more than
// one per interval (plus one), and the connection stays up.
void heartbeat_interval_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  bool sim = current_transport() == Transport::kSim;
  int ivl_ms = *rc::gen::inRange(sim ? 50 : 100, sim ? 2000 : 400);
  int ttl_ms = *rc::gen::oneOf(rc::gen::inRange(0, 1000), rc::gen::inRange(0, 6553600),
                               rc::gen::element(99, 100, 199, 6553599, 6553600, 7000000));
  bool ttl_taken = ttl_ms <= 6553599;
  RC_LOG() << type_str(t) << ": HEARTBEAT_IVL " << ivl_ms << " ms, HEARTBEAT_TTL " << ttl_ms
           << " ms\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Err ttl_err = Err::kOk;
  Placed p = place(lab, t, [&](Sock* s) {
    RC_ASSERT(s->set_int(opt::kHeartbeatIvl, ivl_ms) == Err::kOk);
    // Late PONGs (latency faults) must not end the connection: the timeout is not this rule's.
    RC_ASSERT(s->set_int(opt::kHeartbeatTimeout, 10 * ivl_ms + 5'000) == Err::kOk);
    ttl_err = s->set_int(opt::kHeartbeatTtl, ttl_ms);
  });
  Sock* s = p.socket;
  RC_LOG() << "ZMQ_HEARTBEAT_TTL set: " << ttl_err << ", reads back "
           << s->get_int(opt::kHeartbeatTtl) << "\n";
  RC_ASSERT((ttl_err == Err::kOk) == ttl_taken);
  const uint16_t want_ttl_ds = ttl_taken ? uint16_t(ttl_ms / 100) : 0;
  RC_ASSERT(s->get_int(opt::kHeartbeatTtl) == want_ttl_ds * 100);
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection to the " << type_str(t) << " open");
  RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the " << type_str(t));
  size_t answered = 0;
  std::vector<int> ttls;
  const int64_t window_ms = 4 * int64_t(ivl_ms);
  const int64_t start_ns = lab.now_ns();
  lab.wait_for(
      [&] {
        const wb::Stream st = w.stream();
        size_t seen = 0;
        for (const wb::Frame& f : st.frames) {
          if (f.command_name() != "PING") continue;
          if (++seen <= answered) continue;
          const std::string data = f.command_data();
          RC_ASSERT(data.size() >= 2u);
          ttls.push_back((uint8_t(data[0]) << 8) | uint8_t(data[1]));
          RC_ASSERT(w.write(wb::pong(data.substr(2))));
          ++answered;
        }
        return w.closed();
      },
      window_ms);
  const int64_t waited_ms = (lab.now_ns() - start_ns) / 1'000'000;
  RC_LOG() << answered << " PINGs in " << waited_ms << " ms, TTLs " << show(ttls) << "\n";
  EXPECT_RULE(!w.closed(), "the connection open while the peer answers PINGs ("
                               << answered << " answered in " << waited_ms << " ms)");
  RC_ASSERT(answered >= 2u);
  RC_ASSERT(int64_t(answered) <= waited_ms / ivl_ms + 1);
  for (int ttl : ttls) RC_ASSERT(ttl == int(want_ttl_ds));
  evidence().count("pings", int64_t(answered));
  evidence().exercised();
}

// --- rule/wire/heartbeat-timeout ----------------------------------------------------------
// A silent peer's connection ends:
//   own timeout: the socket has ZMQ_HEARTBEAT_IVL and ZMQ_HEARTBEAT_TIMEOUT; the raw peer
//     completes the handshake and then never writes. The socket closes the connection no
//     sooner than TIMEOUT after its first PING, and by IVL + TIMEOUT (plus slack).
//   the peer's TTL: the raw peer sends one PING with a TTL of d deciseconds and then never
//     writes; the socket (no heartbeat options) closes no sooner than d/10 s after it and by
//     then plus slack.
// A control that answers (PONG to every PING; a PING every third of the TTL) keeps its
// connection over the same time and longer; and a PING with a TTL of 656 ds or more
// (long_ttl_case) does not end the connection within seconds. Virtual time on the simulator.
// A long TTL (65.6 s and more, past what 16 bits of milliseconds hold) is still that long: the
// connection of a peer that went silent after such a PING stays open for the seconds the case
// watches it. (libzmq 4.3.4 multiplies the TTL by 100 in 16 bits, so 656 ds closes after 64 ms.)
void long_ttl_case(SocketType t) {
  uint16_t ttl_ds =
      *rc::gen::oneOf(rc::gen::inRange<uint16_t>(656, 700), rc::gen::inRange<uint16_t>(656, 65535));
  const int64_t watch_ms = current_transport() == Transport::kSim ? 5'000 : 1'500;
  RC_LOG() << type_str(t) << ", peer's PING TTL " << ttl_ds << " ds, then silent for " << watch_ms
           << " ms\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the socket");
  RC_ASSERT(w.write(wb::ping(ttl_ds)));
  const int64_t start_ns = lab.now_ns();
  lab.wait_for([&] { return w.closed(); }, watch_ms);
  RC_LOG() << (w.closed() ? "closed " : "open ") << (lab.now_ns() - start_ns) / 1'000'000
           << " ms after the PING\n";
  EXPECT_RULE(!w.closed(), "the connection open after the PING");
  evidence().count("long_ttl");
}

void heartbeat_timeout_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  if (*rc::gen::inRange(0, 5) == 0) return long_ttl_case(t);
  bool sim = current_transport() == Transport::kSim;
  bool own = *rc::gen::arbitrary<bool>();
  bool silent = *rc::gen::arbitrary<bool>();
  // Latency faults hold a byte up to 200 ms: timeouts that promise an answer stay above that.
  int ivl_ms = *rc::gen::inRange(100, sim ? 2000 : 300);
  int timeout_ms = *rc::gen::inRange(sim ? 600 : 300, sim ? 5000 : 800);
  // Unset, ZMQ_HEARTBEAT_TIMEOUT is the interval (zmq_setsockopt(3)).
  bool timeout_set = !own || *rc::gen::arbitrary<bool>();
  if (!timeout_set) timeout_ms = ivl_ms = std::max(ivl_ms, sim ? 600 : 300);
  uint16_t ttl_ds = *rc::gen::inRange<uint16_t>(sim ? 6 : 3, sim ? 100 : 10);
  const int64_t slack_ms = sim ? 450 : 300;
  RC_LOG() << type_str(t) << ", "
           << (own ? "HEARTBEAT_IVL " + std::to_string(ivl_ms) + " ms, TIMEOUT " +
                         std::to_string(timeout_ms) + (timeout_set ? " ms" : " ms (unset)")
                   : "peer's PING TTL " + std::to_string(ttl_ds) + " ds")
           << ", peer " << (silent ? "silent" : "answering") << "\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t, [&](Sock* s) {
    if (!own) return;
    RC_ASSERT(s->set_int(opt::kHeartbeatIvl, ivl_ms) == Err::kOk);
    if (timeout_set) RC_ASSERT(s->set_int(opt::kHeartbeatTimeout, timeout_ms) == Err::kOk);
  });
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the socket");
  const int64_t ttl_ms = int64_t(ttl_ds) * 100;
  const int64_t deadline_ms = own ? ivl_ms + timeout_ms : ttl_ms;
  int64_t mark_ns = lab.now_ns();  // the PING that starts the clock
  if (!own) RC_ASSERT(w.write(wb::ping(ttl_ds)));
  size_t answered = 0;
  int64_t last_ping_ns = lab.now_ns();
  bool first_ping = false;
  lab.wait_for(
      [&] {
        if (w.closed()) return true;
        if (own && !first_ping && w.pings_seen() > 0) {
          first_ping = true;
          mark_ns = lab.now_ns();
        }
        if (silent) return false;
        if (own) {
          for (size_t n = w.pings_seen(); answered < n; ++answered) RC_ASSERT(w.write(wb::pong()));
        } else if (lab.now_ns() - last_ping_ns >= ttl_ms * 1'000'000 / 3) {
          RC_ASSERT(w.write(wb::ping(ttl_ds)));
          last_ping_ns = lab.now_ns();
        }
        return false;
      },
      silent ? deadline_ms + slack_ms + 1'000 : 3 * deadline_ms);
  const int64_t after_ms = (lab.now_ns() - mark_ns) / 1'000'000;
  RC_LOG() << (w.closed() ? "closed " : "open ") << after_ms << " ms after "
           << (own ? "the first PING" : "the peer's PING") << " (limit " << deadline_ms << " ms)\n";
  if (!silent) {
    EXPECT_RULE(!w.closed(), "a peer that talks kept (open " << after_ms << " ms after, limit "
                                                             << deadline_ms << " ms)");
    evidence().count("kept_alive");
    return;
  }
  EXPECT_RULE(w.closed(),
              "a silent peer closed (" << after_ms << " ms after, limit " << deadline_ms << " ms)");
  if (own) {
    EXPECT_RULE(first_ping, "the socket's own PING before it closed");
    RC_ASSERT(after_ms + slack_ms >= timeout_ms);
    RC_ASSERT(after_ms <= timeout_ms + slack_ms);
  } else {
    RC_ASSERT(after_ms + slack_ms >= ttl_ms);
    RC_ASSERT(after_ms <= ttl_ms + slack_ms);
  }
  evidence().count(own ? "own_timeout" : "peer_ttl");
  evidence().exercised();
}

// --- rule/wire/error-closes ---------------------------------------------------------------
// The raw peer sends an ERROR command (a reason of 0..255 printable characters, or a reason
// whose length octet claims more than follows), either in place of its READY or after the
// handshake, and a message right behind it. The socket closes the connection and delivers
// nothing sent after the ERROR; refused in the handshake, no handshake is reported.
void error_closes_property() {
  SocketType t = *rc::gen::elementOf(receiving_types());
  bool in_handshake = *rc::gen::arbitrary<bool>();
  bool malformed = *rc::gen::inRange(0, 4) == 0;
  size_t reason_size =
      *rc::gen::oneOf(rc::gen::inRange<size_t>(0, 256), rc::gen::just<size_t>(255));
  std::string reason(reason_size, 'x');
  for (size_t i = 0; i < reason.size(); ++i) reason[i] = char('!' + (i * 7) % 94);  // VCHAR
  std::string error = malformed ? wb::command("ERROR", std::string(1, char(reason_size + 1)) +
                                                           reason.substr(0, reason_size))
                                : wb::error(reason);
  if (malformed && reason_size == 255) error = wb::command("ERROR", std::string(1, char(255)));
  RC_LOG() << type_str(t) << ": " << (malformed ? "malformed " : "") << "ERROR, reason of "
           << reason_size << " bytes, " << (in_handshake ? "in place of READY" : "after READY")
           << "\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  const std::string after = peer_message(t, "after-error");
  if (in_handshake) {
    RC_ASSERT(w.write(wb::greeting("NULL", false) + error + after) || w.closed());
  } else {
    RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
    EXPECT_RULE(w.wait_ready(), "READY from the socket");
    RC_ASSERT(lab.wait_for([&] { return lab.handshakes(s) == 1; }, 5'000));
    RC_ASSERT(w.write(error + after) || w.closed());
  }
  bool closed = w.wait_closed(5'000);
  std::vector<Parts> got = delivered_within(lab, s, 200);
  RC_LOG() << "connection " << (closed ? "closed" : "still open") << ", delivered " << got.size()
           << " messages\n";
  EXPECT_RULE(closed,
              "the connection closed after the peer's ERROR (delivered " << got.size() << ")");
  EXPECT_RULE(got.empty(), "nothing delivered after the ERROR, got " << got.size());
  if (in_handshake) RC_ASSERT(lab.handshakes(s) == 0u);
  evidence().count(in_handshake ? "error_in_handshake" : "error_after_handshake");
  evidence().exercised();
}

// --- rule/wire/metadata-limits ------------------------------------------------------------
// The raw peer's READY carries Socket-Type and one more property:
//   valid: a name of 1..255 characters from the grammar's set, a value of 0..5000 bytes (a
//     READY over 255 bytes travels as a long frame);
//   malformed: an empty name, a value size that claims more than the READY holds, or a name
//     length octet that runs past the end of the READY.
// A valid READY completes the handshake and the connection carries a message. A malformed one
// is refused: the connection closes, no handshake is reported, and the message the raw peer
// writes behind the READY is never delivered (an ERROR, if the socket sends one, is well
// formed).
void metadata_limits_property() {
  SocketType t = *rc::gen::elementOf(wire_types());
  int kind = *rc::gen::inRange(0, 5);  // 0, 1: valid; 2: empty name; 3: value; 4: name length
  static const std::string kNameChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+";
  size_t name_size = *rc::gen::oneOf(rc::gen::inRange<size_t>(1, 256), rc::gen::just<size_t>(255));
  std::string name = "X-";
  while (name.size() < name_size) name += kNameChars[(name.size() * 13) % kNameChars.size()];
  name.resize(name_size);
  std::string value = gen_bytes(0, *rc::gen::element<size_t>(16, 300, 5000));
  std::string body =
      wb::raw_property("Socket-Type", uint32_t(type_str(partner(t)).size()), type_str(partner(t)));
  if (kind <= 1) body += wb::raw_property(name, uint32_t(value.size()), value);
  if (kind == 2) body += wb::raw_property("", uint32_t(value.size()), value);
  if (kind == 3) {
    uint32_t lie = uint32_t(value.size()) + *rc::gen::inRange<uint32_t>(1, 100'000);
    body += wb::raw_property(name, lie, value);
  }
  if (kind == 4) body += std::string(1, char(uint8_t(name_size))) + name.substr(0, name_size / 2);
  const std::string ready = wb::command("READY", body);
  const bool valid = kind <= 1;
  static const char* const kKinds[] = {"a valid property", "a valid property", "an empty name",
                                       "a value size past the end", "a name past the end"};
  RC_LOG() << type_str(t) << ": READY with " << kKinds[kind] << " (name of "
           << (kind == 2 ? 0 : name_size) << ", value of " << value.size() << " bytes)\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  const std::string after = peer_message(t, "after-ready");
  if (valid) {
    RC_ASSERT(w.write(wb::greeting("NULL", false) + ready));
    EXPECT_RULE(w.wait_ready(), "READY from the socket");
    RC_ASSERT(lab.wait_for([&] { return lab.handshakes(s) == 1; }, 5'000));
    expect_traffic(lab, s, t, w);
    RC_ASSERT(!w.stream().has_command("ERROR"));
    evidence().count("valid");
    return;
  }
  // The message follows once the socket has answered (its READY, or the close), not in the
  // READY's own write: libzmq closes a connection whose data arrives in the read that brought
  // the READY, which would hide how it judged the metadata.
  RC_ASSERT(w.write(wb::greeting("NULL", false) + ready) || w.closed());
  w.wait_ready(5'000);
  lab.advance_ms(50);
  if (!w.closed()) RC_ASSERT(w.write(after) || w.closed());
  bool closed = w.wait_closed(5'000);
  std::vector<Parts> got = delivered_within(lab, s, 200);
  RC_LOG() << "connection " << (closed ? "closed" : "still open") << ", socket sent "
           << show(w.stream().command_names()) << ", delivered " << got.size() << "\n";
  EXPECT_RULE(closed,
              "the connection closed for the bad metadata (delivered " << got.size() << ")");
  EXPECT_RULE(got.empty(),
              "nothing delivered from a connection with bad metadata, got " << got.size());
  RC_ASSERT(lab.handshakes(s) == 0u);
  expect_well_formed_error(w.stream());
  evidence().count(kind == 2 ? "empty_name" : kind == 3 ? "value_size_lies" : "name_runs_past_end");
  evidence().exercised();
}

// --- rule/wire/reserved-flags -------------------------------------------------------------
// After the handshake the raw peer sends a frame whose flags octet has some of bits 7-3 set
// (with or without MORE), then a valid message. The frame is never delivered as a message and
// the socket closes the connection (what follows it cannot be trusted to be framed).
void reserved_flags_property() {
  SocketType t = *rc::gen::elementOf(receiving_types());
  uint8_t reserved = uint8_t(*rc::gen::inRange(1, 32) << 3);
  bool more = *rc::gen::arbitrary<bool>();
  RC_LOG() << type_str(t) << ": a frame with flags 0x" << std::hex << int(reserved | more)
           << std::dec << "\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the socket");
  RC_ASSERT(lab.wait_for([&] { return lab.handshakes(s) == 1; }, 5'000));
  std::string bad = letters(t).wire_delimited ? wb::frame("", true) : "";
  bad += wb::raw_frame(uint8_t(reserved | (more ? 1 : 0)), "reserved-flags");
  if (more) bad += wb::frame("tail");
  RC_ASSERT(w.write(bad + peer_message(t, "after")) || w.closed());
  bool closed = w.wait_closed(5'000);
  std::vector<Parts> got = delivered_within(lab, s, 200);
  RC_LOG() << "connection " << (closed ? "closed" : "still open") << ", delivered " << show(got)
           << "\n";
  for (const Parts& m : got) {
    for (const std::string& part : m) RC_ASSERT(part != "reserved-flags");
  }
  EXPECT_RULE(closed, "the connection closed for a frame with reserved flags (delivered "
                          << got.size() << ")");
  evidence().exercised();
}

// --- rule/wire/commands-not-delivered -----------------------------------------------------
// After the handshake the raw peer sends a command a socket that is not a publisher has no
// use for (SUBSCRIBE, CANCEL, or a name no RFC defines) and then a message. The command never
// reaches the application: whatever is delivered is that message (or nothing, if the socket
// refused the command by closing the connection).
void commands_not_delivered_property() {
  SocketType t = *rc::gen::elementOf(receiving_types());
  std::string topic = *rc::gen::element<std::string>("", "topic", "after");
  int which = *rc::gen::inRange(0, 3);
  const std::string cmd = which == 0   ? wb::subscribe(topic)
                          : which == 1 ? wb::cancel(topic)
                                       : wb::command("XMADEUP", topic);
  RC_LOG() << type_str(t) << ": "
           << (which == 0   ? "SUBSCRIBE"
               : which == 1 ? "CANCEL"
                            : "XMADEUP")
           << " '" << topic << "' then a message\n";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Placed p = place(lab, t);
  Sock* s = p.socket;
  Wire w(lab, p.raw);
  EXPECT_RULE(w.open(), "the raw peer's connection open");
  RC_ASSERT(w.write(wb::null_handshake(type_str(partner(t)))));
  EXPECT_RULE(w.wait_ready(), "READY from the socket");
  RC_ASSERT(lab.wait_for([&] { return lab.handshakes(s) == 1; }, 5'000));
  RC_ASSERT(w.write(cmd + peer_message(t, "the-message")) || w.closed());
  std::vector<Parts> got = delivered_within(lab, s, 1'000);
  RC_LOG() << "delivered " << show(got) << (w.closed() ? ", connection closed" : "") << "\n";
  RC_ASSERT(got.size() <= 1u);
  for (const Parts& m : got) RC_ASSERT(body_of(t, m) == std::optional<std::string>("the-message"));
  evidence().count(got.empty() ? "refused" : "ignored");
  evidence().exercised();
}

}  // namespace

void add_wire_rule_properties(std::vector<Property>& out) {
  out.push_back(
      {"rule/wire/split-greeting-handshake", "wire", "connection", split_handshake_property});
  out.push_back(
      {"rule/wire/version-negotiation", "wire", "compatibility", version_negotiation_property});
  out.push_back({"rule/wire/ping-pong", "wire", "connection", ping_pong_property});
  out.push_back(
      {"rule/wire/heartbeat-interval", "wire", "connection", heartbeat_interval_property});
  out.push_back({"rule/wire/heartbeat-timeout", "wire", "connection", heartbeat_timeout_property});
  out.push_back({"rule/wire/error-closes", "wire", "connection", error_closes_property});
  out.push_back({"rule/wire/metadata-limits", "wire", "framing", metadata_limits_property});
  out.push_back({"rule/wire/reserved-flags", "wire", "framing", reserved_flags_property});
  out.push_back(
      {"rule/wire/commands-not-delivered", "wire", "framing", commands_not_delivered_property});
}

}  // namespace zlab::conform
