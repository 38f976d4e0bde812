#include "sim/scenario/registry.h"

namespace zlab::sim {

std::unique_ptr<Scenario> make_push_pull();
std::unique_ptr<Scenario> make_pub_sub();
std::unique_ptr<Scenario> make_xpub_xsub();
std::unique_ptr<Scenario> make_req_rep();
std::unique_ptr<Scenario> make_dealer_router();
std::unique_ptr<Scenario> make_req_router();
std::unique_ptr<Scenario> make_dealer_rep();
std::unique_ptr<Scenario> make_dealer_dealer();
std::unique_ptr<Scenario> make_router_router();
std::unique_ptr<Scenario> make_pair();
std::unique_ptr<Scenario> make_stream();
std::unique_ptr<Scenario> make_churn();
std::unique_ptr<Scenario> make_curve_push_pull();
std::unique_ptr<Scenario> make_radio_dish_udp();

namespace {

constexpr ScenarioInfo kScenarios[] = {
    {"push_pull", "2 PUSH -> 2 PULL: round-robin, blocking at the HWM, queued across reconnects",
     make_push_pull},
    {"pub_sub", "PUB -> 3 SUB: filtering, fan-out, drops only at the HWM, resubscription",
     make_pub_sub},
    {"xpub_xsub", "PUB -> XSUB|XPUB proxy -> 2 SUB: subscriptions upstream, data downstream",
     make_xpub_xsub},
    {"req_rep", "2 REQ (lazy pirate; relaxed+correlate) -> REP: no REQ stuck, no stale reply",
     make_req_rep},
    {"dealer_router", "2 async DEALER -> ROUTER echo: replies routed back, mandatory routing",
     make_dealer_router},
    {"req_router", "2 REQ -> ROUTER handling the envelope itself", make_req_router},
    {"dealer_rep", "DEALER load-balancing over 2 REP with the empty delimiter", make_dealer_rep},
    {"dealer_dealer", "DEALER <-> DEALER streaming both ways", make_dealer_dealer},
    {"router_router", "ROUTER broker <-> 2 ROUTER workers by name: mandatory, handover",
     make_router_router},
    {"pair", "PAIR <-> PAIR streaming both ways, one connection at a time", make_pair},
    {"stream", "STREAM server for raw TCP clients, STREAM client of a raw TCP server", make_stream},
    {"churn", "sockets opened, closed, unbound, disconnected while traffic flows", make_churn},
    {"curve_push_pull", "push_pull under CURVE: sealed messages, a fresh handshake per reconnect",
     make_curve_push_pull},
    {"radio_dish_udp", "RADIO -> 2 DISH over udp (unicast, multicast): joined group only, whole",
     make_radio_dish_udp},
};

}  // namespace

std::span<const ScenarioInfo> all_scenarios() { return kScenarios; }

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const ScenarioInfo& s : kScenarios) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace zlab::sim
