#include "sim/scenario/duplex.h"

namespace zlab::sim {

void start_duplex(ScenarioEnv& env, SocketType type, const std::string& port) {
  for (uint32_t h : {0u, 1u}) {
    env.boot(h, [&env, type, port, h](HostId host) {
      env.world.spawn(host, "peer", [&env, type, port, h, host](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(type);
        env.tune(s);
        if (h == 0) {
          if (s->bind("tcp://*:" + port) != Err::kOk) env.fail("bind failed");
        } else {
          s->connect("tcp://h0:" + port);
        }
        env.world.spawn(
            host, "peer_in",
            [&env, s](Ctx& c) -> Task<> { co_await receive_flow(c, env, s, no_envelope()); },
            /*daemon=*/true);
        FlowOptions o;
        o.count = 150;
        co_await send_flow(ctx, env, s, env.flow(host), o);
      });
    });
  }
}

}  // namespace zlab::sim
