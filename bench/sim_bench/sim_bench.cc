// The simulator's speed on a standard scenario: 8 hosts, PUSH/PULL and PUB/SUB, 100k messages
// sent, faults on (latency with jitter, 1% loss, split I/O, clock drift, a partition and a
// reset). Prints simulated events per wall-second and simulated time per wall time.
//
//   bazel run --config=bench //bench/sim_bench [-- --seed N --messages M --trace FILE]
//
// --trace FILE writes the run's trace lines (to compare two builds' traces byte for byte).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/fault/faults.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

constexpr int kHosts = 8;
constexpr int kSenders = 6;  // h2..h7: a PUSH and a SUB each

struct Counts {
  uint64_t pushed = 0;
  uint64_t pulled = 0;
  uint64_t published = 0;
  uint64_t subscribed = 0;
};

void tune(SimSocket* s) {
  s->set_int(opt::kHeartbeatIvl, 200);
  s->set_int(opt::kHeartbeatTimeout, 2000);
  s->set_int(opt::kReconnectIvl, 100);
  s->set_int(opt::kLinger, 0);
}

int run(uint64_t seed, uint64_t messages, std::FILE* trace_file) {
  World w(seed);
  w.trace().set_file(trace_file);
  for (int h = 0; h < kHosts; ++h) w.add_host("h" + std::to_string(h));
  FaultSchedule f;
  f.enabled = (1u << int(FaultKind::kLatency)) | (1u << int(FaultKind::kLoss)) |
              (1u << int(FaultKind::kSplitIo)) | (1u << int(FaultKind::kClockDrift)) |
              (1u << int(FaultKind::kPartition)) | (1u << int(FaultKind::kReset));
  f.net.latency_min_ns = 50'000;
  f.net.latency_max_ns = 500'000;
  f.net.jitter_ns = 100'000;
  f.net.loss_ppm = 10'000;
  f.net.split_ppm = 300'000;
  for (int h = 0; h < kHosts; ++h) f.drift_ppm.push_back((h * 2917) % 4001 - 2000);
  f.events.push_back({FaultEvent::Type::kPartition, 2'000'000'000, 1'000'000'000, 0, 3});
  f.events.push_back({FaultEvent::Type::kReset, 3'000'000'000, 0, 7});
  apply_faults(f, w);

  const uint64_t per_pusher = messages * 6 / 10 / kSenders;  // 60% PUSH/PULL
  const uint64_t to_publish = messages - per_pusher * kSenders;
  Counts c;
  w.spawn(
      0, "pull",
      [&](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(SocketType::kPull);
        tune(s);
        s->bind("tcp://*:5555");
        for (;;) {
          Msg m;
          if (co_await ctx.recv(s, &m) == Err::kOk) ++c.pulled;
        }
      },
      /*daemon=*/true);
  w.spawn(1, "pub", [&](Ctx& ctx) -> Task<> {
    SimSocket* s = ctx.socket(SocketType::kPub);
    tune(s);
    s->bind("tcp://*:5556");
    co_await ctx.sleep(ms(100));  // let the subscriptions arrive
    for (uint64_t i = 0; i < to_publish; ++i) {
      co_await ctx.send(s, "topic " + std::to_string(i));
      ++c.published;
      if (i % 4 == 0) co_await ctx.sleep(ms(1));
    }
  });
  for (int h = 2; h < kHosts; ++h) {
    w.spawn(h, "push", [&](Ctx& ctx) -> Task<> {
      SimSocket* s = ctx.socket(SocketType::kPush);
      tune(s);
      s->connect("tcp://h0:5555");
      for (uint64_t i = 0; i < per_pusher; ++i) {
        co_await ctx.send(s, std::string(64 + i % 200, 'p'));
        ++c.pushed;
        if (i % 4 == 0) co_await ctx.sleep(ms(1));
      }
    });
    w.spawn(
        h, "sub",
        [&](Ctx& ctx) -> Task<> {
          SimSocket* s = ctx.socket(SocketType::kSub);
          tune(s);
          s->set_bytes(opt::kSubscribe, "topic");
          s->connect("tcp://h1:5556");
          for (;;) {
            Msg m;
            if (co_await ctx.recv(s, &m) == Err::kOk) ++c.subscribed;
          }
        },
        /*daemon=*/true);
  }
  auto t0 = std::chrono::steady_clock::now();
  RunOutcome out = w.run(int64_t(600) * 1'000'000'000);
  // A little more time for what is still in flight.
  w.run(out.end_ns + 2'000'000'000);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double virt = double(w.now_ns()) / 1e9;
  uint64_t events = w.queue().dispatched();
  std::printf("sim_bench: seed %llu, %d hosts, faults: %s\n", (unsigned long long)seed, kHosts,
              describe_faults(f).c_str());
  std::printf("  messages sent        %llu (PUSH %llu, PUB %llu)\n",
              (unsigned long long)(c.pushed + c.published), (unsigned long long)c.pushed,
              (unsigned long long)c.published);
  std::printf("  messages received    %llu (PULL %llu, SUB %llu from %d subscribers)\n",
              (unsigned long long)(c.pulled + c.subscribed), (unsigned long long)c.pulled,
              (unsigned long long)c.subscribed, kSenders);
  std::printf("  events               %llu\n", (unsigned long long)events);
  std::printf("  trace lines          %llu (hash %016llx)\n", (unsigned long long)w.trace().lines(),
              (unsigned long long)w.trace().hash());
  std::printf("  simulated time       %.3f s\n", virt);
  std::printf("  wall time            %.3f s\n", wall);
  std::printf("  events per wall-sec  %.0f\n", double(events) / wall);
  std::printf("  simulated/wall time  %.2fx\n", virt / wall);
  bool ok = out.kind == RunOutcome::Kind::kDone && c.pulled > 0 && c.subscribed > 0;
  if (!ok) std::printf("  run ended by %s\n", std::string(outcome_name(out.kind)).c_str());
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace zlab::sim

int main(int argc, char** argv) {
  uint64_t seed = 1, messages = 100'000;
  std::FILE* trace_file = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--messages") == 0) {
      messages = std::strtoull(argv[i + 1], nullptr, 10);
    }
    if (std::strcmp(argv[i], "--trace") == 0 && trace_file == nullptr) {
      trace_file = std::fopen(argv[i + 1], "w");
      if (trace_file == nullptr) {
        std::perror(argv[i + 1]);
        return 2;
      }
    }
  }
  int rc = zlab::sim::run(seed, messages, trace_file);
  if (trace_file != nullptr) std::fclose(trace_file);
  return rc;
}
