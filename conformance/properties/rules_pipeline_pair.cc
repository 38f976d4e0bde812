// PUSH, PULL and PAIR rules, and the general and HWM rules that span types (spec/rules.json).
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/agent.h"
#include "conformance/properties/common.h"
#include "engine/base/metadata.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::conform {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers (candidates for common.h).

// Which connection a received message came from: every message of one connection carries that
// connection's metadata. Each metadata seen is pinned (a Msg holds a reference), so its address
// cannot be reused by a later connection and the numbering stays one per connection.
class PipeTags {
 public:
  int tag(const Metadata* meta) {
    for (size_t i = 0; i < pins_.size(); ++i) {
      if (pins_[i].metadata() == meta) return int(i);
    }
    pins_.emplace_back();
    pins_.back().set_metadata(meta);
    return int(pins_.size() - 1);
  }
  int count() const { return int(pins_.size()); }

 private:
  std::vector<Msg> pins_;
};

// A whole message and the connection (pipe) it came in on; nullopt when none is waiting.
std::optional<std::pair<Parts, int>> recv_tagged(Sock* s, PipeTags& tags) {
  Parts parts;
  int pipe = -1;
  for (;;) {
    Msg m;
    if (s->recv(&m) != Err::kOk) {
      // a started message always has all its parts
      EXPECT_RULE(parts.empty(), "a started message to arrive with all its parts, got "
                                     << parts.size() << " then nothing");
      return std::nullopt;
    }
    if (pipe < 0) pipe = tags.tag(m.metadata());
    parts.emplace_back(m.view());
    if (!s->rcvmore()) break;
  }
  return std::make_pair(std::move(parts), pipe);
}

std::string show(const Parts& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + (parts[i].size() > 24 ? parts[i].substr(0, 24) + "..." : parts[i]) + "\"";
  }
  return out + "]";
}

uint32_t fault_bit(sim::FaultKind k) { return 1u << int(k); }

bool is_publisher(SocketType t) { return t == SocketType::kPub || t == SocketType::kXPub; }

// ---------------------------------------------------------------------------------------------
// rule/PUSH/round-robin: with k PULLs, message j goes to the same peer as message j mod k and
// the first k reach k different peers; once one downstream node is gone (it closed, or the PUSH
// disconnected from it) the rotation goes on exactly over the k-1 that are left, losing nothing.
void push_round_robin_property() {
  int k = *rc::gen::inRange(2, 6);
  int m1 = *rc::gen::inRange(k, 3 * k + 1);
  int m2 = *rc::gen::inRange(k - 1, 3 * k);
  bool hub_binds = *rc::gen::arbitrary<bool>();
  int victim = *rc::gen::inRange(0, k);
  auto fan = make_fan(SocketType::kPush, SocketType::kPull, k, hub_binds);
  Lab& lab = fan->lab;

  // Sends `m` messages tagged from `base`, reads every live spoke, checks exact rotation over
  // the live spokes; returns who got each message.
  auto phase = [&](int base, int m, const std::vector<int>& live) {
    for (int j = 0; j < m; ++j) RC_ASSERT(lab.send(fan->hub, {"m" + std::to_string(base + j)}));
    std::vector<int> went_to(size_t(m), -1);
    int got_total = 0;
    lab.wait_for(
        [&] {
          for (int i : live) {
            while (auto got = lab.recv(fan->spokes[size_t(i)])) {
              RC_ASSERT(got->size() == 1u);
              int j = std::stoi(got->front().substr(1)) - base;
              RC_ASSERT(j >= 0);
              RC_ASSERT(j < m);
              RC_ASSERT(went_to[size_t(j)] == -1);  // once only
              went_to[size_t(j)] = i;
              ++got_total;
            }
          }
          return got_total == m;
        },
        5000);
    RC_ASSERT(got_total == m);  // nothing lost, nothing sent to a node that is gone
    size_t n = live.size();
    std::set<int> first(went_to.begin(), went_to.begin() + std::min<size_t>(n, size_t(m)));
    RC_ASSERT(first.size() == std::min<size_t>(n, size_t(m)));
    for (int j = int(n); j < m; ++j) RC_ASSERT(went_to[size_t(j)] == went_to[size_t(j) % n]);
  };

  std::vector<int> all(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) all[size_t(i)] = i;
  phase(0, m1, all);

  if (hub_binds) {
    uint64_t before = fan->hub->monitor_count(monitor::kDisconnected);
    fan->spokes[size_t(victim)]->close();
    RC_ASSERT(lab.wait_for([&] { return fan->hub->monitor_count(monitor::kDisconnected) > before; },
                           10'000));
    evidence().count("peer_closed");
  } else {
    RC_ASSERT(fan->hub->disconnect(lab.endpoint(uint32_t(victim + 1), 5555)) == Err::kOk);
    evidence().count("push_disconnected");
  }
  std::vector<int> live;
  for (int i = 0; i < k; ++i) {
    if (i != victim) live.push_back(i);
  }
  phase(1000, m2, live);
  evidence().max("peers", k);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/PUSH/block-when-mute and rule/PAIR/block-when-mute (div/connect-before-peer-queues: the
// 4.3 page is followed). Four situations, generated:
//   hwm:       every downstream node is at its HWM: a DONTWAIT send fails with EAGAIN (it would
//              block), keeps failing while nobody reads, and everything accepted arrives;
//   immediate: ZMQ_IMMEDIATE and no connected peer: EAGAIN until a peer is there;
//   queued:    connect()ed to a peer not yet listening, without ZMQ_IMMEDIATE: sends queue and
//              all arrive, in order, once the peer binds;
//   none:      no endpoint at all: EAGAIN.
void block_when_mute_property(SocketType type) {
  SocketType receiver_type = type == SocketType::kPush ? SocketType::kPull : SocketType::kPair;
  int mode = *rc::gen::inRange(0, 4);
  if (mode == 0) {
    int hwm = *rc::gen::inRange(1, 20);
    int k = type == SocketType::kPair ? 1 : *rc::gen::inRange(1, 4);
    FanOptions o;
    o.hub_sndhwm = hwm;
    o.spoke_rcvhwm = hwm;
    o.buffer_bytes = 16384;
    auto fan = make_fan(type, receiver_type, k, /*hub_binds=*/*rc::gen::arbitrary<bool>(), o);
    Lab& lab = fan->lab;
    int sent = 0;
    Err err = Err::kOk;
    // Real loopback buffers grow to megabytes: big messages fill them quickly.
    std::string big(lab.simulated() ? 2000 : 1 << 20, 'x');
    // Fill until sends keep failing even after time has let the network move what it can.
    int idle_passes = 0;
    for (int pass = 0; pass < 200 && idle_passes < 2; ++pass) {
      int before = sent;
      while (sent < 100000) {
        if (!lab.send(fan->hub, {std::to_string(sent), big}, &err)) break;
        ++sent;
        if (sent % 16 == 0) lab.advance_ms(1);
      }
      RC_ASSERT(err == Err::kAgain);  // it would block; nothing was dropped instead
      idle_passes = sent == before ? idle_passes + 1 : 0;
      lab.advance_ms(200);
    }
    RC_ASSERT(idle_passes == 2);
    RC_ASSERT(sent >= hwm);  // at least the pipe's own HWM was taken
    lab.advance_ms(300);     // still mute while nobody reads (real tcp: room may trickle in)
    observe_mute(lab, fan->hub, &sent, [&](int j) { return Parts{std::to_string(j), big}; });
    // Nothing discarded: every accepted message arrives, in order on each peer, once.
    std::vector<int> last(size_t(k), -1);
    int received = 0;
    lab.wait_for([&] {
      for (int i = 0; i < k; ++i) {
        while (auto got = lab.recv(fan->spokes[size_t(i)])) {
          RC_ASSERT(got->size() == 2u);
          int j = std::stoi(got->front());
          RC_ASSERT(j > last[size_t(i)]);
          last[size_t(i)] = j;
          ++received;
        }
      }
      return received == sent;
    });
    RC_ASSERT(received == sent);
    RC_ASSERT(lab.wait_for([&] { return (fan->hub->events() & kPollOut) != 0u; }, 5000));
    RC_ASSERT(lab.send(fan->hub, {"after", big}));
    evidence().count("mute_hwm");
    evidence().max("accepted_before_mute", sent);
    evidence().exercised();
    return;
  }
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* s = lab.socket(0, type);
  Err err = Err::kOk;
  if (mode == 3) {
    RC_ASSERT(!lab.send(s, {"nowhere"}, &err));
    RC_ASSERT(err == Err::kAgain);
    RC_ASSERT((s->events() & kPollOut) == 0u);
    evidence().count("mute_no_endpoint");
    evidence().exercised();
    return;
  }
  bool immediate = mode == 1;
  if (immediate) s->set_int(opt::kImmediate, 1);
  RC_ASSERT(s->connect(lab.endpoint(1, 5555)) == Err::kOk);
  lab.advance_ms(*rc::gen::inRange(0, 300));  // connects are refused meanwhile
  int n = *rc::gen::inRange(1, 20);
  std::vector<std::string> accepted;
  for (int j = 0; j < n; ++j) {
    bool ok = lab.send(s, {"q" + std::to_string(j)}, &err);
    if (immediate) {
      EXPECT_RULE(!ok,
                  "send " << j << " with ZMQ_IMMEDIATE and no completed connection to be refused");
      RC_ASSERT(err == Err::kAgain);
    } else {
      // queued for the peer to come
      EXPECT_RULE(ok, "send " << j
                              << " without ZMQ_IMMEDIATE to be queued for the peer to come (err "
                              << err_name(err) << ")");
      accepted.push_back("q" + std::to_string(j));
    }
  }
  Sock* r = lab.socket(1, receiver_type);
  RC_ASSERT(r->bind("tcp://*:5555") == Err::kOk);
  if (immediate) {
    RC_ASSERT(lab.wait_for([&] { return (s->events() & kPollOut) != 0u; }, 10'000));
    RC_ASSERT(lab.send(s, {"now"}));
    accepted.push_back("now");
  }
  std::vector<std::string> got;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(r)) {
          RC_ASSERT(m->size() == 1u);
          got.push_back(m->front());
        }
        return got.size() >= accepted.size();
      },
      10'000);
  RC_ASSERT(got == accepted);
  evidence().count(immediate ? "mute_immediate_no_peer" : "queued_before_peer");
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/PULL/fair-queue: k PUSH peers with backlogs of different sizes (multipart messages);
// while any two of them still have messages waiting, the PULL has taken the same number from
// each, give or take one; each peer's messages come in the order sent, whole.
void pull_fair_queue_property() {
  int k = *rc::gen::inRange(2, 5);
  auto backlog = *rc::gen::container<std::vector<int>>(size_t(k), rc::gen::inRange(1, 9));
  backlog[0] = std::max(backlog[0], 2);
  int parts = *rc::gen::inRange(1, 4);
  auto fan = make_fan(SocketType::kPull, SocketType::kPush, k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  int total = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < backlog[size_t(i)]; ++j) {
      Parts msg = {std::to_string(i) + ":" + std::to_string(j)};
      for (int p = 1; p < parts; ++p) msg.push_back("part" + std::to_string(p));
      RC_ASSERT(lab.send(fan->spokes[size_t(i)], msg));
      ++total;
    }
  }
  lab.advance_ms(500);
  std::vector<int> taken(size_t(k), 0);
  for (int r = 0; r < total; ++r) {
    auto got = lab.recv(fan->hub);
    EXPECT_RULE(got.has_value(), "message " << r << " of " << total << " at the hub");
    RC_ASSERT(int(got->size()) == parts);
    size_t colon = got->front().find(':');
    int i = std::stoi(got->front().substr(0, colon));
    int j = std::stoi(got->front().substr(colon + 1));
    RC_ASSERT(j == taken[size_t(i)]);  // in order from each peer
    ++taken[size_t(i)];
    for (int a = 0; a < k; ++a) {
      for (int b = 0; b < k; ++b) {
        bool both_waiting =
            taken[size_t(a)] < backlog[size_t(a)] && taken[size_t(b)] < backlog[size_t(b)];
        if (both_waiting) RC_ASSERT(std::abs(taken[size_t(a)] - taken[size_t(b)]) <= 1);
      }
    }
  }
  RC_ASSERT(!lab.recv(fan->hub).has_value());
  evidence().max("senders", k);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/PAIR/single-peer: a PAIR bound with one peer connected, and a second PAIR that connects
// too. The first peer and the bound PAIR exchange generated multipart messages (empty frames,
// frames that look like routing ids or delimiters): each side gets exactly what the other sent,
// frame for frame, in order (no routing, no filtering); the second PAIR gets nothing and
// nothing it sends arrives.
void pair_single_peer_property() {
  auto gen_msgs = [] {
    return *rc::gen::container<std::vector<Parts>>(rc::gen::nonEmpty(rc::gen::container<Parts>(
        rc::gen::element<std::string>("", "a", "b", "x", "\x01", "\0id"))));
  };
  auto a_to_b = gen_msgs();
  auto b_to_a = gen_msgs();
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  auto [a, b] = connected_pair(lab, SocketType::kPair, SocketType::kPair);
  Sock* intruder = lab.socket(2, SocketType::kPair);
  uint64_t handshakes_before = lab.handshakes(a);
  RC_ASSERT(intruder->connect(lab.endpoint(0, 5555)) == Err::kOk);
  bool tried = lab.wait_for(
      [&] {
        return lab.handshakes(a) > handshakes_before || lab.handshakes(intruder) > 0 ||
               intruder->monitor_count(monitor::kDisconnected) > 0;
      },
      5000);
  Err err;
  for (int j = 0; j < 5; ++j) lab.send(intruder, {"intruder"}, &err);
  for (const Parts& m : a_to_b) RC_ASSERT(lab.send(a, m));
  for (const Parts& m : b_to_a) RC_ASSERT(lab.send(b, m));
  std::vector<Parts> at_a;
  std::vector<Parts> at_b;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(a)) at_a.push_back(*m);
        while (auto m = lab.recv(b)) at_b.push_back(*m);
        return at_a.size() >= b_to_a.size() && at_b.size() >= a_to_b.size();
      },
      5000);
  lab.advance_ms(300);
  while (auto m = lab.recv(a)) at_a.push_back(*m);
  while (auto m = lab.recv(b)) at_b.push_back(*m);
  RC_ASSERT(at_a == b_to_a);
  RC_ASSERT(at_b == a_to_b);
  RC_ASSERT(!lab.recv(intruder).has_value());
  evidence().count("frames", int64_t(a_to_b.size() + b_to_a.size()));
  if (tried) {
    evidence().count("second_peer_tried");
    evidence().exercised();
  }
}

// rule/PAIR/second-connection-refused: while the bound PAIR has its peer, a second PAIR's
// connections are terminated (it sees disconnects, and none of its messages arrive, while the
// first peer's do); once the first peer has gone, the second one's connection is kept and its
// messages arrive.
void pair_second_refused_property() {
  bool first_closes = *rc::gen::arbitrary<bool>();  // or disconnects
  int wait_ms = *rc::gen::inRange(100, 1000);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  auto [a, b] = connected_pair(lab, SocketType::kPair, SocketType::kPair);
  Sock* second = lab.socket(2, SocketType::kPair);
  RC_ASSERT(second->connect(lab.endpoint(0, 5555)) == Err::kOk);
  RC_ASSERT(lab.wait_for([&] { return second->monitor_count(monitor::kDisconnected) > 0; },
                         10'000));  // terminated at least once
  int64_t end = lab.now_ns() + int64_t(wait_ms) * 1'000'000;
  int from_first = 0;
  int probe = 0;
  while (lab.now_ns() < end) {
    lab.send(second, {"second"});
    RC_ASSERT(lab.send(b, {"first" + std::to_string(probe++)}));
    lab.advance_ms(20);
    while (auto m = lab.recv(a)) {
      RC_ASSERT(*m != Parts{"second"});  // never while the first peer is there
      ++from_first;
    }
  }
  // The first connection was kept throughout: its messages arrive, if a latency fault longer
  // than the window holds them, after it (the verdict must not hang on the latency drawn).
  RC_ASSERT(lab.wait_for(
      [&] {
        while (auto m = lab.recv(a)) {
          RC_ASSERT(*m != Parts{"second"});
          ++from_first;
        }
        return from_first > 0;
      },
      10'000));
  RC_ASSERT(!lab.recv(second).has_value());
  uint64_t refusals = second->monitor_count(monitor::kDisconnected);
  evidence().max("refusals", int64_t(refusals));
  if (first_closes) {
    b->close();
  } else {
    RC_ASSERT(b->disconnect(lab.endpoint(0, 5555)) == Err::kOk);
  }
  bool through = lab.wait_for(
      [&] {
        lab.send(second, {"second"});
        lab.advance_ms(20);
        while (auto m = lab.recv(a)) {
          if (*m == Parts{"second"}) return true;
        }
        return false;
      },
      20'000);
  EXPECT_RULE(through, "a message through within 20 s");
  RC_ASSERT(lab.send(a, {"welcome"}));
  RC_ASSERT(lab.wait_for(
      [&] {
        auto m = lab.recv(second);
        return m.has_value() && *m == Parts{"welcome"};
      },
      10'000));
  if (refusals > 0) evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/general/one-way-types: PUB and PUSH never receive, SUB and PULL never send: any
// generated sequence of attempts (before and after connecting, parts flagged "more" or not)
// fails with ENOTSUP, the poll flag for the missing direction is never set, and traffic in the
// supported direction still flows afterwards.
void one_way_types_property() {
  SocketType type =
      *rc::gen::element(SocketType::kPub, SocketType::kSub, SocketType::kPush, SocketType::kPull);
  auto attempts = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());
  bool sends = type == SocketType::kPub || type == SocketType::kPush;
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto forbidden = [&](Sock* s, bool more) {
    if (sends) {
      Msg m;
      RC_ASSERT(s->recv(&m) == Err::kNotSupported);
      RC_ASSERT((s->events() & kPollIn) == 0u);
    } else {
      Msg m = Msg::copy_of(std::string_view("x"));
      RC_ASSERT(s->send(m, more ? kSendMore : 0) == Err::kNotSupported);
      RC_ASSERT((s->events() & kPollOut) == 0u);
    }
    evidence().count("enotsup");
  };
  Sock* lone = lab.socket(0, type);
  for (bool more : attempts) forbidden(lone, more);
  SocketType peer = partner(type);
  auto [a, b] = connected_pair(lab, type, peer);
  Sock* sender = sends ? a : b;
  Sock* receiver = sends ? b : a;
  SocketType sender_type = sends ? type : peer;
  if (is_publisher(sender_type)) await_subscribers(lab, sender, {receiver});
  for (size_t j = 0; j < attempts.size(); ++j) {
    forbidden(a, attempts[j]);
    RC_ASSERT(lab.send(sender, {"m" + std::to_string(j)}));
  }
  forbidden(a, false);
  RC_ASSERT(lab.send(sender, {"last"}));
  std::vector<Parts> got;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(receiver)) got.push_back(*m);
        return got.size() == attempts.size() + 1;
      },
      5000);
  RC_ASSERT(got.size() == attempts.size() + 1);
  RC_ASSERT(got.back() == Parts{"last"});
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/general/many-to-many: a socket of a generated type (not PAIR) binds 1-2 endpoints, each
// accepting 1-2 peers, and at the same time connects to 1-2 bound peers: every connection comes
// up and every one of those peers exchanges traffic with it.
void many_to_many_property() {
  SocketType type = *rc::gen::elementOf(rule_types("rule/general/many-to-many"));
  SocketType peer_type = partner(type);
  int binds = *rc::gen::inRange(1, 3);
  auto per_bind = *rc::gen::container<std::vector<int>>(size_t(binds), rc::gen::inRange(1, 3));
  int connects = *rc::gen::inRange(1, 3);
  // A PEER's peers are PEERs, which send only to ids they know: those that connect learn the
  // hub's (zmq_connect_peer); those the hub connected to would not, so a PEER hub only binds.
  if (rule_applies("rule/SERVER/routing-id-required", peer_type)) connects = 0;
  int k = connects;
  for (int n : per_bind) k += n;
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* s = lab.socket(0, type);
  prepare(s, type, "hub");
  for (int e = 0; e < binds; ++e)
    RC_ASSERT(s->bind("tcp://*:" + std::to_string(5555 + e)) == Err::kOk);
  std::vector<Sock*> peers;
  for (int e = 0; e < binds; ++e) {
    for (int n = 0; n < per_bind[size_t(e)]; ++n) {
      Sock* p = lab.socket(uint32_t(peers.size() + 1), peer_type);
      prepare(p, peer_type, "p" + std::to_string(peers.size()));
      RC_ASSERT(p->connect(lab.endpoint(0, 5555 + e)) == Err::kOk);
      peers.push_back(p);
    }
  }
  for (int c = 0; c < connects; ++c) {
    uint32_t host = uint32_t(peers.size() + 1);
    Sock* p = lab.socket(host, peer_type);
    prepare(p, peer_type, "p" + std::to_string(peers.size()));
    RC_ASSERT(p->bind("tcp://*:5555") == Err::kOk);
    RC_ASSERT(s->connect(lab.endpoint(host, 5555)) == Err::kOk);
    peers.push_back(p);
  }
  RC_ASSERT(connected(lab, s, peers));
  std::set<int> heard;
  // The types that spread their messages over their peers send; the others hear from them.
  std::string spreads = spec_value(type_name(type), "outgoing");
  bool socket_sends = spreads == "round-robin" || spreads == "fan-out";
  if (type == SocketType::kReq) {
    for (int round = 0; round < 4 * k && int(heard.size()) < k; ++round) {
      RC_ASSERT(lab.send(s, {"q"}));
      int who = -1;
      lab.wait_for(
          [&] {
            for (int i = 0; i < k; ++i) {
              if (peers[size_t(i)]->events() & kPollIn) who = i;
            }
            return who >= 0;
          },
          5000);
      RC_ASSERT(who >= 0);
      RC_ASSERT(lab.recv(peers[size_t(who)]).has_value());
      heard.insert(who);
      RC_ASSERT(lab.send(peers[size_t(who)], {"r"}));
      RC_ASSERT(lab.wait_for([&] { return lab.recv(s).has_value(); }, 5000));
    }
  } else if (socket_sends) {
    lab.wait_for(
        [&] {
          lab.send(s, outgoing(type, "hello", ""));
          lab.advance_ms(10);
          for (int i = 0; i < k; ++i) {
            while (auto m = lab.recv(peers[size_t(i)])) heard.insert(i);
          }
          if (type == SocketType::kXPub) {
            while (lab.recv(s)) {
            }
          }
          return int(heard.size()) == k;
        },
        20'000);
  } else {
    std::vector<bool> asked(size_t(k), false);
    lab.wait_for(
        [&] {
          for (int i = 0; i < k; ++i) {
            if (heard.count(i) || (peer_type == SocketType::kReq && asked[size_t(i)])) continue;
            lab.send(peers[size_t(i)], outgoing(peer_type, "from" + std::to_string(i), "hub"));
            asked[size_t(i)] = true;
          }
          lab.advance_ms(10);
          while (auto m = lab.recv(s)) {
            auto body = body_of(type, *m);
            EXPECT_RULE(body.has_value(), "a message in the envelope its type uses");
            if (body->rfind("from", 0) == 0) heard.insert(std::stoi(body->substr(4)));
            if (type == SocketType::kRep) RC_ASSERT(lab.send(s, {"ok"}));
          }
          return int(heard.size()) == k;
        },
        20'000);
  }
  RC_ASSERT(int(heard.size()) == k);
  evidence().max("bound_endpoints", binds);
  evidence().max("connected_endpoints", connects);
  evidence().max("peers", k);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/general/queue-while-peer-unavailable: a sender that connect()s (PUSH, DEALER, PAIR, REQ)
// queues what it sends while its peer is not there, either not yet bound (late bind) or gone
// (the peer closed after a first exchange, and the sender saw the disconnect); a peer that
// binds later gets all of it, in order, once, as connection set-up and reconnection happen in
// the background.
void queue_while_unavailable_property() {
  SocketType type = *rc::gen::element(SocketType::kPush, SocketType::kDealer, SocketType::kPair,
                                      SocketType::kReq);
  SocketType peer_type = partner(type);
  bool restart = *rc::gen::arbitrary<bool>();
  int n = type == SocketType::kReq ? 1 : *rc::gen::inRange(1, 30);
  int gap_ms = *rc::gen::inRange(0, 500);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* s = lab.socket(0, type);
  prepare(s, type, "snd");
  RC_ASSERT(s->connect(lab.endpoint(1, 5555)) == Err::kOk);
  auto new_peer = [&] {
    Sock* p = lab.socket(1, peer_type);
    prepare(p, peer_type, "");
    RC_ASSERT(p->bind("tcp://*:5555") == Err::kOk);
    return p;
  };
  if (restart) {
    Sock* first = new_peer();
    RC_ASSERT(connected(lab, s, {first}));
    RC_ASSERT(lab.send(s, outgoing(type, "hello", "")));
    RC_ASSERT(lab.wait_for([&] { return lab.recv(first).has_value(); }, 5000));
    if (type == SocketType::kReq) {
      RC_ASSERT(lab.send(first, {"re"}));
      RC_ASSERT(lab.wait_for([&] { return lab.recv(s).has_value(); }, 5000));
    }
    uint64_t before = s->monitor_count(monitor::kDisconnected);
    first->close();
    RC_ASSERT(
        lab.wait_for([&] { return s->monitor_count(monitor::kDisconnected) > before; }, 10'000));
    evidence().count("peer_gone");
  } else {
    evidence().count("peer_not_yet_bound");
  }
  std::vector<std::string> sent;
  for (int j = 0; j < n; ++j) {
    RC_ASSERT(lab.send(s, outgoing(type, "q" + std::to_string(j), "")));  // queued
    sent.push_back("q" + std::to_string(j));
  }
  lab.advance_ms(gap_ms);
  Sock* p = new_peer();
  std::vector<std::string> got;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(p)) {
          auto body = body_of(peer_type, *m);
          EXPECT_RULE(body.has_value(),
                      "a message in the envelope " << type_name(peer_type) << " uses");
          got.push_back(*body);
        }
        return got.size() >= sent.size();
      },
      10'000);
  lab.advance_ms(200);
  while (auto m = lab.recv(p)) got.push_back(body_of(peer_type, *m).value_or("?"));
  RC_ASSERT(got == sent);
  evidence().max("queued", n);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/hwm/per-pipe: a PUSH or DEALER with k peers, one of which takes nothing, the others
// reading as they go. The stuck peer is either one that never reads (its pipe, its HWM and the
// TCP buffers fill: simulator only, as real loopback buffers grow to megabytes) or one the
// sender connect()ed to that is not listening yet (its pipe alone fills: both transports). The
// sender is never stopped for long (the mute peer is skipped), nothing is lost, and the mute
// peer's pipe holds a bounded number of messages, well below its round-robin share; the absent
// peer's pipe at most its ZMQ_SNDHWM. Under benign faults and slow consumers (which shrink every
// HWM).
void hwm_per_pipe_property() {
  SocketType type = *rc::gen::element(SocketType::kPush, SocketType::kDealer);
  SocketType peer_type = type == SocketType::kPush ? SocketType::kPull : SocketType::kDealer;
  int k = *rc::gen::inRange(2, 5);
  int hwm = *rc::gen::inRange(1, 20);
  bool absent = *rc::gen::arbitrary<bool>() || current_transport() != Transport::kSim;
  int share = absent ? 40 : 250;  // what the stuck peer would get under plain rotation
  int m = k * share;
  uint32_t mask = gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kSlowConsumer));
  std::unique_ptr<Fan> fan;
  Sock* stuck = nullptr;
  std::vector<Sock*> fast;
  if (absent) {
    // Fast peers bound on h1..h(k-1), the absent one's endpoint on hk.
    fan = std::make_unique<Fan>(Fan{Lab(gen_world_seed(), mask, uint32_t(k + 1)), nullptr, {}});
    Lab& lab = fan->lab;
    fan->hub = lab.socket(0, type);
    RC_ASSERT(fan->hub->set_int(opt::kSndHwm, hwm) == Err::kOk);
    for (int i = 0; i + 1 < k; ++i) {
      Sock* p = lab.socket(uint32_t(i + 1), peer_type);
      RC_ASSERT(p->bind("tcp://*:5555") == Err::kOk);
      RC_ASSERT(fan->hub->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
      fast.push_back(p);
    }
    RC_ASSERT(fan->hub->connect(lab.endpoint(uint32_t(k), 5555)) == Err::kOk);
    RC_ASSERT(connected(lab, fan->hub, fast));
    lab.wait_out_faults();
  } else {
    FanOptions o;
    o.hub_sndhwm = hwm;
    o.spoke_rcvhwm = hwm;
    o.slow_spokes_from = k - 1;
    o.buffer_bytes = 8192;
    o.fault_mask = mask;
    fan = make_fan(type, peer_type, k, *rc::gen::arbitrary<bool>(), o);
    stuck = fan->spokes[size_t(k - 1)];
    fast.assign(fan->spokes.begin(), fan->spokes.end() - 1);
  }
  Lab& lab = fan->lab;
  if (lab.faults().has(sim::FaultKind::kSlowConsumer)) evidence().count("slow_consumer_case");
  std::string pad(4000, 'p');
  int fast_got = 0;
  auto read_fast = [&] {
    for (Sock* f : fast) {
      while (lab.recv(f)) ++fast_got;
    }
  };
  for (int j = 0; j < m; ++j) {
    Err err = Err::kOk;
    if (!lab.send(fan->hub, {std::to_string(j), pad}, &err)) {
      RC_ASSERT(err == Err::kAgain);
      evidence().count("eagain_waits");
      // The fast peers catch up, and then the sender may go on: the mute peer does not stop it.
      RC_ASSERT(lab.wait_for(
          [&] {
            read_fast();
            return (fan->hub->events() & kPollOut) != 0u;
          },
          5000));
      RC_ASSERT(lab.send(fan->hub, {std::to_string(j), pad}));
    }
    if (j % 4 == 0) lab.advance_ms(1);
    read_fast();
  }
  if (absent) {
    stuck = lab.socket(uint32_t(k), peer_type);
    RC_ASSERT(stuck->bind("tcp://*:5555") == Err::kOk);
  }
  std::vector<Parts> rest = drain(lab, stuck);
  lab.wait_for(
      [&] {
        read_fast();
        return fast_got + int(rest.size()) >= m;
      },
      5000);
  int stuck_got = int(rest.size());
  RC_LOG() << "stuck peer got " << stuck_got << ", the others " << fast_got << " of " << m << "\n";
  RC_ASSERT(fast_got + stuck_got == m);  // nothing lost
  if (absent) {
    RC_ASSERT(stuck_got >= 1);
    RC_ASSERT(stuck_got <= hwm);  // the pipe to the absent peer held at most its SNDHWM
    evidence().count("absent_peer");
  } else {
    RC_ASSERT(stuck_got < share / 2);  // the mute pipe held a bounded number
    evidence().count("stuck_reader");
  }
  evidence().max("peers", k);
  evidence().max("mute_pipe_held", stuck_got);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/hwm/buffers-by-type: PUB and PUSH only send (receive is not supported and never
// readable), SUB and PULL only receive, REQ/REP/DEALER/ROUTER/PAIR both. A send buffer holds
// what the socket sent while its peer was not reading, until the peer reads it; a receive buffer
// holds what the peer sent while the socket was not reading, even after the peer has gone.
void buffers_by_type_property() {
  SocketType type = *rc::gen::element(SocketType::kPub, SocketType::kPush, SocketType::kSub,
                                      SocketType::kPull, SocketType::kReq, SocketType::kRep,
                                      SocketType::kDealer, SocketType::kRouter, SocketType::kPair);
  SocketType peer_type = partner(type);
  bool alternating = type == SocketType::kReq || type == SocketType::kRep;
  int n = alternating ? 1 : *rc::gen::inRange(1, 20);
  bool has_send = type != SocketType::kSub && type != SocketType::kPull;
  bool has_recv = type != SocketType::kPub && type != SocketType::kPush;
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [a, b] = connected_pair(lab, type, peer_type);
  if (is_publisher(type)) await_subscribers(lab, a, {b});
  if (is_publisher(peer_type)) await_subscribers(lab, b, {a});
  if (!has_recv) {
    Msg m;
    RC_ASSERT(a->recv(&m) == Err::kNotSupported);
    RC_ASSERT((a->events() & kPollIn) == 0u);
  }
  if (!has_send) {
    Msg m = Msg::copy_of(std::string_view("x"));
    RC_ASSERT(a->send(m, 0) == Err::kNotSupported);
  }
  if (type == SocketType::kRep) {  // REP sends a reply: a request first
    RC_ASSERT(lab.send(b, {"ask"}));
    RC_ASSERT(lab.wait_for([&] { return lab.recv(a).has_value(); }, 5000));
  }
  if (has_send) {
    for (int j = 0; j < n; ++j)
      RC_ASSERT(lab.send(a, outgoing(type, "s" + std::to_string(j), "b")));
    lab.advance_ms(300);  // the peer is not reading
    for (int j = 0; j < n; ++j) {
      auto got = lab.recv(b);
      EXPECT_RULE(got.has_value(),
                  "message " << j << " of " << n << " queued on b while the peer was not reading");
      RC_ASSERT(body_of(peer_type, *got) == std::optional<std::string>("s" + std::to_string(j)));
    }
    RC_ASSERT(!lab.recv(b).has_value());
    evidence().count("send_buffer");
  }
  if (has_recv) {
    // (A REQ's request went out above; the REP peer, which has read it, replies now.)
    for (int j = 0; j < n; ++j)
      RC_ASSERT(lab.send(b, outgoing(peer_type, "r" + std::to_string(j), "a")));
    lab.advance_ms(500);  // we are not reading; then the peer goes away
    uint64_t before = a->monitor_count(monitor::kDisconnected);
    b->close();
    RC_ASSERT(
        lab.wait_for([&] { return a->monitor_count(monitor::kDisconnected) > before; }, 10'000));
    for (int j = 0; j < n; ++j) {
      auto got = lab.recv(a);
      EXPECT_RULE(got.has_value(), "message " << j << " of " << n << " on a after the disconnect");
      RC_ASSERT(body_of(type, *got) == std::optional<std::string>("r" + std::to_string(j)));
    }
    RC_ASSERT(!lab.recv(a).has_value());
    evidence().count("receive_buffer");
  }
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/hwm/counted-in-messages: a PUSH, DEALER or PAIR with ZMQ_SNDHWM = h, connected to a peer
// that is not there yet, takes exactly h messages before it would block, whatever their number
// of frames (2-6) and sizes; the peer that binds later gets those h messages, each whole.
void counted_in_messages_property() {
  SocketType type = *rc::gen::element(SocketType::kPush, SocketType::kDealer, SocketType::kPair);
  int hwm = *rc::gen::inRange(1, 30);
  int parts = *rc::gen::inRange(2, 7);
  int size = *rc::gen::inRange(0, 3000);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* s = lab.socket(0, type);
  RC_ASSERT(s->set_int(opt::kSndHwm, hwm) == Err::kOk);
  RC_ASSERT(s->connect(lab.endpoint(1, 5555)) == Err::kOk);
  Parts msg;
  for (int p = 0; p < parts; ++p) msg.push_back(std::string(size_t(size), char('a' + p)));
  int accepted = 0;
  Err err = Err::kOk;
  while (accepted < hwm + 100) {
    msg[0] = std::to_string(accepted) + msg[0];
    bool ok = lab.send(s, msg, &err);
    msg[0] = msg[0].substr(std::to_string(accepted).size());
    if (!ok) break;
    ++accepted;
  }
  RC_ASSERT(err == Err::kAgain);
  RC_ASSERT(accepted == hwm);  // h messages of `parts` frames each: counted as messages
  SocketType peer_type = type == SocketType::kPush ? SocketType::kPull : type;
  Sock* r = lab.socket(1, peer_type);
  RC_ASSERT(r->set_int(opt::kRcvHwm, hwm) == Err::kOk);
  RC_ASSERT(r->bind("tcp://*:5555") == Err::kOk);
  int got = 0;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(r)) {
          RC_ASSERT(int(m->size()) == parts);
          RC_ASSERT(m->front() == std::to_string(got) + std::string(size_t(size), 'a'));
          ++got;
        }
        return got >= accepted;
      },
      10'000);
  RC_ASSERT(got == accepted);
  evidence().max("frames_per_message", parts);
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/hwm/applies-to-existing-pipes: a PUSH, DEALER or PAIR connect()s to a peer that is not
// there yet (its pipe alone holds what is sent: both transports), with some ZMQ_SNDHWM or the
// default, then sets ZMQ_SNDHWM = h: exactly h messages are taken before it would block. Set
// below what is queued, the pipe takes nothing more; the peer that binds later gets the h.
void hwm_applies_to_existing_pipes_property() {
  SocketType type = *rc::gen::element(SocketType::kPush, SocketType::kDealer, SocketType::kPair);
  bool set_before = *rc::gen::arbitrary<bool>();  // or the pipe is made with the default
  int made_with = set_before ? *rc::gen::inRange(1, 300) : 1000;
  int h = *rc::gen::inRange(1, 40);
  int lowered = *rc::gen::inRange(1, h + 1);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* s = lab.socket(0, type);
  if (set_before) RC_ASSERT(s->set_int(opt::kSndHwm, made_with) == Err::kOk);
  RC_ASSERT(s->connect(lab.endpoint(1, 5555)) == Err::kOk);  // the pipe exists from here
  RC_ASSERT(s->set_int(opt::kSndHwm, h) == Err::kOk);
  auto fill = [&](int from) {
    int n = 0;
    Err err = Err::kOk;
    while (n < 2000 && lab.send(s, {std::to_string(from + n)}, &err)) ++n;
    RC_ASSERT(n == 2000 || err == Err::kAgain);
    return n;
  };
  int accepted = fill(0);
  RC_ASSERT(accepted == h);
  RC_ASSERT(s->set_int(opt::kSndHwm, lowered) == Err::kOk);
  RC_ASSERT(fill(accepted) == 0);  // at or above the new mark: mute
  SocketType peer_type = type == SocketType::kPush ? SocketType::kPull : type;
  Sock* r = lab.socket(1, peer_type);
  RC_ASSERT(r->bind("tcp://*:5555") == Err::kOk);
  std::vector<Parts> got;
  lab.wait_for(
      [&] {
        while (auto m = lab.recv(r)) got.push_back(std::move(*m));
        return int(got.size()) >= accepted;
      },
      10'000);
  for (Parts& more : drain(lab, r)) got.push_back(std::move(more));  // nothing beyond them
  RC_ASSERT(int(got.size()) == accepted);
  for (int j = 0; j < accepted; ++j) RC_ASSERT(got[size_t(j)] == Parts{std::to_string(j)});
  evidence().count(set_before ? "made_with_an_hwm" : "made_with_the_default");
  if (made_with < h) evidence().count("raised_after_connect");
  evidence().exercised();
}

// ---------------------------------------------------------------------------------------------
// rule/general/multipart-atomic, rule/general/in-order, rule/general/at-most-once: one sender,
// one receiver, of a generated type pair; generated multipart messages sent across the fault
// window (benign and lossy faults: loss, reset, partition, slow consumers), the receiver reading
// as they come. Whatever arrives is checked; afterwards, traffic flows again.
enum class Delivery { kAtomic, kInOrder, kAtMostOnce };

struct Flow {
  SocketType from;
  SocketType to;
};

const std::vector<Flow>& flows() {
  static const std::vector<Flow> kFlows = {
      {SocketType::kPush, SocketType::kPull},     {SocketType::kPub, SocketType::kSub},
      {SocketType::kXPub, SocketType::kXSub},     {SocketType::kPair, SocketType::kPair},
      {SocketType::kDealer, SocketType::kRouter}, {SocketType::kRouter, SocketType::kDealer},
      {SocketType::kDealer, SocketType::kDealer}, {SocketType::kDealer, SocketType::kRep},
      {SocketType::kPub, SocketType::kXSub},      {SocketType::kXPub, SocketType::kSub}};
  return kFlows;
}

void delivery_property(Delivery rule) {
  Flow flow = *rc::gen::elementOf(flows());
  int m = *rc::gen::inRange(2, 50);
  // Each message: 1-4 frames of generated sizes.
  auto shapes = *rc::gen::container<std::vector<std::vector<int>>>(
      size_t(m), rc::gen::mapcat(rc::gen::inRange(1, 5), [](int frames) {
        return rc::gen::container<std::vector<int>>(size_t(frames), rc::gen::inRange(0, 600));
      }));
  if (shapes[0].size() < 2) shapes[0].push_back(7);  // at least one multipart message
  int burst = *rc::gen::inRange(1, 9);               // messages sent back to back, then time passes
  bool sender_binds = *rc::gen::arbitrary<bool>();
  uint32_t mask = gen_faults(benign_fault_mask() | lossy_fault_mask());
  Lab lab(gen_world_seed(), mask, 2);
  Sock* tx = lab.socket(sender_binds ? 0 : 1, flow.from);
  Sock* rx = lab.socket(sender_binds ? 1 : 0, flow.to);
  prepare(tx, flow.from, "tx");
  prepare(rx, flow.to, "rx");
  Sock* binder = sender_binds ? tx : rx;
  Sock* connecter = sender_binds ? rx : tx;
  RC_ASSERT(binder->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(connecter->connect(lab.endpoint(0, 5555)) == Err::kOk);
  bool lossy = lab.faults().lossy();
  if (lossy) evidence().count("lossy_case");

  // The payload of message j: its first frame names it, the others have generated sizes.
  std::vector<Parts> payload(static_cast<size_t>(m));
  for (int j = 0; j < m; ++j) {
    for (size_t f = 0; f < shapes[size_t(j)].size(); ++f) {
      std::string frame(size_t(shapes[size_t(j)][f]), char('a' + (j + int(f)) % 26));
      payload[size_t(j)].push_back(f == 0 ? "#" + std::to_string(j) + "|" + frame : frame);
    }
  }
  auto wire = [&](const Parts& p) {
    Parts out = p;
    if (flow.from == SocketType::kRouter) out.insert(out.begin(), "rx");
    if (flow.to == SocketType::kRep) out.insert(out.begin(), "");
    return out;
  };
  auto strip = [&](Parts p) {
    if (flow.to == SocketType::kRouter && !p.empty()) p.erase(p.begin());
    return p;
  };

  PipeTags tags;
  std::vector<bool> sent(size_t(m), false);
  std::vector<std::pair<int, int>> arrivals;  // (message, pipe)
  bool rep_owes = false;
  bool recovered = false;
  auto pump = [&] {
    while (lab.recv(tx)) {
    }  // replies, subscriptions: not under test
    for (;;) {
      if (rep_owes) {
        if (!lab.send(rx, {"ok"})) break;
        rep_owes = false;
      }
      auto got = recv_tagged(rx, tags);
      if (!got) break;
      if (flow.to == SocketType::kRep) rep_owes = true;
      Parts p = strip(got->first);
      EXPECT_RULE(!p.empty(), "a message with parts");
      if (p[0] == "probe") continue;
      if (p[0] == "#R") {
        recovered = true;
        continue;
      }
      RC_ASSERT(p[0].size() > 1u);
      RC_ASSERT(p[0][0] == '#');
      int j = std::stoi(p[0].substr(1));
      RC_ASSERT(j >= 0);
      RC_ASSERT(j < m);
      RC_ASSERT(sent[size_t(j)]);  // nothing that was not sent
      if (rule == Delivery::kAtomic) {
        RC_LOG() << "message " << j << " arrived as " << show(p) << ", sent as "
                 << show(payload[size_t(j)]) << "\n";
        RC_ASSERT(p == payload[size_t(j)]);  // all the frames, exactly, or none
      }
      arrivals.emplace_back(j, got->second);
    }
  };

  // Until the first message can get through (subscriptions, ROUTER knowing "rx").
  bool up = lab.wait_for(
      [&] {
        if (flow.from == SocketType::kRouter || is_publisher(flow.from))
          lab.send(tx, wire({"probe"}));
        pump();
        return lab.handshakes(tx) > 0 && lab.handshakes(rx) > 0 &&
               (!(flow.from == SocketType::kRouter || is_publisher(flow.from)) || tags.count() > 0);
      },
      30'000);
  EXPECT_RULE(up, "the flow up within 30 s");
  // Across the fault window (it ends 2 s in), the receiver reading as messages come.
  int64_t step_ms = lab.simulated() ? std::max<int64_t>(1, 2400 * burst / m) : 1;
  int eagain = 0;
  for (int j = 0; j < m; ++j) {
    Err err = Err::kOk;
    if (lab.send(tx, wire(payload[size_t(j)]), &err)) {
      sent[size_t(j)] = true;
    } else {
      RC_ASSERT(err == Err::kAgain);
      ++eagain;
    }
    if ((j + 1) % burst != 0 && j + 1 < m) continue;
    lab.advance_ms(step_ms);
    pump();
  }
  lab.wait_out_faults();
  int64_t quiet_until = lab.now_ns() + 1'500'000'000;
  while (lab.now_ns() < quiet_until) {
    lab.advance_ms(10);
    pump();
  }
  // After the faults, traffic flows again (reconnected, resubscribed).
  lab.wait_for(
      [&] {
        lab.send(tx, wire({"#R"}));
        lab.advance_ms(50);
        pump();
        return recovered;
      },
      30'000);
  EXPECT_RULE(recovered, "the flow back within 30 s");

  int delivered = int(arrivals.size());
  evidence().count("sent", std::count(sent.begin(), sent.end(), true));
  evidence().count("delivered", delivered);
  evidence().count("eagain", eagain);
  evidence().max("pipes", tags.count());
  if (rule == Delivery::kAtomic) {
    int multipart = 0;
    for (auto [j, pipe] : arrivals) multipart += payload[size_t(j)].size() >= 2 ? 1 : 0;
    evidence().count("multipart_delivered", multipart);
    if (multipart > 0) evidence().exercised();
  }
  if (rule == Delivery::kInOrder) {
    std::map<int, int> last;  // pipe -> last message
    bool two_on_a_pipe = false;
    for (auto [j, pipe] : arrivals) {
      auto it = last.find(pipe);
      if (it != last.end()) {
        RC_LOG() << "pipe " << pipe << ": message " << j << " after " << it->second << "\n";
        RC_ASSERT(j > it->second);  // in send order per pipe
        two_on_a_pipe = true;
      }
      last[pipe] = j;
    }
    if (two_on_a_pipe) evidence().exercised();
  }
  if (rule == Delivery::kAtMostOnce) {
    std::set<int> seen;
    for (auto [j, pipe] : arrivals) {
      RC_LOG() << "message " << j << " delivered again\n";
      RC_ASSERT(seen.insert(j).second);  // never twice
    }
    if (delivered > 0) evidence().exercised();
  }
  if (lossy && delivered < std::count(sent.begin(), sent.end(), true))
    evidence().count("lost_in_faults");
}

// ---------------------------------------------------------------------------------------------
// rule/general/socket-type-check (strict-spec: div/general/incompatible-peer-no-error): a raw
// peer (Lab::raw_peer: simulated, real tcp, or to an agent's socket) completes the ZMTP 3.1
// greeting and sends READY with a generated Socket-Type. When the spec table does not list that
// type as a peer of ours (or it is no type at all), we answer with an ERROR command and then close
// the connection; a listed type gets our READY and the connection stays open.
void socket_type_check_property() {
  // Of the types the implementation under test builds (Debian's libzmq has no draft type).
  SocketType type = *rc::gen::elementOf(built_by(impl_under_test(), zmtp_types()));
  std::vector<SocketType> listed = spec_peers(type);
  // The peer's claim: a classic type, or something that is no type at all.
  std::vector<SocketType> unlisted;
  for (SocketType t : zmtp_types()) {
    if (std::find(listed.begin(), listed.end(), t) == listed.end()) unlisted.push_back(t);
  }
  int pick = *rc::gen::inRange(0, 4);
  std::string claim = pick == 0   ? type_name(*rc::gen::elementOf(listed))  // a listed peer
                      : pick == 1 ? *rc::gen::element<std::string>("BOGUS", "ROUTERX", "")
                                  : type_name(*rc::gen::elementOf(unlisted));
  bool expect_ok = false;
  for (SocketType t : listed) expect_ok = expect_ok || type_name(t) == claim;
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* s = lab.socket(0, type);
  RC_ASSERT(s->bind("tcp://*:5555") == Err::kOk);
  lab.advance_ms(1);
  RawPeer* raw = lab.raw_peer(1, 0, 5555);  // a late bind refuses it: it tries again
  RC_ASSERT(lab.wait_for([&] { return raw->open(); }, 20'000));
  std::string out = wire::bytes::null_handshake(claim);
  std::string in;
  size_t written = 0;
  lab.wait_for(
      [&] {
        if (written < out.size()) written += raw->write(std::string_view(out).substr(written));
        raw->read(&in);
        return raw->closed();
      },
      3000);
  bool eof = raw->closed();
  RC_ASSERT(written == out.size());
  RC_ASSERT(in.size() >= 64u);  // the greeting
  const wire::bytes::Stream got = wire::bytes::parse_stream(in);
  const std::vector<wire::bytes::Frame>& frames = got.frames;
  std::vector<std::string> names;
  for (const wire::bytes::Frame& f : frames) names.push_back(f.command_name());
  RC_LOG() << type_name(type) << " given Socket-Type '" << claim
           << "': " << (eof ? "closed" : "open") << ", sent " << show(names) << "\n";
  if (expect_ok) {
    EXPECT_RULE(!eof, "the connection kept open for Socket-Type '" << claim << "'");
    RC_ASSERT(std::find(names.begin(), names.end(), "ERROR") == names.end());
    RC_ASSERT(std::find(names.begin(), names.end(), "READY") != names.end());
    evidence().count("compatible_claims");
  } else {
    // disconnected
    EXPECT_RULE(eof, "the connection closed for the incompatible Socket-Type '" << claim << "'");
    EXPECT_RULE(!names.empty(),
                "a command (ERROR) before the close for Socket-Type '" << claim << "'");
    RC_ASSERT(names.back() == "ERROR");  // an ERROR command, the last thing sent
    // A reason with its length byte, and nothing after it.
    const std::string data = frames.back().command_data();
    wire::Parsed<std::string> reason = wire::parse_error(wire::as_bytes(data));
    EXPECT_RULE(reason.ok(),
                "the ERROR's data to be a reason with its length byte and nothing after it, got "
                    << data.size() << " bytes");
    RC_ASSERT(reason.value->size() + 1 == data.size());
    RC_ASSERT(s->monitor_count(monitor::kHandshakeSucceeded) == 0u);
    evidence().count("incompatible_claims");
    evidence().exercised();
  }
}

}  // namespace

void add_pipeline_pair_rule_properties(std::vector<Property>& out) {
  out.push_back({"rule/PUSH/round-robin", "PUSH", "routing", push_round_robin_property});
  out.push_back({"rule/PUSH/block-when-mute", "PUSH", "mute",
                 [] { block_when_mute_property(SocketType::kPush); }});
  out.push_back({"rule/PULL/fair-queue", "PULL", "routing", pull_fair_queue_property});
  out.push_back({"rule/PAIR/single-peer", "PAIR", "connection", pair_single_peer_property});
  out.push_back(
      {"rule/PAIR/second-connection-refused", "PAIR", "connection", pair_second_refused_property});
  out.push_back({"rule/PAIR/block-when-mute", "PAIR", "mute",
                 [] { block_when_mute_property(SocketType::kPair); }});
  out.push_back({"rule/general/one-way-types", "general", "direction", one_way_types_property});
  out.push_back({"rule/general/many-to-many", "general", "connection", many_to_many_property});
  out.push_back({"rule/general/queue-while-peer-unavailable", "general", "connection",
                 queue_while_unavailable_property});
  out.push_back({"rule/hwm/per-pipe", "hwm", "hwm", hwm_per_pipe_property});
  out.push_back({"rule/hwm/buffers-by-type", "hwm", "hwm", buffers_by_type_property});
  out.push_back({"rule/hwm/counted-in-messages", "hwm", "hwm", counted_in_messages_property});
  out.push_back(
      {"rule/hwm/applies-to-existing-pipes", "hwm", "hwm", hwm_applies_to_existing_pipes_property});
  out.push_back({"rule/general/multipart-atomic", "general", "atomicity",
                 [] { delivery_property(Delivery::kAtomic); }});
  out.push_back({"rule/general/in-order", "general", "delivery",
                 [] { delivery_property(Delivery::kInOrder); }});
  out.push_back({"rule/general/at-most-once", "general", "delivery",
                 [] { delivery_property(Delivery::kAtMostOnce); }});
  out.push_back(
      {"rule/general/socket-type-check", "general", "compatibility", socket_type_check_property});
}

}  // namespace zlab::conform
