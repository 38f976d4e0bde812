#include "sim/base/trace.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab::sim {
namespace {

TEST(TraceTest, LinesAreJsonAndTheHashFoldsTheirText) {
  Trace t;
  t.record(12, "h1", 3, "deliver", 100);
  t.record(15, "h\"2", 0, "monitor", 0, "a\nb\x01");
  ASSERT_EQ(t.recent().size(), 2u);
  EXPECT_EQ(t.recent()[0], R"({"t":12,"host":"h1","conn":3,"ev":"deliver","bytes":100})");
  EXPECT_EQ(
      t.recent()[1],
      R"({"t":15,"host":"h\"2","conn":0,"ev":"monitor","bytes":0,"detail":"a\u000ab\u0001"})");
  uint64_t want = fnv1a(Trace::kFnvOffset, t.recent()[0] + "\n" + t.recent()[1] + "\n");
  EXPECT_EQ(t.hash(), want);
  EXPECT_EQ(t.lines(), 2u);
}

TEST(TraceTest, SameRecordsSameHashAnyDifferenceChangesIt) {
  Trace a, b, c;
  for (Trace* t : {&a, &b, &c}) t->record(1, "h0", 1, "connect", 0);
  a.record(2, "h0", 1, "write", 10);
  b.record(2, "h0", 1, "write", 10);
  c.record(2, "h0", 1, "write", 11);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a.hash(), c.hash());
}

TEST(TraceTest, KeepsOnlyTheRecentLines) {
  Trace t;
  t.set_keep(3);
  for (int i = 0; i < 10; ++i) t.record(i, "h", 0, "e", i);
  std::vector<std::string> kept = t.recent();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_NE(kept[0].find("\"t\":7"), std::string::npos);  // oldest first, across the wrap
  EXPECT_NE(kept[1].find("\"t\":8"), std::string::npos);
  EXPECT_NE(kept[2].find("\"t\":9"), std::string::npos);
}

TEST(TraceTest, FewerLinesThanKeptAreAllThereInOrder) {
  Trace t;
  t.set_keep(5);
  for (int i = 0; i < 2; ++i) t.record(i, "h", 0, "e", -i);
  std::vector<std::string> kept = t.recent();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1], R"({"t":1,"host":"h","conn":0,"ev":"e","bytes":-1})");
}

// The time's digits are reused within one instant: lines at the same, a later, an earlier and
// the most negative time each carry their own.
TEST(TraceTest, EachLineCarriesItsOwnTimeAndNumbers) {
  Trace t;
  t.record(INT64_MIN, "h", 9, "a", 10);
  t.record(1234567890123, "h", 0, "b", -7);
  t.record(1234567890123, "h", 12, "c", 9);
  t.record(5, "h", 4294967295u, "d", INT64_MAX);
  std::vector<std::string> kept = t.recent();
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept[0], R"({"t":-9223372036854775808,"host":"h","conn":9,"ev":"a","bytes":10})");
  EXPECT_EQ(kept[1], R"({"t":1234567890123,"host":"h","conn":0,"ev":"b","bytes":-7})");
  EXPECT_EQ(kept[2], R"({"t":1234567890123,"host":"h","conn":12,"ev":"c","bytes":9})");
  EXPECT_EQ(kept[3],
            R"({"t":5,"host":"h","conn":4294967295,"ev":"d","bytes":9223372036854775807})");
}

TEST(TraceTest, EscapesAmongPlainBytesKeepTheBytesAroundThem) {
  std::string out;
  append_json_string(&out, std::string_view("ab\"cd\\e\x7f\xff", 9));
  EXPECT_EQ(out, R"("ab\"cd\\e\u007f\u00ff")");
}

}  // namespace
}  // namespace zlab::sim
