#include "sim/fault/faults.h"

#include <algorithm>
#include <cstdio>

#include "sim/base/trace.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

constexpr int64_t kUs = 1'000;
constexpr int64_t kMs = 1'000'000;

struct KindInfo {
  FaultKind kind;
  std::string_view name;
  std::string_view what;
  bool lossy;
};

constexpr KindInfo kKinds[kFaultKindCount] = {
    {FaultKind::kLatency, "latency", "per-link latency 20us..20ms, jitter, delay spikes", false},
    {FaultKind::kBandwidth, "bandwidth", "per-link bandwidth 500 KB/s..10 MB/s", false},
    {FaultKind::kSmallBuffers, "small_buffers",
     "send/receive buffers at Linux minimums (2-16 KiB), segments of 64..1460 B", false},
    {FaultKind::kSplitIo, "split_io", "reads and writes cut at random points", false},
    {FaultKind::kLoss, "loss",
     "1..20% of segments lost and retransmitted after an RTO, until the window ends", false},
    {FaultKind::kReset, "reset", "RST on a live connection, 1..6 times", true},
    {FaultKind::kPartition, "partition", "two hosts cut off both ways for 0.2..3.5 s", true},
    {FaultKind::kOneWayPartition, "one_way_partition", "one direction cut for 0.2..3.5 s", true},
    {FaultKind::kCrash, "crash", "a host crashes and restarts 0.1..2 s later", true},
    {FaultKind::kClockDrift, "clock_drift", "host clocks off by up to +-2%", false},
    {FaultKind::kSlowConsumer, "slow_consumer",
     "receivers pause or read 10..200 msg/s; HWMs 1..50, small TCP buffers: mute, drops", false},
    {FaultKind::kLateBind, "late_bind", "binding hosts boot 0.1..2 s late", false},
    {FaultKind::kZapSlow, "zap_slow", "the ZAP handler answers each request 5 ms..2.3 s late",
     false},
    {FaultKind::kZapSilent, "zap_silent", "the ZAP handler takes requests and never answers",
     false},
    {FaultKind::kZapAbsent, "zap_absent", "no ZAP handler is bound at inproc://zeromq.zap.01",
     false},
    {FaultKind::kDgramLoss, "dgram_loss", "1..30% of udp datagrams lost for good", true},
    {FaultKind::kDgramDup, "dgram_dup", "1..20% of udp datagrams delivered twice", false},
    {FaultKind::kDgramReorder, "dgram_reorder",
     "udp datagrams delayed up to 1..50 ms more: later ones overtake", false},
};

const KindInfo& info(FaultKind kind) { return kKinds[int(kind)]; }

std::string fmt_ns(int64_t ns) {
  char buf[32];
  if (ns >= 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.1fs", double(ns) / 1e9);
  } else if (ns >= kMs) {
    std::snprintf(buf, sizeof buf, "%lldms", (long long)(ns / kMs));
  } else {
    std::snprintf(buf, sizeof buf, "%lldus", (long long)(ns / kUs));
  }
  return buf;
}

std::string fmt_ppm(uint32_t ppm) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", double(ppm) / 1e4);
  return buf;
}

std::string host(uint32_t h) { return "h" + std::to_string(h); }

uint32_t pick(Rng& rng, const std::vector<uint32_t>& from) { return from[rng.below(from.size())]; }

// A pair of distinct hosts.
void pick_pair(Rng& rng, uint32_t hosts, uint32_t* a, uint32_t* b) {
  *a = uint32_t(rng.below(hosts));
  *b = uint32_t((*a + 1 + rng.below(hosts - 1)) % hosts);
}

}  // namespace

std::string_view fault_name(FaultKind kind) { return info(kind).name; }
std::string_view fault_description(FaultKind kind) { return info(kind).what; }
bool fault_is_lossy(FaultKind kind) { return info(kind).lossy; }

std::optional<FaultKind> fault_from_name(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

bool FaultSchedule::lossy() const {
  for (const KindInfo& k : kKinds) {
    if (k.lossy && has(k.kind)) return true;
  }
  return false;
}

bool parse_fault_list(std::string_view list, uint32_t* mask, std::string* bad) {
  *mask = 0;
  // "" and "loss,,crash" are typos, not "no faults" (that is "none", handled by the caller).
  if (list.empty()) {
    *bad = "(empty list)";
    return false;
  }
  for (bool more = true; more;) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    more = comma != std::string_view::npos;
    list = more ? list.substr(comma + 1) : std::string_view();
    if (name.empty()) {
      *bad = "(empty item)";
      return false;
    }
    if (name == "all") {
      *mask = (1u << kFaultKindCount) - 1;
      continue;
    }
    std::optional<FaultKind> k = fault_from_name(name);
    if (!k) {
      *bad = std::string(name);
      return false;
    }
    *mask |= 1u << int(*k);
  }
  return true;
}

FaultSchedule draw_faults(Rng& rng, const FaultTargets& t, const FaultChoice& choice) {
  FaultSchedule s;
  s.window_end_ns = t.window_ns;
  for (int k = 0; k < kFaultKindCount; ++k) {
    if (fault_is_zap(FaultKind(k)) && !t.zap) continue;       // no handler: no coin either
    if (fault_is_datagram(FaultKind(k)) && !t.udp) continue;  // no udp: no coin either
    bool on = choice.swarm ? rng.coin() : ((choice.only >> k) & 1u) != 0;
    if (on) s.enabled |= 1u << k;
  }
  // Events start after the first few hundred ms (connections up) and end by the window's end.
  const int64_t start = 300 * kMs;
  const int64_t window = std::max<int64_t>(t.window_ns - start, kMs);
  auto when = [&](int64_t duration) {
    return start + int64_t(rng.below(uint64_t(std::max<int64_t>(window - duration, 1))));
  };
  NetParams& n = s.net;
  if (s.has(FaultKind::kLatency)) {
    n.latency_min_ns = rng.range(20 * kUs, 1 * kMs);
    n.latency_max_ns = n.latency_min_ns + rng.range(0, 20 * kMs);
    n.jitter_ns = rng.range(0, 5 * kMs);
    n.spike_ppm = uint32_t(rng.range(0, 20'000));
    n.spike_ns = rng.range(10 * kMs, 200 * kMs);
  }
  if (s.has(FaultKind::kBandwidth)) {
    n.bandwidth_min_bps = uint64_t(rng.range(500'000, 2'000'000));
    n.bandwidth_max_bps = n.bandwidth_min_bps + uint64_t(rng.range(0, 8'000'000));
  }
  if (s.has(FaultKind::kSmallBuffers)) {
    // Linux's floors (SOCK_MIN_SNDBUF 4608, SOCK_MIN_RCVBUF 2304) up to a few pages.
    n.sndbuf = size_t(rng.range(4608, 16384));
    n.rcvbuf = size_t(rng.range(2304, 16384));
    n.mss = size_t(rng.range(64, 1460));
  }
  if (s.has(FaultKind::kSplitIo)) n.split_ppm = uint32_t(rng.range(100'000, 1'000'000));
  if (s.has(FaultKind::kLoss)) n.loss_ppm = uint32_t(rng.range(10'000, 200'000));
  if (s.has(FaultKind::kReset)) {
    int count = int(rng.range(1, 6));
    for (int i = 0; i < count; ++i) {
      FaultEvent e{FaultEvent::Type::kReset, when(0)};
      e.a = uint32_t(rng.below(1000));
      s.events.push_back(e);
    }
  }
  for (FaultKind kind : {FaultKind::kPartition, FaultKind::kOneWayPartition}) {
    if (!s.has(kind) || t.hosts < 2) continue;
    int count = int(rng.range(1, 3));
    for (int i = 0; i < count; ++i) {
      int64_t d = rng.range(200 * kMs, 3500 * kMs);
      FaultEvent e{kind == FaultKind::kPartition ? FaultEvent::Type::kPartition
                                                 : FaultEvent::Type::kOneWayPartition,
                   when(d), d};
      pick_pair(rng, t.hosts, &e.a, &e.b);
      s.events.push_back(e);
    }
  }
  if (s.has(FaultKind::kCrash) && !t.crashable.empty()) {
    int count = int(rng.range(1, 2));
    for (int i = 0; i < count; ++i) {
      int64_t d = rng.range(100 * kMs, 2000 * kMs);
      FaultEvent e{FaultEvent::Type::kCrash, when(d), d};
      e.a = pick(rng, t.crashable);
      s.events.push_back(e);
    }
  }
  if (s.has(FaultKind::kClockDrift)) {
    for (uint32_t h = 0; h < t.hosts; ++h) {
      s.drift_ppm.push_back(int32_t(rng.range(-20'000, 20'000)));
    }
  }
  if (s.has(FaultKind::kSlowConsumer) && !t.consumers.empty()) {
    int count = int(rng.range(1, 3));
    for (int i = 0; i < count; ++i) {
      bool pause = rng.coin();
      int64_t d = pause ? rng.range(200 * kMs, 2000 * kMs) : rng.range(500 * kMs, 3000 * kMs);
      FaultEvent e{pause ? FaultEvent::Type::kPause : FaultEvent::Type::kRate, when(d), d};
      e.a = pick(rng, t.consumers);
      e.value = pause ? 0 : uint32_t(rng.range(10, 200));
      s.events.push_back(e);
    }
    if (t.small_hwm) s.hwm = int32_t(rng.range(1, 50));
    // And TCP buffers that fill: a paused reader must push back on its writers' HWMs.
    if (!s.has(FaultKind::kSmallBuffers)) {
      n.sndbuf = size_t(rng.range(4608, 16384));
      n.rcvbuf = size_t(rng.range(2304, 16384));
    }
  }
  if (s.has(FaultKind::kLateBind) && !t.binders.empty()) {
    s.boot_delay_ns.assign(t.hosts, 0);
    for (uint32_t h : t.binders) s.boot_delay_ns[h] = rng.range(100 * kMs, 2000 * kMs);
  }
  if (s.has(FaultKind::kZapSlow)) {
    s.zap_delay_min_ns = rng.range(5 * kMs, 300 * kMs);
    s.zap_delay_max_ns = s.zap_delay_min_ns + rng.range(0, 2000 * kMs);
  }
  // Drawn last, so that worlds without udp draw exactly what they drew before these existed.
  if (s.has(FaultKind::kDgramLoss)) n.dgram_loss_ppm = uint32_t(rng.range(10'000, 300'000));
  if (s.has(FaultKind::kDgramDup)) n.dgram_dup_ppm = uint32_t(rng.range(10'000, 200'000));
  if (s.has(FaultKind::kDgramReorder)) n.dgram_reorder_ns = rng.range(1 * kMs, 50 * kMs);
  std::stable_sort(s.events.begin(), s.events.end(),
                   [](const FaultEvent& x, const FaultEvent& y) { return x.at_ns < y.at_ns; });
  // A fault longer than the window (a 3.5 s partition in a 2 s window) still ends the window:
  // "every fault is over by then" must hold for liveness checks and for callers that wait.
  for (const FaultEvent& e : s.events) {
    s.window_end_ns = std::max(s.window_end_ns, e.at_ns + e.duration_ns);
  }
  if (s.has(FaultKind::kLoss)) s.net.loss_until_ns = s.window_end_ns;  // loss is a fault too
  return s;
}

void apply_faults(const FaultSchedule& s, World& world) {
  world.net().mutable_params() = s.net;
  ZapFaults zap;
  zap.delay_min_ns = s.zap_delay_min_ns;
  zap.delay_max_ns = s.zap_delay_max_ns;
  zap.silent = s.has(FaultKind::kZapSilent);
  zap.absent = s.has(FaultKind::kZapAbsent);
  world.set_zap_faults(zap);
  world.set_socket_hwm(s.hwm);
  for (size_t h = 0; h < s.drift_ppm.size() && h < world.host_count(); ++h) {
    world.set_drift(HostId(h), s.drift_ppm[h]);
  }
  for (const FaultEvent& e : s.events) {
    switch (e.type) {
      case FaultEvent::Type::kPartition:
      case FaultEvent::Type::kOneWayPartition:
        world.partition(e.a, e.b, e.type == FaultEvent::Type::kPartition, e.at_ns,
                        e.at_ns + e.duration_ns);
        break;
      case FaultEvent::Type::kReset:
        world.reset_at(e.a, e.at_ns);
        break;
      case FaultEvent::Type::kCrash:
        world.crash_at(e.a, e.at_ns);
        world.restart_at(e.a, e.at_ns + e.duration_ns);
        break;
      case FaultEvent::Type::kPause:
        world.consumer_pause(e.a, e.at_ns, e.at_ns + e.duration_ns);
        break;
      case FaultEvent::Type::kRate:
        world.consumer_rate(e.a, e.value, e.at_ns, e.at_ns + e.duration_ns);
        break;
    }
  }
}

std::string describe_faults(const FaultSchedule& s) {
  std::string out;
  auto add = [&](std::string item) {
    if (!out.empty()) out += " ";
    out += item;
  };
  auto count = [&](FaultEvent::Type type) {
    std::string list;
    for (const FaultEvent& e : s.events) {
      if (e.type != type) continue;
      if (!list.empty()) list += ", ";
      switch (type) {
        case FaultEvent::Type::kReset:
          list += "@" + fmt_ns(e.at_ns);
          break;
        case FaultEvent::Type::kPartition:
          list += host(e.a) + "<->" + host(e.b) + " @" + fmt_ns(e.at_ns) + " for " +
                  fmt_ns(e.duration_ns);
          break;
        case FaultEvent::Type::kOneWayPartition:
          list += host(e.a) + "->" + host(e.b) + " @" + fmt_ns(e.at_ns) + " for " +
                  fmt_ns(e.duration_ns);
          break;
        case FaultEvent::Type::kCrash:
          list += host(e.a) + " @" + fmt_ns(e.at_ns) + " down " + fmt_ns(e.duration_ns);
          break;
        case FaultEvent::Type::kPause:
          list += host(e.a) + " paused @" + fmt_ns(e.at_ns) + " for " + fmt_ns(e.duration_ns);
          break;
        case FaultEvent::Type::kRate:
          list += host(e.a) + " " + std::to_string(e.value) + "/s @" + fmt_ns(e.at_ns) + " for " +
                  fmt_ns(e.duration_ns);
          break;
      }
    }
    return list;
  };
  const NetParams& n = s.net;
  if (s.has(FaultKind::kLatency)) {
    add("latency(" + fmt_ns(n.latency_min_ns) + ".." + fmt_ns(n.latency_max_ns) + " jitter=" +
        fmt_ns(n.jitter_ns) + " spikes=" + fmt_ppm(n.spike_ppm) + "x" + fmt_ns(n.spike_ns) + ")");
  }
  if (s.has(FaultKind::kBandwidth)) {
    add("bandwidth(" + std::to_string(n.bandwidth_min_bps / 1000) + ".." +
        std::to_string(n.bandwidth_max_bps / 1000) + " KB/s)");
  }
  if (s.has(FaultKind::kSmallBuffers)) {
    add("small_buffers(snd=" + std::to_string(n.sndbuf) + " rcv=" + std::to_string(n.rcvbuf) +
        " mss=" + std::to_string(n.mss) + ")");
  }
  if (s.has(FaultKind::kSplitIo)) add("split_io(" + fmt_ppm(n.split_ppm) + ")");
  if (s.has(FaultKind::kLoss)) add("loss(" + fmt_ppm(n.loss_ppm) + ")");
  if (s.has(FaultKind::kReset)) add("reset(" + count(FaultEvent::Type::kReset) + ")");
  if (s.has(FaultKind::kPartition)) {
    add("partition(" + count(FaultEvent::Type::kPartition) + ")");
  }
  if (s.has(FaultKind::kOneWayPartition)) {
    add("one_way_partition(" + count(FaultEvent::Type::kOneWayPartition) + ")");
  }
  if (s.has(FaultKind::kCrash)) add("crash(" + count(FaultEvent::Type::kCrash) + ")");
  if (s.has(FaultKind::kClockDrift)) {
    std::string d;
    for (size_t h = 0; h < s.drift_ppm.size(); ++h) {
      if (!d.empty()) d += " ";
      d += host(uint32_t(h)) + "=" + std::to_string(s.drift_ppm[h]) + "ppm";
    }
    add("clock_drift(" + d + ")");
  }
  if (s.has(FaultKind::kSlowConsumer)) {
    std::string p = count(FaultEvent::Type::kPause);
    std::string r = count(FaultEvent::Type::kRate);
    std::string items = p;
    std::string h = s.hwm > 0 ? "hwm=" + std::to_string(s.hwm) : "";
    if (!s.has(FaultKind::kSmallBuffers)) {
      h += (h.empty() ? "" : " ") + std::string("snd=") + std::to_string(n.sndbuf) +
           " rcv=" + std::to_string(n.rcvbuf);
    }
    for (const std::string& more : {r, h}) {
      if (!more.empty()) items += (items.empty() ? "" : ", ") + more;
    }
    add("slow_consumer(" + items + ")");
  }
  if (s.has(FaultKind::kLateBind)) {
    std::string d;
    for (size_t h = 0; h < s.boot_delay_ns.size(); ++h) {
      if (s.boot_delay_ns[h] == 0) continue;
      if (!d.empty()) d += " ";
      d += host(uint32_t(h)) + "+" + fmt_ns(s.boot_delay_ns[h]);
    }
    add("late_bind(" + d + ")");
  }
  if (s.has(FaultKind::kZapSlow)) {
    add("zap_slow(" + fmt_ns(s.zap_delay_min_ns) + ".." + fmt_ns(s.zap_delay_max_ns) + ")");
  }
  if (s.has(FaultKind::kZapSilent)) add("zap_silent");
  if (s.has(FaultKind::kZapAbsent)) add("zap_absent");
  if (s.has(FaultKind::kDgramLoss)) add("dgram_loss(" + fmt_ppm(n.dgram_loss_ppm) + ")");
  if (s.has(FaultKind::kDgramDup)) add("dgram_dup(" + fmt_ppm(n.dgram_dup_ppm) + ")");
  if (s.has(FaultKind::kDgramReorder)) {
    add("dgram_reorder(up to " + fmt_ns(n.dgram_reorder_ns) + ")");
  }
  return out.empty() ? "none" : out;
}

std::string faults_json(const FaultSchedule& s) {
  std::string out = "{\"enabled\":[";
  bool first = true;
  for (const KindInfo& k : kKinds) {
    if (!s.has(k.kind)) continue;
    if (!first) out += ",";
    first = false;
    append_json_string(&out, k.name);
  }
  out += "],\"describe\":";
  append_json_string(&out, describe_faults(s));
  out += ",\"events\":" + std::to_string(s.events.size()) + "}";
  return out;
}

}  // namespace zlab::sim
