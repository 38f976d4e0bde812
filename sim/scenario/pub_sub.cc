// PUB/SUB: one publisher, three subscribers. Prefix filtering (a second topic nobody wants
// must never arrive), fan-out, drops only at the HWM (a PUB never blocks), subscriptions that
// come back after reconnects. Late joiners miss what was published before their subscription
// arrived, so nothing is "exactly once" here; instead, with no connection lost, a subscriber's
// stream has no holes unless the publisher counted drops.
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

class PubSub final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {1, 2, 3};
    t.binders = {0};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.never_exact();
    env.boot(0, [this, &env](HostId host) {
      env.world.spawn(host, "publisher", [this, &env, host](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(SocketType::kPub);
        env.tune(s);
        pubs_.push_back(s);
        if (s->bind("tcp://*:5556") != Err::kOk) env.fail("PUB bind failed");
        FlowOptions o;
        o.count = 600;  // enough to fill a paused subscriber's buffers and HWMs
        o.max_gap_ns = ms(10);
        o.fanout = {"h1", "h2", "h3"};
        // Noise on a topic nobody subscribes to, between the real messages.
        env.world.spawn(
            host, "noise",
            [&env, s](Ctx& c) -> Task<> {
              std::string flow = "noise." + env.flow(c.host());
              for (int i = 0;; ++i) {
                co_await c.send(s, flow + "|" + std::to_string(i) + "|0/1");
                co_await c.sleep(ms(37));
              }
            },
            /*daemon=*/true);
        co_await send_flow(ctx, env, s, env.flow(host), o);
      });
    });
    for (uint32_t h : {1u, 2u, 3u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(
            host, "subscriber",
            [&env](Ctx& ctx) -> Task<> {
              SimSocket* s = ctx.socket(SocketType::kSub);
              env.tune(s);
              s->set_bytes(opt::kSubscribe, "h0.");
              s->connect("tcp://h0:5556");
              co_await receive_flow(ctx, env, s, no_envelope(), /*fanout=*/true);
            },
            /*daemon=*/true);
      });
    }
  }

  void finish(ScenarioEnv& env) override {
    if (!env.lossless()) return;
    uint64_t dropped = 0;
    for (SimSocket* p : pubs_) dropped += p->alive() ? p->core().dropped_messages() : 0;
    for (const char* sub : {"h1", "h2", "h3"}) {
      uint64_t holes = env.ledger.gaps(env.flow(0) + "@" + sub, std::string(sub) + " via ");
      if (holes > 0 && dropped == 0) {
        env.fail(std::string(sub) + " missed " + std::to_string(holes) +
                 " messages with no connection lost and no drop counted by the PUB");
      }
    }
  }

 private:
  std::vector<SimSocket*> pubs_;
};

}  // namespace

std::unique_ptr<Scenario> make_pub_sub() { return std::make_unique<PubSub>(); }

}  // namespace zlab::sim
