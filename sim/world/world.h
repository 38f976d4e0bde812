// The simulated world: one seeded Rng, the event queue, the trace, the network, hosts with
// their clocks, the simulated sockets, and the application actors that use them.
//
// Actors are coroutines (Task<>) running on a host. They call sockets through their Ctx
// (sim/world/ctx.h); a call that would block suspends the actor until one of the things it
// waits on changes or its timeout passes, and the world resumes it from an event, so actors are
// scheduled deterministically in virtual time. A host has a boot program that spawns its
// actors; a crash kills them and the host's sockets, a restart boots it again.
//
// run() ends when every non-daemon actor has finished, at the time limit, when nothing is left
// to do (quiescence), or on deadlock: actors blocked forever with nothing scheduled, or blocked
// with only timers running for longer than the stall limit, or a livelock (virtual time stuck
// at one instant for more than the livelock limit's events).
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/base/event_queue.h"
#include "sim/base/host_clock.h"
#include "sim/base/rng.h"
#include "sim/base/trace.h"
#include "sim/net/datagram_net.h"
#include "sim/net/network.h"
#include "sim/world/raw_conn.h"
#include "sim/world/sim_socket.h"
#include "sim/world/task.h"
#include "sim/world/waitable.h"
#include "sim/world/zap_handler.h"

namespace zlab::sim {

class Ctx;
using ActorId = uint64_t;
using ActorFn = std::function<Task<>(Ctx&)>;
using BootFn = std::function<void(HostId)>;

struct WaitItem {
  Waitable* what;
  uint32_t mask;  // kReadyIn | kReadyOut | kReadyErr
};

struct RunOutcome {
  enum class Kind : uint8_t { kDone, kQuiescent, kTimeLimit, kDeadlock, kEngineError };
  Kind kind = Kind::kDone;
  int64_t end_ns = 0;
  // Each blocked actor: "h1/pusher waits for out on s3 PUSH (forever)".
  std::vector<std::string> blocked;
  std::string detail;
};
std::string_view outcome_name(RunOutcome::Kind kind);

class World final : public EventTarget, public WaitHub, public ZapRouter {
 public:
  explicit World(uint64_t seed, NetParams params = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  uint64_t seed() const { return seed_; }
  Rng& rng() { return rng_; }
  EventQueue& queue() { return queue_; }
  Trace& trace() { return trace_; }
  Network& net() { return net_; }
  DatagramNet& dgram() { return dgram_; }
  // A capture of the run (sim/net/packet_sink.h; not owned, null: none): packets from the
  // network, and events with no packet from the world and the sockets.
  void set_packet_sink(PacketSink* sink) { net_.set_packet_sink(sink); }
  int64_t now_ns() const { return queue_.now_ns(); }

  // --- hosts ---
  // A host named `name` (an address: "tcp://name:port"), its clock at a random offset.
  HostId add_host(std::string name);
  size_t host_count() const { return hosts_.size(); }
  const std::string& host_name(HostId host) const { return net_.host_name(host); }
  HostClock& clock(HostId host) { return hosts_[host]->clock; }
  void set_drift(HostId host, int32_t drift_ppm);
  // The host's boot program: run by boot_at() and again after every restart.
  void set_boot(HostId host, BootFn fn);
  void boot_at(HostId host, int64_t at_ns);
  uint32_t incarnation(HostId host) const { return hosts_[host]->incarnation; }
  bool host_up(HostId host) const { return net_.host_up(host); }

  // --- sockets and actors ---
  // A new socket; after set_socket_hwm(n > 0), its SNDHWM and RCVHWM start at n.
  SimSocket* socket(HostId host, SocketType type);
  void set_socket_hwm(int hwm) { socket_hwm_ = hwm; }
  ActorId spawn(HostId host, std::string name, ActorFn fn, bool daemon = false);
  // Raw TCP peers (no ZMTP), for STREAM scenarios; they die with their host.
  RawConn* raw_conn(HostId host);
  RawConn* raw_accepted(HostId host, EndRef end);
  RawListener* raw_listener(HostId host);
  size_t live_actors() const { return live_nondaemon_; }

  // --- ZAP (rfc 27) ---
  // Binds a ZAP handler on `host`, as an application binds inproc://zeromq.zap.01: a daemon
  // actor "zap-handler" that answers each request of the host's sockets with answer(request).
  // It dies with its host (a boot program binds it again); under the zap_absent fault
  // nothing is bound, under zap_silent it never answers, under zap_slow it answers late.
  void serve_zap(HostId host, ZapAnswer answer);
  void set_zap_faults(const ZapFaults& faults) { zap_faults_ = faults; }
  const ZapFaults& zap_faults() const { return zap_faults_; }
  // Requests the handler of `host` has been given so far (0 without one).
  uint64_t zap_requests(HostId host) const;
  bool route_zap(HostId host, SimSocket* from, StreamId stream, std::vector<Msg> frames) override;

  // --- faults (each takes effect from an event, never inside an actor's call) ---
  void crash_at(HostId host, int64_t at_ns);
  // Restarts (and boots) the host at `at_ns`, with a new clock offset.
  void restart_at(HostId host, int64_t at_ns);
  // Blocks from -> to (and to -> from if both_ways) during [from_ns, until_ns).
  void partition(HostId from, HostId to, bool both_ways, int64_t from_ns, int64_t until_ns);
  // Resets, at `at_ns`, live connection number `pick` modulo their count (if any).
  void reset_at(uint64_t pick, int64_t at_ns);
  // Slow consumers on `host` (Ctx::recv_paced): paused during [from_ns, until_ns), or at most
  // `per_sec` messages a second during it.
  void consumer_pause(HostId host, int64_t from_ns, int64_t until_ns);
  void consumer_rate(HostId host, uint32_t per_sec, int64_t from_ns, int64_t until_ns);
  // Runs `fn` at `at_ns` (from an event).
  void at(int64_t at_ns, std::function<void()> fn);

  // --- running ---
  RunOutcome run(int64_t until_ns);
  void set_stall_limit(int64_t ns) { stall_limit_ns_ = ns; }
  // Events at one virtual instant after which run() ends as a livelock (tests lower it).
  void set_livelock_limit(uint64_t events) { max_events_per_instant_ = events; }
  // Ends run() as kDone after the current event.
  void stop() { stopped_ = true; }
  const std::string& engine_error() const { return engine_error_; }
  // An actor got something done (a call returned, a sleep ended): the stall detector's clock.
  // Waking up only to find the call would still block is not progress.
  void note_progress() { last_progress_ns_ = queue_.now_ns(); }
  // A wait whose deadline has passed and finds nothing: true once more than kSpinsBeforeYield
  // happen at one instant, so the waiter goes through the queue and run() can see a livelock
  // (an actor polling with no time passing would otherwise spin inside one resume forever).
  bool spun_too_long() {
    if (queue_.now_ns() != spin_instant_ns_) {
      spin_instant_ns_ = queue_.now_ns();
      spins_ = 0;
    }
    return ++spins_ > kSpinsBeforeYield;
  }

  // For Ctx.
  struct ConsumerGate {
    bool paused = false;
    int64_t interval_ns = 0;  // 0: no rate limit
    int64_t next_at_ns = 0;
  };
  ConsumerGate& consumer_gate(HostId host) { return hosts_[host]->gate; }
  void block(ActorId actor, std::coroutine_handle<> h, std::vector<WaitItem> items,
             int64_t deadline_ns);
  std::string actor_label(ActorId actor) const;
  // A number for the connection a message came from, by its metadata (shared by every message
  // of one connection): numbered in order of first sight, so runs stay deterministic. A
  // connection whose messages are all gone may share its number with a later one.
  uint64_t connection_tag(const void* metadata);

  void on_event(const Event& event) override;
  void on_changed(Waitable& w) override;

 private:
  enum EventKind : uint32_t {
    kStart,
    kResume,
    kWaitTimeout,
    kBoot,
    kCrash,
    kRestart,
    kBlock,
    kUnblock,
    kReset,
    kCall,
  };
  struct Actor;
  struct Host {
    HostClock clock;
    BootFn boot;
    uint32_t incarnation = 0;
    bool booted = false;  // in this incarnation
    std::vector<ActorId> actors;
    std::vector<SimSocket*> sockets;
    std::vector<RawConn*> raw_conns;
    std::vector<RawListener*> raw_listeners;
    ConsumerGate gate;
    std::unique_ptr<ZapInbox> zap;  // while a handler actor is bound on this host
    ActorId zap_actor = 0;
  };

  void resume(Actor& actor, bool timed_out);
  void finish(Actor& actor);
  void kill_actors_of(HostId host);
  void crash_now(HostId host);
  void restart_now(HostId host);
  bool any_ready(const Actor& actor, const Waitable* changed);
  std::vector<std::string> blocked_actors(bool* any_forever);

  uint64_t seed_;
  Rng rng_;
  EventQueue queue_;
  Trace trace_;
  Network net_;
  DatagramNet dgram_;  // udp datagrams between the network's hosts
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<SimSocket>> sockets_;  // kept until the world ends
  std::vector<std::unique_ptr<RawConn>> raw_conns_;
  std::vector<std::unique_ptr<RawListener>> raw_listeners_;
  std::map<ActorId, std::unique_ptr<Actor>> actors_;
  std::map<uint64_t, std::function<void()>> calls_;
  std::map<const void*, uint64_t> connection_tags_;
  ActorId next_actor_ = 1;
  uint64_t next_call_ = 1;
  size_t live_nondaemon_ = 0;
  bool stopped_ = false;
  std::string engine_error_;
  int64_t last_progress_ns_ = 0;
  int64_t stall_limit_ns_ = 20'000'000'000;
  // More events than this at one virtual instant end the run as a livelock (a burst of real
  // work at one instant is far smaller: a whole scenario runs a few million events).
  uint64_t max_events_per_instant_ = 10'000'000;
  static constexpr uint64_t kSpinsBeforeYield = 1000;
  int64_t spin_instant_ns_ = -1;
  uint64_t spins_ = 0;
  int socket_hwm_ = 0;
  ZapFaults zap_faults_;
};

}  // namespace zlab::sim
