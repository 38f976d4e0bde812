// Writes the RADIO/DISH udp run (udp_run.h) of one seed as pcapng:
//   udp_capture --seed 7 [--faults dgram_loss,dgram_dup,...] --pcap run.pcapng
// and prints one summary line (faults, datagrams, the trace hash).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/fault/faults.h"
#include "sim/pcap/capture.h"
#include "sim/pcap/udp_run.h"

int main(int argc, char** argv) {
  uint64_t seed = 1;
  uint32_t mask = 0;
  std::string pcap;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string bad;
    if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--faults") {
      if (!zlab::sim::parse_fault_list(argv[i + 1], &mask, &bad)) {
        std::fprintf(stderr, "udp_capture: unknown fault %s\n", bad.c_str());
        return 2;
      }
    } else if (flag == "--pcap") {
      pcap = argv[i + 1];
    } else {
      std::fprintf(stderr, "udp_capture: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  zlab::sim::PcapCapture capture("zlab udp_capture --seed " + std::to_string(seed));
  zlab::sim::UdpRunResult r = zlab::sim::run_udp(seed, mask, pcap.empty() ? nullptr : &capture);
  if (!pcap.empty() && !capture.write_file(pcap)) {
    std::fprintf(stderr, "udp_capture: cannot write %s\n", pcap.c_str());
    return 1;
  }
  std::printf(
      "seed=%llu faults: %s | outcome: %s | messages sent=%llu received=%llu wrong=%llu "
      "| datagrams sent=%llu delivered=%llu lost=%llu duplicated=%llu dropped=%llu "
      "| trace=%016llx\n",
      (unsigned long long)seed, r.faults.c_str(), r.outcome.c_str(), (unsigned long long)r.sent,
      (unsigned long long)r.received, (unsigned long long)r.wrong, (unsigned long long)r.net.sent,
      (unsigned long long)r.net.delivered, (unsigned long long)r.net.lost,
      (unsigned long long)r.net.duplicated, (unsigned long long)r.net.dropped,
      (unsigned long long)r.trace_hash);
  return r.wrong == 0 && r.outcome == "done" ? 0 : 1;
}
