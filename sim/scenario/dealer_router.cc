// DEALER/ROUTER: asynchronous clients. Each DEALER streams requests without waiting and takes
// replies as they come; the ROUTER echoes to the routing id each request came from
// (ZMQ_ROUTER_MANDATORY: a peer that is gone is EHOSTUNREACH, never a silent drop). Replies
// must come back to the right DEALER, in order per connection, all of them when no
// connection was lost.
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class DealerRouter final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 3;
    t.crashable = {0, 1, 2};
    t.consumers = {0, 1, 2};
    t.binders = {0};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.boot(0, [&env](HostId host) {
      env.world.spawn(
          host, "router",
          [&env](Ctx& ctx) -> Task<> {
            SimSocket* s = ctx.socket(SocketType::kRouter);
            env.tune(s);
            s->set_int(opt::kRouterMandatory, 1);
            if (s->bind("tcp://*:5561") != Err::kOk) env.fail("ROUTER bind failed");
            for (;;) {
              std::vector<std::string> req;
              if (co_await ctx.recv_paced(s, &req) != Err::kOk) continue;
              if (req.size() < 2) {
                env.fail("ROUTER got a message without a routing id");
                continue;
              }
              Err err = co_await ctx.send_parts(s, reply_to(std::move(req), 1));
              if (err != Err::kOk && err != Err::kHostUnreachable) {
                env.fail("ROUTER send failed: " + std::string(err_name(err)));
              }
            }
          },
          /*daemon=*/true);
    });
    for (uint32_t h : {1u, 2u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(host, "dealer", [&env, host](Ctx& ctx) -> Task<> {
          SimSocket* s = ctx.socket(SocketType::kDealer);
          env.tune(s);
          s->connect("tcp://h0:5561");
          env.world.spawn(
              host, "dealer_replies",
              [&env, s](Ctx& c) -> Task<> {
                std::vector<std::string> envelope;
                envelope.push_back("re");
                co_await receive_flow(c, env, s, envelope);
              },
              /*daemon=*/true);
          co_await send_flow(ctx, env, s, env.flow(host), FlowOptions());
        });
      });
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_dealer_router() { return std::make_unique<DealerRouter>(); }

}  // namespace zlab::sim
