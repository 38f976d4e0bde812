// Table columns "outgoing", "incoming" and "mute": the routing strategies, checked exactly.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"

namespace zlab::conform {
// outgoing round-robin: message j goes to the same peer as message j mod k, and the first k
// messages reach k different peers (exact rotation over peers with room).
void round_robin_cell_property(SocketType type) {
  int k = *rc::gen::inRange(2, 6);
  int m = *rc::gen::inRange(k, 4 * k + 1);
  SocketType peer = type == SocketType::kDealer ? SocketType::kDealer : partner(type);
  auto fan = make_fan(type, peer, k, /*hub_binds=*/false);
  Lab& lab = fan->lab;
  std::vector<int> went_to(size_t(m), -1);
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(fan->hub, {"m" + std::to_string(j)}));
    if (type == SocketType::kReq) {  // one request at a time: the REP that got it answers
      int who = -1;
      lab.wait_for([&] {
        for (int i = 0; i < k; ++i) {
          if (fan->spokes[size_t(i)]->events() & kPollIn) who = i;
        }
        return who >= 0;
      });
      RC_ASSERT(who >= 0);
      auto got = lab.recv(fan->spokes[size_t(who)]);
      EXPECT_RULE(got.has_value(), "a message at spoke " << who << " that polled ready");
      RC_ASSERT(*got == Parts{"m" + std::to_string(j)});
      went_to[size_t(j)] = who;
      RC_ASSERT(lab.send(fan->spokes[size_t(who)], {"r"}));
      lab.wait_for([&] { return fan->hub->events() & kPollIn; });
      RC_ASSERT(lab.recv(fan->hub).has_value());
    }
  }
  if (type != SocketType::kReq) {
    // Until all m have come (on real transports an agent's I/O thread may run late), then
    // whatever else arrives in drain()'s lull: a message twice shows there.
    int got_total = 0;
    auto take = [&](int i, const Parts& got) {
      int j = std::stoi(got.back().substr(1));
      RC_ASSERT(went_to[size_t(j)] == -1);  // once only
      went_to[size_t(j)] = i;
      ++got_total;
    };
    lab.wait_for([&] {
      for (int i = 0; i < k; ++i) {
        while (auto got = lab.recv(fan->spokes[size_t(i)])) take(i, *got);
      }
      return got_total == m;
    });
    for (int i = 0; i < k; ++i) {
      for (const Parts& got : drain(lab, fan->spokes[size_t(i)])) take(i, got);
    }
  }
  std::set<int> first(went_to.begin(), went_to.begin() + k);
  RC_ASSERT(first.size() == size_t(k));
  RC_ASSERT(first.count(-1) == 0u);
  for (int j = k; j < m; ++j) RC_ASSERT(went_to[size_t(j)] == went_to[size_t(j % k)]);
  evidence().max("peers", k);
  evidence().exercised();
}

namespace {

// outgoing fan-out: every subscriber that is not muted gets every message, in order.
void fan_out_property(SocketType type) {
  int k = *rc::gen::inRange(2, 6);
  int m = *rc::gen::inRange(1, 50);
  // The first listed peer receives everything: SUB for PUB and XPUB, DISH for RADIO.
  auto fan = make_fan(type, spec_peers(type).front(), k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  await_subscribers(lab, fan->hub, fan->spokes);
  std::vector<Parts> want;
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(fan->hub, {"m" + std::to_string(j)}));
    want.push_back({"m" + std::to_string(j)});
  }
  // Each subscriber's m messages, waited for (not a fixed pause: under load an agent's I/O
  // thread delivers late), then nothing more.
  for (int i = 0; i < k; ++i) {
    RC_ASSERT(drain_owed(lab, fan->spokes[size_t(i)], size_t(m), 30'000) == want);
  }
  evidence().max("subscribers", k);
  evidence().exercised();
}

// REP outgoing last-peer: each reply goes to the client whose request was read last.
void rep_last_peer_property() {
  int k = *rc::gen::inRange(2, 5);
  auto order = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, k));
  auto fan = make_fan(SocketType::kRep, SocketType::kReq, k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  std::set<int> clients;
  for (int c : order) {
    RC_ASSERT(lab.send(fan->spokes[size_t(c)], {"q" + std::to_string(c)}));
    lab.wait_for([&] { return fan->hub->events() & kPollIn; });
    auto q = lab.recv(fan->hub);
    EXPECT_RULE(q.has_value(), "spoke " << c << "'s request at the hub");
    RC_ASSERT(*q == Parts{"q" + std::to_string(c)});
    RC_ASSERT(lab.send(fan->hub, {"a" + std::to_string(c)}));
    lab.wait_for([&] { return fan->spokes[size_t(c)]->events() & kPollIn; });
    for (int i = 0; i < k; ++i) {
      auto got = lab.recv(fan->spokes[size_t(i)]);
      RC_ASSERT(got.has_value() == (i == c));
      if (got) RC_ASSERT(*got == Parts{"a" + std::to_string(c)});
    }
    clients.insert(c);
  }
  evidence().max("clients", int64_t(clients.size()));
  if (clients.size() >= 2) evidence().exercised();
}

// ROUTER outgoing (see text): the first part names the peer; only that peer gets the message.
void router_outgoing_property() {
  int k = *rc::gen::inRange(2, 5);
  auto dests = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, k)));
  auto fan = make_fan(SocketType::kRouter, SocketType::kDealer, k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  for (size_t j = 0; j < dests.size(); ++j) {
    RC_ASSERT(lab.send(fan->hub, {"s" + std::to_string(dests[j]), "m" + std::to_string(j)}));
  }
  for (int i = 0; i < k; ++i) {
    std::vector<Parts> want;
    for (size_t j = 0; j < dests.size(); ++j) {
      if (dests[j] == i) want.push_back({"m" + std::to_string(j)});
    }
    // Waited for, then nothing more (drain_owed), rather than read after a fixed pause.
    RC_ASSERT(drain_owed(lab, fan->spokes[size_t(i)], want.size(), 30'000) == want);
  }
  evidence().exercised();
}

}  // namespace

// incoming fair-queued: k senders each with a backlog of n messages; while all have backlog
// the receiver takes exactly one message from each in every round of k.
void fair_queue_cell_property(SocketType type) {
  int k = *rc::gen::inRange(2, 5);
  int n = *rc::gen::inRange(2, 10);
  // DEALER where it is compatible (it sends without an envelope), else the first listed peer.
  std::vector<SocketType> peers = spec_peers(type);
  SocketType sender = std::count(peers.begin(), peers.end(), SocketType::kDealer) > 0
                          ? SocketType::kDealer
                          : peers.front();
  auto fan = make_fan(type, sender, k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  bool publishes = spec_value(type_name(sender), "outgoing") == "fan-out";
  if (publishes) {  // until the subscription (or the join) has reached every publisher
    std::set<int> heard;
    RC_ASSERT(lab.wait_for([&] {
      for (int i = 0; i < k; ++i) lab.send(fan->spokes[size_t(i)], {"p" + std::to_string(i)});
      lab.advance_ms(5);
      while (auto got = lab.recv(fan->hub)) heard.insert(std::stoi(got->back().substr(1)));
      return int(heard.size()) == k;
    }));
    drain(lab, fan->hub);  // probes still on their way
  }
  greet_if_unaddressed(lab, fan->hub, fan->spokes);
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < n; ++j) {
      Parts msg = {"s" + std::to_string(i)};
      if (type == SocketType::kRep) msg.insert(msg.begin(), "");
      RC_ASSERT(lab.send(fan->spokes[size_t(i)], msg));
    }
  }
  lab.advance_ms(500);
  std::vector<int> from;
  for (int r = 0; r < k * n; ++r) {
    auto got = lab.recv(fan->hub);
    EXPECT_RULE(got.has_value(), "message " << r << " of " << k * n << " at the hub");
    from.push_back(std::stoi(got->back().substr(1)));
    if (type == SocketType::kRep) RC_ASSERT(lab.send(fan->hub, {"ok"}));
  }
  std::ostringstream order;  // the senders in the order the hub took them, for the message
  for (int f : from) order << f << ' ';
  for (int round = 0; round < n; ++round) {
    std::set<int> in_round(from.begin() + round * k, from.begin() + (round + 1) * k);
    EXPECT_RULE(in_round.size() == size_t(k), "one message from each of the "
                                                  << k << " senders in round " << round
                                                  << " (senders in the order taken: " << order.str()
                                                  << ")");
  }
  evidence().max("senders", k);
  evidence().exercised();
}

namespace {

// REQ incoming last-peer: the reply taken is the one from the peer the request went to.
void req_last_peer_property() {
  int k = *rc::gen::inRange(2, 5);
  int m = *rc::gen::inRange(2, 10);
  auto fan = make_fan(SocketType::kReq, SocketType::kRep, k, /*hub_binds=*/false);
  Lab& lab = fan->lab;
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(fan->hub, {"q"}));
    int who = -1;
    lab.wait_for([&] {
      for (int i = 0; i < k; ++i) {
        if (fan->spokes[size_t(i)]->events() & kPollIn) who = i;
      }
      return who >= 0;
    });
    RC_ASSERT(who >= 0);
    RC_ASSERT(lab.recv(fan->spokes[size_t(who)]).has_value());
    RC_ASSERT(lab.send(fan->spokes[size_t(who)], {"from" + std::to_string(who)}));
    lab.wait_for([&] { return fan->hub->events() & kPollIn; });
    auto reply = lab.recv(fan->hub);
    EXPECT_RULE(reply.has_value(), "spoke " << who << "'s message at the hub");
    RC_ASSERT(*reply == Parts{"from" + std::to_string(who)});
  }
  evidence().exercised();
}

}  // namespace

// mute "block": once every peer is at its HWM a DONTWAIT send fails with EAGAIN, nothing
// sent is lost, and sending resumes once the peers drain.
void mute_block_cell_property(SocketType type) {
  int hwm = *rc::gen::inRange(1, 20);
  // A receive-only type (PULL, GATHER) is muted from its sending partner's side.
  bool receive_only = spec_value(type_name(type), "pattern") == "receive-only";
  SocketType sender_type = receive_only ? partner(type) : type;
  // A type with no outgoing strategy (PAIR, CHANNEL) has one peer.
  int k = spec_value(type_name(sender_type), "outgoing") == "n/a" ? 1 : *rc::gen::inRange(1, 4);
  SocketType receiver_type = receive_only                  ? type
                             : type == SocketType::kDealer ? SocketType::kDealer
                                                           : partner(type);
  FanOptions o;
  o.hub_sndhwm = hwm;
  o.spoke_rcvhwm = hwm;
  o.buffer_bytes = 16384;
  auto fan = make_fan(sender_type, receiver_type, k, /*hub_binds=*/false, o);
  Lab& lab = fan->lab;
  int sent = 0;
  Err err = Err::kOk;
  std::string big(2000, 'x');  // big enough that the transport's buffers fill too
  auto message = [&](int j) { return Parts{std::to_string(j) + ":" + big}; };
  while (sent < 200000) {
    if (!lab.send(fan->hub, message(sent), &err)) break;
    ++sent;
    if (sent % 16 == 0) lab.advance_ms(1);
  }
  RC_ASSERT(err == Err::kAgain);
  observe_mute(lab, fan->hub, &sent, message);  // and events() agrees
  evidence().count("eagain");
  int received = 0;
  lab.wait_for([&] {
    for (Sock* s : fan->spokes) {
      while (lab.recv(s)) ++received;
    }
    return received == sent;
  });
  RC_ASSERT(received == sent);  // nothing lost
  // Room again. On real transports the hub hears of it from its I/O thread: wait for that.
  RC_ASSERT(lab.wait_for([&] { return (fan->hub->events() & kPollOut) != 0u; },
                         lab.simulated() ? 0 : 5000));
  evidence().exercised();
}

namespace {

// REQ mute "block": with ZMQ_IMMEDIATE and no service a send would block (EAGAIN), and
// succeeds once a service is there.
void req_mute_property() {
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* req = lab.socket(0, SocketType::kReq);
  req->set_int(opt::kImmediate, 1);
  RC_ASSERT(req->connect(lab.endpoint(1, 5555)) == Err::kOk);
  Err err = Err::kOk;
  RC_ASSERT(!lab.send(req, {"q"}, &err));
  RC_ASSERT(err == Err::kAgain);
  Sock* rep = lab.socket(1, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(lab.wait_for([&] { return req->events() & kPollOut; }));
  RC_ASSERT(lab.send(req, {"q"}));
  evidence().exercised();
}

}  // namespace

// mute "drop": a subscriber (or ROUTER peer) at its HWM loses exactly the messages sent
// while it is muted, they are counted, and the sender never blocks; a peer that keeps up (it
// reads each message before the next is sent) loses nothing.
void mute_drop_cell_property(SocketType type) {
  int hwm = *rc::gen::inRange(1, 20);
  // Enough to fill the slow peer's path (TCP buffers of 256 KB on an accepted connection, the
  // pipes, the codec's batch) several times over: the mute state must come, whatever the sizes.
  int m = *rc::gen::inRange(1500, 4000);
  bool router = type == SocketType::kRouter;
  FanOptions o;
  o.hub_sndhwm = hwm;
  o.spoke_rcvhwm = hwm;
  o.slow_spokes_from = 1;
  o.buffer_bytes = 8192;  // the slow peer's backlog reaches the HWM after some tens of KB
  auto fan = make_fan(type, router ? SocketType::kDealer : spec_peers(type).front(), 2,
                      /*hub_binds=*/true, o);
  Lab& lab = fan->lab;
  m *= lab.volume_factor();
  Sock* fast = fan->spokes[0];
  Sock* slow = fan->spokes[1];
  if (!router) await_subscribers(lab, fan->hub, fan->spokes);
  std::string pad(1000, 'p');
  int fast_got = 0;
  int to_fast = 0;
  int64_t sending_since = lab.now_ns();
  for (int j = 0; j < m; ++j) {
    bool for_fast = !router || j % 2 == 0;
    // One part where the type sends single parts only (RADIO): the number leads the pad.
    Parts msg = {std::to_string(j) + ":" + pad};
    if (router) msg = {for_fast ? "s0" : "s1", std::to_string(j), pad};
    RC_ASSERT(lab.send(fan->hub, msg));  // never blocks
    if (!for_fast) continue;
    ++to_fast;
    RC_ASSERT(lab.wait_for(
        [&] {
          if (!lab.recv(fast)) return false;
          ++fast_got;
          return true;
        },
        2000));
  }
  int to_slow = router ? m / 2 : m;
  int slow_got = 0;
  int last = -1;
  uint64_t dropped = fan->hub->dropped_messages();
  // What was neither dropped nor read is still owed to the slow peer: wait for it at least as
  // long as that peer sat full (TCP's retransmission backoff: drain_owed).
  size_t owed = dropped < uint64_t(to_slow) ? size_t(uint64_t(to_slow) - dropped) : 0;
  int64_t full_ms = (lab.now_ns() - sending_since) / 1'000'000;
  for (const Parts& got : drain_owed(lab, slow, owed, 20'000 + full_ms)) {
    int j = std::stoi(got[0]);
    RC_ASSERT(j > last);  // order kept, gaps allowed
    last = j;
    ++slow_got;
  }
  RC_ASSERT(fan->hub->dropped_messages() == dropped);  // nothing was sent since
  RC_ASSERT(fast_got == to_fast);                      // the peer that kept up lost nothing
  RC_ASSERT(uint64_t(slow_got) + dropped == uint64_t(to_slow));
  evidence().count("dropped", int64_t(dropped));
  evidence().count("sent_to_slow", to_slow);
  evidence().count("slow_received", slow_got);
  if (dropped > 0) evidence().exercised();
}

void add_routing_properties(std::vector<Property>& out) {
  auto add = [&](SocketType t, const char* column, std::function<void()> body) {
    std::string name = type_name(t);
    out.push_back({"socket/" + name + "/" + column, name, column, std::move(body)});
  };
  for (SocketType t : zmtp_types()) {
    std::string name = type_name(t);
    std::string outgoing = spec_value(name, "outgoing");
    std::string incoming = spec_value(name, "incoming");
    std::string mute = spec_value(name, "mute");
    if (outgoing == "round-robin") add(t, "outgoing", [t] { round_robin_cell_property(t); });
    if (outgoing == "fan-out") add(t, "outgoing", [t] { fan_out_property(t); });
    if (outgoing == "last-peer") add(t, "outgoing", rep_last_peer_property);
    if (outgoing == "see-text" && t == SocketType::kRouter)
      add(t, "outgoing", router_outgoing_property);
    if (incoming == "fair-queued") add(t, "incoming", [t] { fair_queue_cell_property(t); });
    if (incoming == "last-peer") add(t, "incoming", req_last_peer_property);
    if (mute == "block") {
      if (t == SocketType::kReq) {
        add(t, "mute", req_mute_property);
      } else {
        add(t, "mute", [t] { mute_block_cell_property(t); });
      }
    }
    if (mute == "drop" && (outgoing == "fan-out" || t == SocketType::kRouter)) {
      add(t, "mute", [t] { mute_drop_cell_property(t); });
    }
  }
}

}  // namespace zlab::conform
