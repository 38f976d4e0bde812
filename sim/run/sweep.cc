#include "sim/run/sweep.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sim/base/trace.h"

namespace zlab::sim {

SweepResult sweep(const SweepSpec& spec) {
  std::vector<std::string> names = spec.scenarios;
  if (names.empty()) {
    for (const ScenarioInfo& s : all_scenarios()) names.emplace_back(s.name);
  }
  std::vector<RunRequest> items;
  size_t index = 0;
  for (uint64_t seed = spec.first_seed; seed <= spec.last_seed; ++seed) {
    for (const std::string& name : names) {
      if (index++ % spec.shard_count != spec.shard_index) continue;
      RunRequest r;
      r.seed = seed;
      r.scenario = name;
      r.choice = spec.choice;
      r.params = spec.params;
      items.push_back(std::move(r));
    }
    if (seed == UINT64_MAX) break;
  }
  SweepResult out;
  out.results.resize(items.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<size_t> failed{0};
  std::atomic<size_t> mismatched{0};
  std::mutex progress_mu;
  auto wall0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      RunResult r = run_scenario(items[i]);
      if (spec.twice) {
        RunResult again = run_scenario(items[i]);
        if (again.trace_hash != r.trace_hash || again.trace_lines != r.trace_lines) {
          char a[20], b[20];
          std::snprintf(a, sizeof a, "%016llx", (unsigned long long)r.trace_hash);
          std::snprintf(b, sizeof b, "%016llx", (unsigned long long)again.trace_hash);
          r.failures.push_back(std::string("nondeterministic: trace hash ") + a + " then " + b);
          r.passed = false;
          mismatched.fetch_add(1);
        }
      }
      if (!r.passed && !spec.failure_trace_dir.empty()) {
        RunRequest traced = items[i];
        traced.trace_path = spec.failure_trace_dir + "/" + traced.scenario + "-" +
                            std::to_string(traced.seed) + ".jsonl";
        run_scenario(traced);
      }
      if (!r.passed) failed.fetch_add(1);
      out.results[i] = std::move(r);
      size_t d = done.fetch_add(1) + 1;
      if (spec.progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        spec.progress(d, items.size(), failed.load());
      }
    }
  };
  int jobs = std::max(1, spec.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  out.failed = failed.load();
  out.nondeterministic = mismatched.load();
  out.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

std::string sweep_json(const SweepSpec& spec, const SweepResult& r) {
  std::string out = "{\"seeds\":\"" + std::to_string(spec.first_seed) + ".." +
                    std::to_string(spec.last_seed) + "\"";
  out += ",\"shard\":\"" + std::to_string(spec.shard_index) + "/" +
         std::to_string(spec.shard_count) + "\"";
  out += ",\"runs\":" + std::to_string(r.results.size());
  out += ",\"passed\":" + std::to_string(r.results.size() - r.failed);
  out += ",\"failed\":" + std::to_string(r.failed);
  if (spec.twice) out += ",\"nondeterministic\":" + std::to_string(r.nondeterministic);
  uint64_t events = 0;
  int64_t virtual_ns = 0;
  for (const RunResult& x : r.results) {
    events += x.events;
    virtual_ns += x.virtual_ns;
  }
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.0f", r.wall_ms);
  out += ",\"events\":" + std::to_string(events);
  out += ",\"virtual_ns\":" + std::to_string(virtual_ns);
  out += ",\"wall_ms\":" + std::string(wall);
  out += ",\"results\":[\n";
  for (size_t i = 0; i < r.results.size(); ++i) {
    out += result_json(r.results[i]);
    out += i + 1 < r.results.size() ? ",\n" : "\n";
  }
  out += "]}\n";
  return out;
}

}  // namespace zlab::sim
