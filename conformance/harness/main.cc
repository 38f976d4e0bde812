// conform_runner: runs the property catalogue and prints one zlab-conformance/1 result per
// line (JSON). conformance/run turns them into the report; people run ./zlab conform.
//
//   conform_runner [--only GLOB] [--seed N] [--cases K] [--transport sim|tcp|ipc] [--list]
//                  [--impl NAME[=AGENT_COMMAND]] [--peer-impl NAME[=AGENT_COMMAND]]
//                  [--after RULE] [--case-wall-ms N] [--case-virtual-ms N]
//                  [--shrink-budget-ms N] [--shrink-total-ms N] [--max-shrinks N]
//                  [--check-determinism] [--artifacts DIR]
//
// --artifacts DIR: each FAIL's shrunk case is replayed once more on the simulator with its
// worlds' traces and pcapngs written to DIR (RULE-SEED.jsonl, RULE-SEED.pcapng; the result's
// failure lists them). Real transports write nothing here (conformance/run captures them).
//
// --check-determinism runs every property twice with the seed, on the simulator, and prints
// one line per property: PASS when both runs agree (outcome, counts, evidence, failure,
// every world's trace hash), FAIL with the difference otherwise.
//
// --transport tcp runs the properties on zlab's real driver over loopback (zlab on both
// ends, no injected faults); properties marked sim_only are left out. --after skips every
// property up to and including RULE (conformance/run restarts there after a hung case, which
// ends the process with status 3 once its FAIL line is printed).
//
// --marks prints "conform-mark: begin|end RULE UNIX_NS" on stderr around each property (wall
// clock, the time base of a packet capture): conformance/run cuts a capture of the whole run
// into one pcapng per rule with them.
//
// ZLAB_CONFORM_PLANT=RULE plants a failure in RULE's property (planted_failure in runner.h):
// for tests of the failure reports (traces, pcapngs, links), never for a verdict.
//
// --impl takes the socket under test from another implementation's agent process, --peer-impl
// its peers (default: the same as --impl); see conformance/agents/README.md.
#include <rapidcheck.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "conformance/harness/runner.h"
#include "conformance/properties/agent.h"
#include "conformance/properties/lab.h"

namespace {
// "NAME" (zlab: in process) or "NAME=COMMAND" (an agent started with COMMAND).
zlab::conform::Impl parse_impl(const std::string& text) {
  zlab::conform::Impl impl;
  size_t eq = text.find('=');
  impl.name = text.substr(0, eq);
  if (eq != std::string::npos) impl.command = text.substr(eq + 1);
  if (impl.command.empty() && impl.name != "zlab") {
    std::fprintf(stderr, "conform_runner: --impl %s needs =COMMAND (its agent)\n", text.c_str());
    std::exit(2);
  }
  return impl;
}
// A wall-clock mark around a property (--marks), on a line of its own.
void mark(const char* what, const std::string& rule) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  std::fprintf(stderr, "\nconform-mark: %s %s %lld\n", what, rule.c_str(), (long long)ns);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace zlab::conform;
  RunConfig config;
  bool list = false;
  std::string after;  // skip up to and including this rule
  bool determinism = false;
  bool marks = false;  // --marks
  bool wall_given = false;
  Impl under_test, peer;  // zlab in process unless an agent is named
  bool peer_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "conform_runner: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--only") {
      config.only = value();
    } else if (arg == "--seed") {
      config.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (arg == "--cases") {
      config.cases = std::atoi(value().c_str());
    } else if (arg == "--transport") {
      std::string t = value();
      if (t != "sim" && t != "tcp" && t != "ipc") {
        std::fprintf(stderr, "conform_runner: --transport is sim, tcp or ipc, not %s\n", t.c_str());
        return 2;
      }
      set_current_transport(t == "sim"   ? Transport::kSim
                            : t == "tcp" ? Transport::kTcp
                                         : Transport::kIpc);
      if (t != "sim") config.replay_prefix += " --transport " + t;
    } else if (arg == "--impl") {
      under_test = parse_impl(value());
    } else if (arg == "--peer-impl") {
      peer = parse_impl(value());
      peer_given = true;
    } else if (arg == "--after") {
      after = value();
    } else if (arg == "--case-wall-ms") {
      config.case_limits.wall_ms = std::atoll(value().c_str());
      wall_given = true;
    } else if (arg == "--case-virtual-ms") {
      config.case_limits.virtual_ms = std::atoll(value().c_str());
    } else if (arg == "--shrink-budget-ms") {
      config.shrink_budget_ms = std::atoll(value().c_str());
    } else if (arg == "--shrink-total-ms") {
      config.shrink_total_ms = std::atoll(value().c_str());
    } else if (arg == "--max-shrinks") {
      config.max_shrink_tries = std::atoi(value().c_str());
    } else if (arg == "--marks") {
      marks = true;
    } else if (arg == "--artifacts") {
      config.artifacts_dir = value();
    } else if (arg == "--check-determinism") {
      determinism = true;
    } else if (arg == "--list") {
      list = true;
    } else {
      std::fprintf(stderr,
                   "usage: conform_runner [--only GLOB] [--seed N] [--cases K] [--transport "
                   "sim|tcp|ipc] [--impl NAME[=CMD]] [--peer-impl NAME[=CMD]] [--list] [--after "
                   "RULE] [--case-wall-ms N] [--case-virtual-ms N] "
                   "[--shrink-budget-ms N] [--shrink-total-ms N] [--max-shrinks N] "
                   "[--check-determinism] [--artifacts DIR] [--marks]\n");
      return 2;
    }
  }
  if (!peer_given) peer = under_test;
  if ((!under_test.in_process() || !peer.in_process()) && current_transport() == Transport::kSim) {
    std::fprintf(stderr, "conform_runner: agents run on real transports (--transport tcp|ipc)\n");
    return 2;
  }
  if (!under_test.in_process() || !peer.in_process())
    config.replay_prefix += " --impl " + under_test.name + " --peer-impl " + peer.name;
  set_impls(under_test, peer);
  // A simulated case takes seconds at most on a loaded machine; a real one pushes megabytes.
  if (!wall_given && current_transport() == Transport::kSim) config.case_limits.wall_ms = 60'000;
  int64_t shrink_spent_ms = 0;  // over every property of this run
  config.shrink_spent_ms = &shrink_spent_ms;
  if (determinism) {  // both runs must shrink alike: only the count budget, never the clock's
    config.shrink_spent_ms = nullptr;
    config.shrink_budget_ms = int64_t(1) << 50;
  }
  // RapidCheck announces its own configuration once, on first use: let it do so now rather
  // than in the middle of the first result line. (Our seed, not that one, drives the runs.)
  rc::detail::configuration();
  int failed = 0;
  const char* plant = std::getenv("ZLAB_CONFORM_PLANT");
  for (Property p : catalogue()) {
    if (plant != nullptr && p.rule == plant) {
      std::fprintf(stderr, "conform_runner: a failure is planted in %s (ZLAB_CONFORM_PLANT)\n",
                   plant);
      p = planted_failure(std::move(p));
    }
    if (!config.only.empty() && !glob_match(config.only, p.rule)) continue;
    if (p.sim_only && current_transport() != Transport::kSim) continue;
    if (!after.empty()) {
      if (p.rule == after) after.clear();
      continue;
    }
    if (list) {
      std::printf("%s\n", p.rule.c_str());
      continue;
    }
    if (determinism) {
      if (current_transport() != Transport::kSim) {
        std::fprintf(stderr, "conform_runner: --check-determinism needs --transport sim\n");
        return 2;
      }
      RuleResult first = run_property(p, config);
      RuleResult second = run_property(p, config);
      std::string diff = difference(first, second);
      std::fprintf(stderr, "conform: %-40s %s %s\n", p.rule.c_str(),
                   diff.empty() ? "deterministic" : "NONDETERMINISTIC:", diff.c_str());
      std::printf(
          "{\"rule\":\"%s\",\"seed\":%llu,\"deterministic\":%s,\"outcome\":\"%s\","
          "\"trace_hash\":\"%016llx\"}\n",
          p.rule.c_str(), (unsigned long long)config.seed, diff.empty() ? "true" : "false",
          first.status.c_str(), (unsigned long long)first.trace_hash);
      std::fflush(stdout);
      failed += !diff.empty();
      continue;
    }
    if (marks) mark("begin", p.rule);
    std::fprintf(stderr, "conform: %-40s ", p.rule.c_str());
    RuleResult r = run_property(p, config);
    if (marks) mark("end", p.rule);
    std::fprintf(stderr, "%-13s %d/%d exercised, %.0f ms\n", r.status.c_str(), r.exercised, r.runs,
                 r.duration_ms);
    if (r.status == "FAIL") {
      std::fprintf(stderr, "  %s\n  replay: %s\n", r.actual.c_str(), r.replay.c_str());
    } else if (r.status == "FLAKY") {
      std::fprintf(stderr,
                   "  failed (world seed %llu): %s\n  but the shrunk case's replay (world seed "
                   "%llu) passed: %s\n  replay: %s\n",
                   (unsigned long long)r.first_world_seed, r.actual.c_str(),
                   (unsigned long long)r.replay_world_seed, r.replay_outcome.c_str(),
                   r.replay.c_str());
    }
    std::printf("%s\n", to_json_line(r, config.seed).c_str());
    std::fflush(stdout);
    failed += r.status != "PASS";
  }
  return failed == 0 ? 0 : 1;
}
