#include "conformance/properties/lab.h"

#include <rapidcheck.h>

#include <algorithm>

#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

namespace zlab::conform {

uint32_t benign_fault_mask() {
  using sim::FaultKind;
  uint32_t mask = 0;
  for (FaultKind k :
       {FaultKind::kLatency, FaultKind::kSplitIo, FaultKind::kClockDrift, FaultKind::kLateBind}) {
    mask |= 1u << int(k);
  }
  return mask;
}

std::string fault_names(uint32_t mask) {
  std::string out;
  for (int k = 0; k < sim::kFaultKindCount; ++k) {
    if (!((mask >> k) & 1u)) continue;
    if (!out.empty()) out += ",";
    out += std::string(sim::fault_name(sim::FaultKind(k)));
  }
  return out.empty() ? "none" : out;
}

Lab::Lab(uint64_t seed, uint32_t fault_mask, uint32_t hosts) : hosts_(hosts) {
  world_ = std::make_unique<sim::World>(seed);
  for (uint32_t i = 0; i < hosts; ++i) world_->add_host("h" + std::to_string(i));
  sim::FaultTargets targets;
  targets.hosts = hosts;
  targets.window_ns = 2'000'000'000;
  for (uint32_t i = 0; i < hosts; ++i) targets.binders.push_back(i);
  sim::FaultChoice choice;
  choice.swarm = false;
  choice.only = fault_mask;
  faults_ = sim::draw_faults(world_->rng(), targets, choice);
  sim::apply_faults(faults_, *world_);
}

std::string Lab::endpoint(uint32_t host, int port) const {
  return "tcp://h" + std::to_string(host) + ":" + std::to_string(port);
}

sim::SimSocket* Lab::socket(uint32_t host, SocketType type) {
  sim::SimSocket* s = world_->socket(sim::HostId(host), type);
  s->set_int(opt::kLinger, 0);
  s->set_int(opt::kReconnectIvl, 20);
  return s;
}

void Lab::advance_ms(int64_t ms) {
  int64_t target = world_->now_ns() + ms * 1'000'000;
  sim::RunOutcome out = world_->run(target);
  // The engine misbehaving (a stream that never settles, a timer firing forever) is a finding.
  RC_ASSERT(out.kind != sim::RunOutcome::Kind::kEngineError);
  // A quiet world returns at once without moving the clock; time passes all the same.
  if (world_->now_ns() < target) world_->queue().advance_to(target);
}

bool Lab::wait_for(const std::function<bool()>& done, int64_t timeout_ms) {
  int64_t end = world_->now_ns() + timeout_ms * 1'000'000;
  while (!done()) {
    if (world_->now_ns() >= end) return false;
    advance_ms(std::min<int64_t>(5, (end - world_->now_ns() + 999'999) / 1'000'000));
  }
  return true;
}

void Lab::wait_out_faults() {
  if (world_->now_ns() < faults_.window_end_ns) {
    advance_ms((faults_.window_end_ns - world_->now_ns() + 999'999) / 1'000'000);
  }
}

bool Lab::send(sim::SimSocket* s, const Parts& parts, Err* err) {
  for (size_t i = 0; i < parts.size(); ++i) {
    Msg m = Msg::copy_of(std::string_view(parts[i]));
    Err e = s->send(m, i + 1 < parts.size() ? kSendMore : 0);
    if (e != Err::kOk) {
      if (err != nullptr) *err = e;
      return false;  // a started message always finishes, so only the first part can fail
    }
  }
  if (err != nullptr) *err = Err::kOk;
  return true;
}

std::optional<Parts> Lab::recv(sim::SimSocket* s, Err* err) {
  Parts parts;
  for (;;) {
    Msg m;
    Err e = s->recv(&m);
    if (e != Err::kOk) {
      if (err != nullptr) *err = e;
      return std::nullopt;  // whole messages only: a started message has all its parts
    }
    parts.emplace_back(m.view());
    if (!s->rcvmore()) break;
  }
  if (err != nullptr) *err = Err::kOk;
  return parts;
}

uint64_t Lab::handshakes(sim::SimSocket* s) const {
  return s->monitor_count(monitor::kHandshakeSucceeded);
}

uint64_t Lab::protocol_failures(sim::SimSocket* s) const {
  return s->monitor_count(monitor::kHandshakeFailedProtocol);
}

}  // namespace zlab::conform
