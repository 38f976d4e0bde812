#include "conformance/properties/lab.h"

#include <rapidcheck.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "conformance/harness/property.h"
#include "conformance/properties/lab_backend.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "sim/pcap/capture.h"

namespace zlab::conform {
namespace {

Transport g_transport = Transport::kSim;

uint32_t mask_of(std::initializer_list<sim::FaultKind> kinds) {
  uint32_t mask = 0;
  for (sim::FaultKind k : kinds) mask |= 1u << int(k);
  return mask;
}

// Binds that wait for their host to boot (the late_bind fault): the Lab has no boot programs,
// so a bind on a host that boots late is held and made when the host comes up, and until then
// connects to it are refused and retried, as with a late server.
struct LateBinds {
  struct Pending {
    int64_t at_ns;
    sim::SimSocket* socket;
    std::string endpoint;
  };
  std::vector<Pending> pending;
  const sim::FaultSchedule* faults = nullptr;
  const sim::World* world = nullptr;
};

// A simulated socket, as the property sees it.
class SimSock final : public Sock {
 public:
  SimSock(sim::SimSocket* s, LateBinds* late) : s_(s), late_(late) {}
  SocketType type() const override { return s_->type(); }
  uint32_t host() const override { return uint32_t(s_->host()); }
  Err bind(std::string_view ep) override {
    note_op(*this, "bind", ep);
    int64_t boot_ns = late_->faults->boot_delay(uint32_t(s_->host()));
    if (late_->world->now_ns() < boot_ns) {
      late_->pending.push_back({boot_ns, s_, std::string(ep)});
      return Err::kOk;
    }
    return s_->bind(ep);
  }
  Err connect(std::string_view ep) override {
    note_op(*this, "connect", ep);
    // A PEER that connects learns whom it reaches (zmq_connect_peer), so that it can send.
    uint32_t id = 0;
    Err err = s_->connect_peer(ep, &id);
    if (err != Err::kNotSupported) {
      if (err == Err::kOk) reply_to = id;
      return err;
    }
    return s_->connect(ep);
  }
  Err connect_peer(std::string_view ep, uint32_t* routing_id) override {
    note_op(*this, "connect_peer", ep);
    return s_->connect_peer(ep, routing_id);
  }
  Err join(std::string_view group) override { return s_->join(group); }
  Err leave(std::string_view group) override { return s_->leave(group); }
  Err unbind(std::string_view ep) override {
    note_op(*this, "unbind", ep);
    return s_->unbind(ep);
  }
  Err disconnect(std::string_view ep) override {
    note_op(*this, "disconnect", ep);
    return s_->disconnect(ep);
  }
  Err set_int(int option, int value) override { return s_->set_int(option, value); }
  Err set_bytes(int option, std::string_view v) override { return s_->set_bytes(option, v); }
  int get_int(int option) override { return s_->get_int(option); }
  Err send(Msg& part, int flags) override { return s_->send(part, flags); }
  Err recv(Msg* part) override {
    Err e = s_->recv(part);
    if (e == Err::kOk) last_ = part->share();
    return e;
  }
  std::optional<std::string> property(std::string_view name) override {
    return property_of(last_, name);
  }
  bool rcvmore() override { return s_->rcvmore(); }
  uint32_t events() override { return s_->events(); }
  void close() override {
    note_op(*this, "close", "");
    s_->close();
  }
  uint64_t monitor_count(uint16_t event) override { return s_->monitor_count(event); }
  uint64_t dropped_messages() override { return s_->alive() ? s_->core().dropped_messages() : 0; }
  sim::SimSocket* sim() override { return s_; }

 private:
  sim::SimSocket* s_;
  LateBinds* late_;
  Msg last_;  // the last part received, for property()
};

// A raw peer on the simulated network: a RawConn, made again while a connect is refused.
class SimRawPeer final : public RawPeer {
 public:
  SimRawPeer(sim::World& world, uint32_t from, uint32_t to, int port)
      : world_(world), from_(from), to_("h" + std::to_string(to)), port_(uint16_t(port)) {}
  // One that listens on `host`'s PORT and takes the first connection made to it.
  static std::unique_ptr<SimRawPeer> listening(sim::World& world, uint32_t host, int port) {
    auto peer = std::make_unique<SimRawPeer>(world, host, host, port);
    peer->listener_ = world.raw_listener(sim::HostId(host));
    RC_ASSERT(peer->listener_->listen(sim::HostId(host), uint16_t(port)) == Err::kOk);
    return peer;
  }
  bool open() override {
    if (opened_) return conn_->state() == sim::RawConn::State::kOpen;
    if (listener_ != nullptr) {
      sim::EndRef end;
      if (conn_ == nullptr && listener_->take(&end)) {
        conn_ = world_.raw_accepted(sim::HostId(from_), end);
      }
      opened_ = conn_ != nullptr && conn_->state() == sim::RawConn::State::kOpen;
      return opened_;
    }
    if (conn_ == nullptr || conn_->state() == sim::RawConn::State::kFailed ||
        conn_->state() == sim::RawConn::State::kClosed) {
      conn_ = world_.raw_conn(sim::HostId(from_));
      conn_->start_connect(sim::HostId(from_), to_, port_);
    }
    opened_ = conn_->state() == sim::RawConn::State::kOpen;
    return opened_;
  }
  bool closed() const override { return eof_; }
  size_t write(std::string_view data) override {
    size_t n = 0;
    if (opened_ && !eof_ && !data.empty()) conn_->write(data, &n);
    return n;
  }
  void read(std::string* in) override {
    while (opened_ && !eof_) {
      sim::IoStatus st = conn_->read(in, 1 << 16);
      if (st == sim::IoStatus::kOk) continue;
      if (st == sim::IoStatus::kEof || st == sim::IoStatus::kError) eof_ = true;
      break;
    }
  }

 private:
  sim::World& world_;
  uint32_t from_;
  std::string to_;
  uint16_t port_;
  sim::RawConn* conn_ = nullptr;          // owned by the world
  sim::RawListener* listener_ = nullptr;  // a listening one's (owned by the world)
  bool opened_ = false;
  bool eof_ = false;
};

class SimBackend final : public Lab::Backend {
 public:
  SimBackend(uint64_t seed, uint32_t fault_mask, uint32_t hosts) {
    world_ = std::make_unique<sim::World>(seed);
    for (uint32_t i = 0; i < hosts; ++i) world_->add_host("h" + std::to_string(i));
    sim::FaultTargets targets;
    targets.hosts = hosts;
    targets.window_ns = 2'000'000'000;
    for (uint32_t i = 0; i < hosts; ++i) targets.binders.push_back(i);
    targets.zap = true;  // zap_* faults act only where a property binds a handler
    // dgram_* faults only where the property asks for them: other worlds draw as before.
    targets.udp = (fault_mask & datagram_fault_mask()) != 0;
    sim::FaultChoice choice;
    choice.swarm = false;
    choice.only = fault_mask;
    faults_ = sim::draw_faults(world_->rng(), targets, choice);
    sim::apply_faults(faults_, *world_);
    late_.faults = &faults_;
    late_.world = world_.get();
    start_recording(seed);
  }
  // What this world did, for conform_runner --check-determinism.
  ~SimBackend() override {
    fold_into_fingerprint(world_->trace().hash());
    stop_recording();
  }
  bool simulated() const override { return true; }
  sim::World* world() override { return world_.get(); }
  const sim::FaultSchedule& faults() const override { return faults_; }
  Sock* socket(uint32_t host, SocketType type) override {
    socks_.push_back(std::make_unique<SimSock>(world_->socket(sim::HostId(host), type), &late_));
    return socks_.back().get();
  }
  std::string endpoint(uint32_t host, int port) const override {
    return "tcp://h" + std::to_string(host) + ":" + std::to_string(port);
  }
  std::unique_ptr<RawPeer> raw_peer(uint32_t from, uint32_t to, int port) override {
    return std::make_unique<SimRawPeer>(*world_, from, to, port);
  }
  std::unique_ptr<RawPeer> raw_listener(uint32_t host, int port) override {
    return SimRawPeer::listening(*world_, host, port);
  }
  bool serve_zap(uint32_t host, sim::ZapAnswer answer) override {
    world_->serve_zap(sim::HostId(host), std::move(answer));
    return true;
  }
  uint64_t zap_requests(uint32_t host) override { return world_->zap_requests(sim::HostId(host)); }
  int64_t now_ns() const override { return world_->now_ns(); }
  void advance_ms(int64_t ms) override {
    int64_t target = world_->now_ns() + ms * 1'000'000;
    while (!late_.pending.empty()) {  // hosts that boot within this step bind on time
      auto next = std::min_element(late_.pending.begin(), late_.pending.end(),
                                   [](const auto& x, const auto& y) { return x.at_ns < y.at_ns; });
      if (next->at_ns > target) break;
      run_until(next->at_ns);
      LateBinds::Pending bind = *next;
      late_.pending.erase(next);
      RC_ASSERT(bind.socket->bind(bind.endpoint) == Err::kOk);
    }
    run_until(target);
  }

 private:
  // A failure's recorded replay (set_capture_stem): this world's trace (JSON lines) and
  // pcapng. Both only watch: the run is the same with or without them.
  void start_recording(uint64_t seed) {
    stem_ = next_capture_path();
    if (stem_.empty()) return;
    trace_ = std::fopen((stem_ + ".jsonl").c_str(), "w");
    world_->trace().set_file(trace_);
    capture_ = std::make_unique<sim::PcapCapture>("zlab conform: " + case_row() + " world seed " +
                                                  std::to_string(seed));
    world_->set_packet_sink(capture_.get());
  }
  void stop_recording() {
    if (stem_.empty()) return;
    world_->set_packet_sink(nullptr);
    world_->trace().set_file(nullptr);
    if (trace_ != nullptr && std::fclose(trace_) == 0) note_artifact(stem_ + ".jsonl");
    if (capture_->write_file(stem_ + ".pcapng")) note_artifact(stem_ + ".pcapng");
  }

  void run_until(int64_t target_ns) {
    sim::RunOutcome out = world_->run(target_ns);
    // The engine misbehaving (a stream that never settles, a timer firing forever) is a
    // finding.
    RC_ASSERT(out.kind != sim::RunOutcome::Kind::kEngineError);
    // A quiet world returns at once without moving the clock; time passes all the same.
    if (world_->now_ns() < target_ns) world_->queue().advance_to(target_ns);
  }

  std::unique_ptr<sim::PcapCapture> capture_;  // declared first: outlives the world that calls it
  std::unique_ptr<sim::World> world_;
  sim::FaultSchedule faults_;
  std::string stem_;  // recording: the files' path without extension
  std::FILE* trace_ = nullptr;
  LateBinds late_;
  std::vector<std::unique_ptr<SimSock>> socks_;
};

}  // namespace

void note_op(const Sock& s, std::string_view op, std::string_view endpoint) {
  std::string line = std::string(socket_type_info(s.type()).name) + " on h" +
                     std::to_string(s.host()) + " " + std::string(op);
  if (!endpoint.empty()) line += " " + std::string(endpoint);
  case_log().note(line);
}

Transport current_transport() { return g_transport; }
void set_current_transport(Transport t) { g_transport = t; }
std::string_view transport_name(Transport t) {
  return t == Transport::kSim ? "sim" : t == Transport::kTcp ? "tcp" : "ipc";
}

uint32_t benign_fault_mask() {
  using sim::FaultKind;
  return mask_of(
      {FaultKind::kLatency, FaultKind::kSplitIo, FaultKind::kClockDrift, FaultKind::kLateBind});
}

uint32_t lossy_fault_mask() {
  using sim::FaultKind;
  // Not kCrash: a Lab's sockets are made by the property, not by a host's boot program, so a
  // crashed host would stay dead. Properties about crashes schedule one themselves
  // (World::crash_at) and rebuild what they need.
  return mask_of({FaultKind::kLoss, FaultKind::kReset, FaultKind::kPartition,
                  FaultKind::kOneWayPartition, FaultKind::kSlowConsumer});
}

uint32_t datagram_fault_mask() {
  using sim::FaultKind;
  return mask_of({FaultKind::kDgramLoss, FaultKind::kDgramDup, FaultKind::kDgramReorder});
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

std::unique_ptr<Lab::Backend> make_sim_backend(uint64_t seed, uint32_t fault_mask, uint32_t hosts) {
  return std::make_unique<SimBackend>(seed, fault_mask, hosts);
}

Lab::Lab(uint64_t seed, uint32_t fault_mask, uint32_t hosts)
    : backend_(current_transport() == Transport::kSim ? make_sim_backend(seed, fault_mask, hosts)
                                                      : make_tcp_backend(seed, hosts)) {
  note_world_seed(seed);
  case_log().note("lab: " + std::string(transport_name(current_transport())) + ", world seed " +
                  std::to_string(seed) + ", " + std::to_string(hosts) + " hosts, faults " +
                  fault_names(fault_mask));
}
Lab::~Lab() = default;
Lab::Lab(Lab&&) noexcept = default;

bool Lab::simulated() const { return backend_->simulated(); }

sim::World& Lab::world() {
  sim::World* w = backend_->world();
  if (w == nullptr) std::abort();  // a sim-only property ran on a real transport
  return *w;
}

const sim::FaultSchedule& Lab::faults() const { return backend_->faults(); }
Sock* Lab::socket(uint32_t host, SocketType type) {
  case_log().note("t=" + std::to_string(now_ns() / 1'000'000) + "ms socket " +
                  std::string(socket_type_info(type).name) + " on h" + std::to_string(host));
  Sock* s = backend_->socket(host, type);
  s->set_int(opt::kLinger, 0);
  s->set_int(opt::kReconnectIvl, 20);
  return s;
}
std::string Lab::endpoint(uint32_t host, int port) const { return backend_->endpoint(host, port); }
std::string Lab::udp_endpoint(uint32_t host, int port) const {
  return backend_->udp_endpoint(host, port);
}
RawPeer* Lab::raw_peer(uint32_t from, uint32_t to, int port) {
  case_log().note("t=" + std::to_string(now_ns() / 1'000'000) + "ms raw peer on h" +
                  std::to_string(from) + " to " + endpoint(to, port));
  raws_.push_back(backend_->raw_peer(from, to, port));
  return raws_.back().get();
}
RawPeer* Lab::raw_listener(uint32_t host, int port) {
  case_log().note("t=" + std::to_string(now_ns() / 1'000'000) + "ms raw listener on " +
                  endpoint(host, port));
  raws_.push_back(backend_->raw_listener(host, port));
  return raws_.back().get();
}
int64_t Lab::now_ns() const { return backend_->now_ns(); }
void Lab::advance_ms(int64_t ms) {
  check_limits();
  backend_->advance_ms(ms);
}

void Lab::check_limits() const {
  CaseLimits limits = case_limits();
  int64_t wall_ms = case_wall_elapsed_ms();
  int64_t virtual_ms = simulated() ? now_ns() / 1'000'000 : 0;
  if (wall_ms <= limits.wall_ms && virtual_ms <= limits.virtual_ms) return;
  std::string what = wall_ms > limits.wall_ms
                         ? "wall-time limit (" + std::to_string(limits.wall_ms) + " ms)"
                         : "virtual-time limit (" + std::to_string(limits.virtual_ms) + " ms)";
  RC_FAIL("the case ran past its " + what + ": at t=" + std::to_string(now_ns() / 1'000'000) +
          " ms, " + std::to_string(wall_ms) + " ms of wall time, after " + std::to_string(sends_) +
          " messages sent and " + std::to_string(recvs_) + " received (world seed " +
          std::to_string(case_world_seed()) + ")");
}

bool Lab::wait_for(const std::function<bool()>& done, int64_t timeout_ms) {
  int64_t end = now_ns() + timeout_ms * 1'000'000;
  while (!done()) {
    check_limits();
    if (now_ns() >= end) return false;
    if (simulated()) {
      advance_ms(std::min<int64_t>(5, (end - now_ns() + 999'999) / 1'000'000));
    } else {
      backend_->pause_briefly();  // real time: look again soon rather than 5 ms later
    }
  }
  return true;
}

void Lab::wait_out_faults() {
  int64_t end = faults().window_end_ns;
  if (simulated() && now_ns() < end) advance_ms((end - now_ns() + 999'999) / 1'000'000);
}

bool Lab::send(Sock* s, const Parts& parts, Err* err) {
  if (++sends_ % 64 == 0) check_limits();  // a send loop that never meets EAGAIN ends too
  for (size_t i = 0; i < parts.size(); ++i) {
    Msg m = Msg::copy_of(std::string_view(parts[i]));
    if (parts.size() == 1) {  // what a thread-safe type sends beside its one part
      m.set_routing_id(s->reply_to);
      m.set_group(s->group);
    }
    Err e = s->send(m, i + 1 < parts.size() ? kSendMore : 0);
    if (e != Err::kOk) {
      if (err != nullptr) *err = e;
      return false;  // a started message always finishes, so only the first part can fail
    }
  }
  if (err != nullptr) *err = Err::kOk;
  return true;
}

std::optional<std::string> property_of(const Msg& part, std::string_view name) {
  const Metadata* meta = part.metadata();
  const std::string* value = meta == nullptr ? nullptr : meta->find(name);
  if (value == nullptr) return std::nullopt;
  return *value;
}

std::optional<Parts> Lab::recv(Sock* s, Err* err) {
  if (++recvs_ % 64 == 0) check_limits();
  Parts parts;
  for (;;) {
    Msg m;
    Err e = s->recv(&m);
    if (e != Err::kOk) {
      if (err != nullptr) *err = e;
      return std::nullopt;  // whole messages only: a started message has all its parts
    }
    parts.emplace_back(m.view());
    if (m.routing_id() != 0) s->reply_to = m.routing_id();  // whom a SERVER or PEER answers
    if (!s->rcvmore()) break;
  }
  if (err != nullptr) *err = Err::kOk;
  return parts;
}

bool Lab::send_letter(Sock* s, const Letter& letter, Err* err) {
  if (++sends_ % 64 == 0) check_limits();
  Msg m = Msg::copy_of(std::string_view(letter.body));
  m.set_routing_id(letter.routing_id);
  Err e = m.set_group(letter.group);
  if (e == Err::kOk) e = s->send(m, 0);
  if (err != nullptr) *err = e;
  return e == Err::kOk;
}

std::optional<Letter> Lab::recv_letter(Sock* s, Err* err, bool* more) {
  if (++recvs_ % 64 == 0) check_limits();
  Msg m;
  Err e = s->recv(&m);
  if (err != nullptr) *err = e;
  if (e != Err::kOk) return std::nullopt;
  if (more != nullptr) *more = s->rcvmore();
  return Letter{std::string(m.view()), m.routing_id(), std::string(m.group())};
}

// A ZMTP 2.0 peer's handshake (greeting and identity) gets no monitor event in libzmq or zlab;
// zlab counts those it did, so its handshakes are observed whatever the peer speaks.
uint64_t Lab::handshakes(Sock* s) const {
  return s->monitor_count(monitor::kHandshakeSucceeded) + s->unreported_handshakes();
}

bool Lab::serve_zap(uint32_t host, sim::ZapAnswer answer) {
  case_log().note("zap handler on h" + std::to_string(host));
  return backend_->serve_zap(host, std::move(answer));
}

uint64_t Lab::zap_requests(uint32_t host) { return backend_->zap_requests(host); }

bool Lab::read_bytewise() {
  if (!simulated()) return false;
  world().net().mutable_params().read_max = 1;
  return true;
}

uint64_t Lab::protocol_failures(Sock* s) const {
  return s->monitor_count(monitor::kHandshakeFailedProtocol);
}

}  // namespace zlab::conform
