#include "sim/pcap/capture.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/run/runner.h"

namespace zlab::sim {
namespace {

std::string tmp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One faulty run written as pcapng; returns the file's bytes.
std::vector<uint8_t> capture(uint64_t seed, const std::string& scenario, const std::string& name) {
  RunRequest req;
  req.seed = seed;
  req.scenario = scenario;
  req.choice.swarm = false;
  std::string bad;
  EXPECT_TRUE(parse_fault_list("loss,reset,partition,crash", &req.choice.only, &bad)) << bad;
  req.pcap_path = tmp_path(name);
  RunResult r = run_scenario(req);
  for (const std::string& f : r.failures) ADD_FAILURE() << f;
  return read_file(req.pcap_path);
}

TEST(PcapCapture, SameSeedGivesTheSameFileAndAnotherSeedAnother) {
  std::vector<uint8_t> a = capture(3, "req_rep", "a.pcapng");
  std::vector<uint8_t> b = capture(3, "req_rep", "b.pcapng");
  std::vector<uint8_t> c = capture(4, "req_rep", "c.pcapng");
  ASSERT_GT(a.size(), 10'000u);
  EXPECT_EQ(a[0], 0x0A);  // a section header block
  EXPECT_EQ(a[1], 0x0D);
  EXPECT_TRUE(a == b) << "seed 3 gave two different captures";
  EXPECT_FALSE(a == c) << "seeds 3 and 4 gave the same capture";
}

TEST(PcapCapture, TheCaptureDoesNotChangeTheRun) {
  RunRequest req;
  req.seed = 5;
  req.scenario = "pub_sub";
  RunResult plain = run_scenario(req);
  req.pcap_path = tmp_path("same-run.pcapng");
  RunResult captured = run_scenario(req);
  EXPECT_EQ(plain.trace_hash, captured.trace_hash);
  EXPECT_EQ(plain.passed, captured.passed);
}

// Little-endian u32 at `at`.
uint32_t u32(const std::vector<uint8_t>& v, size_t at) {
  return uint32_t(v[at]) | uint32_t(v[at + 1]) << 8 | uint32_t(v[at + 2]) << 16 |
         uint32_t(v[at + 3]) << 24;
}

TEST(PcapCapture, RecordsAreInTimeOrderWithEventsOnTheirOwnInterface) {
  PcapCapture cap("test");
  cap.host(0, "client");
  cap.host(1, "server");
  cap.opened(1000, 1, {0, 40000}, {1, 5555});
  std::vector<uint8_t> data(100, 'x');
  cap.sent(1500, 1, 0, data, false);
  cap.delivered(2000, 1, 0, data, 0);
  cap.sent(2500, 1, 0, data, /*lost=*/true);
  cap.event(3000, 0, 0, "partition starts: client <-/-> server");
  cap.delivered(500'000, 1, 0, data, 1);  // the retransmission and its ACK
  cap.rst(600'000, 1, 1, "RST injected");
  cap.sent(700'000, 1, 0, data, false);  // after the reset: nothing
  const std::vector<uint8_t>& file = cap.finish();
  // Walk the blocks: enhanced packets (type 6) carry interface id and a 64-bit timestamp.
  std::vector<uint64_t> times;
  std::vector<uint32_t> interfaces;
  for (size_t at = 0; at + 12 <= file.size();) {
    uint32_t type = u32(file, at), len = u32(file, at + 4);
    ASSERT_GE(len, 12u);
    if (type == 6) {
      interfaces.push_back(u32(file, at + 8));
      times.push_back(uint64_t(u32(file, at + 12)) << 32 | u32(file, at + 16));
    }
    at += len;
  }
  // handshake 3, data+ack 2, event 1, lost 1, retransmission+ack 2, rst 1
  ASSERT_EQ(times.size(), 10u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(times[5], 2500u);
  EXPECT_EQ(interfaces[5], 0u);
  EXPECT_EQ(times[6], 3000u);
  EXPECT_EQ(interfaces[6], 1u);  // the events interface
  EXPECT_EQ(times[9], 600'000u);
  // The handshake a microsecond apart, the ACK when the SYN arrived: Wireshark measures a
  // round trip from it (with none, resends close to new data look out-of-order).
  EXPECT_EQ(times[0], 0u);
  EXPECT_EQ(times[1], 0u);  // the SYN (at -1000) is clamped to 0: the run starts there
  EXPECT_EQ(times[2], 1000u);
}

}  // namespace
}  // namespace zlab::sim
