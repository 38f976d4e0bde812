// Routing across a peer's death and return (spec/rules.json: rule/general/routing-after-peer-
// death). The rules of load-balancing sockets speak of "connected" peers: a peer whose host
// crashed stops counting once the socket knows it is gone, and counts again when it is back.
//
// Simulator only: the peer's host crashes (its sockets die with it, the network drops what is
// sent to it) and restarts empty; the socket learns of it from the RST its next segment draws.
#include <algorithm>
#include <map>

#include "conformance/properties/common.h"
#include "engine/base/socket_type.h"
#include "engine/sockets/options.h"
#include "sim/world/world.h"

namespace zlab::conform {
namespace {

// Message bodies are their sequence number; who got each one (an index into `peers`).
struct Deliveries {
  std::map<int, int> who;
  void collect(Lab& lab, SocketType type, Sock* s, int index) {
    while (auto m = lab.recv(s)) {
      std::optional<std::string> body = body_of(type, *m);
      EXPECT_RULE(body.has_value(),
                  "a message of peer " << index << " in the envelope its type uses");
      int j = std::stoi(*body);
      if (who.count(j)) RC_LOG() << "message " << j << " came twice\n";
      RC_ASSERT(who.count(j) == 0u);  // at most once
      who[j] = index;
    }
  }
};

// A PUSH or DEALER hub and k (2..3) peers, the hub binding or connecting to each. One peer's
// host crashes and restarts after 0.1..1 s. The hub sends on meanwhile; what it sent before it
// knew the peer was gone (its DISCONNECTED event) may be lost with the peer. Every message sent
// after that reaches exactly one peer: a live one, or (where the hub connected, so its pipe
// waits for the endpoint to come back) the peer that binds the endpoint again. Then the peer is
// back, and the next r*k messages reach every peer r times each: it has its turn again.
void routing_after_peer_death_property() {
  SocketType hub_type = *rc::gen::element(SocketType::kPush, SocketType::kDealer);
  SocketType peer_type = partner(hub_type);
  int k = *rc::gen::inRange(2, 4);
  bool hub_binds = *rc::gen::arbitrary<bool>();
  int victim = *rc::gen::inRange(0, k);
  int64_t down_ms = *rc::gen::inRange(100, 1001);
  RC_LOG() << socket_type_info(hub_type).name << " hub " << (hub_binds ? "binds" : "connects")
           << ", " << k << " peers, peer " << victim << " down for " << down_ms << " ms\n";
  auto fan = make_fan(hub_type, peer_type, k, hub_binds);
  Lab& lab = fan->lab;
  Sock* hub = fan->hub;
  std::vector<Sock*> peers = fan->spokes;
  Deliveries d;
  int next = 0;
  auto send_one = [&] {
    RC_ASSERT(lab.send(hub, outgoing(hub_type, std::to_string(next), "")));
    ++next;
  };
  auto collect_all = [&] {
    for (int i = 0; i < k; ++i) {
      if (peers[size_t(i)] != nullptr) d.collect(lab, peer_type, peers[size_t(i)], i);
    }
  };
  // Death.
  const uint32_t victim_host = uint32_t(victim + 1);
  const int64_t restart_ns = lab.now_ns() + down_ms * 1'000'000;
  const uint64_t gone_before = hub->monitor_count(monitor::kDisconnected);
  const uint64_t hub_handshakes = lab.handshakes(hub);
  lab.world().crash_at(sim::HostId(victim_host), lab.now_ns() + 1'000'000);
  lab.world().restart_at(sim::HostId(victim_host), restart_ns);
  lab.advance_ms(2);
  peers[size_t(victim)] = nullptr;  // died with its host
  bool known = lab.wait_for(
      [&] {
        send_one();
        lab.advance_ms(5);
        collect_all();
        return hub->monitor_count(monitor::kDisconnected) > gone_before;
      },
      20'000);
  // the RST from the restarted host tells the hub
  EXPECT_RULE(known,
              "the hub to see the disconnect (monitor) within 20 s of the peer host restarting");
  const int first_after = next;
  int n = *rc::gen::inRange(k, 4 * k + 1);
  for (int j = 0; j < n; ++j) send_one();
  // Return: a new socket on the restarted host takes the peer's place.
  lab.wait_for([&] { return lab.now_ns() > restart_ns; }, 5'000);
  Sock* back = lab.socket(victim_host, peer_type);
  prepare(back, peer_type, "s" + std::to_string(victim));
  if (hub_binds) {
    RC_ASSERT(back->connect(lab.endpoint(0, 5555)) == Err::kOk);
  } else {
    RC_ASSERT(back->bind("tcp://*:5555") == Err::kOk);
  }
  // Both ends through the handshake: the hub attaches the peer when it has the peer's READY.
  RC_ASSERT(lab.wait_for(
      [&] { return lab.handshakes(back) >= 1 && lab.handshakes(hub) > hub_handshakes; }));
  peers[size_t(victim)] = back;
  const int last_after = next;
  RC_ASSERT(lab.wait_for([&] {
    collect_all();
    for (int j = first_after; j < last_after; ++j) {
      if (!d.who.count(j)) return false;
    }
    return true;
  }));  // nothing sent once the hub knew is lost
  int to_the_returned = 0;
  for (int j = first_after; j < last_after; ++j) {
    if (d.who[j] == victim) ++to_the_returned;
  }
  if (hub_binds) RC_ASSERT(to_the_returned == 0);  // its pipe was gone: nothing waited for it
  // Back in the rotation.
  int r = *rc::gen::inRange(1, 4);
  const int round_start = next;
  for (int j = 0; j < r * k; ++j) send_one();
  RC_ASSERT(lab.wait_for([&] {
    collect_all();
    for (int j = round_start; j < next; ++j) {
      if (!d.who.count(j)) return false;
    }
    return true;
  }));
  std::vector<int> share(size_t(k), 0);
  for (int j = round_start; j < next; ++j) ++share[size_t(d.who[j])];
  for (int i = 0; i < k; ++i) RC_LOG() << "peer " << i << " got " << share[size_t(i)] << "\n";
  RC_ASSERT(std::all_of(share.begin(), share.end(), [&](int s) { return s == r; }));
  evidence().count("sent_while_known_gone", n);
  evidence().count("held_for_the_returned", to_the_returned);
  evidence().exercised();
}

}  // namespace

void add_peer_death_rule_properties(std::vector<Property>& out) {
  out.push_back({"rule/general/routing-after-peer-death", "general", "routing",
                 routing_after_peer_death_property, /*sim_only=*/true});
}

}  // namespace zlab::conform
