// Rules of the connection-event options of libzmq 4.3's draft API (zmq_setsockopt(3),
// spec/rules.json): ZMQ_ROUTER_NOTIFY, ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG.
//
// Each property sets its option before any connection exists, waits for every handshake, and
// fences what follows on traffic it can count (the messages each peer sent, the DISCONNECTED
// events of the monitor), so that what arrives can be compared exactly, per peer: the order
// of messages from different peers is not the socket's to promise.
#include <map>

#include "conformance/properties/agent.h"
#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

namespace zlab::conform {
namespace {

constexpr int kPort = 5555;

// A draft option: zlab's core takes it; a library built without the draft API (Debian's
// libzmq) refuses it with EINVAL, which shows nothing about the rule.
void set_draft_option(Sock* s, int option, const std::function<Err()>& set) {
  Err e = set();
  if (e == Err::kOk) return;
  if (!impl_under_test().in_process() || !peer_impl().in_process()) {
    throw Unobservable{"draft option " + std::to_string(option) + " refused (" +
                       std::string(err_name(e)) + "): a library without the draft API"};
  }
  RC_ASSERT(e == Err::kOk);
  (void)s;
}

// DEALERs on h1..hk with routing ids "p0".."p{k-1}", connected to `hub`'s port on h0.
std::vector<Sock*> connect_dealers(Lab& lab, int k, uint32_t first_host) {
  std::vector<Sock*> out;
  for (int i = 0; i < k; ++i) {
    Sock* d = lab.socket(first_host + uint32_t(i), SocketType::kDealer);
    RC_ASSERT(d->set_bytes(opt::kRoutingId, "p" + std::to_string(i)) == Err::kOk);
    RC_ASSERT(d->connect(lab.endpoint(0, kPort)) == Err::kOk);
    out.push_back(d);
  }
  return out;
}

// Reads `router` until `done(by_peer)`; messages are grouped by their routing id (frame 0).
void read_router_until(Lab& lab, Sock* router, std::map<std::string, std::vector<Parts>>* by_peer,
                       const std::function<bool()>& done) {
  bool ok = lab.wait_for([&] {
    while (auto got = lab.recv(router)) {
      RC_ASSERT(got->size() == 2u);  // routing id + one body frame: all this file sends
      (*by_peer)[got->at(0)].push_back(*got);
    }
    return done();
  });
  EXPECT_RULE(ok,
              "what the ROUTER owes within the wait (" << by_peer->size() << " peers heard from)");
}

// --- rule/ROUTER/notify ------------------------------------------------------------------------
// A ROUTER with ZMQ_ROUTER_NOTIFY = 0..3 bound on h0, k DEALERs (1..3) connected. Each DEALER
// sends one message; then a drawn subset closes. Per peer the ROUTER delivers: [id, ""] if
// ZMQ_NOTIFY_CONNECT, the peer's message, and, for a peer that closed, [id, ""] if
// ZMQ_NOTIFY_DISCONNECT. Nothing else.
void router_notify_property() {
  int bits = *rc::gen::inRange(0, 4);
  int k = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* router = lab.socket(0, SocketType::kRouter);
  set_draft_option(router, opt::kRouterNotify,
                   [&] { return router->set_int(opt::kRouterNotify, bits); });
  RC_ASSERT(router->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
  std::vector<Sock*> dealers = connect_dealers(lab, k, 1);
  RC_ASSERT(connected(lab, router, dealers));
  std::map<std::string, std::vector<Parts>> got, want;
  for (int i = 0; i < k; ++i) {
    std::string id = "p" + std::to_string(i);
    RC_ASSERT(lab.send(dealers[size_t(i)], {"m" + id}));
    if (bits & 1) want[id].push_back({id, ""});
    want[id].push_back({id, "m" + id});
  }
  auto messages_in = [&] {
    for (int i = 0; i < k; ++i) {
      std::string id = "p" + std::to_string(i);
      if (got[id].empty() || got[id].back() != Parts{id, "m" + id}) return false;
    }
    return true;
  };
  read_router_until(lab, router, &got, messages_in);
  int gone = 0;
  for (int i = 0; i < k; ++i) {
    if (!*rc::gen::arbitrary<bool>()) continue;
    std::string id = "p" + std::to_string(i);
    dealers[size_t(i)]->close();
    ++gone;
    if (bits & 2) want[id].push_back({id, ""});
  }
  read_router_until(lab, router, &got, [&] {
    return router->monitor_count(monitor::kDisconnected) >= uint64_t(gone);
  });
  for (Parts& p : drain(lab, router)) got[p.at(0)].push_back(p);
  RC_LOG() << "notify bits " << bits << ", " << k << " peers, " << gone << " gone\n";
  RC_ASSERT(got == want);
  evidence().count("gone", gone);
  if ((bits & 1) || ((bits & 2) && gone > 0)) evidence().exercised();
}

// --- rule/general/hello-msg --------------------------------------------------------------------
// A ROUTER or DEALER with ZMQ_HELLO_MSG on h0, which binds (k DEALERs connect) or connects to k
// bound DEALERs (1..3). Once every handshake is done it sends m messages (0..4: a DEALER
// round-robin, a ROUTER to peer j % k). Every peer gets the hello message once, first, then
// its share of the m.
void hello_msg_property() {
  SocketType type = *rc::gen::elementOf(rule_types("rule/general/hello-msg"));
  bool binds = *rc::gen::arbitrary<bool>();
  int k = *rc::gen::inRange(1, 4);
  int m = *rc::gen::inRange(0, 5);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* s = lab.socket(0, type);
  set_draft_option(s, opt::kHelloMsg, [&] { return s->set_bytes(opt::kHelloMsg, "hello"); });
  std::vector<Sock*> peers;
  if (binds) {
    RC_ASSERT(s->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
    peers = connect_dealers(lab, k, 1);
  } else {
    for (int i = 0; i < k; ++i) {
      Sock* d = lab.socket(uint32_t(i + 1), SocketType::kDealer);
      RC_ASSERT(d->set_bytes(opt::kRoutingId, "p" + std::to_string(i)) == Err::kOk);
      RC_ASSERT(d->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
      RC_ASSERT(s->connect(lab.endpoint(uint32_t(i + 1), kPort)) == Err::kOk);
      peers.push_back(d);
    }
  }
  RC_ASSERT(connected(lab, s, peers));
  for (int j = 0; j < m; ++j) {
    std::string body = "m" + std::to_string(j);
    Parts msg =
        type == SocketType::kRouter ? Parts{"p" + std::to_string(j % k), body} : Parts{body};
    RC_ASSERT(lab.send(s, msg));
  }
  size_t others = 0;
  for (Sock* p : peers) {
    std::vector<Parts> got = drain(lab, p);
    EXPECT_RULE(!got.empty(), "the hello message first at every peer, got nothing at one");
    RC_ASSERT(got.front() == Parts{"hello"});
    for (size_t i = 1; i < got.size(); ++i) RC_ASSERT(got[i] != Parts{"hello"});
    others += got.size() - 1;
  }
  RC_ASSERT(others == size_t(m));
  RC_LOG() << socket_type_info(type).name << (binds ? " binds, " : " connects, ") << k << " peers, "
           << m << " messages\n";
  evidence().count(binds ? "accepted" : "made", k);
  evidence().exercised();
}

// --- rule/ROUTER/disconnect-msg ----------------------------------------------------------------
// A ROUTER with ZMQ_DISCONNECT_MSG bound on h0: k DEALERs (1..3) connect to it, and it connects
// to c DEALERs (0..2) bound on their own hosts. Each DEALER sends one message; then a drawn
// subset closes. The ROUTER delivers each message, and [id, disconnect message] after the
// message of each accepted peer that closed: none for the peers it connected to itself.
void disconnect_msg_property() {
  int k = *rc::gen::inRange(1, 4);
  int c = *rc::gen::inRange(0, 3);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + c + 1));
  Sock* router = lab.socket(0, SocketType::kRouter);
  set_draft_option(router, opt::kDisconnectMsg,
                   [&] { return router->set_bytes(opt::kDisconnectMsg, "bye"); });
  RC_ASSERT(router->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
  std::vector<Sock*> dealers = connect_dealers(lab, k, 1);
  for (int j = 0; j < c; ++j) {
    uint32_t host = uint32_t(k + 1 + j);
    Sock* d = lab.socket(host, SocketType::kDealer);
    RC_ASSERT(d->set_bytes(opt::kRoutingId, "p" + std::to_string(k + j)) == Err::kOk);
    RC_ASSERT(d->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
    RC_ASSERT(router->connect(lab.endpoint(host, kPort)) == Err::kOk);
    dealers.push_back(d);
  }
  RC_ASSERT(connected(lab, router, dealers));
  std::map<std::string, std::vector<Parts>> got, want;
  for (size_t i = 0; i < dealers.size(); ++i) {
    std::string id = "p" + std::to_string(i);
    RC_ASSERT(lab.send(dealers[i], {"m" + id}));
    want[id].push_back({id, "m" + id});
  }
  read_router_until(lab, router, &got, [&] {
    size_t n = 0;
    for (auto& [id, msgs] : got) n += msgs.size();
    return n >= dealers.size();
  });
  int gone = 0, farewells = 0;
  for (size_t i = 0; i < dealers.size(); ++i) {
    if (!*rc::gen::arbitrary<bool>()) continue;
    std::string id = "p" + std::to_string(i);
    dealers[i]->close();
    ++gone;
    if (int(i) < k) {  // accepted by the ROUTER
      want[id].push_back({id, "bye"});
      ++farewells;
    }
  }
  read_router_until(lab, router, &got, [&] {
    return router->monitor_count(monitor::kDisconnected) >= uint64_t(gone);
  });
  for (Parts& p : drain(lab, router)) got[p.at(0)].push_back(p);
  RC_LOG() << k << " accepted, " << c << " connected, " << gone << " gone\n";
  RC_ASSERT(got == want);
  evidence().count("farewells", farewells);
  if (farewells > 0) evidence().exercised();
}

}  // namespace

void add_draft_option_rule_properties(std::vector<Property>& out) {
  out.push_back({"rule/ROUTER/notify", "ROUTER", "notification", router_notify_property});
  out.push_back({"rule/general/hello-msg", "general", "connection", hello_msg_property});
  out.push_back({"rule/ROUTER/disconnect-msg", "ROUTER", "notification", disconnect_msg_property});
}

}  // namespace zlab::conform
