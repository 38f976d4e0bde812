// XPUB/XSUB: a proxy between a publisher and two subscribers, as zmq_proxy does it: the
// XSUB side connects to the publisher, the XPUB side binds for subscribers; subscriptions
// flow up (XPUB -> XSUB), data flows down. Subscriptions must reach the XPUB as messages and
// come back after reconnects (the quiet-phase messages arriving proves it end to end).
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

class XPubXSub final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {2, 3};
    t.binders = {0, 1};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.never_exact();
    env.boot(0, [&env](HostId host) {
      env.world.spawn(host, "publisher", [&env, host](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(SocketType::kPub);
        env.tune(s);
        if (s->bind("tcp://*:5557") != Err::kOk) env.fail("PUB bind failed");
        FlowOptions o;
        o.count = 150;
        o.fanout = {"h2", "h3"};
        co_await send_flow(ctx, env, s, env.flow(host), o);
      });
    });
    env.boot(1, [this, &env](HostId host) {
      env.world.spawn(
          host, "proxy", [this, &env](Ctx& ctx) -> Task<> { co_await proxy(ctx, env); },
          /*daemon=*/true);
    });
    for (uint32_t h : {2u, 3u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(
            host, "subscriber",
            [&env](Ctx& ctx) -> Task<> {
              SimSocket* s = ctx.socket(SocketType::kSub);
              env.tune(s);
              s->set_bytes(opt::kSubscribe, "h0.");
              s->connect("tcp://h1:5558");
              co_await receive_flow(ctx, env, s, no_envelope(), /*fanout=*/true);
            },
            /*daemon=*/true);
      });
    }
    env.require([this] { return subscriptions_ > 0; });
  }

  void finish(ScenarioEnv& env) override {
    if (subscriptions_ == 0) env.fail("the XPUB never received a subscription");
  }

 private:
  Task<> proxy(Ctx& ctx, ScenarioEnv& env) {
    SimSocket* up = ctx.socket(SocketType::kXSub);
    SimSocket* down = ctx.socket(SocketType::kXPub);
    env.tune(up);
    env.tune(down);
    up->connect("tcp://h0:5557");
    if (down->bind("tcp://*:5558") != Err::kOk) env.fail("XPUB bind failed");
    std::vector<WaitItem> items;
    items.push_back(WaitItem{up, kReadyIn});
    items.push_back(WaitItem{down, kReadyIn});
    for (;;) {
      co_await ctx.wait(items, kForever);
      std::vector<std::string> msg;
      while (co_await ctx.recv_parts(down, &msg, kDontWait) == Err::kOk) {
        // A subscription: 1 = subscribe, 0 = unsubscribe, then the topic.
        if (msg.size() != 1 || msg[0].empty() || (msg[0][0] != 0 && msg[0][0] != 1)) {
          env.fail("XPUB got something that is not a subscription");
          continue;
        }
        if (msg[0][0] == 1 && msg[0].substr(1) == "h0.") ++subscriptions_;
        co_await ctx.send_parts(up, std::move(msg), kDontWait);
      }
      while (co_await ctx.recv_parts(up, &msg, kDontWait) == Err::kOk) {
        co_await ctx.send_parts(down, std::move(msg), kDontWait);
      }
    }
  }

  int subscriptions_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> make_xpub_xsub() { return std::make_unique<XPubXSub>(); }

}  // namespace zlab::sim
