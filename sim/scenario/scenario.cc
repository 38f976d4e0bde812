#include "sim/scenario/scenario.h"

#include <algorithm>

#include "sim/scenario/message.h"

namespace zlab::sim {

ScenarioEnv::ScenarioEnv(World& w, const FaultSchedule& f, const RunParams& p, uint32_t hosts)
    : world(w), faults(f), params(p) {
  (void)hosts;
  lab_ = world.add_host("lab");
  lossless_ = !faults.lossy() && !faults.has(FaultKind::kSlowConsumer);
  exact_ = lossless_;
}

void ScenarioEnv::tune(SimSocket* s) {
  s->set_int(opt::kHeartbeatIvl, 200);
  s->set_int(opt::kHeartbeatTimeout, 2000);
  s->set_int(opt::kReconnectIvl, 100);
  s->set_int(opt::kReconnectIvlMax, 1000);
  s->set_int(opt::kLinger, 0);
  sockets_.push_back(s);
}

void ScenarioEnv::boot(uint32_t h, BootFn fn) {
  world.set_boot(host(h), std::move(fn));
  world.boot_at(host(h), faults.boot_delay(h));
}

void ScenarioEnv::fail(const std::string& what) {
  ledger.violation("t=" + std::to_string(world.now_ns()) + ": " + what);
}

void ScenarioEnv::record(const std::vector<std::string>& parts, size_t first,
                         const std::string& receiver, const std::string& peer) {
  std::string f, why;
  uint64_t seq = 0;
  if (!read_message(parts, first, &f, &seq, &why)) {
    fail(receiver + " got a bad message: " + why);
    return;
  }
  ledger.received(f, seq, receiver + " via " + peer, world.now_ns());
}

std::string ScenarioEnv::flow(HostId h, std::string_view suffix) const {
  std::string out = world.host_name(h) + "." + std::to_string(world.incarnation(h));
  if (!suffix.empty()) out += "." + std::string(suffix);
  return out;
}

bool ScenarioEnv::satisfied() {
  for (const auto& done : done_) {
    if (!done()) return false;
  }
  if (ledger.complete(exact_)) return true;
  return drops() > 0 && world.now_ns() >= quiet_end() + sec(2) &&
         ledger.every_must_flow_progressed();
}

uint64_t ScenarioEnv::mutes() const {
  uint64_t n = 0;
  for (SimSocket* s : sockets_) n += s->mutes();
  return n;
}

uint64_t ScenarioEnv::drops() {
  uint64_t n = 0;
  for (SimSocket* s : sockets_) n += s->alive() ? s->core().dropped_messages() : 0;
  drops_seen_ = std::max(drops_seen_, n);
  return drops_seen_;
}

uint64_t ScenarioEnv::disconnects() const {
  uint64_t n = 0;
  for (SimSocket* s : sockets_) n += s->monitor_count(monitor::kDisconnected);
  return n;
}

void ScenarioEnv::start_checker() {
  world.spawn(lab_, "checker", [this](Ctx& ctx) -> Task<> {
    co_await sleep_until(ctx, quiet_end());
    while (!satisfied()) co_await ctx.sleep(ms(50));
  });
}

Task<> sleep_until(Ctx& ctx, int64_t at_ns) {
  World& w = ctx.world();
  while (w.now_ns() < at_ns) {
    const HostClock& c = w.clock(ctx.host());
    // At least one local nanosecond: a slow clock rounds the last global nanoseconds to no
    // local time at all, and sleep(0) at the same instant forever hung the run (sweep, session 7).
    co_await ctx.sleep(std::max<int64_t>(1, c.local(at_ns) - c.local(w.now_ns())));
  }
}

uint64_t dropped_by(SimSocket* s) { return s->alive() ? s->core().dropped_messages() : 0; }

Task<> send_flow(Ctx& ctx, ScenarioEnv& env, SimSocket* s, std::string flow, FlowOptions o) {
  Rng& rng = env.world.rng();
  uint64_t seq = 0;
  auto one = [&](bool must) -> Task<> {
    std::vector<std::string> msg = o.envelope;
    for (std::string& p : make_message(flow, seq, rng)) msg.push_back(std::move(p));
    uint64_t drops_before = dropped_by(s);
    Err err = co_await ctx.send_parts(s, std::move(msg));
    // A message the sender itself counted as dropped at an HWM while sending it (the spec
    // lets PUB and ROUTER drop there) never went out, so it cannot be required to arrive. A
    // fan-out send does not say which copies went, so none of them is. Without this, a
    // subscriber behind a link still draining its fault-phase backlog at 5 KB/s (loss,
    // small segments) had every quiet message dropped at the PUB's HWM and its flow counted
    // as never progressing (sweep seed 1080 of pub_sub).
    must = must && dropped_by(s) == drops_before;
    if (err != Err::kOk) {
      env.fail(ctx.host_name() + " send failed: " + std::string(err_name(err)));
    } else if (o.fanout.empty()) {
      env.ledger.sent(flow, seq, must);
    } else {
      for (const std::string& to : o.fanout) env.ledger.sent(flow + "@" + to, seq, must);
    }
    ++seq;
  };
  for (uint64_t i = 0; i < o.count * env.params.scale && env.window_open(); ++i) {
    co_await one(env.must_now());
    co_await ctx.sleep(int64_t(rng.below(uint64_t(o.max_gap_ns))));
  }
  co_await sleep_until(ctx, env.quiet_at());
  for (uint64_t i = 0; i < o.quiet_count; ++i) {
    co_await one(true);
    co_await ctx.sleep(ms(10));
  }
}

Task<> receive_flow(Ctx& ctx, ScenarioEnv& env, SimSocket* s, std::vector<std::string> envelope,
                    bool fanout) {
  const std::string suffix = fanout ? "@" + ctx.host_name() : "";
  for (;;) {
    std::vector<std::string> parts;
    std::string peer;
    Err err = co_await ctx.recv_paced(s, &parts, 0, &peer);
    if (err == Err::kProtocol) env.fail("torn multipart at " + ctx.host_name());
    if (err != Err::kOk) continue;
    bool ok = parts.size() > envelope.size();
    for (size_t i = 0; ok && i < envelope.size(); ++i) {
      ok = envelope[i] == "*" || parts[i] == envelope[i];
    }
    if (!ok) {
      env.fail(ctx.host_name() + " got a message with a bad envelope (" +
               std::to_string(parts.size()) + " parts)");
      continue;
    }
    std::string f, why;
    uint64_t seq = 0;
    if (!read_message(parts, envelope.size(), &f, &seq, &why)) {
      env.fail(ctx.host_name() + " got a bad message: " + why);
      continue;
    }
    env.ledger.received(f + suffix, seq, ctx.host_name() + " via " + peer, env.world.now_ns());
  }
}

}  // namespace zlab::sim
