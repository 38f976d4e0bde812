// The udp datagram run under each datagram fault: what the faults do shows in the counts, no
// datagram arrives damaged, the same seed gives the same trace and the same capture bytes.
#include "sim/pcap/udp_run.h"

#include <gtest/gtest.h>

#include "sim/fault/faults.h"
#include "sim/pcap/capture.h"

namespace zlab::sim {
namespace {

uint32_t only(FaultKind kind) { return 1u << int(kind); }

// Copies: 100 unicast datagrams to one receiver, 100 multicast ones to two.
constexpr uint64_t kCopies = 300;

TEST(UdpRunTest, WithoutFaultsEveryCopyArrivesOnce) {
  UdpRunResult r = run_udp(1, only(FaultKind::kLatency), nullptr);
  EXPECT_EQ(r.sent, 200u);
  EXPECT_EQ(r.received, kCopies);
  EXPECT_EQ(r.malformed, 0u);
}

TEST(UdpRunTest, LossLosesForGood) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramLoss), nullptr);
  EXPECT_GT(r.net.lost, 0u) << r.faults;
  EXPECT_EQ(r.received + r.net.lost, kCopies);  // never retransmitted
  EXPECT_EQ(r.malformed, 0u);
}

TEST(UdpRunTest, DuplicationDeliversExtraCopies) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramDup), nullptr);
  EXPECT_GT(r.net.duplicated, 0u) << r.faults;
  EXPECT_EQ(r.received, kCopies + r.net.duplicated);
  EXPECT_EQ(r.malformed, 0u);
}

TEST(UdpRunTest, ReorderingLosesNothing) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramReorder), nullptr);
  EXPECT_NE(r.faults.find("dgram_reorder"), std::string::npos);
  EXPECT_EQ(r.received, kCopies);
  EXPECT_EQ(r.malformed, 0u);
}

TEST(UdpRunTest, APartitionDropsWhatCrossesIt) {
  UdpRunResult r = run_udp(1, only(FaultKind::kPartition), nullptr);
  EXPECT_GT(r.net.dropped, 0u) << r.faults;
  EXPECT_EQ(r.received + r.net.dropped, kCopies);
}

TEST(UdpRunTest, SameSeedSameTraceAndCapture) {
  uint32_t all = (1u << kFaultKindCount) - 1;
  PcapCapture a("test"), b("test"), c("test");
  UdpRunResult ra = run_udp(3, all, &a);
  UdpRunResult rb = run_udp(3, all, &b);
  UdpRunResult rc = run_udp(4, all, &c);
  EXPECT_EQ(ra.trace_hash, rb.trace_hash);
  EXPECT_NE(ra.trace_hash, rc.trace_hash);
  EXPECT_EQ(a.finish(), b.finish());
  EXPECT_GT(a.records(), kCopies / 2);
  // A capture changes nothing in the run.
  EXPECT_EQ(run_udp(3, all, nullptr).trace_hash, ra.trace_hash);
}

}  // namespace
}  // namespace zlab::sim
