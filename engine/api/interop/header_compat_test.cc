// engine/api/zmq.h against the installed libzmq 4.3.4 zmq.h: every macro, stable function
// signature, typedef and struct layout, in the stable, draft and errno-fallback configurations.
// The names come from scanning both headers (gen_header_tables.py), so nothing is skipped by
// omission; the only accepted differences are listed below with their reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/api/interop/header_compare.h"
#include "engine/api/interop/header_table.h"

namespace zlab::interop {
namespace {

using ::testing::IsEmpty;

std::map<std::string, Value> Constants(const HeaderTable& table) {
  std::map<std::string, Value> out;
  for (const Constant& c : table.constants) out[c.name] = c.value;
  return out;
}

long long Integer(const HeaderTable& table, const std::string& name) {
  const Value v = Constants(table).at(name);
  EXPECT_EQ(v.kind, Value::Kind::kInteger) << name;
  return static_cast<long long>(v.bits);
}

int CountDefined(const HeaderTable& table) {
  return static_cast<int>(
      std::count_if(table.constants.begin(), table.constants.end(),
                    [](const Constant& c) { return c.value.kind != Value::Kind::kAbsent; }));
}

TEST(HeaderCompat, StableConfigurationIsIdentical) {
  EXPECT_THAT(CompareHeaderTables(OursStableTable(), LibzmqStableTable()), IsEmpty());
}

TEST(HeaderCompat, DraftConfigurationIsIdentical) {
  // The draft build has the poller, so the header announces it (ZMQ_HAVE_POLLER) as libzmq's.
  EXPECT_THAT(CompareHeaderTables(OursDraftTable(), LibzmqDraftTable()), IsEmpty());
}

TEST(HeaderCompat, ErrnoFallbacksAreIdentical) {
  EXPECT_THAT(CompareHeaderTables(OursErrnoFallbackTable(), LibzmqErrnoFallbackTable()), IsEmpty());
}

// The comparison is not vacuous: the scan found the whole header and the tables hold values.
TEST(HeaderCompat, TablesCoverTheWholeHeader) {
  const HeaderTable& stable = LibzmqStableTable();
  EXPECT_GE(CountDefined(stable), 200);
  EXPECT_GT(CountDefined(LibzmqDraftTable()), CountDefined(stable) + 40);
  EXPECT_EQ(CountDefined(OursStableTable()), CountDefined(stable));
  EXPECT_GE(stable.functions.size(), 70u);
  EXPECT_EQ(stable.typedefs.size(), 6u);
  EXPECT_EQ(stable.fields.size(), 5u);

  EXPECT_EQ(Integer(OursStableTable(), "ZMQ_VERSION"), 40304);
  EXPECT_EQ(Integer(OursStableTable(), "ZMQ_MAKE_VERSION(2, 3, 5)"), 20305);
  EXPECT_EQ(Integer(OursStableTable(), "ZMQ_STREAM"), 11);
  EXPECT_EQ(Integer(OursStableTable(), "ZMQ_ROUTER_BEHAVIOR"), 33);
  EXPECT_EQ(Integer(OursStableTable(), "ETERM"), 156384712 + 53);
  EXPECT_EQ(Integer(OursStableTable(), "ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED"), 0x30000000);
  EXPECT_EQ(Constants(OursStableTable()).at("ZMQ_SERVER").kind, Value::Kind::kAbsent);
  EXPECT_EQ(Integer(OursDraftTable(), "ZMQ_SERVER"), 12);
  EXPECT_EQ(Integer(OursDraftTable(), "ZMQ_EVENT_ALL_V2"), 0x1FFFF);
  EXPECT_STREQ(Constants(OursDraftTable()).at("ZMQ_MSG_PROPERTY_ROUTING_ID").text, "Routing-Id");
  EXPECT_EQ(Constants(OursStableTable()).at("ZMQ_HAVE_TIMERS").kind, Value::Kind::kEmpty);
  // ZMQ_EXPORT is removed again at the end of both headers.
  EXPECT_EQ(Constants(OursStableTable()).at("ZMQ_EXPORT").kind, Value::Kind::kAbsent);

  // With <errno.h>'s numbers hidden, the header's own fallbacks are what got compiled.
  EXPECT_EQ(Integer(OursErrnoFallbackTable(), "ENOTSUP"), 156384712 + 1);
  EXPECT_EQ(Integer(OursErrnoFallbackTable(), "ENETRESET"), 156384712 + 18);
  EXPECT_LT(Integer(OursStableTable(), "ENOTSUP"), 156384712);
}

TEST(HeaderCompat, MessageAndPollItemLayout) {
  for (const HeaderTable* table : {&OursStableTable(), &LibzmqStableTable()}) {
    std::map<std::string, const Typedef*> typedefs;
    for (const Typedef& t : table->typedefs) typedefs[t.name] = &t;
    EXPECT_EQ(typedefs.at("zmq_msg_t")->size, 64u);
    EXPECT_EQ(typedefs.at("zmq_msg_t")->align, alignof(void*));
    EXPECT_EQ(typedefs.at("zmq_pollitem_t")->size, 16u);
    EXPECT_EQ(typedefs.at("zmq_fd_t")->size, sizeof(int));
    EXPECT_EQ(typedefs.at("zmq_free_fn")->size, 0u);  // A function type.
  }
}

// The comparison catches what it should: a copy of our header with known defects (BUILD).
TEST(HeaderCompat, DetectsEveryKindOfDefect) {
  const std::vector<std::string> diffs =
      CompareHeaderTables(BrokenStableTable(), LibzmqStableTable());
  auto reported = [&](const std::string& text) {
    return std::any_of(diffs.begin(), diffs.end(),
                       [&](const std::string& d) { return d.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(reported("constant ZMQ_LINGER: zlab not defined, libzmq 17 (signed 4-byte)"));
  EXPECT_TRUE(reported("constant ZMQ_SNDHWM: zlab 24 (signed 4-byte), libzmq 23"));
  EXPECT_TRUE(reported("constant ZMQ_POLLERR: zlab 4 (unsigned 4-byte), libzmq 4 (signed"));
  EXPECT_TRUE(reported("constant ZMQ_ZLAB_ONLY: zlab 1 (signed 4-byte), libzmq not defined"));
  EXPECT_TRUE(reported("function zmq_bind: zlab type"));
  EXPECT_TRUE(reported("typedef zmq_msg_t: zlab type 9zmq_msg_t, size 56 bytes"));
  EXPECT_TRUE(reported("field zmq_msg_t._: zlab offset 0, size 56 bytes"));
  EXPECT_EQ(diffs.size(), 7u) << ::testing::PrintToString(diffs);
}

TEST(HeaderCompat, DescribesValues) {
  EXPECT_EQ(Describe(Absent()), "not defined");
  EXPECT_EQ(Describe(Probe()), "defined empty");
  EXPECT_EQ(Describe(Probe(-1)), "-1 (signed 4-byte)");
  EXPECT_EQ(Describe(Probe(0xFFFFFFFFu)), "4294967295 (unsigned 4-byte)");
  EXPECT_EQ(Describe(Probe(1L)), "1 (signed 8-byte)");
  EXPECT_EQ(Describe(Probe("x")), "\"x\"");
}

}  // namespace
}  // namespace zlab::interop
