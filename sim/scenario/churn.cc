// Churn: sockets come and go while traffic flows, to shake out lifetime bugs.
//  * h1 opens a DEALER, connects it to h0's ROUTER echo (and to a port nobody listens on),
//    sends a burst, takes what replies come, then closes it (ZMQ_LINGER 0 or 100 ms) or first
//    disconnects it; again and again through the fault window;
//  * h2's PUB unbinds and binds again now and then while h3's SUB disconnects, reconnects,
//    unsubscribes and subscribes again;
//  * in the quiet phase one more DEALER and the PUB/SUB pair must work end to end, and every
//    socket closed on the way must have finished closing (its linger is finite).
#include "sim/scenario/message.h"
#include "sim/scenario/req_client.h"

namespace zlab::sim {
namespace {

class Churn final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {0, 3};
    t.binders = {0, 2};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.expect_disconnects();
    env.never_exact();
    env.boot(0, [&env](HostId host) {
      env.world.spawn(
          host, "router",
          [&env](Ctx& ctx) -> Task<> {
            SimSocket* s = ctx.socket(SocketType::kRouter);
            env.tune(s);
            s->set_int(opt::kRouterMandatory, 1);  // wait for room; a gone peer is skipped
            s->set_int(opt::kSndTimeo, 1000);
            if (s->bind("tcp://*:5580") != Err::kOk) env.fail("ROUTER bind failed");
            for (;;) {
              std::vector<std::string> req;
              if (co_await ctx.recv_paced(s, &req) != Err::kOk || req.size() < 2) continue;
              std::vector<std::string> reply = reply_to(std::move(req), 1);
              // EAGAIN after SNDTIMEO means the peer is still connected but its pipe stayed
              // full for a second. That is no loss: the loss fault stays on in the quiet
              // phase, and retransmissions alone can stall a link for 1.4 s (RTO 200 ms
              // doubling, three times in a row) while the pipe is at a slow_consumer HWM of
              // a few messages. Dropping the reply then left the quiet DEALER waiting for
              // ever (sweep seeds 185, 482, 1148, 1320). So try again: only a gone peer
              // (EHOSTUNREACH, which ROUTER_MANDATORY reports once its connection is closed
              // or its heartbeats time out) loses its reply.
              while (co_await ctx.send_parts(s, reply) == Err::kAgain) {
              }
            }
          },
          /*daemon=*/true);
    });
    env.boot(1, [this, &env](HostId host) {
      env.world.spawn(host, "churner",
                      [this, &env](Ctx& ctx) -> Task<> { co_await dealers(ctx, env); });
    });
    env.boot(2, [&env](HostId host) {
      env.world.spawn(host, "pub", [&env](Ctx& ctx) -> Task<> { co_await pub(ctx, env); });
    });
    env.boot(3, [&env](HostId host) {
      env.world.spawn(
          host, "sub", [&env](Ctx& ctx) -> Task<> { co_await sub(ctx, env); },
          /*daemon=*/true);
    });
  }

  void finish(ScenarioEnv& env) override {
    for (SimSocket* s : closed_) {
      if (s->alive()) {
        env.fail("s" + std::to_string(s->id()) + " was closed with a finite linger and never " +
                 "finished closing");
      }
    }
  }

 private:
  // One DEALER's life: connect, a burst of requests, the replies that come, then away.
  Task<> dealers(Ctx& ctx, ScenarioEnv& env) {
    Rng& rng = env.world.rng();
    for (int cycle = 0;; ++cycle) {
      bool quiet = !env.window_open();
      if (quiet) co_await sleep_until(ctx, env.quiet_at());
      SimSocket* s = ctx.socket(SocketType::kDealer);
      env.tune(s);
      s->set_int(opt::kLinger, rng.coin() ? 0 : 100);
      s->set_int(opt::kRcvTimeo, quiet ? -1 : 300);  // quiet: no faults, nothing may be lost
      s->connect("tcp://h0:5580");
      // Refused, retried, and closed with it (not in the quiet phase: without ZMQ_IMMEDIATE,
      // a DEALER queues every other request for that never-connected peer).
      if (!quiet && rng.coin()) s->connect("tcp://h3:5599");
      const std::string flow = env.flow(ctx.host(), "c" + std::to_string(cycle));
      const uint64_t burst = quiet ? 20 : 1 + rng.below(20);
      for (uint64_t seq = 0; seq < burst; ++seq) {
        if (co_await ctx.send_parts(s, make_message(flow, seq, rng)) == Err::kOk) {
          env.ledger.sent(flow, seq, quiet);
        }
      }
      for (uint64_t got = 0; got < burst;) {
        std::vector<std::string> reply;
        std::string peer;
        Err err = co_await ctx.recv_parts(s, &reply, 0, &peer);
        if (err != Err::kOk) break;  // what did not come is lost with the socket
        std::string f, why;
        uint64_t seq = 0;
        if (reply.size() < 2 || reply[0] != "re" || !read_message(reply, 1, &f, &seq, &why)) {
          env.fail("a DEALER got a bad reply");
          continue;
        }
        env.ledger.received(f, seq, ctx.host_name() + " via " + peer, env.world.now_ns());
        ++got;
      }
      if (quiet) co_return;
      if (rng.coin()) s->disconnect("tcp://h0:5580");
      s->close();
      closed_.push_back(s);
      co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(200)))));
    }
  }

  static Task<> pub(Ctx& ctx, ScenarioEnv& env) {
    Rng& rng = env.world.rng();
    SimSocket* s = ctx.socket(SocketType::kPub);
    env.tune(s);
    if (s->bind("tcp://*:5581") != Err::kOk) env.fail("PUB bind failed");
    const std::string flow = env.flow(ctx.host());
    for (uint64_t seq = 0;; ++seq) {
      if (!env.window_open() && !env.must_now()) co_await sleep_until(ctx, env.quiet_at());
      if (env.world.now_ns() >= env.quiet_end()) co_return;
      bool must = env.must_now();
      if (co_await ctx.send_parts(s, make_message(flow, seq, rng)) != Err::kOk) {
        env.fail("PUB send failed");
      }
      env.ledger.sent(flow + "@h3", seq, must);
      co_await ctx.sleep(ms(10));
      if (env.window_open() && rng.below(60) == 0) {
        // Away and back: the subscriber's connection goes with the unbind.
        if (s->unbind("tcp://h2:5581") != Err::kOk) env.fail("PUB unbind failed");
        co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(300)))));
        if (s->bind("tcp://*:5581") != Err::kOk) env.fail("PUB bind again failed");
      }
    }
  }

  static Task<> sub(Ctx& ctx, ScenarioEnv& env) {
    Rng& rng = env.world.rng();
    SimSocket* s = ctx.socket(SocketType::kSub);
    env.tune(s);
    s->set_int(opt::kRcvTimeo, 100);
    s->set_bytes(opt::kSubscribe, "h2.");
    s->connect("tcp://h2:5581");
    for (;;) {
      std::vector<std::string> parts;
      std::string peer;
      Err err = co_await ctx.recv_paced(s, &parts, 0, &peer);
      if (err == Err::kOk) {
        std::string f, why;
        uint64_t seq = 0;
        if (!read_message(parts, 0, &f, &seq, &why)) {
          env.fail("the SUB got a bad message: " + why);
        } else {
          env.ledger.received(f + "@h3", seq, "h3 via " + peer, env.world.now_ns());
        }
      }
      if (!env.window_open()) continue;
      switch (rng.below(100)) {
        case 0:
          s->disconnect("tcp://h2:5581");
          co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(200)))));
          s->connect("tcp://h2:5581");
          break;
        case 1:
          s->set_bytes(opt::kUnsubscribe, "h2.");
          co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(200)))));
          s->set_bytes(opt::kSubscribe, "h2.");
          break;
        default:
          break;
      }
    }
  }

  std::vector<SimSocket*> closed_;
};

}  // namespace

std::unique_ptr<Scenario> make_churn() { return std::make_unique<Churn>(); }

}  // namespace zlab::sim
