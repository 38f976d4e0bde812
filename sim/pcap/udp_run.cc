#include "sim/pcap/udp_run.h"

#include <string_view>

#include "sim/fault/faults.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;

// A DISH that joined `group` reads until nothing came for 5 s (longer than any partition the
// faults draw), checking every message.
Task<> dish(Ctx& ctx, std::string endpoint, std::string group, UdpRunResult* result) {
  SimSocket* s = ctx.socket(SocketType::kDish);
  s->set_int(opt::kRcvTimeo, 5000);
  s->set_int(opt::kLinger, 0);
  if (s->bind(endpoint) != Err::kOk || s->join(group) != Err::kOk) {
    ++result->wrong;
    co_return;
  }
  for (;;) {
    Msg m;
    if (co_await ctx.recv(s, &m) != Err::kOk) break;
    ++result->received;
    if (m.group() != group || !m.view().starts_with("radio #")) ++result->wrong;
  }
  s->close();
}

Task<> radio(Ctx& ctx, UdpRunResult* result) {
  SimSocket* s = ctx.socket(SocketType::kRadio);
  s->set_int(opt::kLinger, 0);
  s->connect("udp://h1:5555");
  s->connect("udp://239.1.2.3:5556");
  co_await ctx.sleep(100 * kMs);  // the DISHes are bound by then
  for (uint64_t i = 0; i < kUdpRunMessages; ++i) {
    Msg m = Msg::copy_of("radio #" + std::to_string(i));
    m.set_group(i % 2 == 0 ? "weather" : "news");
    if (co_await ctx.send(s, m) == Err::kOk) ++result->sent;
    co_await ctx.sleep(30 * kMs);
  }
  s->close();
}

}  // namespace

UdpRunResult run_udp(uint64_t seed, uint32_t fault_mask, PacketSink* sink) {
  UdpRunResult result;
  World world(seed);
  HostId h0 = world.add_host("h0");
  HostId h1 = world.add_host("h1");
  HostId h2 = world.add_host("h2");
  if (sink != nullptr) world.set_packet_sink(sink);
  FaultTargets targets;
  targets.hosts = 3;
  targets.udp = true;
  targets.window_ns = 2000 * kMs;
  FaultChoice choice;
  choice.swarm = fault_mask == 0;
  choice.only = fault_mask;
  FaultSchedule faults = draw_faults(world.rng(), targets, choice);
  apply_faults(faults, world);
  result.faults = describe_faults(faults);

  UdpRunResult* r = &result;
  world.spawn(h1, "dish-weather",
              [r](Ctx& ctx) { return dish(ctx, "udp://*:5555", "weather", r); });
  world.spawn(h1, "dish-news-1",
              [r](Ctx& ctx) { return dish(ctx, "udp://239.1.2.3:5556", "news", r); });
  world.spawn(h2, "dish-news-2",
              [r](Ctx& ctx) { return dish(ctx, "udp://239.1.2.3:5556", "news", r); });
  world.spawn(h0, "radio", [r](Ctx& ctx) { return radio(ctx, r); });
  RunOutcome outcome = world.run(60'000 * kMs);
  result.outcome = std::string(outcome_name(outcome.kind));
  if (!outcome.detail.empty()) result.outcome += ": " + outcome.detail;
  result.trace_hash = world.trace().hash();
  result.net = world.dgram().stats();
  return result;
}

}  // namespace zlab::sim
