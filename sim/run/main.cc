// zlab-sim: run simulated scenarios (./zlab sim ...; see sim/README.md).
//
//   --seed N --scenario NAME      one run: header, verdict, trace in --out
//   --seeds A..B [--shard i/n] [--jobs J] [--scenario NAME]...   a sweep, merged JSON
//   --check-determinism [--seeds A..B]   every run twice, trace hashes compared
//   --faults a,b | all | none     only these faults (default: swarm, a random subset per seed)
//   --scale K                     K times the messages
//   --json FILE                   the sweep's JSON ("-": stdout; default: DIR/sweep.json)
//   --out DIR                     traces (single runs, and failing runs of sweeps)
//   --payload                     segment payloads (hex) in the trace
//   --pcap FILE                   one run (one --scenario) as pcapng: TCP packets and events
//   --list                        scenarios and faults
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "sim/run/runner.h"
#include "sim/run/sweep.h"

namespace zlab::sim {
namespace {

int usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "zlab sim: %s\n", why);
  std::fprintf(stderr,
               "usage: ./zlab sim [--seed N | --seeds A..B] [--scenario NAME]... [--shard i/n]\n"
               "                  [--jobs J] [--faults LIST|all|none] [--scale K]\n"
               "                  [--check-determinism] [--json FILE] [--out DIR] [--payload]\n"
               "                  [--pcap FILE] [--list]\n");
  return 2;
}

bool parse_u64(const char* s, uint64_t* out) {
  // strtoull takes "-1" as 2^64-1: only digits are a count or a seed.
  if (*s < '0' || *s > '9') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_range(const std::string& s, uint64_t* a, uint64_t* b) {
  size_t dots = s.find("..");
  if (dots == std::string::npos) return parse_u64(s.c_str(), a) && (*b = *a, true);
  return parse_u64(s.substr(0, dots).c_str(), a) && parse_u64(s.substr(dots + 2).c_str(), b) &&
         *a <= *b;
}

void list() {
  std::printf("scenarios:\n");
  for (const ScenarioInfo& s : all_scenarios()) {
    std::printf("  %-16s %s\n", std::string(s.name).c_str(), std::string(s.description).c_str());
  }
  std::printf("faults (a random subset per seed unless --faults):\n");
  for (int k = 0; k < kFaultKindCount; ++k) {
    std::printf("  %-18s %s%s\n", std::string(fault_name(FaultKind(k))).c_str(),
                std::string(fault_description(FaultKind(k))).c_str(),
                fault_is_lossy(FaultKind(k)) ? " [may lose messages]" : "");
  }
}

void progress_bar(size_t done, size_t total, size_t failed) {
  constexpr int kWidth = 40;
  int fill = total == 0 ? kWidth : int(done * kWidth / total);
  std::string bar(size_t(fill), '#');
  bar.append(size_t(kWidth - fill), '.');
  std::fprintf(stderr, "\r[%s] %zu/%zu runs, %zu failed", bar.c_str(), done, total, failed);
  if (done == total) std::fprintf(stderr, "\n");
}

void print_failure(std::FILE* out, const RunResult& r) {
  std::fprintf(out, "FAIL %s\n", result_header(r).c_str());
  for (const std::string& f : r.failures) std::fprintf(out, "  %s\n", f.c_str());
  if (!r.trace_tail.empty()) {
    std::fprintf(out, "  last trace lines:\n");
    size_t from = r.trace_tail.size() > 12 ? r.trace_tail.size() - 12 : 0;
    for (size_t i = from; i < r.trace_tail.size(); ++i) {
      std::fprintf(out, "    %s\n", r.trace_tail[i].c_str());
    }
  }
  std::fprintf(out, "  reproduce: %s\n", r.repro.c_str());
}

int main_impl(int argc, char** argv) {
  uint64_t seed = 0, first = 0, last = 0;
  bool have_seed = false, have_range = false, determinism = false, payload = false;
  std::vector<std::string> scenarios;
  uint32_t shard_index = 0, shard_count = 1;
  int jobs = int(std::max(1u, std::thread::hardware_concurrency()));
  FaultChoice choice;
  RunParams params;
  std::string json_path, out_dir, pcap_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--list") {
      list();
      return 0;
    } else if (a == "--seed") {
      if (!(v = value()) || !parse_u64(v, &seed)) return usage("--seed needs a number");
      have_seed = true;
    } else if (a == "--seeds") {
      if (!(v = value()) || !parse_range(v, &first, &last)) return usage("--seeds needs A..B");
      have_range = true;
    } else if (a == "--scenario") {
      if (!(v = value())) return usage("--scenario needs a name");
      if (std::string(v) != "all") {
        if (find_scenario(v) == nullptr) {
          list();
          return usage(("unknown scenario " + std::string(v)).c_str());
        }
        scenarios.emplace_back(v);
      }
    } else if (a == "--shard") {
      unsigned x = 0, y = 0;
      if (!(v = value()) || std::sscanf(v, "%u/%u", &x, &y) != 2 || y == 0 || x >= y) {
        return usage("--shard needs i/n with i < n");
      }
      shard_index = x;
      shard_count = y;
    } else if (a == "--jobs") {
      uint64_t j = 0;
      if (!(v = value()) || !parse_u64(v, &j) || j == 0) return usage("--jobs needs a number");
      jobs = int(j);
    } else if (a == "--faults") {
      if (!(v = value())) return usage("--faults needs a list");
      std::string bad;
      choice.swarm = false;
      if (std::string(v) != "none" && !parse_fault_list(v, &choice.only, &bad)) {
        list();
        return usage(("unknown fault " + bad).c_str());
      }
    } else if (a == "--scale") {
      uint64_t k = 0;
      if (!(v = value()) || !parse_u64(v, &k) || k == 0) return usage("--scale needs a number");
      params.scale = uint32_t(k);
    } else if (a == "--check-determinism") {
      determinism = true;
    } else if (a == "--json") {
      if (!(v = value())) return usage("--json needs a file");
      json_path = v;
    } else if (a == "--out") {
      if (!(v = value())) return usage("--out needs a directory");
      out_dir = v;
    } else if (a == "--payload") {
      payload = true;
    } else if (a == "--pcap") {
      if (!(v = value())) return usage("--pcap needs a file");
      pcap_path = v;
    } else if (a == "-h" || a == "--help") {
      usage(nullptr);
      list();
      return 0;
    } else {
      return usage(("unknown argument " + a).c_str());
    }
  }
  if (!out_dir.empty()) ::mkdir(out_dir.c_str(), 0755);
  if (!pcap_path.empty() && (!have_seed || have_range || determinism || scenarios.size() != 1)) {
    return usage("--pcap records one run: give --seed N and one --scenario");
  }

  if (have_seed && !have_range && !determinism) {
    if (scenarios.empty()) {
      for (const ScenarioInfo& s : all_scenarios()) scenarios.emplace_back(s.name);
    }
    int failed = 0;
    for (const std::string& name : scenarios) {
      RunRequest req;
      req.seed = seed;
      req.scenario = name;
      req.choice = choice;
      req.params = params;
      req.trace_payload = payload;
      req.pcap_path = pcap_path;
      if (!out_dir.empty()) {
        req.trace_path = out_dir + "/" + name + "-" + std::to_string(seed) + ".jsonl";
      }
      RunResult r = run_scenario(req);
      std::printf("%s\n", result_header(r).c_str());
      if (r.passed) {
        std::printf(
            "PASS outcome=%s exact=%s sent=%llu received=%llu disconnects=%llu events=%llu "
            "virtual=%.3fs wall=%.1fms hash=%016llx\n",
            r.outcome.c_str(), r.exact ? "yes" : "no", (unsigned long long)r.sent,
            (unsigned long long)r.received, (unsigned long long)r.disconnects,
            (unsigned long long)r.events, double(r.virtual_ns) / 1e9, r.wall_ms,
            (unsigned long long)r.trace_hash);
      } else {
        ++failed;
        print_failure(stdout, r);
      }
      if (!req.trace_path.empty()) std::printf("trace: %s\n", req.trace_path.c_str());
      if (!req.pcap_path.empty()) std::printf("pcap: %s\n", req.pcap_path.c_str());
    }
    return failed == 0 ? 0 : 1;
  }

  SweepSpec spec;
  if (have_range) {
    spec.first_seed = first;
    spec.last_seed = last;
  } else if (have_seed) {
    spec.first_seed = spec.last_seed = seed;
  } else if (determinism) {
    spec.first_seed = 1;
    spec.last_seed = 20;
  } else {
    return usage("give --seed N or --seeds A..B");
  }
  spec.shard_index = shard_index;
  spec.shard_count = shard_count;
  spec.scenarios = scenarios;
  spec.choice = choice;
  spec.params = params;
  spec.jobs = jobs;
  spec.twice = determinism;
  spec.failure_trace_dir = out_dir;
  if (::isatty(2)) spec.progress = progress_bar;
  SweepResult res = sweep(spec);
  // With the JSON on stdout, everything for people goes to stderr.
  std::FILE* human = json_path == "-" ? stderr : stdout;
  for (const RunResult& r : res.results) {
    if (!r.passed) print_failure(human, r);
  }
  std::string json = sweep_json(spec, res);
  if (json_path.empty() && !out_dir.empty()) json_path = out_dir + "/sweep.json";
  if (json_path == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
  } else if (!json_path.empty()) {
    if (std::FILE* f = std::fopen(json_path.c_str(), "w")) {
      std::fwrite(json.data(), 1, json.size(), f);
      std::fclose(f);
    } else {
      std::fprintf(stderr, "zlab sim: cannot write %s\n", json_path.c_str());
    }
  }
  if (!json_path.empty() && json_path != "-") {
    std::fprintf(human, "results: %s\n", json_path.c_str());
  }
  std::fprintf(human, "%s: %zu runs, %zu passed, %zu failed%s (%.1fs on %d jobs)\n",
               determinism ? "determinism" : "sweep", res.results.size(),
               res.results.size() - res.failed, res.failed,
               determinism
                   ? (", " + std::to_string(res.nondeterministic) + " nondeterministic").c_str()
                   : "",
               res.wall_ms / 1000, jobs);
  return res.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace zlab::sim

int main(int argc, char** argv) { return zlab::sim::main_impl(argc, argv); }
