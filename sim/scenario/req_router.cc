// REQ/ROUTER: REQ clients (lazy pirate and relaxed) against a ROUTER server that handles the
// envelope itself: [routing id, "", request...] in, [routing id, "", reply...] out (with
// ZMQ_REQ_CORRELATE a 4-byte request id comes before the delimiter, and goes back with it).
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class ReqRouter final : public Scenario {
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
    env.expect_disconnects();
    env.boot(0, [&env](HostId host) {
      env.world.spawn(
          host, "router",
          [&env](Ctx& ctx) -> Task<> {
            SimSocket* s = ctx.socket(SocketType::kRouter);
            env.tune(s);
            s->set_int(opt::kRouterMandatory, 1);
            if (s->bind("tcp://*:5566") != Err::kOk) env.fail("ROUTER bind failed");
            for (;;) {
              std::vector<std::string> req;
              if (co_await ctx.recv_paced(s, &req) != Err::kOk) continue;
              // [routing id, (request id, with ZMQ_REQ_CORRELATE), "", request...]
              size_t delimiter = 1;
              while (delimiter < req.size() && delimiter < 3 && !req[delimiter].empty()) {
                ++delimiter;
              }
              if (delimiter >= req.size() || !req[delimiter].empty() ||
                  (delimiter == 2 && req[1].size() != 4)) {
                env.fail("ROUTER got a REQ message without its envelope");
                continue;
              }
              // A peer gone since its request: EHOSTUNREACH, and its REQ retries.
              Err err = co_await ctx.send_parts(s, reply_to(std::move(req), delimiter + 1));
              if (err != Err::kOk && err != Err::kHostUnreachable) {
                env.fail("ROUTER send failed: " + std::string(err_name(err)));
              }
            }
          },
          /*daemon=*/true);
    });
    for (uint32_t h : {1u, 2u}) {
      env.boot(h, [&env, h](HostId host) {
        env.world.spawn(host, "req", [&env, h](Ctx& ctx) -> Task<> {
          ReqClientOptions o;
          o.endpoint = "tcp://h0:5566";
          o.lazy_pirate = h == 1;
          co_await req_client(ctx, env, o);
        });
      });
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_req_router() { return std::make_unique<ReqRouter>(); }

}  // namespace zlab::sim
