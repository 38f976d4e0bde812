// RADIO -> DISH over udp in the simulator, under each datagram fault: what the fault does shows
// in the counts, no DISH gets a group it did not join or a damaged message, nothing is ever
// retransmitted, and the same seed gives the same trace and the same capture bytes.
#include "sim/pcap/udp_run.h"

#include <gtest/gtest.h>

#include "sim/fault/faults.h"
#include "sim/pcap/capture.h"

namespace zlab::sim {
namespace {

uint32_t only(FaultKind kind) { return 1u << int(kind); }

void expect_clean(const UdpRunResult& r) {
  EXPECT_EQ(r.sent, kUdpRunMessages) << r.faults;
  EXPECT_EQ(r.wrong, 0u) << r.faults;
  EXPECT_EQ(r.outcome, "done") << r.faults;
  EXPECT_EQ(r.net.sent, 2 * kUdpRunMessages);  // one datagram per udp peer per message
}

TEST(UdpRunTest, WithoutDatagramFaultsEveryMessageArrivesOnce) {
  UdpRunResult r = run_udp(1, only(FaultKind::kLatency), nullptr);
  expect_clean(r);
  EXPECT_EQ(r.net.delivered, kUdpRunCopies);
  EXPECT_EQ(r.received, kUdpRunOwed);
}

TEST(UdpRunTest, LossLosesForGood) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramLoss), nullptr);
  expect_clean(r);
  EXPECT_GT(r.net.lost, 0u);
  EXPECT_EQ(r.net.delivered + r.net.lost, kUdpRunCopies);  // never retransmitted
  EXPECT_LT(r.received, kUdpRunOwed);
}

TEST(UdpRunTest, DuplicationDeliversSomeMessagesTwice) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramDup), nullptr);
  expect_clean(r);
  EXPECT_GT(r.net.duplicated, 0u);
  EXPECT_EQ(r.net.delivered, kUdpRunCopies + r.net.duplicated);
  EXPECT_GT(r.received, kUdpRunOwed);  // udp has no duplicate suppression, nor does RADIO/DISH
}

TEST(UdpRunTest, ReorderingLosesNothing) {
  UdpRunResult r = run_udp(1, only(FaultKind::kDgramReorder), nullptr);
  expect_clean(r);
  EXPECT_NE(r.faults.find("dgram_reorder"), std::string::npos);
  EXPECT_EQ(r.received, kUdpRunOwed);
}

TEST(UdpRunTest, APartitionDropsWhatCrossesIt) {
  UdpRunResult r = run_udp(1, only(FaultKind::kPartition), nullptr);
  expect_clean(r);
  EXPECT_GT(r.net.dropped, 0u);
  EXPECT_EQ(r.net.delivered + r.net.dropped, kUdpRunCopies);
  EXPECT_LT(r.received, kUdpRunOwed);
}

TEST(UdpRunTest, SameSeedSameTraceAndCapture) {
  uint32_t all = (1u << kFaultKindCount) - 1;
  PcapCapture a("test"), b("test"), c("test");
  UdpRunResult ra = run_udp(3, all, &a);
  UdpRunResult rb = run_udp(3, all, &b);
  UdpRunResult rc = run_udp(4, all, &c);
  EXPECT_EQ(ra.wrong, 0u);
  EXPECT_EQ(ra.trace_hash, rb.trace_hash);
  EXPECT_NE(ra.trace_hash, rc.trace_hash);
  EXPECT_EQ(a.finish(), b.finish());
  EXPECT_GT(a.records(), kUdpRunCopies / 2);
  // A capture changes nothing in the run.
  EXPECT_EQ(run_udp(3, all, nullptr).trace_hash, ra.trace_hash);
}

}  // namespace
}  // namespace zlab::sim
