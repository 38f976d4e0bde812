#include "sim/scenario/scenario.h"

#include "sim/scenario/message.h"

namespace zlab::sim {

ScenarioEnv::ScenarioEnv(World& w, const FaultSchedule& f, const RunParams& p, uint32_t hosts)
    : world(w), faults(f), params(p) {
  (void)hosts;
  lab_ = world.add_host("lab");
  exact_ = !faults.lossy() && !faults.has(FaultKind::kSlowConsumer);
}

void ScenarioEnv::tune(SimSocket* s) {
  s->set_int(opt::kHeartbeatIvl, 200);
  s->set_int(opt::kHeartbeatTimeout, 3000);
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

bool ScenarioEnv::satisfied() const {
  if (!ledger.complete(exact_)) return false;
  for (const auto& done : done_) {
    if (!done()) return false;
  }
  return true;
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
    co_await ctx.sleep(c.local(at_ns) - c.local(w.now_ns()));
  }
}

}  // namespace zlab::sim
