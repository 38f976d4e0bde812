#include "engine/base/msg.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace zlab {
namespace {

TEST(MsgTest, SmallBodyIsInlineAndCopiedByShare) {
  Msg a = Msg::copy_of(std::string_view("hello"));
  Msg b = a.share();
  EXPECT_EQ(b.view(), "hello");
  EXPECT_NE(a.data(), b.data());  // inline: each has its own bytes
  EXPECT_FALSE(a.shared());
}

TEST(MsgTest, LargeBodyIsSharedNotCopied) {
  std::string big(1000, 'x');
  Msg a = Msg::copy_of(std::string_view(big));
  Msg b = a.share();
  EXPECT_EQ(a.data(), b.data());
  EXPECT_TRUE(a.shared());
  b.reset();
  EXPECT_FALSE(a.shared());
  EXPECT_EQ(a.view(), big);
}

TEST(MsgTest, MoveLeavesSourceEmpty) {
  Msg a = Msg::copy_of(std::string_view(std::string(100, 'y')));
  a.set_more(true);
  Msg b = std::move(a);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_TRUE(b.more());
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is defined empty
  EXPECT_FALSE(a.more());
  Msg c = Msg::copy_of(std::string_view("in"));
  c = std::move(b);
  EXPECT_EQ(c.size(), 100u);
}

int freed = 0;
void count_free(void* data, void* hint) {
  EXPECT_EQ(hint, &freed);
  delete[] static_cast<char*>(data);
  ++freed;
}

TEST(MsgTest, WrappedDataIsFreedOnceByTheLastReference) {
  freed = 0;
  char* data = new char[4]{'a', 'b', 'c', 'd'};
  {
    Msg a = Msg::wrap(data, 4, count_free, &freed);
    Msg b = a.share();
    EXPECT_EQ(b.view(), "abcd");
    a.reset();
    EXPECT_EQ(freed, 0);
  }
  EXPECT_EQ(freed, 1);
}

TEST(MsgTest, BorrowedBytesAreAlwaysShared) {
  // No free function: the caller keeps the bytes, so even the only Msg shares them (ZMQ_SHARED
  // is 1 for libzmq's constant messages); with a free function the Msg owns them alone.
  static const char kConstant[] = "TEST";
  Msg borrowed = Msg::wrap(const_cast<char*>(kConstant), 5, nullptr, nullptr);
  EXPECT_TRUE(borrowed.shared());
  EXPECT_TRUE(borrowed.share().shared());
  freed = 0;
  Msg owned = Msg::wrap(new char[4]{'a', 'b', 'c', 'd'}, 4, count_free, &freed);
  EXPECT_FALSE(owned.shared());
}

TEST(MsgTest, FlagsAreIndependent) {
  Msg m;
  m.set_more(true);
  m.set_command(true);
  m.set_more(false);
  EXPECT_TRUE(m.command());
  EXPECT_FALSE(m.more());
}

TEST(MsgTest, MetadataIsSharedAndCaseInsensitive) {
  Metadata* meta = Metadata::create({{"Socket-Type", "DEALER"}, {"Identity", "abc"}});
  {
    Msg a = Msg::copy_of(std::string_view("x"));
    a.set_metadata(meta);
    Msg b = a.share();
    ASSERT_NE(b.metadata(), nullptr);
    EXPECT_EQ(*b.metadata()->find("socket-type"), "DEALER");
    EXPECT_EQ(b.metadata()->find("missing"), nullptr);
  }
  meta->unref();  // last reference: ASan reports a leak or double free if counting is wrong
}

TEST(MsgTest, EmptyMessage) {
  Msg m = Msg::with_size(0);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.bytes().size(), 0u);
}

}  // namespace
}  // namespace zlab
