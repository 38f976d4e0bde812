// The table cells with no strategy of their own: "n/a" (a type that never sends or never
// receives, PAIR's single peer, XPUB's incoming and XSUB's outgoing which RFC 29 gives a
// strategy the page does not) and "none-stated" (the SUB and REP mute rows the page leaves
// out). What each checks follows the divergence register's strict-spec profile
// (div/X-sockets/routing-na, div/SUB/no-mute-row, div/REP/no-mute-row, div/XSUB/mute-row).
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"

namespace zlab::conform {
namespace {

// A subscription message as XSUB sends it and XPUB receives it (RFC 29).
std::string subscribe_msg(const std::string& topic) { return std::string(1, '\x01') + topic; }

// incoming "n/a" for a send-only type (PUB, PUSH): it never delivers anything, whatever its
// peer sends; recv is refused and POLLIN never rises.
void never_receives_property(SocketType type) {
  // PUB's XSUB peer can send upstream (data and subscriptions); PUSH's PULL cannot send.
  SocketType peer = type == SocketType::kPub ? SocketType::kXSub : partner(type);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [a, b] = connected_pair(lab, type, peer);
  int m = *rc::gen::inRange(0, 10);
  for (int j = 0; j < m && peer == SocketType::kXSub; ++j) {
    RC_ASSERT(lab.send(
        b, {*rc::gen::element(std::string("data"), subscribe_msg("t"), std::string(1, '\x00'))}));
    evidence().count("peer_sent");
  }
  for (int step = 0; step < 50; ++step) {
    lab.advance_ms(10);
    RC_ASSERT((a->events() & kPollIn) == 0u);
  }
  Err err = Err::kOk;
  RC_ASSERT(!lab.recv(a, &err).has_value());
  RC_ASSERT(err == Err::kNotSupported);
  evidence().exercised();
}

// outgoing "n/a" for a receive-only type (SUB, PULL): send is refused, POLLOUT never rises,
// and the peer gets nothing but what the type's rules put on the wire (SUB: subscriptions).
void never_sends_property(SocketType type) {
  SocketType peer = type == SocketType::kSub ? SocketType::kXPub : partner(type);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* a = lab.socket(0, type);
  Sock* b = lab.socket(1, peer);
  if (peer == SocketType::kXPub) b->set_int(opt::kXPubVerbose, 1);
  RC_ASSERT(b->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(a->connect(lab.endpoint(1, 5555)) == Err::kOk);
  RC_ASSERT(connected(lab, a, {b}));
  std::string topic = *rc::gen::container<std::string>(rc::gen::inRange('a', 'z'));
  if (type == SocketType::kSub) RC_ASSERT(a->set_bytes(opt::kSubscribe, topic) == Err::kOk);
  int m = *rc::gen::inRange(1, 10);
  for (int j = 0; j < m; ++j) {
    Err err = Err::kOk;
    RC_ASSERT(!lab.send(a, {"x" + std::to_string(j)}, &err));
    RC_ASSERT(err == Err::kNotSupported);
    RC_ASSERT((a->events() & kPollOut) == 0u);
  }
  if (peer == SocketType::kXPub) {
    std::vector<Parts> got = drain(lab, b);
    RC_ASSERT(got == std::vector<Parts>{{subscribe_msg(topic)}});  // the subscription only
  }
  evidence().count("refused_sends", m);
  evidence().exercised();
}

}  // namespace

// PAIR's and CHANNEL's outgoing and incoming "n/a": one peer, so no strategy: everything goes
// to and comes from the peer that connected first, and a second one connecting takes no part.
void single_peer_cell_property(SocketType type) {
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  auto [a, b] = connected_pair(lab, type, type);
  Sock* intruder = lab.socket(2, type);
  RC_ASSERT(intruder->connect(lab.endpoint(0, 5555)) == Err::kOk);
  lab.advance_ms(300);
  int m = *rc::gen::inRange(1, 30);
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(a, {"a" + std::to_string(j)}));
    RC_ASSERT(lab.send(b, {"b" + std::to_string(j)}));
    lab.send(intruder, {"i" + std::to_string(j)});  // may queue: it has no peer to go to
  }
  // m owed each way: waited for (an agent's I/O thread may be late under load), then drained.
  std::vector<Parts> at_a = drain_owed(lab, a, size_t(m), 30'000);
  std::vector<Parts> at_b = drain_owed(lab, b, size_t(m), 30'000);
  RC_ASSERT(at_a.size() == size_t(m));
  RC_ASSERT(at_b.size() == size_t(m));
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(at_a[size_t(j)] == Parts{"b" + std::to_string(j)});
    RC_ASSERT(at_b[size_t(j)] == Parts{"a" + std::to_string(j)});
  }
  RC_ASSERT(!lab.recv(intruder).has_value());
  evidence().count("messages_each_way", m);
  evidence().exercised();
}

namespace {

// XPUB incoming "n/a" on the page; RFC 29 gives XPUB a fair-queued incoming side (the
// register's strict-spec reading). XPUB must read subscriptions as they arrive to keep its
// filter current, so what it hands the application is arrival order: no subscriber waits
// behind another's backlog, and each subscriber's messages arrive complete, in order, once.
void xpub_incoming_property() {
  int k = *rc::gen::inRange(2, 5);
  int m = *rc::gen::inRange(1, 20);
  auto fan = make_fan(SocketType::kXPub, SocketType::kXSub, k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  drain(lab, fan->hub);  // the subscribe-to-everything each XSUB sent on connecting
  fan->hub->set_int(opt::kXPubVerbose, 1);
  // Peer 0 sends a backlog first; every other peer sends one message afterwards.
  for (int j = 0; j < m; ++j)
    RC_ASSERT(lab.send(fan->spokes[0], {subscribe_msg("0." + std::to_string(j))}));
  lab.advance_ms(300);
  for (int i = 1; i < k; ++i) {
    for (int j = 0; j < m; ++j) {
      RC_ASSERT(lab.send(fan->spokes[size_t(i)],
                         {subscribe_msg(std::to_string(i) + "." + std::to_string(j))}));
    }
  }
  std::map<int, int> next;
  size_t total = 0;
  for (const Parts& got : drain(lab, fan->hub)) {
    RC_ASSERT(got.size() == 1u);
    std::string topic = got.front().substr(1);
    int i = std::stoi(topic.substr(0, topic.find('.')));
    int j = std::stoi(topic.substr(topic.find('.') + 1));
    RC_ASSERT(j == next[i]);  // per peer: complete, in order, once
    ++next[i];
    ++total;
  }
  RC_ASSERT(total == size_t(k * m));
  evidence().max("peers", k);
  evidence().exercised();
}

// XSUB outgoing "n/a" on the page; RFC 29 has XSUB send every message to every publisher.
void xsub_outgoing_property() {
  int k = *rc::gen::inRange(2, 5);
  int m = *rc::gen::inRange(1, 10);
  auto fan = make_fan(SocketType::kXSub, SocketType::kXPub, k, /*hub_binds=*/false);
  Lab& lab = fan->lab;
  for (Sock* s : fan->spokes) {
    s->set_int(opt::kXPubVerbose, 1);
    drain(lab, s);  // the subscribe-to-everything sent on connecting
  }
  for (int j = 0; j < m; ++j)
    RC_ASSERT(lab.send(fan->hub, {subscribe_msg("t" + std::to_string(j))}));
  for (Sock* s : fan->spokes) {
    std::vector<Parts> got = drain(lab, s);
    RC_ASSERT(got.size() == size_t(m));
    for (int j = 0; j < m; ++j)
      RC_ASSERT(got[size_t(j)] == Parts{subscribe_msg("t" + std::to_string(j))});
  }
  evidence().max("publishers", k);
  evidence().exercised();
}

// SUB (and DISH) mute "none-stated": a SUB cannot send, so it has no sending mute state; what
// overflows towards a SUB that does not read is dropped (RFC 29; RFC 48 for DISH), the
// publisher never blocks, another subscriber loses nothing, and what the slow SUB gets is in
// order. Messages are one part (a RADIO sends no other).
void sub_mute_property(SocketType type) {
  int hwm = *rc::gen::inRange(1, 20);
  int m = *rc::gen::inRange(200, 600);
  FanOptions o;
  o.hub_sndhwm = hwm;
  o.spoke_rcvhwm = hwm;
  o.slow_spokes_from = 1;
  o.buffer_bytes = 8192;
  auto fan = make_fan(partner(type), type, 2, /*hub_binds=*/true, o);
  Lab& lab = fan->lab;
  m *= lab.volume_factor();
  Sock* fast = fan->spokes[0];
  Sock* slow = fan->spokes[1];
  await_subscribers(lab, fan->hub, fan->spokes);
  Err err = Err::kOk;
  RC_ASSERT(!lab.send(slow, {"x"}, &err));
  RC_ASSERT(err == Err::kNotSupported);  // no sending, so no sending mute state
  std::string pad(1000, 'p');
  int fast_got = 0;
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(fan->hub, {std::to_string(j) + ":" + pad}));  // never blocks
    RC_ASSERT(lab.wait_for(
        [&] {
          if (!lab.recv(fast)) return false;
          ++fast_got;
          return true;
        },
        2000));
  }
  int slow_got = 0;
  int last = -1;
  for (const Parts& got : drain(lab, slow)) {
    int j = std::stoi(got[0]);
    RC_ASSERT(j > last);
    last = j;
    ++slow_got;
  }
  RC_ASSERT(fast_got == m);
  evidence().count("slow_received", slow_got);
  if (slow_got < m) evidence().exercised();  // the slow subscriber really overflowed
}

// REP mute "none-stated": RFC 28 says only that REP does not block on sending. Requests pile
// up from a DEALER that never reads its replies; every reply send succeeds at once, and the
// replies that do arrive are in order with none twice.
void rep_mute_property() {
  int hwm = *rc::gen::inRange(1, 10);
  int n = *rc::gen::inRange(100, 300);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* rep = lab.socket(0, SocketType::kRep);
  Sock* dealer = lab.socket(1, SocketType::kDealer);
  for (Sock* s : {rep, dealer}) {
    s->set_int(opt::kSndHwm, hwm);
    s->set_int(opt::kRcvHwm, hwm);
    s->set_int(opt::kSndBuf, 4096);
    s->set_int(opt::kRcvBuf, 4096);
  }
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  RC_ASSERT(dealer->connect(lab.endpoint(0, 5555)) == Err::kOk);
  RC_ASSERT(connected(lab, rep, {dealer}));
  std::string pad(2000, 'r');
  int sent = 0;
  int replied = 0;
  for (int step = 0; step < 20 * n && replied < n; ++step) {
    while (sent < n && lab.send(dealer, {"", std::to_string(sent)})) ++sent;
    if (auto req = lab.recv(rep)) {
      Err err = Err::kOk;
      RC_ASSERT(lab.send(rep, {req->back(), pad}, &err));  // never EAGAIN
      ++replied;
    } else {
      lab.advance_ms(1);
    }
  }
  RC_ASSERT(replied == n);
  int got = 0;
  int last = -1;
  for (const Parts& reply : drain(lab, dealer)) {
    RC_ASSERT(reply.size() == 3u);
    RC_ASSERT(reply[0].empty());
    int j = std::stoi(reply[1]);
    RC_ASSERT(j > last);
    last = j;
    ++got;
  }
  evidence().count("replies", n);
  evidence().count("replies_delivered", got);
  // The reply pipe was full at least once (some replies could not be kept).
  if (got < n || rep->dropped_messages() > 0) evidence().exercised();
}

// XSUB mute "drop" (div/XSUB/mute-row). An XPUB reads everything as it arrives (it must, to
// keep its filter current), so XSUB's pipe only fills when the connection stalls: a one-way
// partition XSUB -> XPUB (the simulator's) while XSUB sends. Data messages are the ones that
// can be dropped (zlab's subscriptions bypass the HWM so none is ever lost). Sends never
// block; what arrives is in order; what was dropped is exactly what is missing.
void xsub_mute_property() {
  int hwm = *rc::gen::inRange(1, 20);
  int m = *rc::gen::inRange(50, 300);
  FanOptions o;
  o.hub_sndhwm = hwm;
  o.spoke_rcvhwm = hwm;
  o.buffer_bytes = 8192;
  auto fan = make_fan(SocketType::kXSub, SocketType::kXPub, 1, /*hub_binds=*/false, o);
  Lab& lab = fan->lab;
  Sock* xpub = fan->spokes[0];
  xpub->set_int(opt::kXPubVerbose, 1);
  drain(lab, xpub);
  sim::Network& net = lab.world().net();
  net.set_blocked(sim::HostId(0), sim::HostId(1), true);
  std::string pad(1000, 's');
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(fan->hub, {"d" + std::to_string(j) + ":" + pad}));  // no EAGAIN
    if (j % 8 == 0) lab.advance_ms(1);
  }
  lab.advance_ms(200);
  net.set_blocked(sim::HostId(0), sim::HostId(1), false);
  int got = 0;
  int last = -1;
  for (const Parts& p : drain(lab, xpub)) {
    int j = std::stoi(p[0].substr(1));
    RC_ASSERT(j > last);
    last = j;
    ++got;
  }
  uint64_t dropped = fan->hub->dropped_messages();
  RC_ASSERT(uint64_t(got) + dropped == uint64_t(m));
  evidence().count("dropped", int64_t(dropped));
  if (dropped > 0) evidence().exercised();
}

}  // namespace

void add_table_na_properties(std::vector<Property>& out) {
  // The spec data decides which cells these are: a changed page changes what runs.
  auto add = [&](SocketType t, const char* column, std::function<void()> body) {
    std::string name = type_name(t);
    out.push_back({"socket/" + name + "/" + column, name, column, std::move(body)});
  };
  for (SocketType t : zmtp_types()) {
    std::string name = type_name(t);
    bool sends = spec_value(name, "pattern") != "receive-only";
    bool receives = spec_value(name, "pattern") != "send-only";
    if (spec_value(name, "incoming") == "n/a" && !receives) {
      add(t, "incoming", [t] { never_receives_property(t); });
    }
    if (spec_value(name, "outgoing") == "n/a" && !sends) {
      add(t, "outgoing", [t] { never_sends_property(t); });
    }
  }
  for (SocketType t : zmtp_types()) {  // PAIR, CHANNEL: one peer, no strategy either way
    std::string name = type_name(t);
    if (spec_value(name, "pattern") != "unrestricted") continue;
    if (spec_value(name, "outgoing") == "n/a")
      add(t, "outgoing", [t] { single_peer_cell_property(t); });
    if (spec_value(name, "incoming") == "n/a")
      add(t, "incoming", [t] { single_peer_cell_property(t); });
  }
  if (spec_value("XPUB", "incoming") == "n/a")
    add(SocketType::kXPub, "incoming", xpub_incoming_property);
  if (spec_value("XSUB", "outgoing") == "n/a")
    add(SocketType::kXSub, "outgoing", xsub_outgoing_property);
  for (SocketType t : zmtp_types()) {  // SUB, DISH: receive only, no mute row
    std::string name = type_name(t);
    if (spec_value(name, "mute") == "none-stated" && spec_value(name, "pattern") == "receive-only")
      add(t, "mute", [t] { sub_mute_property(t); });
  }
  if (spec_value("REP", "mute") == "none-stated") add(SocketType::kRep, "mute", rep_mute_property);
  if (spec_value("XSUB", "mute") == "drop") {
    add(SocketType::kXSub, "mute", xsub_mute_property);
    out.back().sim_only = true;  // needs a partition to stall the connection
  }
}

}  // namespace zlab::conform
