#include "sim/world/world.h"

#include <algorithm>

#include "sim/world/ctx.h"

namespace zlab::sim {

struct World::Actor {
  ActorId id = 0;
  HostId host = 0;
  std::string name;
  bool daemon = false;
  ActorFn fn;  // kept: a lambda's captures live as long as its coroutine
  std::unique_ptr<Ctx> ctx;
  std::optional<Task<>> root;
  // While blocked:
  std::coroutine_handle<> waiting;
  std::vector<WaitItem> items;
  int64_t deadline_ns = INT64_MAX;
  uint64_t token = 0;
  bool resume_scheduled = false;
};

std::string_view outcome_name(RunOutcome::Kind kind) {
  switch (kind) {
    case RunOutcome::Kind::kDone:
      return "done";
    case RunOutcome::Kind::kQuiescent:
      return "quiescent";
    case RunOutcome::Kind::kTimeLimit:
      return "time_limit";
    case RunOutcome::Kind::kDeadlock:
      return "deadlock";
    case RunOutcome::Kind::kEngineError:
      return "engine_error";
  }
  return "?";
}

World::World(uint64_t seed, NetParams params)
    : seed_(seed),
      rng_(seed),
      net_(queue_, rng_, trace_, params),
      dgram_(net_, queue_, rng_, trace_) {}

World::~World() {
  // Actors first: their frames may hold messages; then sockets, then the network.
  actors_.clear();
  sockets_.clear();
  raw_conns_.clear();
  raw_listeners_.clear();
}

// --- hosts ---

HostId World::add_host(std::string name) {
  HostId id = net_.add_host(std::move(name));
  auto host = std::make_unique<Host>();
  host->clock = HostClock(int64_t(rng_.below(uint64_t(1) << 50)), 0);
  hosts_.push_back(std::move(host));
  return id;
}

void World::set_drift(HostId host, int32_t drift_ppm) {
  Host& h = *hosts_[host];
  int64_t now = queue_.now_ns();
  h.clock = HostClock(h.clock.local(now), drift_ppm);
  h.clock.restart(now, h.clock.local(now));
}

void World::set_boot(HostId host, BootFn fn) { hosts_[host]->boot = std::move(fn); }

void World::boot_at(HostId host, int64_t at_ns) { queue_.schedule(at_ns, this, kBoot, host); }

// --- sockets and actors ---

SimSocket* World::socket(HostId host, SocketType type) {
  Host& h = *hosts_[host];
  SocketEnv env{&queue_, &net_, &trace_, &h.clock, host, &engine_error_, this, &dgram_};
  sockets_.push_back(
      std::make_unique<SimSocket>(env, uint32_t(sockets_.size() + 1), type, rng_.fork_seed()));
  SimSocket* s = sockets_.back().get();
  s->set_hub(this);
  h.sockets.push_back(s);
  if (socket_hwm_ > 0) {
    s->set_int(opt::kSndHwm, socket_hwm_);
    s->set_int(opt::kRcvHwm, socket_hwm_);
  }
  return s;
}

RawConn* World::raw_conn(HostId host) {
  raw_conns_.push_back(std::make_unique<RawConn>(net_));
  RawConn* c = raw_conns_.back().get();
  c->set_hub(this);
  hosts_[host]->raw_conns.push_back(c);
  return c;
}

RawConn* World::raw_accepted(HostId host, EndRef end) {
  raw_conns_.push_back(std::make_unique<RawConn>(net_, end));
  RawConn* c = raw_conns_.back().get();
  c->set_hub(this);
  hosts_[host]->raw_conns.push_back(c);
  return c;
}

RawListener* World::raw_listener(HostId host) {
  raw_listeners_.push_back(std::make_unique<RawListener>(net_));
  RawListener* l = raw_listeners_.back().get();
  l->set_hub(this);
  hosts_[host]->raw_listeners.push_back(l);
  return l;
}

ActorId World::spawn(HostId host, std::string name, ActorFn fn, bool daemon) {
  auto actor = std::make_unique<Actor>();
  ActorId id = next_actor_++;
  actor->id = id;
  actor->host = host;
  actor->name = name;
  actor->daemon = daemon;
  actor->fn = std::move(fn);
  actor->ctx = std::make_unique<Ctx>(*this, id, host, std::move(name));
  actor->root.emplace(actor->fn(*actor->ctx));
  if (!daemon) ++live_nondaemon_;
  hosts_[host]->actors.push_back(id);
  trace_.record(queue_.now_ns(), host_name(host), 0, "actor_spawn", 0, actor->name);
  actors_[id] = std::move(actor);
  queue_.schedule_in(0, this, kStart, id);
  return id;
}

std::string World::actor_label(ActorId id) const {
  auto it = actors_.find(id);
  if (it == actors_.end()) return "actor" + std::to_string(id);
  return host_name(it->second->host) + "/" + it->second->name;
}

uint64_t World::connection_tag(const void* metadata) {
  auto [it, fresh] = connection_tags_.try_emplace(metadata, connection_tags_.size() + 1);
  (void)fresh;
  return it->second;
}

void World::block(ActorId id, std::coroutine_handle<> h, std::vector<WaitItem> items,
                  int64_t deadline_ns) {
  Actor& a = *actors_.at(id);
  a.waiting = h;
  a.items = std::move(items);
  a.deadline_ns = deadline_ns;
  ++a.token;
  a.resume_scheduled = false;
  for (const WaitItem& item : a.items) item.what->add_waiter(id);
  if (deadline_ns != INT64_MAX) queue_.schedule(deadline_ns, this, kWaitTimeout, id, a.token);
}

bool World::any_ready(const Actor& a, const Waitable* changed) {
  for (const WaitItem& item : a.items) {
    if ((item.mask & kAnyChange) && item.what == changed) return true;
    if (item.what->ready_mask() & item.mask) return true;
  }
  return false;
}

void World::on_changed(Waitable& w) {
  std::vector<uint64_t> waiters = w.waiters();
  for (ActorId id : waiters) {
    auto it = actors_.find(id);
    if (it == actors_.end()) continue;
    Actor& a = *it->second;
    if (!a.waiting || a.resume_scheduled || !any_ready(a, &w)) continue;
    a.resume_scheduled = true;
    queue_.schedule_in(0, this, kResume, id, a.token);
  }
}

void World::resume(Actor& a, bool timed_out) {
  (void)timed_out;
  for (const WaitItem& item : a.items) item.what->remove_waiter(a.id);
  a.items.clear();
  std::coroutine_handle<> h = a.waiting;
  a.waiting = {};
  a.resume_scheduled = false;
  ActorId id = a.id;
  h.resume();
  auto it = actors_.find(id);
  if (it != actors_.end() && !it->second->waiting && it->second->root && it->second->root->done()) {
    finish(*it->second);
  }
}

void World::finish(Actor& a) {
  note_progress();
  trace_.record(queue_.now_ns(), host_name(a.host), 0, "actor_exit", 0, a.name);
  if (!a.daemon) --live_nondaemon_;
  ActorId id = a.id;
  auto& list = hosts_[a.host]->actors;
  list.erase(std::remove(list.begin(), list.end(), id), list.end());
  actors_.erase(id);
}

void World::kill_actors_of(HostId host) {
  std::vector<ActorId> ids = hosts_[host]->actors;
  for (ActorId id : ids) {
    auto it = actors_.find(id);
    if (it == actors_.end()) continue;
    Actor& a = *it->second;
    for (const WaitItem& item : a.items) item.what->remove_waiter(id);
    trace_.record(queue_.now_ns(), host_name(host), 0, "actor_killed", 0, a.name);
    if (!a.daemon) --live_nondaemon_;
    a.root.reset();  // destroys the coroutine frames
    actors_.erase(it);
  }
  hosts_[host]->actors.clear();
}

// --- faults ---

void World::crash_at(HostId host, int64_t at_ns) { queue_.schedule(at_ns, this, kCrash, host); }

void World::restart_at(HostId host, int64_t at_ns) { queue_.schedule(at_ns, this, kRestart, host); }

void World::crash_now(HostId host) {
  if (!net_.host_up(host)) return;
  kill_actors_of(host);
  Host& h = *hosts_[host];
  h.booted = false;
  h.zap.reset();  // the handler died with its actor; requests in its queue die with it
  h.zap_actor = 0;
  for (SimSocket* s : h.sockets) s->kill();
  for (RawConn* c : h.raw_conns) c->kill();
  for (RawListener* l : h.raw_listeners) l->kill();
  h.sockets.clear();
  h.raw_conns.clear();
  h.raw_listeners.clear();
  net_.crash(host);
  dgram_.crash(host);
}

void World::restart_now(HostId host) {
  if (net_.host_up(host)) return;
  net_.restart(host);
  Host& h = *hosts_[host];
  ++h.incarnation;
  // CLOCK_MONOTONIC starts again after a reboot.
  h.clock = HostClock(int64_t(rng_.below(uint64_t(1) << 40)), h.clock.drift_ppm());
  h.clock.restart(queue_.now_ns(), h.clock.local(queue_.now_ns()));
  h.gate = ConsumerGate{};
  if (h.boot) {
    h.booted = true;
    h.boot(host);
  }
}

void World::partition(HostId from, HostId to, bool both_ways, int64_t from_ns, int64_t until_ns) {
  uint64_t pair = (uint64_t(from) << 32) | to;
  queue_.schedule(from_ns, this, kBlock, pair, both_ways);
  queue_.schedule(until_ns, this, kUnblock, pair, both_ways);
}

void World::reset_at(uint64_t pick, int64_t at_ns) { queue_.schedule(at_ns, this, kReset, pick); }

void World::consumer_pause(HostId host, int64_t from_ns, int64_t until_ns) {
  at(from_ns, [this, host] {
    hosts_[host]->gate.paused = true;
    if (PacketSink* sink = net_.packet_sink()) {
      sink->event(queue_.now_ns(), host, 0, host_name(host) + ": consumers pause");
    }
  });
  at(until_ns, [this, host] {
    hosts_[host]->gate.paused = false;
    if (PacketSink* sink = net_.packet_sink()) {
      sink->event(queue_.now_ns(), host, 0, host_name(host) + ": consumers resume");
    }
  });
}

void World::consumer_rate(HostId host, uint32_t per_sec, int64_t from_ns, int64_t until_ns) {
  int64_t interval = per_sec == 0 ? 0 : 1'000'000'000 / int64_t(per_sec);
  at(from_ns, [this, host, interval] { hosts_[host]->gate.interval_ns = interval; });
  at(until_ns, [this, host] { hosts_[host]->gate.interval_ns = 0; });
}

void World::at(int64_t at_ns, std::function<void()> fn) {
  uint64_t id = next_call_++;
  calls_[id] = std::move(fn);
  queue_.schedule(at_ns, this, kCall, id);
}

// --- events ---

void World::on_event(const Event& event) {
  switch (event.kind) {
    case kStart: {
      auto it = actors_.find(event.a);
      if (it == actors_.end()) return;
      last_progress_ns_ = queue_.now_ns();
      it->second->root->handle().resume();
      it = actors_.find(event.a);
      if (it != actors_.end() && !it->second->waiting && it->second->root->done()) {
        finish(*it->second);
      }
      break;
    }
    case kResume:
    case kWaitTimeout: {
      auto it = actors_.find(event.a);
      if (it == actors_.end()) return;
      Actor& a = *it->second;
      if (!a.waiting || a.token != event.b) return;
      resume(a, event.kind == kWaitTimeout);
      break;
    }
    case kBoot: {
      // A host boots once per incarnation: a restart before a late boot already booted it.
      Host& h = *hosts_[event.a];
      if (net_.host_up(HostId(event.a)) && h.boot && !h.booted) {
        h.booted = true;
        h.boot(HostId(event.a));
      }
      break;
    }
    case kCrash:
      crash_now(HostId(event.a));
      break;
    case kRestart:
      restart_now(HostId(event.a));
      break;
    case kBlock:
    case kUnblock: {
      HostId from = HostId(event.a >> 32);
      HostId to = HostId(event.a & 0xffffffffu);
      bool block = event.kind == kBlock;
      net_.set_blocked(from, to, block);
      if (event.b) net_.set_blocked(to, from, block);
      trace_.record(queue_.now_ns(), host_name(from), 0, block ? "partition" : "heal", 0,
                    host_name(to) + (event.b ? " both ways" : " one way"));
      if (PacketSink* sink = net_.packet_sink()) {
        sink->event(queue_.now_ns(), from, 0,
                    std::string(block ? "partition starts: " : "partition heals: ") +
                        host_name(from) + (event.b ? " <-/-> " : " -/-> ") + host_name(to));
      }
      break;
    }
    case kReset: {
      std::vector<ConnId> live = net_.live_connections();
      if (!live.empty()) net_.reset(live[event.a % live.size()]);
      break;
    }
    case kCall: {
      auto it = calls_.find(event.a);
      if (it == calls_.end()) return;
      std::function<void()> fn = std::move(it->second);
      calls_.erase(it);
      fn();
      break;
    }
    default:
      break;
  }
}

// --- running ---

std::vector<std::string> World::blocked_actors(bool* any_forever) {
  std::vector<std::string> out;
  *any_forever = false;
  for (const auto& [id, a] : actors_) {
    if (!a->waiting || a->daemon) continue;
    std::string what;
    for (const WaitItem& item : a->items) {
      if (!what.empty()) what += ", ";
      what += (item.mask & kReadyIn) ? "in" : "";
      what += (item.mask & kReadyOut) ? "out" : "";
      if ((item.mask & (kReadyIn | kReadyOut)) == 0) what += "a change";
      if (auto* s = dynamic_cast<SimSocket*>(item.what)) {
        what +=
            " on s" + std::to_string(s->id()) + " " + std::string(socket_type_info(s->type()).name);
      }
    }
    if (what.empty()) what = "time";
    bool forever = a->deadline_ns == INT64_MAX;
    *any_forever = *any_forever || forever;
    out.push_back(actor_label(id) + " waits for " + what +
                  (forever ? " (forever)" : " (until t=" + std::to_string(a->deadline_ns) + ")"));
  }
  return out;
}

RunOutcome World::run(int64_t until_ns) {
  RunOutcome out;
  bool had_actors = live_nondaemon_ > 0;
  int64_t instant_ns = -1;  // events run at one virtual instant, against a livelock
  uint64_t at_instant = 0;
  for (;;) {
    if (!engine_error_.empty()) {
      out.kind = RunOutcome::Kind::kEngineError;
      out.detail = engine_error_;
      break;
    }
    if (stopped_ || (had_actors && live_nondaemon_ == 0)) {
      out.kind = RunOutcome::Kind::kDone;
      break;
    }
    had_actors = had_actors || live_nondaemon_ > 0;
    if (queue_.empty()) {
      bool forever = false;
      out.blocked = blocked_actors(&forever);
      out.kind = out.blocked.empty() ? RunOutcome::Kind::kQuiescent : RunOutcome::Kind::kDeadlock;
      if (!out.blocked.empty()) out.detail = "every actor is blocked and nothing is scheduled";
      break;
    }
    if (live_nondaemon_ > 0 && queue_.now_ns() - last_progress_ns_ > stall_limit_ns_) {
      bool forever = false;
      std::vector<std::string> blocked = blocked_actors(&forever);
      size_t forever_count = 0;
      for (const std::string& b : blocked) forever_count += b.ends_with("(forever)");
      if (forever && forever_count == live_nondaemon_) {
        out.kind = RunOutcome::Kind::kDeadlock;
        out.blocked = std::move(blocked);
        out.detail = "every actor has been blocked for " +
                     std::to_string(stall_limit_ns_ / 1'000'000) + " ms with only timers running";
        break;
      }
      last_progress_ns_ = queue_.now_ns();  // not stuck: look again after another limit
    }
    if (queue_.now_ns() != instant_ns) {
      instant_ns = queue_.now_ns();
      at_instant = 0;
    } else if (++at_instant > max_events_per_instant_) {
      // Virtual time no longer moves (an actor rescheduling itself at the same instant): a
      // run the time limit would never end. A failure with its seed, not a hung sweep.
      bool forever = false;
      out.kind = RunOutcome::Kind::kDeadlock;
      out.blocked = blocked_actors(&forever);
      out.detail = "livelock: " + std::to_string(max_events_per_instant_) +
                   " events at t=" + std::to_string(instant_ns) + " ns without virtual time moving";
      break;
    }
    if (!queue_.run_next(until_ns)) {
      queue_.advance_to(until_ns);
      bool forever = false;
      out.kind = RunOutcome::Kind::kTimeLimit;
      out.blocked = blocked_actors(&forever);
      break;
    }
  }
  out.end_ns = queue_.now_ns();
  return out;
}

}  // namespace zlab::sim
