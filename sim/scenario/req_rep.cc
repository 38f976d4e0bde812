// REQ/REP: a REP echo server, one lazy-pirate REQ client and one relaxed+correlated REQ
// client. Strict alternation is the engine's; that no REQ is ever stuck is the clients'
// timeouts; the checker waits for every request to be answered.
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class ReqRep final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 3;
    t.crashable = {0, 1, 2};
    t.consumers = {0};
    t.binders = {0};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.expect_disconnects();  // lazy pirates close their sockets
    env.boot(0, [&env](HostId host) {
      env.world.spawn(
          host, "rep",
          [&env](Ctx& ctx) -> Task<> {
            SimSocket* s = ctx.socket(SocketType::kRep);
            env.tune(s);
            if (s->bind("tcp://*:5560") != Err::kOk) env.fail("REP bind failed");
            for (;;) {
              std::vector<std::string> req;
              if (co_await ctx.recv_paced(s, &req) != Err::kOk) continue;
              Err err = co_await ctx.send_parts(s, reply_to(std::move(req), 0));
              if (err != Err::kOk) env.fail("REP send failed: " + std::string(err_name(err)));
            }
          },
          /*daemon=*/true);
    });
    for (uint32_t h : {1u, 2u}) {
      env.boot(h, [&env, h](HostId host) {
        env.world.spawn(host, "req", [&env, h](Ctx& ctx) -> Task<> {
          ReqClientOptions o;
          o.endpoint = "tcp://h0:5560";
          o.lazy_pirate = h == 1;
          co_await req_client(ctx, env, o);
        });
      });
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_req_rep() { return std::make_unique<ReqRep>(); }

}  // namespace zlab::sim
