#include "sim/scenario/ledger.h"

#include <gtest/gtest.h>

#include "sim/scenario/message.h"

namespace zlab::sim {
namespace {

TEST(LedgerTest, DuplicatesReorderingAndStrangersAreViolations) {
  Ledger l;
  for (uint64_t i = 0; i < 5; ++i) l.sent("a", i, false);
  l.received("a", 0, "r", 1);
  l.received("a", 2, "r", 2);
  EXPECT_TRUE(l.violations().empty());
  l.received("a", 1, "r", 3);  // reordered
  l.received("a", 2, "s", 4);  // a duplicate, at another receiver
  l.received("b", 0, "r", 5);  // never sent
  ASSERT_EQ(l.violations().size(), 3u);
  EXPECT_EQ(l.violations()[0].rfind("out of order: a#1 after #2", 0), 0u);
  EXPECT_EQ(l.violations()[1].rfind("duplicate: a#2", 0), 0u);
  EXPECT_EQ(l.violations()[2].rfind("never sent: b#0", 0), 0u);
}

TEST(LedgerTest, CompleteMeansEveryMustMessageOrEveryMessageWhenExact) {
  Ledger l;
  l.sent("a", 0, false);
  l.sent("a", 1, true);
  EXPECT_FALSE(l.complete(false));
  l.received("a", 1, "r", 1);
  EXPECT_TRUE(l.complete(false));
  EXPECT_FALSE(l.complete(true));
  EXPECT_EQ(l.missing(true, 10), std::vector<std::string>{"a: 1 missing, first #0"});
  EXPECT_EQ(l.gaps("a", "r"), 0u);
}

TEST(LedgerTest, GapsCountHolesInWhatAReceiverGot) {
  Ledger l;
  for (uint64_t i = 0; i < 10; ++i) l.sent("p", i, false);
  for (uint64_t i : {2, 3, 5, 9}) l.received("p", i, "sub", 1);
  EXPECT_EQ(l.gaps("p", "sub"), 4u);  // 4, 6, 7, 8
}

TEST(MessageTest, WholeMessagesReadBackAndTornOrMixedOnesDoNot) {
  Rng rng(1);
  for (uint64_t seq = 0; seq < 200; ++seq) {
    auto parts = make_message("h1.0", seq, rng);
    std::string flow, why;
    uint64_t got = 0;
    ASSERT_TRUE(read_message(parts, 0, &flow, &got, &why)) << why;
    EXPECT_EQ(flow, "h1.0");
    EXPECT_EQ(got, seq);
    if (parts.size() > 1) {
      auto torn = parts;
      torn.pop_back();
      EXPECT_FALSE(read_message(torn, 0, &flow, &got, &why));
      auto mixed = parts;
      mixed.back() += "#";  // never a padding character
      EXPECT_FALSE(read_message(mixed, 0, &flow, &got, &why));
    }
  }
  std::string flow, why;
  uint64_t seq;
  EXPECT_FALSE(read_message({"hello"}, 0, &flow, &seq, &why));
  EXPECT_TRUE(read_message({"id", "", "f|3|0/1"}, 2, &flow, &seq, &why)) << why;
}

}  // namespace
}  // namespace zlab::sim
