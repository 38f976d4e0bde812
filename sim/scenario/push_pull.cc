// PUSH/PULL: two pushers connect to two pullers. Round-robin, blocking at the HWM (a PUSH
// never drops), messages queued for a lost puller wait for it, order per pusher and puller.
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

class PushPull final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {0, 1};
    t.binders = {0, 1};
    return t;
  }

  void start(ScenarioEnv& env) override {
    for (uint32_t h : {0u, 1u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(
            host, "puller",
            [&env](Ctx& ctx) -> Task<> {
              SimSocket* s = ctx.socket(SocketType::kPull);
              env.tune(s);
              if (s->bind("tcp://*:5555") != Err::kOk) env.fail("PULL bind failed");
              co_await receive_flow(ctx, env, s, no_envelope());
            },
            /*daemon=*/true);
      });
    }
    for (uint32_t h : {2u, 3u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(host, "pusher", [&env, host](Ctx& ctx) -> Task<> {
          SimSocket* s = ctx.socket(SocketType::kPush);
          env.tune(s);
          s->connect("tcp://h0:5555");
          s->connect("tcp://h1:5555");
          FlowOptions o;
          o.count = 150;
          co_await send_flow(ctx, env, s, env.flow(host), o);
        });
      });
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_push_pull() { return std::make_unique<PushPull>(); }

}  // namespace zlab::sim
