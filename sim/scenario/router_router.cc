// ROUTER/ROUTER: a broker and two workers that address each other by name. Workers set
// ZMQ_ROUTING_ID (their host name) and ZMQ_CONNECT_ROUTING_ID ("broker"); everyone sets
// ZMQ_ROUTER_MANDATORY, so sending before the peer is there is EHOSTUNREACH (the worker waits
// and retries), and the broker takes a reconnecting worker's name over (ZMQ_ROUTER_HANDOVER).
#include "sim/scenario/message.h"
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class RouterRouter final : public Scenario {
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
          host, "broker",
          [&env](Ctx& ctx) -> Task<> {
            SimSocket* s = ctx.socket(SocketType::kRouter);
            env.tune(s);
            s->set_bytes(opt::kRoutingId, "broker");
            s->set_int(opt::kRouterMandatory, 1);
            s->set_int(opt::kRouterHandover, 1);
            if (s->bind("tcp://*:5564") != Err::kOk) env.fail("ROUTER bind failed");
            for (;;) {
              std::vector<std::string> req;
              if (co_await ctx.recv_paced(s, &req) != Err::kOk) continue;
              // A worker's name, or a generated id (a zero byte first): under handover, the
              // old connection of a worker that came back keeps delivering what it had, under
              // a temporary id, as libzmq does.
              bool generated = !req.empty() && req[0].size() == 5 && req[0][0] == '\0';
              if (req.size() < 2 || (req[0] != "h1" && req[0] != "h2" && !generated)) {
                env.fail("broker got a message from an unknown routing id \"" +
                         (req.empty() ? "" : req[0].substr(0, 20)) + "\"");
                continue;
              }
              Err err = co_await ctx.send_parts(s, reply_to(std::move(req), 1));
              if (err != Err::kOk && err != Err::kHostUnreachable) {
                env.fail("broker send failed: " + std::string(err_name(err)));
              }
            }
          },
          /*daemon=*/true);
    });
    for (uint32_t h : {1u, 2u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(host, "worker", [&env, host](Ctx& ctx) -> Task<> {
          SimSocket* s = ctx.socket(SocketType::kRouter);
          env.tune(s);
          s->set_bytes(opt::kRoutingId, ctx.host_name());
          s->set_int(opt::kRouterMandatory, 1);
          s->set_bytes(opt::kConnectRoutingId, "broker");
          s->connect("tcp://h0:5564");
          env.world.spawn(
              host, "worker_in",
              [&env, s](Ctx& c) -> Task<> {
                std::vector<std::string> envelope;
                envelope.push_back("broker");
                envelope.push_back("re");
                co_await receive_flow(c, env, s, envelope);
              },
              /*daemon=*/true);
          co_await worker_send(ctx, env, s);
        });
      });
    }
  }

 private:
  // send_flow, but EHOSTUNREACH (not connected yet, or not any more) is waited out.
  static Task<> worker_send(Ctx& ctx, ScenarioEnv& env, SimSocket* s) {
    Rng& rng = env.world.rng();
    const std::string flow = env.flow(ctx.host());
    const uint64_t window = 100 * env.params.scale;
    bool quiet = false;
    for (uint64_t seq = 0, quiet_sent = 0; quiet_sent < 20; ++seq) {
      if (!quiet && (seq >= window || !env.window_open())) {
        co_await sleep_until(ctx, env.quiet_at());
        quiet = true;
      }
      if (quiet) ++quiet_sent;
      bool must = env.must_now();
      for (;;) {
        std::vector<std::string> msg;
        msg.push_back("broker");
        for (std::string& p : make_message(flow, seq, rng)) msg.push_back(std::move(p));
        Err err = co_await ctx.send_parts(s, std::move(msg));
        if (err == Err::kOk) {
          env.ledger.sent(flow, seq, must);
          break;
        }
        if (err != Err::kHostUnreachable) {
          env.fail("worker send failed: " + std::string(err_name(err)));
          break;
        }
        co_await ctx.sleep(ms(20));
      }
      co_await ctx.sleep(quiet ? ms(10) : int64_t(rng.below(uint64_t(ms(20)))));
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_router_router() { return std::make_unique<RouterRouter>(); }

}  // namespace zlab::sim
