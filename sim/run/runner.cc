#include "sim/run/runner.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "sim/base/trace.h"
#include "sim/pcap/capture.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

std::string mask_names(uint32_t mask) {
  std::string out;
  for (int k = 0; k < kFaultKindCount; ++k) {
    if (((mask >> k) & 1u) == 0) continue;
    if (!out.empty()) out += ",";
    out += fault_name(FaultKind(k));
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string repro_command(const RunRequest& r) {
  std::string cmd = "./zlab sim --seed " + std::to_string(r.seed) + " --scenario " + r.scenario;
  if (!r.choice.swarm) cmd += " --faults " + mask_names(r.choice.only);
  if (r.params.scale != 1) cmd += " --scale " + std::to_string(r.params.scale);
  return cmd;
}

RunResult run_scenario(const RunRequest& req) {
  RunResult res;
  res.seed = req.seed;
  res.scenario = req.scenario;
  res.repro = repro_command(req);
  const ScenarioInfo* info = find_scenario(req.scenario);
  if (info == nullptr) {
    res.failures.push_back("unknown scenario '" + req.scenario + "'");
    return res;
  }
  auto wall0 = std::chrono::steady_clock::now();
  std::unique_ptr<Scenario> scenario = info->make();
  FaultTargets targets = scenario->targets();
  targets.window_ns = req.params.window_ns;

  std::unique_ptr<PcapCapture> capture;  // outlives the world, which calls it
  World world(req.seed);
  for (uint32_t h = 0; h < targets.hosts; ++h) world.add_host("h" + std::to_string(h));
  FaultSchedule schedule =
      req.schedule ? *req.schedule : draw_faults(world.rng(), targets, req.choice);
  schedule.net.trace_payload = req.trace_payload;
  apply_faults(schedule, world);
  res.faults = describe_faults(schedule);

  std::FILE* file = nullptr;
  if (!req.trace_path.empty()) {
    file = std::fopen(req.trace_path.c_str(), "w");
    if (file == nullptr) res.failures.push_back("cannot write the trace to " + req.trace_path);
  }
  world.trace().set_file(file);
  if (!req.pcap_path.empty()) {
    capture = std::make_unique<PcapCapture>(res.repro + " (faults: " + res.faults + ")");
    world.set_packet_sink(capture.get());
  }

  ScenarioEnv env(world, schedule, req.params, targets.hosts);
  scenario->start(env);
  res.exact = env.exact();
  env.start_checker();
  RunOutcome out = world.run(req.params.limit_ns());
  scenario->finish(env);

  for (const std::string& v : env.ledger.violations()) res.failures.push_back(v);
  if (out.kind != RunOutcome::Kind::kDone) {
    std::string what = "liveness: run ended by " + std::string(outcome_name(out.kind)) +
                       " at t=" + std::to_string(out.end_ns);
    if (!out.detail.empty()) what += ": " + out.detail;
    res.failures.push_back(what);
    for (const std::string& b : out.blocked) res.failures.push_back("  blocked: " + b);
    for (const std::string& m : env.ledger.missing(env.exact(), 8)) {
      res.failures.push_back("  undelivered: " + m);
    }
  }
  res.disconnects = env.disconnects();
  res.datagrams_lost = world.dgram().stats().lost;
  res.datagrams_duplicated = world.dgram().stats().duplicated;
  res.drops = env.drops();
  res.mutes = env.mutes();
  if (env.lossless() && res.disconnects > 0 && !env.disconnects_expected()) {
    res.failures.push_back("unexpected disconnects: " + std::to_string(res.disconnects) +
                           " with no fault on that loses connections");
  }
  res.passed = res.failures.empty();
  res.outcome = std::string(outcome_name(out.kind));
  res.trace_hash = world.trace().hash();
  res.trace_lines = world.trace().lines();
  res.events = world.queue().dispatched();
  res.virtual_ns = out.end_ns;
  res.sent = env.ledger.sent_count();
  res.received = env.ledger.received_count();
  if (!res.passed) {
    std::vector<std::string> tail = world.trace().recent();
    res.trace_tail.assign(tail.begin(), tail.end());
  }
  if (file != nullptr) std::fclose(file);
  if (capture != nullptr) {
    world.set_packet_sink(nullptr);
    if (!capture->write_file(req.pcap_path)) {
      res.failures.push_back("cannot write the capture to " + req.pcap_path);
      res.passed = false;
    }
  }
  res.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

std::string result_header(const RunResult& r) {
  return "seed=" + std::to_string(r.seed) + " scenario=" + r.scenario + " faults: " + r.faults;
}

std::string result_json(const RunResult& r) {
  char hash[20];
  std::snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r.trace_hash);
  std::string out = "{\"seed\":" + std::to_string(r.seed) + ",\"scenario\":";
  append_json_string(&out, r.scenario);
  out += ",\"passed\":";
  out += r.passed ? "true" : "false";
  out += ",\"outcome\":";
  append_json_string(&out, r.outcome);
  out += ",\"faults\":";
  append_json_string(&out, r.faults);
  out += ",\"exact\":";
  out += r.exact ? "true" : "false";
  out += ",\"trace_hash\":\"" + std::string(hash) + "\"";
  out += ",\"trace_lines\":" + std::to_string(r.trace_lines);
  out += ",\"events\":" + std::to_string(r.events);
  out += ",\"virtual_ns\":" + std::to_string(r.virtual_ns);
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.1f", r.wall_ms);
  out += ",\"wall_ms\":" + std::string(wall);
  out += ",\"sent\":" + std::to_string(r.sent);
  out += ",\"received\":" + std::to_string(r.received);
  out += ",\"disconnects\":" + std::to_string(r.disconnects);
  out += ",\"drops\":" + std::to_string(r.drops);
  out += ",\"mutes\":" + std::to_string(r.mutes);
  out += ",\"failures\":[";
  for (size_t i = 0; i < r.failures.size(); ++i) {
    if (i > 0) out += ",";
    append_json_string(&out, r.failures[i]);
  }
  out += "],\"repro\":";
  append_json_string(&out, r.repro);
  out += "}";
  return out;
}

}  // namespace zlab::sim
