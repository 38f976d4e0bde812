// Rules of the socket options that change routing and mute behaviour (zmq_setsockopt(3),
// spec/rules.json): ZMQ_ROUTER_HANDOVER, ZMQ_PROBE_ROUTER, ZMQ_CONFLATE, ZMQ_IMMEDIATE,
// ZMQ_REQ_RELAXED, ZMQ_REQ_CORRELATE, ZMQ_XPUB_WELCOME_MSG, ZMQ_INVERT_MATCHING.
//
// Each property sets the option before it binds or connects, drives the sockets through the
// situation the option is about, and checks what each application sees, message by message.
// The fault draw is benign: these rules promise exact outcomes (which peer, which message).
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

namespace zlab::conform {
namespace {

constexpr int kRoomyHwm = 10'000;

std::string numbered(const std::string& t, int j) { return t + ":" + std::to_string(j); }

// A routing id a DEALER announces: never empty, never starting with a zero byte (reserved).
std::string gen_routing_id() {
  auto tail = *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 10),
                                               rc::gen::arbitrary<char>());
  return std::string(1, *rc::gen::inRange<char>(1, 127)) + tail;
}

// --- rule/ROUTER/duplicate-id-refused and rule/ROUTER/handover-takes-id -------------------
// A ROUTER on h0 knows a "holder" DEALER (h1) by routing id X and 0..2 other DEALERs by other
// ids. A "newcomer" DEALER (h2) then connects announcing X too. Once the ROUTER has done the
// newcomer's handshake, the newcomer sends n messages and the ROUTER sends m messages to X.
//   handover off: the newcomer is refused: none of its messages reaches the ROUTER, none of
//     the ROUTER's reaches it; X still names the holder, which gets all m and whose later
//     messages still arrive under X.
//   handover on: the newcomer takes X: its n messages arrive under X, it gets all m, the
//     holder gets none and its connection is closed (its reconnect is off, so it stays gone).
// The other peers keep their own ids and get nothing meant for X.
void duplicate_id_case(bool handover) {
  int others = *rc::gen::inRange(0, 3);
  int n = *rc::gen::inRange(1, 6);
  int m = *rc::gen::inRange(1, 6);
  bool explicit_off = *rc::gen::arbitrary<bool>();  // off by default, or set to 0
  std::string x = gen_routing_id();
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(3 + others));
  Sock* router = lab.socket(0, SocketType::kRouter);
  if (handover || explicit_off) {
    RC_ASSERT(router->set_int(opt::kRouterHandover, handover ? 1 : 0) == Err::kOk);
  }
  RC_ASSERT(router->bind("tcp://*:5555") == Err::kOk);
  auto dealer = [&](uint32_t host, const std::string& id) {
    Sock* d = lab.socket(host, SocketType::kDealer);
    RC_ASSERT(d->set_bytes(opt::kRoutingId, id) == Err::kOk);
    return d;
  };
  Sock* holder = dealer(1, x);
  std::vector<Sock*> rest;
  for (int i = 0; i < others; ++i)
    rest.push_back(dealer(uint32_t(3 + i), "other" + x + char('0' + i)));
  RC_ASSERT(holder->connect(lab.endpoint(0, 5555)) == Err::kOk);
  for (Sock* o : rest) RC_ASSERT(o->connect(lab.endpoint(0, 5555)) == Err::kOk);
  std::vector<Sock*> known = rest;
  known.push_back(holder);
  RC_ASSERT(connected(lab, router, known));
  // Once connected (a late bind needs retries), a link the ROUTER closes stays closed.
  RC_ASSERT(holder->set_int(opt::kReconnectIvl, -1) == Err::kOk);
  // The holder's hello arrives under X: X is taken before the newcomer comes.
  RC_ASSERT(lab.send(holder, {"hello"}));
  RC_ASSERT(lab.wait_for([&] { return router->events() & kPollIn; }));
  RC_ASSERT(lab.recv(router) == Parts({x, "hello"}));

  Sock* newcomer = dealer(2, x);
  RC_ASSERT(newcomer->connect(lab.endpoint(0, 5555)) == Err::kOk);
  uint64_t before = known.size();
  RC_ASSERT(lab.wait_for([&] { return lab.handshakes(router) > before; }));
  evidence().exercised();  // the ROUTER met a second peer announcing X
  for (int j = 0; j < n; ++j) RC_ASSERT(lab.send(newcomer, {numbered("new", j)}));
  if (handover) {
    // The new connection takes X once the ROUTER has seen it; wait for its first message.
    RC_ASSERT(lab.wait_for([&] { return router->events() & kPollIn; }));
  } else {
    lab.advance_ms(300);  // time for anything of the newcomer's to arrive (none should)
  }
  for (int j = 0; j < m; ++j) RC_ASSERT(lab.send(router, {x, numbered("to", j)}));
  if (!handover) RC_ASSERT(lab.send(holder, {"still-here"}));

  auto at_router = drain(lab, router);
  auto at_holder = drain(lab, holder);
  auto at_newcomer = drain(lab, newcomer);
  for (const Parts& p : at_router) RC_ASSERT(p.size() == 2u && p[0] == x);
  std::vector<Parts> expect_to;
  for (int j = 0; j < m; ++j) expect_to.push_back({numbered("to", j)});
  if (handover) {
    std::vector<Parts> expect_new;
    for (int j = 0; j < n; ++j) expect_new.push_back({x, numbered("new", j)});
    RC_ASSERT(at_router == expect_new);
    RC_ASSERT(at_newcomer == expect_to);
    EXPECT_RULE(at_holder.empty(), "nothing for the holder of the taken routing id, got "
                                       << at_holder.size() << " messages");
    RC_ASSERT(holder->monitor_count(monitor::kDisconnected) > 0u);  // the old link is closed
    evidence().count("handed_over");
  } else {
    RC_ASSERT(at_router == std::vector<Parts>({{x, "still-here"}}));
    RC_ASSERT(at_holder == expect_to);
    EXPECT_RULE(at_newcomer.empty(), "nothing for the newcomer refused the routing id, got "
                                         << at_newcomer.size() << " messages");
    evidence().count("refused");
  }
  for (Sock* o : rest) RC_ASSERT(drain(lab, o).empty());
  evidence().max("other_peers", others);
}

void duplicate_id_refused_property() { duplicate_id_case(false); }
void handover_takes_id_property() { duplicate_id_case(true); }

// --- rule/ROUTER/probe-router --------------------------------------------------------------
// 1..3 peers (REQ, DEALER or ROUTER, each with ZMQ_PROBE_ROUTER and a routing id) and a ROUTER
// hub; either the hub binds and the peers connect, or the peers bind (the probe then goes out
// on an accepted connection) and the hub connects. Each peer then sends one message (a
// connecting REQ or DEALER at once, before its connection is up; the others once connected).
// The hub's first message from each peer is [id, ""], exactly once, then the peer's message.
// Then, maybe, every connection is closed and made again: one more probe from each peer.
void probe_router_property() {
  int k = *rc::gen::inRange(1, 4);
  bool hub_binds = *rc::gen::arbitrary<bool>();
  bool again = *rc::gen::arbitrary<bool>();
  std::vector<SocketType> types;
  for (int i = 0; i < k; ++i) {
    types.push_back(*rc::gen::element(SocketType::kReq, SocketType::kDealer, SocketType::kRouter));
  }
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* hub = lab.socket(0, SocketType::kRouter);
  RC_ASSERT(hub->set_bytes(opt::kRoutingId, "hub") == Err::kOk);
  if (hub_binds) RC_ASSERT(hub->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> peers;
  for (int i = 0; i < k; ++i) {
    Sock* p = lab.socket(uint32_t(i + 1), types[size_t(i)]);
    RC_ASSERT(p->set_int(opt::kProbeRouter, 1) == Err::kOk);
    RC_ASSERT(p->set_bytes(opt::kRoutingId, "p" + std::to_string(i)) == Err::kOk);
    if (hub_binds) {
      RC_ASSERT(p->connect(lab.endpoint(0, 5555)) == Err::kOk);
    } else {
      RC_ASSERT(p->bind("tcp://*:5555") == Err::kOk);
      RC_ASSERT(hub->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
    }
    peers.push_back(p);
  }
  auto body = [](int i, int round) {
    return "m" + std::to_string(i) + ":" + std::to_string(round);
  };
  // A connecting REQ/DEALER has its pipe at once: it sends before its connection is up.
  // A binding one, and a ROUTER peer (which must know the hub), send once connected.
  auto early = [&](int i) { return hub_binds && types[size_t(i)] != SocketType::kRouter; };
  auto say = [&](int i, int round) {
    Parts m{body(i, round)};
    if (types[size_t(i)] == SocketType::kRouter) m.insert(m.begin(), "hub");
    RC_ASSERT(lab.send(peers[size_t(i)], m));
  };
  // What the hub got from each peer: one probe, then the peer's message (none from a REQ in
  // round 1: it still waits for its first reply).
  auto check_round = [&](int round) {
    std::map<std::string, std::vector<Parts>> by_peer;
    for (Parts& p : drain(lab, hub)) {
      EXPECT_RULE(!p.empty(), "every message the hub read in round " << round << " to have parts");
      std::string id = p[0];
      p.erase(p.begin());
      by_peer[id].push_back(p);
    }
    RC_ASSERT(by_peer.size() == size_t(k));
    for (int i = 0; i < k; ++i) {
      auto& got = by_peer["p" + std::to_string(i)];
      bool req = types[size_t(i)] == SocketType::kReq;
      std::vector<Parts> want = {Parts{""}};
      if (!(req && round == 1))
        want.push_back(req ? Parts{"", body(i, round)} : Parts{body(i, round)});
      RC_ASSERT(got == want);
    }
  };
  for (int i = 0; i < k; ++i) {
    if (early(i)) say(i, 0);
  }
  RC_ASSERT(connected(lab, hub, peers));
  for (int i = 0; i < k; ++i) {
    if (!early(i)) say(i, 0);
  }
  check_round(0);
  evidence().exercised();
  evidence().count(hub_binds ? "probes_on_connect" : "probes_on_accept", k);
  if (!again) return;
  // Every connection is dropped by the connecting side and made again: each new connection
  // brings a new probe (libzmq issue #1092 asked whether reconnects do).
  Sock* watcher = hub_binds ? hub : nullptr;
  for (int i = 0; i < k; ++i) {
    Sock* p = peers[size_t(i)];
    if (hub_binds) {
      RC_ASSERT(p->disconnect(lab.endpoint(0, 5555)) == Err::kOk);
    } else {
      RC_ASSERT(hub->disconnect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
    }
  }
  // The other side has seen every connection close (so the ids are free again).
  RC_ASSERT(lab.wait_for([&] {
    if (watcher != nullptr) return watcher->monitor_count(monitor::kDisconnected) >= uint64_t(k);
    return std::all_of(peers.begin(), peers.end(),
                       [](Sock* p) { return p->monitor_count(monitor::kDisconnected) > 0; });
  }));
  for (int i = 0; i < k; ++i) {
    if (hub_binds) {
      RC_ASSERT(peers[size_t(i)]->connect(lab.endpoint(0, 5555)) == Err::kOk);
    } else {
      RC_ASSERT(hub->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
    }
  }
  RC_ASSERT(lab.wait_for([&] {
    if (lab.handshakes(hub) < uint64_t(2 * k)) return false;
    for (Sock* p : peers) {
      if (lab.handshakes(p) < 2u) return false;
    }
    return true;
  }));
  for (int i = 0; i < k; ++i) {
    if (types[size_t(i)] != SocketType::kReq) say(i, 1);
  }
  check_round(1);
  evidence().count("probes_on_reconnect", k);
}

// --- rule/general/conflate-keeps-last ------------------------------------------------------
// A receiver (PULL, SUB or DEALER) with ZMQ_CONFLATE and any RCVHWM gets single-part messages
// from one sender (PUSH, PUB, DEALER) in rounds: n messages, time for all of them to arrive,
// then the receiver reads. It finds exactly one message, the round's last, and then nothing.
void conflate_keeps_last_property() {
  struct Pairing {
    SocketType sender, receiver;
  };
  Pairing pr = *rc::gen::element(Pairing{SocketType::kPush, SocketType::kPull},
                                 Pairing{SocketType::kPub, SocketType::kSub},
                                 Pairing{SocketType::kDealer, SocketType::kDealer});
  bool receiver_binds = *rc::gen::arbitrary<bool>();
  int rcvhwm = *rc::gen::element(0, 1, 2, 5, 1000);  // ignored under ZMQ_CONFLATE
  int rounds = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* tx = lab.socket(0, pr.sender);
  Sock* rx = lab.socket(1, pr.receiver);
  RC_ASSERT(rx->set_int(opt::kConflate, 1) == Err::kOk);
  if (rcvhwm > 0) RC_ASSERT(rx->set_int(opt::kRcvHwm, rcvhwm) == Err::kOk);
  RC_ASSERT(tx->set_int(opt::kSndHwm, kRoomyHwm) == Err::kOk);
  prepare(rx, pr.receiver, "");
  if (receiver_binds) {
    RC_ASSERT(rx->bind("tcp://*:5555") == Err::kOk);
    RC_ASSERT(tx->connect(lab.endpoint(1, 5555)) == Err::kOk);
  } else {
    RC_ASSERT(tx->bind("tcp://*:5555") == Err::kOk);
    RC_ASSERT(rx->connect(lab.endpoint(0, 5555)) == Err::kOk);
  }
  RC_ASSERT(connected(lab, tx, {rx}));
  if (pr.sender == SocketType::kPub) await_subscribers(lab, tx, {rx});
  int superseded = 0;
  for (int r = 0; r < rounds; ++r) {
    int n = *rc::gen::inRange(1, 25);
    std::string last;
    for (int j = 0; j < n; ++j) {
      last = numbered("r" + std::to_string(r), j) +
             *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 4),
                                              rc::gen::arbitrary<char>());
      RC_ASSERT(lab.send(tx, {last}));
    }
    lab.wait_out_faults();
    lab.advance_ms(1500);  // every message of the round has arrived (latency spikes <= 200 ms)
    auto got = lab.recv(rx);
    EXPECT_RULE(got.has_value(), "a message on the receiver 1500 ms after the round was sent");
    RC_ASSERT(*got == Parts{last});
    Err err = Err::kOk;
    RC_ASSERT(!lab.recv(rx, &err).has_value());
    RC_ASSERT(err == Err::kAgain);
    superseded += n - 1;
  }
  evidence().count("superseded", superseded);
  if (superseded > 0) evidence().exercised();
}

// --- rule/general/immediate-completed-only -------------------------------------------------
// A PUSH or DEALER with ZMQ_IMMEDIATE connects first to 1..2 endpoints where nothing listens:
// with no completed connection it is mute (send: EAGAIN, no POLLOUT). It then connects to
// 1..3 live receivers too (the dead endpoints still retrying) and sends m messages: every one
// reaches a live receiver, exactly once; none is queued to a connection that never completes.
void immediate_completed_only_property() {
  SocketType sender = *rc::gen::element(SocketType::kPush, SocketType::kDealer);
  SocketType receiver = sender == SocketType::kPush ? SocketType::kPull : SocketType::kDealer;
  int live = *rc::gen::inRange(1, 4);
  int dead = *rc::gen::inRange(1, 3);
  int m = *rc::gen::inRange(1, 30);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(1 + live + dead));
  Sock* tx = lab.socket(0, sender);
  RC_ASSERT(tx->set_int(opt::kImmediate, 1) == Err::kOk);
  RC_ASSERT(tx->set_int(opt::kSndHwm, kRoomyHwm) == Err::kOk);
  for (int d = 0; d < dead; ++d) {
    RC_ASSERT(tx->connect(lab.endpoint(uint32_t(1 + live + d), 5555)) == Err::kOk);
  }
  lab.advance_ms(200);  // connects tried and refused
  Err err = Err::kOk;
  RC_ASSERT(!lab.send(tx, {"early"}, &err));
  RC_ASSERT(err == Err::kAgain);
  RC_ASSERT((tx->events() & kPollOut) == 0u);
  std::vector<Sock*> rx;
  for (int i = 0; i < live; ++i) {
    Sock* r = lab.socket(uint32_t(1 + i), receiver);
    RC_ASSERT(r->bind("tcp://*:5555") == Err::kOk);
    RC_ASSERT(tx->connect(lab.endpoint(uint32_t(1 + i), 5555)) == Err::kOk);
    rx.push_back(r);
  }
  RC_ASSERT(connected(lab, tx, rx));
  // A handshake is reported by the I/O side; the socket attaches the completed connection when
  // it next looks at its commands (libzmq 4.3.4: on a later send or events() call, throttled),
  // so on a real transport the first send right after the report may still find none. The
  // socket's own POLLOUT says when it has one.
  RC_ASSERT(lab.wait_for([&] { return (tx->events() & kPollOut) != 0; }, 5'000));
  for (int j = 0; j < m; ++j) RC_ASSERT(lab.send(tx, {numbered("m", j)}));
  std::multiset<std::string> got;
  for (Sock* r : rx) {
    for (auto& p : drain(lab, r)) {
      RC_ASSERT(p.size() == 1u);
      got.insert(p[0]);
    }
  }
  std::multiset<std::string> want;
  for (int j = 0; j < m; ++j) want.insert(numbered("m", j));
  RC_ASSERT(got == want);
  evidence().exercised();
  evidence().count("dead_endpoints", dead);
}

// A REQ on h0 with the given options, connected to k ROUTER servers on h1..hk.
struct ReqStar {
  Lab lab;
  Sock* req = nullptr;
  std::vector<Sock*> servers;
};

// `wait`: until every connection is up (else the REQ's pipes exist, their connections not yet).
std::unique_ptr<ReqStar> make_req_star(int k, bool relaxed, bool correlate, bool wait = true) {
  auto star = std::make_unique<ReqStar>(ReqStar{
      Lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1)), nullptr, {}});
  Lab& lab = star->lab;
  star->req = lab.socket(0, SocketType::kReq);
  if (relaxed) RC_ASSERT(star->req->set_int(opt::kReqRelaxed, 1) == Err::kOk);
  if (correlate) RC_ASSERT(star->req->set_int(opt::kReqCorrelate, 1) == Err::kOk);
  for (int i = 0; i < k; ++i) {
    Sock* r = lab.socket(uint32_t(i + 1), SocketType::kRouter);
    RC_ASSERT(r->bind("tcp://*:5555") == Err::kOk);
    star->servers.push_back(r);
  }
  for (int i = 0; i < k; ++i) {
    RC_ASSERT(star->req->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
  }
  if (wait) RC_ASSERT(connected(lab, star->req, star->servers));
  return star;
}

// One request as a server saw it: [peer id, request id, "", body...] under ZMQ_REQ_CORRELATE.
struct Seen {
  int server;
  Parts parts;
};

// Waits until the servers together hold `n` requests; returns them in arrival order per server.
std::vector<Seen> collect_requests(ReqStar& s, size_t n) {
  std::vector<Seen> seen;
  RC_ASSERT(s.lab.wait_for([&] {
    for (size_t i = 0; i < s.servers.size(); ++i) {
      while (auto got = s.lab.recv(s.servers[i])) seen.push_back({int(i), *got});
    }
    return seen.size() >= n;
  }));
  RC_ASSERT(seen.size() == n);
  return seen;
}

// --- rule/REQ/relaxed-resend ---------------------------------------------------------------
// A REQ with ZMQ_REQ_RELAXED (and ZMQ_REQ_CORRELATE, as the page advises) sends n requests
// back to back without reading: every send succeeds, any k in a row reach all k servers (each
// goes to the next peer), and once the servers answer all of them, in a generated order, the
// REQ delivers only the answer to the last request, once.
void relaxed_resend_property() {
  int k = *rc::gen::inRange(1, 4);
  int n = *rc::gen::inRange(2, 7);
  // Maybe sent before the connections are up (libzmq #1695: requests queued so got one id).
  bool early = *rc::gen::arbitrary<bool>();
  auto star = make_req_star(k, true, true, !early);
  Lab& lab = star->lab;
  for (int j = 0; j < n; ++j) RC_ASSERT(lab.send(star->req, {numbered("q", j)}));
  auto seen = collect_requests(*star, size_t(n));
  std::vector<int> server_of(size_t(n), -1);
  for (const Seen& x : seen) {
    RC_ASSERT(x.parts.size() == 4u);
    RC_ASSERT(x.parts[2].empty());
    int j = std::stoi(x.parts[3].substr(2));
    RC_ASSERT(j >= 0 && j < n && server_of[size_t(j)] == -1);
    server_of[size_t(j)] = x.server;
  }
  for (int j = 0; j + k <= n; ++j) {  // round-robin: k in a row reach k servers
    std::set<int> used(server_of.begin() + j, server_of.begin() + j + k);
    RC_ASSERT(used.size() == size_t(k));
  }
  auto order =
      *rc::gen::unique<std::vector<size_t>>(size_t(n), rc::gen::inRange<size_t>(0, size_t(n)));
  for (size_t o : order) {
    Parts reply = seen[o].parts;
    reply[3] = "re:" + reply[3];
    RC_ASSERT(lab.send(star->servers[size_t(seen[o].server)], reply));
  }
  auto got = drain(lab, star->req);
  RC_ASSERT(got == std::vector<Parts>({Parts{"re:" + numbered("q", n - 1)}}));
  evidence().exercised();
  evidence().count("superseded_requests", n - 1);
}

// --- rule/REQ/correlate-request-id ---------------------------------------------------------
// A REQ with ZMQ_REQ_CORRELATE (relaxed or not) makes e exchanges with one ROUTER server. Each
// request reaches the server as [peer id, request id, "", body...] with a request id no
// earlier request had. Before the true reply the server sends decoys: the reply with an
// earlier request's id, with the id's bytes changed, without the id, without the delimiter.
// The REQ delivers the true reply only.
void correlate_request_id_property() {
  int exchanges = *rc::gen::inRange(1, 5);
  bool relaxed = *rc::gen::arbitrary<bool>();
  auto star = make_req_star(1, relaxed, true);
  Lab& lab = star->lab;
  Sock* server = star->servers[0];
  std::set<std::string> ids;
  int decoys = 0;
  for (int e = 0; e < exchanges; ++e) {
    Parts body = {numbered("q", e)};
    for (auto& f :
         *rc::gen::container<Parts>(*rc::gen::inRange<size_t>(0, 3),
                                    rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 4),
                                                                    rc::gen::arbitrary<char>()))) {
      body.push_back(f);
    }
    RC_ASSERT(lab.send(star->req, body));
    auto seen = collect_requests(*star, 1);
    const Parts& p = seen[0].parts;
    RC_ASSERT(p.size() == body.size() + 3);
    const std::string& peer = p[0];
    const std::string& id = p[1];
    EXPECT_RULE(!id.empty(), "a non-empty routing id frame before the body");
    RC_ASSERT(ids.insert(id).second);  // a new id for every request
    RC_ASSERT(p[2].empty());
    RC_ASSERT(Parts(p.begin() + 3, p.end()) == body);
    std::string changed = id;
    changed[size_t(*rc::gen::inRange<size_t>(0, id.size()))] ^= char(1 + *rc::gen::inRange(0, 255));
    std::vector<Parts> decoy = {
        {peer, changed, "", "decoy"}, {peer, "", "decoy"}, {peer, id, "decoy"}};
    for (const std::string& old : ids) {
      if (old != id) decoy.push_back({peer, old, "", "decoy"});
    }
    for (const Parts& d : decoy) {  // any of them, in order
      if (!*rc::gen::arbitrary<bool>()) continue;
      RC_ASSERT(lab.send(server, d));
      ++decoys;
    }
    RC_ASSERT(lab.send(server, {peer, id, "", "re:" + body[0]}));
    auto got = drain(lab, star->req);
    RC_ASSERT(got == std::vector<Parts>({Parts{"re:" + body[0]}}));
  }
  evidence().count("decoys", decoys);
  if (decoys > 0) evidence().exercised();
}

// --- rule/XPUB/welcome-message -------------------------------------------------------------
// An XPUB with ZMQ_XPUB_WELCOME_MSG W (any bytes, at least one) and 1..3 subscribers (SUB
// subscribed to everything or to a prefix of W, or XSUB, which does not filter), either side
// binding. Each subscriber's first message is W, once, and nothing else comes unasked. Then,
// maybe, each subscriber disconnects and connects again: it gets W once more.
void welcome_message_property() {
  int k = *rc::gen::inRange(1, 4);
  bool xpub_binds = *rc::gen::arbitrary<bool>();
  bool again = *rc::gen::arbitrary<bool>();
  std::string welcome = *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(1, 12),
                                                         rc::gen::arbitrary<char>());
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* xpub = lab.socket(0, SocketType::kXPub);
  RC_ASSERT(xpub->set_bytes(opt::kXPubWelcomeMsg, welcome) == Err::kOk);
  if (xpub_binds) RC_ASSERT(xpub->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> subs;
  auto endpoint_of = [&](int i) {
    return xpub_binds ? lab.endpoint(0, 5555) : lab.endpoint(uint32_t(i + 1), 5555);
  };
  for (int i = 0; i < k; ++i) {
    SocketType t = *rc::gen::element(SocketType::kSub, SocketType::kXSub);
    Sock* s = lab.socket(uint32_t(i + 1), t);
    if (t == SocketType::kSub) {  // subscribed before connecting, as the page asks
      size_t prefix = *rc::gen::inRange<size_t>(0, welcome.size() + 1);
      RC_ASSERT(s->set_bytes(opt::kSubscribe, welcome.substr(0, prefix)) == Err::kOk);
    } else {
      prepare(s, t, "");
    }
    if (xpub_binds) {
      RC_ASSERT(s->connect(endpoint_of(i)) == Err::kOk);
    } else {
      RC_ASSERT(s->bind("tcp://*:5555") == Err::kOk);
      RC_ASSERT(xpub->connect(endpoint_of(i)) == Err::kOk);
    }
    subs.push_back(s);
  }
  RC_ASSERT(connected(lab, xpub, subs));
  for (Sock* s : subs) RC_ASSERT(drain(lab, s) == std::vector<Parts>({Parts{welcome}}));
  evidence().exercised();
  evidence().count("welcomed", k);
  if (!again) return;
  // Reconnected: welcomed again (the page: "Welcome message will also be sent on reconnecting").
  for (int i = 0; i < k; ++i) {
    Sock* connecting = xpub_binds ? subs[size_t(i)] : xpub;
    RC_ASSERT(connecting->disconnect(endpoint_of(i)) == Err::kOk);
  }
  RC_ASSERT(lab.wait_for([&] {
    if (xpub_binds) return xpub->monitor_count(monitor::kDisconnected) >= uint64_t(k);
    return std::all_of(subs.begin(), subs.end(),
                       [](Sock* s) { return s->monitor_count(monitor::kDisconnected) > 0; });
  }));
  for (int i = 0; i < k; ++i) {
    Sock* connecting = xpub_binds ? subs[size_t(i)] : xpub;
    RC_ASSERT(connecting->connect(endpoint_of(i)) == Err::kOk);
  }
  RC_ASSERT(lab.wait_for([&] {
    return std::all_of(subs.begin(), subs.end(), [&](Sock* s) { return lab.handshakes(s) >= 2; });
  }));
  for (Sock* s : subs) RC_ASSERT(drain(lab, s) == std::vector<Parts>({Parts{welcome}}));
  evidence().count("welcomed_again", k);
}

// --- rule/SUB/invert-matching --------------------------------------------------------------
// A PUB or XPUB and 1..3 SUBs, all with ZMQ_INVERT_MATCHING; each SUB subscribes to a few
// prefixes over a two-letter alphabet (1..3, maybe the empty one). Once subscriptions
// have arrived, the publisher sends n messages with topics over the same alphabet. Each SUB
// receives, in order, exactly the messages that no subscription of its own is a prefix of.
void invert_matching_property() {
  int k = *rc::gen::inRange(1, 4);
  SocketType pub_type = *rc::gen::element(SocketType::kPub, SocketType::kXPub);
  auto word = [](size_t lo, size_t hi) {
    return *rc::gen::container<std::string>(*rc::gen::inRange(lo, hi + 1),
                                            rc::gen::element('a', 'b'));
  };
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* pub = lab.socket(0, pub_type);
  RC_ASSERT(pub->set_int(opt::kInvertMatching, 1) == Err::kOk);
  RC_ASSERT(pub->set_int(opt::kSndHwm, kRoomyHwm) == Err::kOk);
  RC_ASSERT(pub->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> subs;
  std::vector<std::set<std::string>> topics(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    Sock* s = lab.socket(uint32_t(i + 1), SocketType::kSub);
    RC_ASSERT(s->set_int(opt::kInvertMatching, 1) == Err::kOk);
    RC_ASSERT(s->set_int(opt::kRcvHwm, kRoomyHwm) == Err::kOk);
    int count = *rc::gen::inRange(1, 4);
    for (int t = 0; t < count; ++t) topics[size_t(i)].insert(word(0, 3));
    for (const std::string& t : topics[size_t(i)]) {
      RC_ASSERT(s->set_bytes(opt::kSubscribe, t) == Err::kOk);
    }
    RC_ASSERT(s->connect(lab.endpoint(0, 5555)) == Err::kOk);
    subs.push_back(s);
  }
  RC_ASSERT(connected(lab, pub, subs));
  lab.wait_out_faults();
  lab.advance_ms(1500);  // the subscriptions have reached the publisher
  if (pub_type == SocketType::kXPub) drain(lab, pub);  // the subscription messages
  int n = *rc::gen::inRange(1, 16);
  std::vector<std::string> sent;
  for (int j = 0; j < n; ++j) {
    sent.push_back(word(1, 4) + "#" + std::to_string(j));
    RC_ASSERT(lab.send(pub, {sent.back()}));
  }
  int withheld = 0;
  for (int i = 0; i < k; ++i) {
    std::vector<Parts> want;
    for (const std::string& m : sent) {
      bool match = std::any_of(topics[size_t(i)].begin(), topics[size_t(i)].end(),
                               [&](const std::string& t) { return m.rfind(t, 0) == 0; });
      if (!match) {
        want.push_back({m});
      } else {
        ++withheld;
      }
    }
    RC_ASSERT(drain(lab, subs[size_t(i)]) == want);
  }
  evidence().count("withheld", withheld);
  if (withheld > 0 && withheld < n * k) evidence().exercised();
}

}  // namespace

void add_option_rule_properties(std::vector<Property>& out) {
  out.push_back(
      {"rule/ROUTER/duplicate-id-refused", "ROUTER", "identity", duplicate_id_refused_property});
  out.push_back(
      {"rule/ROUTER/handover-takes-id", "ROUTER", "identity", handover_takes_id_property});
  out.push_back({"rule/ROUTER/probe-router", "ROUTER", "notification", probe_router_property});
  out.push_back(
      {"rule/general/conflate-keeps-last", "general", "delivery", conflate_keeps_last_property});
  out.push_back({"rule/general/immediate-completed-only", "general", "routing",
                 immediate_completed_only_property});
  out.push_back({"rule/REQ/relaxed-resend", "REQ", "alternation", relaxed_resend_property});
  out.push_back(
      {"rule/REQ/correlate-request-id", "REQ", "envelope", correlate_request_id_property});
  out.push_back({"rule/XPUB/welcome-message", "XPUB", "notification", welcome_message_property});
  out.push_back({"rule/SUB/invert-matching", "SUB", "subscription", invert_matching_property});
}

}  // namespace zlab::conform
