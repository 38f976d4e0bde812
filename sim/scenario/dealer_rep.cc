// DEALER/REP: one DEALER load-balances requests over two REP servers, adding the empty
// delimiter a REP expects; replies come back as ["", "re", request...], in order per server
// connection.
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class DealerRep final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 3;
    t.crashable = {0, 1, 2};
    t.consumers = {0, 1, 2};
    t.binders = {0, 1};
    return t;
  }

  void start(ScenarioEnv& env) override {
    for (uint32_t h : {0u, 1u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(
            host, "rep",
            [&env](Ctx& ctx) -> Task<> {
              SimSocket* s = ctx.socket(SocketType::kRep);
              env.tune(s);
              if (s->bind("tcp://*:5562") != Err::kOk) env.fail("REP bind failed");
              for (;;) {
                std::vector<std::string> req;
                if (co_await ctx.recv_paced(s, &req) != Err::kOk) continue;
                Err err = co_await ctx.send_parts(s, reply_to(std::move(req), 0));
                if (err != Err::kOk) env.fail("REP send failed: " + std::string(err_name(err)));
              }
            },
            /*daemon=*/true);
      });
    }
    env.boot(2, [&env](HostId host) {
      env.world.spawn(host, "dealer", [&env, host](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(SocketType::kDealer);
        env.tune(s);
        s->connect("tcp://h0:5562");
        s->connect("tcp://h1:5562");
        env.world.spawn(
            host, "dealer_replies",
            [&env, s](Ctx& c) -> Task<> {
              std::vector<std::string> envelope;
              envelope.push_back("");
              envelope.push_back("re");
              co_await receive_flow(c, env, s, envelope);
            },
            /*daemon=*/true);
        FlowOptions o;
        o.count = 150;
        o.envelope.push_back("");
        co_await send_flow(ctx, env, s, env.flow(host), o);
      });
    });
  }
};

}  // namespace

std::unique_ptr<Scenario> make_dealer_rep() { return std::make_unique<DealerRep>(); }

}  // namespace zlab::sim
