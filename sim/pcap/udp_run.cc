#include "sim/pcap/udp_run.h"

#include <string_view>
#include <vector>

#include "engine/wire/zmtp_bytes.h"
#include "sim/fault/faults.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr uint16_t kUnicastPort = 5555;
constexpr uint16_t kGroupPort = 5556;
constexpr std::string_view kGroup = "239.1.2.3";

// A receiving socket that reads (and decodes) every datagram as it arrives.
struct Dish final : DatagramOwner {
  DatagramNet* net = nullptr;
  UdpRunResult* result = nullptr;
  void on_datagram(DgramId id) override {
    uint8_t buf[wire::kMaxUdpDatagram + 1];
    size_t n = 0;
    while (net->receive(id, buf, &n) == IoStatus::kOk) {
      ++result->received;
      wire::DatagramView view;
      if (wire::parse_datagram({buf, std::min(n, sizeof buf)}, &view) !=
          wire::DatagramError::kNone) {
        ++result->malformed;
      }
    }
  }
};

}  // namespace

UdpRunResult run_udp(uint64_t seed, uint32_t fault_mask, PacketSink* sink) {
  UdpRunResult result;
  World world(seed);
  HostId radio = world.add_host("h0");
  HostId dish1 = world.add_host("h1");
  HostId dish2 = world.add_host("h2");
  if (sink != nullptr) world.set_packet_sink(sink);
  FaultTargets targets;
  targets.hosts = 3;
  targets.udp = true;
  targets.window_ns = 2000 * kMs;
  FaultChoice choice;
  choice.swarm = fault_mask == 0;
  choice.only = fault_mask;
  FaultSchedule faults = draw_faults(world.rng(), targets, choice);
  apply_faults(faults, world);
  result.faults = describe_faults(faults);

  Dish dish;
  dish.net = &world.dgram();
  dish.result = &result;
  DgramId unicast = 0, member1 = 0, member2 = 0, sender = 0;
  world.dgram().bind(dish1, kUnicastPort, "", &dish, &unicast);
  world.dgram().bind(dish1, kGroupPort, kGroup, &dish, &member1);
  world.dgram().bind(dish2, kGroupPort, kGroup, &dish, &member2);
  world.dgram().open(radio, &sender);
  // 100 messages over 3 s: every 30 ms one to h1 (group "weather") and one to the multicast
  // group (group "news"), through the codec.
  for (int i = 0; i < 100; ++i) {
    world.at(i * 30 * kMs, [&world, &result, sender, i] {
      std::string body = "radio #" + std::to_string(i);
      for (auto [to, port, group] :
           {std::tuple<std::string_view, uint16_t, std::string_view>{"h1", kUnicastPort, "weather"},
            {kGroup, kGroupPort, "news"}}) {
        std::string d = wire::bytes::udp_datagram(group, body);
        world.dgram().send(sender, to, port,
                           {reinterpret_cast<const uint8_t*>(d.data()), d.size()});
        ++result.sent;
      }
    });
  }
  world.run(5000 * kMs);
  result.trace_hash = world.trace().hash();
  result.net = world.dgram().stats();
  return result;
}

}  // namespace zlab::sim
