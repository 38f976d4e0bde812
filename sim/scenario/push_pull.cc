// PUSH/PULL: two pushers connect to two pullers. Round-robin, blocking at the HWM (a PUSH
// never drops), messages queued for a lost puller wait for it, order per pusher and puller.
#include "sim/scenario/message.h"
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
    for (uint32_t h : {0u, 1u}) env.boot(h, [&env](HostId host) { puller(env, host); });
    for (uint32_t h : {2u, 3u}) env.boot(h, [&env](HostId host) { pusher(env, host); });
  }

 private:
  static void puller(ScenarioEnv& env, HostId host) {
    env.world.spawn(
        host, "puller",
        [&env](Ctx& ctx) -> Task<> {
          SimSocket* s = ctx.socket(SocketType::kPull);
          env.tune(s);
          if (s->bind("tcp://*:5555") != Err::kOk) env.fail("PULL bind failed");
          for (;;) {
            std::vector<std::string> parts;
            std::string peer;
            Err err = co_await ctx.recv_paced(s, &parts, 0, &peer);
            if (err == Err::kProtocol) env.fail("torn multipart at " + ctx.host_name());
            if (err == Err::kOk) env.record(parts, 0, ctx.host_name(), peer);
          }
        },
        /*daemon=*/true);
  }

  static void pusher(ScenarioEnv& env, HostId host) {
    env.world.spawn(host, "pusher", [&env, host](Ctx& ctx) -> Task<> {
      SimSocket* s = ctx.socket(SocketType::kPush);
      env.tune(s);
      s->connect("tcp://h0:5555");
      s->connect("tcp://h1:5555");
      Rng& rng = env.world.rng();
      std::string flow = env.flow(host);
      uint64_t seq = 0;
      uint64_t n = 150 * env.params.scale;
      for (; seq < n; ++seq) {
        bool must = env.must_now();
        Err err = co_await ctx.send_parts(s, make_message(flow, seq, rng));
        if (err != Err::kOk) env.fail("PUSH send failed: " + std::string(err_name(err)));
        env.ledger.sent(flow, seq, must);
        co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(20)))));
      }
      co_await sleep_until(ctx, env.quiet_at());
      for (uint64_t end = seq + 20; seq < end; ++seq) {
        Err err = co_await ctx.send_parts(s, make_message(flow, seq, rng));
        if (err != Err::kOk) env.fail("PUSH send failed: " + std::string(err_name(err)));
        env.ledger.sent(flow, seq, true);
        co_await ctx.sleep(ms(10));
      }
    });
  }
};

}  // namespace

std::unique_ptr<Scenario> make_push_pull() { return std::make_unique<PushPull>(); }

}  // namespace zlab::sim
