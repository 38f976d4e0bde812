#include "sim/fault/faults.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/world/world.h"

namespace zlab::sim {
namespace {

FaultTargets targets() {
  FaultTargets t;
  t.hosts = 4;
  t.crashable = {1, 2};
  t.consumers = {0};
  t.binders = {0};
  t.window_ns = 4'000'000'000;
  return t;
}

TEST(FaultsTest, NamesRoundTripAndListsParse) {
  for (int k = 0; k < kFaultKindCount; ++k) {
    auto kind = FaultKind(k);
    EXPECT_EQ(fault_from_name(fault_name(kind)), kind);
    EXPECT_FALSE(fault_description(kind).empty());
  }
  uint32_t mask = 0;
  std::string bad;
  EXPECT_TRUE(parse_fault_list("loss,crash", &mask, &bad));
  EXPECT_EQ(mask, (1u << int(FaultKind::kLoss)) | (1u << int(FaultKind::kCrash)));
  EXPECT_FALSE(parse_fault_list("loss,gremlins", &mask, &bad));
  EXPECT_EQ(bad, "gremlins");
  EXPECT_TRUE(parse_fault_list("all", &mask, &bad));
  EXPECT_EQ(mask, (1u << kFaultKindCount) - 1);
}

TEST(FaultsTest, AnEmptyFaultListOrItemIsRejected) {
  uint32_t mask = 0;
  std::string bad;
  EXPECT_FALSE(parse_fault_list("", &mask, &bad));
  EXPECT_FALSE(parse_fault_list("loss,,crash", &mask, &bad));
  EXPECT_EQ(bad, "(empty item)");
  EXPECT_FALSE(parse_fault_list("loss,", &mask, &bad));
  EXPECT_FALSE(parse_fault_list(",loss", &mask, &bad));
}

TEST(FaultsTest, TheSameSeedDrawsTheSameScheduleAndSeedsDrawDifferentSubsets) {
  std::set<uint32_t> subsets;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Rng a(seed), b(seed);
    FaultSchedule x = draw_faults(a, targets(), {});
    FaultSchedule y = draw_faults(b, targets(), {});
    EXPECT_EQ(describe_faults(x), describe_faults(y));
    subsets.insert(x.enabled);
  }
  EXPECT_GT(subsets.size(), 40u);  // swarm: nearly every seed a different subset
}

TEST(FaultsTest, EveryTimedFaultIsOverByTheEndOfTheWindow) {
  FaultChoice all{false, (1u << kFaultKindCount) - 1};
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng r(seed);
    FaultSchedule s = draw_faults(r, targets(), all);
    EXPECT_TRUE(s.lossy());
    ASSERT_FALSE(s.events.empty());
    for (size_t i = 0; i < s.events.size(); ++i) {
      const FaultEvent& e = s.events[i];
      EXPECT_GE(e.at_ns, 300'000'000);
      EXPECT_LE(e.at_ns + e.duration_ns, s.window_end_ns);
      if (i > 0) {
        EXPECT_LE(s.events[i - 1].at_ns, e.at_ns);
      }
      if (e.type == FaultEvent::Type::kCrash) {
        EXPECT_TRUE(e.a == 1 || e.a == 2);
      }
      if (e.type == FaultEvent::Type::kPartition) {
        EXPECT_NE(e.a, e.b);
      }
    }
    EXPECT_EQ(s.drift_ppm.size(), 4u);
    EXPECT_GT(s.net.loss_ppm, 0u);
    EXPECT_EQ(s.net.loss_until_ns, s.window_end_ns);  // loss is over with the rest
    EXPECT_GT(s.boot_delay(0), 0);
    EXPECT_EQ(s.boot_delay(1), 0);
  }
}

// A window shorter than the longest partition (the conformance Lab's 2 s): the window's end
// moves out to the last fault's end rather than promising what is not so.
TEST(FaultsTest, AShortWindowStillEndsAfterEveryFault) {
  FaultTargets t = targets();
  t.window_ns = 2'000'000'000;
  FaultChoice partitions{
      false, (1u << int(FaultKind::kPartition)) | (1u << int(FaultKind::kOneWayPartition))};
  bool beyond = false;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng r(seed);
    FaultSchedule s = draw_faults(r, t, partitions);
    for (const FaultEvent& e : s.events) EXPECT_LE(e.at_ns + e.duration_ns, s.window_end_ns);
    EXPECT_GE(s.window_end_ns, t.window_ns);
    beyond = beyond || s.window_end_ns > t.window_ns;
  }
  EXPECT_TRUE(beyond);  // the case came up
}

TEST(FaultsTest, OnlyTheChosenFaults) {
  Rng r(3);
  FaultSchedule s = draw_faults(r, targets(), {false, 1u << int(FaultKind::kLoss)});
  EXPECT_EQ(s.enabled, 1u << int(FaultKind::kLoss));
  EXPECT_FALSE(s.lossy());
  EXPECT_TRUE(s.events.empty());
  EXPECT_GT(s.net.loss_ppm, 0u);
  EXPECT_EQ(describe_faults(s).rfind("loss(", 0), 0u);
  Rng r2(3);
  EXPECT_EQ(describe_faults(draw_faults(r2, targets(), {false, 0})), "none");
}

TEST(FaultsTest, ApplyingAScheduleByHandPartitionsAndCrashesTheWorld) {
  World w(1);
  for (int i = 0; i < 3; ++i) w.add_host("h" + std::to_string(i));
  FaultSchedule s;
  s.events.push_back({FaultEvent::Type::kPartition, 100, 50, 0, 1});
  s.events.push_back({FaultEvent::Type::kCrash, 200, 100, 2});
  s.drift_ppm = {0, 1000, -1000};
  apply_faults(s, w);
  w.run(120);
  EXPECT_TRUE(w.net().blocked(0, 1));
  EXPECT_TRUE(w.net().blocked(1, 0));
  w.run(160);
  EXPECT_FALSE(w.net().blocked(0, 1));
  w.run(250);
  EXPECT_FALSE(w.host_up(2));
  w.run(400);
  EXPECT_TRUE(w.host_up(2));
  EXPECT_EQ(w.clock(1).drift_ppm(), 1000);
}

TEST(FaultsTest, ZapFaultsAreDrawnOnlyWhereAHandlerServes) {
  FaultTargets with = targets();
  with.zap = true;
  bool saw_zap = false;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Rng a(seed);
    FaultSchedule s = draw_faults(a, targets(), {});
    for (FaultKind k : {FaultKind::kZapSlow, FaultKind::kZapSilent, FaultKind::kZapAbsent}) {
      EXPECT_FALSE(s.has(k)) << "seed " << seed;
    }
    Rng b(seed);
    FaultSchedule z = draw_faults(b, with, {});
    saw_zap = saw_zap || z.has(FaultKind::kZapSlow) || z.has(FaultKind::kZapSilent);
    if (z.has(FaultKind::kZapSlow)) {
      EXPECT_GE(z.zap_delay_min_ns, 5'000'000);
      EXPECT_GE(z.zap_delay_max_ns, z.zap_delay_min_ns);
    }
  }
  EXPECT_TRUE(saw_zap);
  Rng r(7);
  FaultSchedule s = draw_faults(r, with, {false, 1u << int(FaultKind::kZapSlow)});
  EXPECT_EQ(describe_faults(s).rfind("zap_slow(", 0), 0u) << describe_faults(s);
}

TEST(FaultsTest, DatagramFaultsAreDrawnOnlyWhereUdpFlows) {
  FaultTargets with = targets();
  with.udp = true;
  bool saw[3] = {false, false, false};
  const FaultKind kinds[3] = {FaultKind::kDgramLoss, FaultKind::kDgramDup,
                              FaultKind::kDgramReorder};
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Rng a(seed);
    FaultSchedule s = draw_faults(a, targets(), {});
    for (FaultKind k : kinds) EXPECT_FALSE(s.has(k)) << "seed " << seed;
    EXPECT_EQ(s.net.dgram_loss_ppm, 0u);
    Rng b(seed);
    FaultSchedule u = draw_faults(b, with, {});
    for (int i = 0; i < 3; ++i) saw[i] = saw[i] || u.has(kinds[i]);
    EXPECT_EQ(u.net.dgram_loss_ppm > 0, u.has(FaultKind::kDgramLoss));
    EXPECT_EQ(u.net.dgram_dup_ppm > 0, u.has(FaultKind::kDgramDup));
    EXPECT_EQ(u.net.dgram_reorder_ns > 0, u.has(FaultKind::kDgramReorder));
    // The same seed draws the same schedule.
    Rng c(seed);
    FaultSchedule again = draw_faults(c, with, {});
    EXPECT_EQ(describe_faults(again), describe_faults(u));
  }
  EXPECT_TRUE(saw[0] && saw[1] && saw[2]);
  for (int i = 0; i < 3; ++i) {
    Rng r(7);
    FaultSchedule one = draw_faults(r, with, {false, 1u << int(kinds[i])});
    EXPECT_EQ(describe_faults(one).rfind(std::string(fault_name(kinds[i])) + "(", 0), 0u)
        << describe_faults(one);
    EXPECT_EQ(fault_from_name(fault_name(kinds[i])), kinds[i]);
  }
}

}  // namespace
}  // namespace zlab::sim
