// RADIO -> DISH over udp:// (rfc 48; libzmq's udp engine): a RADIO sends to a DISH by unicast
// and to another by multicast, on one group the DISHes joined and one they did not. udp keeps
// few promises and the checks keep to them:
//  * a message arrives whole or not at all (each is checked), and only in a joined group;
//  * it arrives twice only when the network duplicates datagrams (dgram_dup), and out of order
//    only when the network reorders them (dgram_reorder, or latency's jitter);
//  * it is lost only when something loses datagrams (dgram_loss, partitions, a host down, a
//    DISH not bound yet); with none of these, every message arrives (exactly once);
//  * after the faults, messages get through again (every one unless dgram_loss is on, which
//    never ends: then some of them, to each DISH).
#include <map>
#include <set>
#include <utility>

#include "sim/scenario/message.h"
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

constexpr std::string_view kJoined = "weather";
constexpr std::string_view kNotJoined = "noise";

// A single-part test message (RADIO and DISH are single-part, rfc 48): drawn until the draw is
// one part, so the body still checks itself (message.h).
std::string single_part(const std::string& flow, uint64_t seq, Rng& rng) {
  for (;;) {
    std::vector<std::string> parts = make_message(flow, seq, rng);
    if (parts.size() == 1) return std::move(parts[0]);
  }
}

class RadioDishUdp final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 3;
    t.crashable = {0, 1, 2};
    t.binders = {0, 2};
    t.udp = true;
    return t;
  }

  void start(ScenarioEnv& env) override {
    const FaultSchedule& f = env.faults;
    // A DISH that boots late misses what was sent before it bound: udp keeps nothing.
    if (f.has(FaultKind::kLateBind)) env.never_exact();
    may_duplicate_ = f.has(FaultKind::kDgramDup);
    may_reorder_ = f.has(FaultKind::kDgramReorder) || f.has(FaultKind::kLatency);  // jitter
    quiet_must_arrive_ = !f.has(FaultKind::kDgramLoss);
    for (auto [h, endpoint] :
         {std::pair{0u, "udp://*:5556"}, std::pair{2u, "udp://239.1.2.3:5557"}}) {
      std::string where = endpoint;
      env.boot(h, [this, &env, where](HostId host) {
        env.world.spawn(
            host, "dish", [this, &env, where](Ctx& ctx) { return dish(ctx, env, where); },
            /*daemon=*/true);
      });
    }
    env.boot(1, [this, &env](HostId host) {
      env.world.spawn(host, "radio", [this, &env](Ctx& ctx) { return radio(ctx, env); });
    });
    env.require([this] { return quiet_seen_.count("h0") != 0 && quiet_seen_.count("h2") != 0; });
  }

 private:
  Task<> dish(Ctx& ctx, ScenarioEnv& env, std::string endpoint) {
    SimSocket* s = ctx.socket(SocketType::kDish);
    env.tune(s);
    if (s->bind(endpoint) != Err::kOk) env.fail(ctx.host_name() + " DISH bind failed");
    if (s->join(kJoined) != Err::kOk) env.fail(ctx.host_name() + " DISH join failed");
    const std::string me = ctx.host_name();
    for (;;) {
      Msg m;
      if (co_await ctx.recv(s, &m) != Err::kOk) continue;
      if (m.group() != kJoined) {
        env.fail(me + " got a message of group '" + std::string(m.group()) + "', never joined");
        continue;
      }
      std::string flow, why;
      uint64_t seq = 0;
      if (!read_message({std::string(m.view())}, 0, &flow, &seq, &why)) {
        env.fail(me + " got a bad message: " + why);
        continue;
      }
      if (!seen_[me].insert({flow, seq}).second) {
        if (!may_duplicate_) env.fail(me + " got " + flow + "#" + std::to_string(seq) + " twice");
        continue;  // a duplicate datagram: the ledger counts each message once
      }
      if (env.must_now()) quiet_seen_.insert(me);
      // The ledger checks order per key: one key per message where udp may reorder them.
      std::string key = me + " via udp";
      if (may_reorder_) key += " #" + std::to_string(seq);
      env.ledger.received(flow + "@" + me, seq, key, env.world.now_ns());
    }
  }

  Task<> radio(Ctx& ctx, ScenarioEnv& env) {
    SimSocket* s = ctx.socket(SocketType::kRadio);
    env.tune(s);
    if (s->connect("udp://h0:5556") != Err::kOk || s->connect("udp://239.1.2.3:5557") != Err::kOk) {
      env.fail("RADIO connect failed");
    }
    const std::string flow = env.flow(ctx.host());
    Rng& rng = env.world.rng();
    co_await ctx.sleep(ms(50));  // the DISHes bind at boot: udp keeps nothing sent before
    uint64_t seq = 0;
    auto one = [&](bool must) -> Task<> {
      Msg m = Msg::copy_of(single_part(flow, seq, rng));
      m.set_group(kJoined);
      uint64_t drops_before = dropped_by(s);
      Err err = co_await ctx.send(s, m);
      // A RADIO drops at its HWM (rfc 48): a message it counted as dropped never went out.
      must = must && dropped_by(s) == drops_before;
      if (err != Err::kOk) {
        env.fail("RADIO send failed: " + std::string(err_name(err)));
      } else {
        for (const char* to : {"h0", "h2"}) env.ledger.sent(flow + "@" + to, seq, must);
      }
      ++seq;
      Msg noise = Msg::copy_of("noise " + flow);
      noise.set_group(kNotJoined);
      co_await ctx.send(s, noise);
    };
    for (uint64_t i = 0; i < 150 * env.params.scale && env.window_open(); ++i) {
      co_await one(env.must_now() && quiet_must_arrive_);
      co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(20)))));
    }
    co_await sleep_until(ctx, env.quiet_at());
    for (int i = 0; i < 20; ++i) {
      co_await one(quiet_must_arrive_);
      co_await ctx.sleep(ms(10));
    }
  }

  bool may_duplicate_ = false;
  bool may_reorder_ = false;
  bool quiet_must_arrive_ = true;
  std::map<std::string, std::set<std::pair<std::string, uint64_t>>> seen_;  // per DISH host
  std::set<std::string> quiet_seen_;  // DISH hosts that got a message in the quiet phase
};

}  // namespace

std::unique_ptr<Scenario> make_radio_dish_udp() { return std::make_unique<RadioDishUdp>(); }

}  // namespace zlab::sim
