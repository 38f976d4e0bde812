// Table columns "compatible", "direction" and "pattern" for every built type of the spec table.
#include <algorithm>
#include <utility>

#include "conformance/properties/agent.h"
#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

namespace zlab::conform {
namespace {

// The ZMTP types a peer may be drawn from: those the peers' implementation builds (Debian's
// libzmq has no draft type), so every drawn case can be checked.
std::vector<SocketType> peer_types() { return built_by(peer_impl(), zmtp_types()); }

// compatible: a peer of a listed type completes the handshake and traffic flows; any other
// ZMTP type is refused and never exchanges a message. "Refused" is what RFC 37 promises: the
// connection is dropped (a disconnect on either side), which zlab also reports as a protocol
// failure and libzmq 4.3.4 reports only as a disconnect (no ZMQ_EVENT_HANDSHAKE_FAILED_*), so
// either notification shows the refusal.
void compatible_property(SocketType type) {
  SocketType peer = *rc::gen::elementOf(peer_types());
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  std::vector<SocketType> listed = spec_peers(type);
  bool expect = std::find(listed.begin(), listed.end(), peer) != listed.end();
  Sock* a = lab.socket(0, type);
  Sock* b = lab.socket(1, peer);
  prepare(a, type, "");
  prepare(b, peer, "");
  RC_ASSERT(a->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(b->connect(lab.endpoint(0, 5555)) == Err::kOk);
  auto refused = [&] {
    return lab.protocol_failures(a) + lab.protocol_failures(b) +
               a->monitor_count(monitor::kDisconnected) + b->monitor_count(monitor::kDisconnected) >
           0;
  };
  lab.wait_for([&] { return (lab.handshakes(a) > 0 && lab.handshakes(b) > 0) || refused(); });
  if (expect) {
    RC_ASSERT(lab.handshakes(a) > 0);
    RC_ASSERT(lab.handshakes(b) > 0);
    evidence().count("compatible_pairs");
  } else {
    // A side whose count stands in a TCP connection for the handshake (JeroMQ) cannot show
    // that it refused: only the other side's count, the refusal and the silence are checked.
    for (Sock* s : {a, b}) {
      if (s->handshakes_exact()) {
        RC_ASSERT(lab.handshakes(s) == 0);
      } else {
        evidence().count("handshake_not_observable");
      }
    }
    EXPECT_RULE(refused(), "the incompatible pair refused (no handshake on the sides that count)");
    // Whatever either side tries to send goes nowhere.
    lab.send(a, outgoing(type, "x", ""));
    lab.send(b, outgoing(peer, "x", ""));
    lab.advance_ms(200);
    RC_ASSERT(!lab.recv(a).has_value());
    RC_ASSERT(!lab.recv(b).has_value());
    evidence().count("incompatible_pairs");
  }
  evidence().exercised();
}

// STREAM lists no compatible peer: a ZMTP peer never completes a handshake with it.
void stream_compatible_property() {
  SocketType peer = *rc::gen::elementOf(peer_types());
  Lab lab(gen_world_seed(), 0, 2);
  Sock* a = lab.socket(0, SocketType::kStream);
  Sock* b = lab.socket(1, peer);
  b->set_int(opt::kHandshakeIvl, 500);
  RC_ASSERT(a->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(b->connect(lab.endpoint(0, 5555)) == Err::kOk);
  lab.advance_ms(1500);
  if (!b->handshakes_exact())
    throw Unobservable{"the peer's implementation has no handshake events"};
  RC_ASSERT(lab.handshakes(b) == 0);
  evidence().count("zmtp_peers_refused");
  evidence().exercised();
}

// direction and pattern "send-only"/"receive-only": the other operation is not supported;
// "unidirectional" also means data never flows back from the receiving side.
void direction_property(SocketType type) {
  std::string direction = spec_value(type_name(type), "direction");
  std::string pattern = spec_value(type_name(type), "pattern");
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  SocketType peer = partner(type);
  auto [a, b] = connected_pair(lab, type, peer);
  Err err = Err::kOk;
  // Subscriptions travel asynchronously: when one side publishes, probe until the subscriber
  // has one (bounded), then let the stragglers arrive and drop them.
  auto fans_out = [](SocketType t) { return spec_value(type_name(t), "outgoing") == "fan-out"; };
  Sock* publisher = fans_out(type) ? a : fans_out(peer) ? b : nullptr;
  if (publisher != nullptr) {
    Sock* subscriber = publisher == a ? b : a;
    RC_ASSERT(lab.wait_for([&] {
      lab.send(publisher, {"probe"});
      lab.advance_ms(5);
      return lab.recv(subscriber).has_value();
    }));
    lab.advance_ms(500);
    while (lab.recv(subscriber)) {
    }
    if (publisher == a) {
      while (lab.recv(a)) {
      }  // XPUB: the subscription messages themselves
    }
  }
  if (pattern == "send-only") {
    Msg m;
    RC_ASSERT(a->recv(&m) == Err::kNotSupported);
  }
  if (pattern == "receive-only") {
    Msg m = Msg::copy_of(std::string_view("x"));
    RC_ASSERT(a->send(m, 0) == Err::kNotSupported);
  }
  // The allowed direction(s) carry a message.
  bool a_sends = pattern != "receive-only" && pattern != "receive-send-alternating" &&
                 pattern != "receive-messages-send-subscriptions";
  bool b_sends = direction == "bidirectional" || !a_sends;
  if (type == SocketType::kRep) b_sends = true;  // REP answers a request first
  auto b_to_a = [&] {
    RC_ASSERT(lab.send(b, outgoing(peer, "from-b", "a"), &err));
    lab.wait_for([&] { return a->events() & kPollIn; }, 5000);
    auto got = lab.recv(a);
    EXPECT_RULE(got.has_value(), "b's message at a within 5 s");
    RC_ASSERT(body_of(type, *got) == std::optional<std::string>("from-b"));
  };
  auto a_to_b = [&] {
    RC_ASSERT(lab.send(a, outgoing(type, "from-a", "b"), &err));
    lab.wait_for([&] { return b->events() & kPollIn; }, 5000);
    auto got = lab.recv(b);
    EXPECT_RULE(got.has_value(), "a's message at b within 5 s");
    RC_ASSERT(body_of(peer, *got) == std::optional<std::string>("from-a"));
  };
  // A REQ asks before its REP answers, a CLIENT before its SERVER can answer; everything else
  // may go either way first.
  if (type == SocketType::kReq || (b_sends && a_sends && unaddressed(b))) {
    a_to_b();
    b_to_a();
  } else {
    if (b_sends) b_to_a();
    if (a_sends) a_to_b();
  }
  if (type == SocketType::kXPub) {
    // Subscriptions go upstream, data downstream: a data message the subscribing side sends
    // reaches the XPUB application, never another subscriber.
    Sock* other = lab.socket(1, SocketType::kSub);
    prepare(other, SocketType::kSub, "");
    RC_ASSERT(other->connect(lab.endpoint(0, 5555)) == Err::kOk);
    RC_ASSERT(connected(lab, a, {b, other}));
    lab.advance_ms(100);
    while (lab.recv(a).has_value()) {
    }  // subscription messages
    RC_ASSERT(lab.send(b, {"upstream data"}));
    lab.wait_for([&] { return a->events() & kPollIn; }, 5000);
    auto up = lab.recv(a);
    EXPECT_RULE(up.has_value(), "the upstream message at a within 5 s");
    RC_ASSERT(*up == Parts{"upstream data"});
    RC_ASSERT(!lab.recv(other).has_value());
    evidence().count("upstream_data_not_fanned_out");
  }
  evidence().exercised();
}

// pattern "*-alternating": a generated sequence of sends and receives; every call out of
// turn fails with EFSM, every call in turn succeeds (a model of the state machine).
void alternation_property(SocketType type) {
  bool req = type == SocketType::kReq;
  auto ops = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());  // true: send
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* a = lab.socket(0, type);
  Sock* b = lab.socket(1, partner(type));
  RC_ASSERT(a->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(b->connect(lab.endpoint(0, 5555)) == Err::kOk);
  RC_ASSERT(connected(lab, a, {b}));
  bool my_turn_to_send = req;  // REQ starts by sending, REP by receiving
  int efsm = 0;
  int in_turn = 0;
  for (bool send : ops) {
    if (!req && !my_turn_to_send && !send) {
      // REP waiting for a request: the peer asks first.
      RC_ASSERT(lab.send(b, {"ask"}));
      lab.wait_for([&] { return a->events() & kPollIn; }, 5000);
    }
    if (send) {
      Msg m = Msg::copy_of(std::string_view("s"));
      Err e = a->send(m, 0);
      if (my_turn_to_send) {
        RC_ASSERT(e == Err::kOk);
        ++in_turn;
        my_turn_to_send = false;
        if (req) {  // the REP peer answers
          lab.wait_for([&] { return b->events() & kPollIn; }, 5000);
          RC_ASSERT(lab.recv(b).has_value());
          RC_ASSERT(lab.send(b, {"answer"}));
          lab.wait_for([&] { return a->events() & kPollIn; }, 5000);
        } else {  // REP replied: the REQ peer takes it
          lab.wait_for([&] { return b->events() & kPollIn; }, 5000);
          RC_ASSERT(lab.recv(b).has_value());
        }
      } else {
        RC_ASSERT(e == Err::kFsm);
        ++efsm;
      }
    } else {
      Msg m;
      Err e = a->recv(&m);
      if (!my_turn_to_send) {
        RC_ASSERT(e == Err::kOk);
        ++in_turn;
        my_turn_to_send = true;
      } else {
        RC_ASSERT(e == Err::kFsm);
        ++efsm;
      }
    }
  }
  evidence().count("efsm", efsm);
  evidence().count("in_turn", in_turn);
  if (efsm > 0 && in_turn > 1) evidence().exercised();
}

// pattern "unrestricted": any interleaving of sends and receives is accepted.
void unrestricted_property(SocketType type) {
  auto ops = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  SocketType peer = partner(type);
  auto [a, b] = connected_pair(lab, type, peer);
  int sends = 0;
  int recvs = 0;
  if (unaddressed(a)) {  // a SERVER answers only a client that has spoken
    RC_ASSERT(lab.send(b, outgoing(peer, "hello", "a")));
    RC_ASSERT(lab.wait_for([&] { return lab.recv(a).has_value(); }));
  }
  if (unaddressed(b)) {
    RC_ASSERT(lab.send(a, outgoing(type, "hello", "b")));
    RC_ASSERT(lab.wait_for([&] { return lab.recv(b).has_value(); }));
  }
  for (bool send : ops) {
    if (send) {
      RC_ASSERT(lab.send(a, outgoing(type, "m", "b")));
      ++sends;
    } else {
      RC_ASSERT(lab.send(b, outgoing(peer, "n", "a")));
      lab.wait_for([&] { return a->events() & kPollIn; }, 5000);
      Err err;
      RC_ASSERT(lab.recv(a, &err).has_value());
      ++recvs;
    }
  }
  if (sends > 0 && recvs > 0) evidence().exercised();
}

}  // namespace

void add_compat_direction_properties(std::vector<Property>& out) {
  for (SocketType t : active_types()) {
    std::string name = type_name(t);
    if (t == SocketType::kStream) {
      out.push_back({"socket/STREAM/compatible", name, "compatible", stream_compatible_property});
      continue;
    }
    out.push_back(
        {"socket/" + name + "/compatible", name, "compatible", [t] { compatible_property(t); }});
    out.push_back(
        {"socket/" + name + "/direction", name, "direction", [t] { direction_property(t); }});
    std::string pattern = spec_value(name, "pattern");
    std::function<void()> body;
    if (pattern.ends_with("alternating")) {
      body = [t] { alternation_property(t); };
    } else if (pattern == "unrestricted") {
      body = [t] { unrestricted_property(t); };
    } else {
      body = [t] { direction_property(t); };  // send-only / receive-only / subscriptions
    }
    out.push_back({"socket/" + name + "/pattern", name, "pattern", body});
  }
}

}  // namespace zlab::conform
