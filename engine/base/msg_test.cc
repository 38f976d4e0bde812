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

TEST(MsgTest, GroupShortAndLongAndTooLong) {
  Msg m = Msg::copy_of(std::string_view("body"));
  EXPECT_EQ(m.group(), "");
  EXPECT_EQ(m.set_group("TV"), Err::kOk);
  EXPECT_EQ(m.group(), "TV");
  std::string six(6, 'x'), seven(7, 's'), eight(8, 'e'), longest(kGroupMaxLength, 'l');
  for (const std::string& g : {six, seven, eight, longest, std::string("x")}) {
    EXPECT_EQ(m.set_group(g), Err::kOk);
    EXPECT_EQ(m.group(), g);
    // A C string as well (zmq_msg_group hands out group().data()).
    EXPECT_EQ(m.group().data()[g.size()], '\0') << g.size();
    EXPECT_EQ(std::strlen(m.group().data()), g.size());
  }
  // Too long: refused, the group unchanged (libzmq's ZMQ_GROUP_MAX_LENGTH is 255).
  EXPECT_EQ(m.set_group(std::string(kGroupMaxLength + 1, 'x')), Err::kInvalid);
  EXPECT_EQ(m.group(), "x");
  EXPECT_EQ(m.set_group(""), Err::kOk);
  EXPECT_EQ(m.group(), "");
  EXPECT_EQ(m.view(), "body");  // the group never touches the inline body
}

TEST(MsgTest, GroupTravelsWithMovesAndShares) {
  for (const std::string& g : {std::string("Movies"), std::string(100, 'g')}) {
    for (size_t size : {size_t(0), Msg::kInlineMax, Msg::kInlineMax + 1, size_t(1000)}) {
      Msg a = Msg::copy_of(std::string_view(std::string(size, 'b')));
      ASSERT_EQ(a.set_group(g), Err::kOk);
      a.set_routing_id(7);
      Msg b = a.share();
      EXPECT_EQ(b.group(), g);
      EXPECT_EQ(b.routing_id(), 7u);
      Msg c = std::move(a);
      EXPECT_EQ(c.group(), g);
      EXPECT_EQ(c.size(), size);
      EXPECT_EQ(a.group(), "");  // NOLINT(bugprone-use-after-move): moved-from is defined empty
      a = std::move(b);
      EXPECT_EQ(a.group(), g);
      c.reset();  // the long group's allocation is shared: a keeps it (ASan checks the counting)
      EXPECT_EQ(c.group(), "");
      EXPECT_EQ(c.routing_id(), 0u);
      EXPECT_EQ(a.group(), g);
      EXPECT_EQ(a.view(), std::string(size, 'b'));
    }
  }
}

TEST(MsgTest, BodiesUpToFortyBytesStayInlineBesideAGroup) {
  // libzmq inlines up to 33 bytes; a group (RADIO/DISH) must not push such a body to the heap.
  for (size_t size : {size_t(33), size_t(40), size_t(41)}) {
    const std::string body(size, 'b');
    Msg a = Msg::copy_of(std::string_view(body));
    ASSERT_EQ(a.set_group(std::string(3, 'g')), Err::kOk);
    a.set_more(true);
    Msg b = a.share();
    const bool inline_body = size <= 40;
    EXPECT_EQ(a.data() != b.data(), inline_body) << size;  // inline bodies are copied
    EXPECT_EQ(b.size(), size);
    EXPECT_EQ(b.view(), body);
    EXPECT_EQ(b.group(), "ggg");
    EXPECT_TRUE(b.more());
    b.set_more(false);  // flags and the inline size share a byte: neither disturbs the other
    b.set_command(true);
    EXPECT_EQ(b.size(), size);
    EXPECT_EQ(b.view(), body);
    Msg c = std::move(b);
    EXPECT_EQ(c.size(), size);
    EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is defined empty
    EXPECT_TRUE(c.command());
    EXPECT_FALSE(c.more());
  }
}

TEST(MsgTest, NoOperationWritesTheTwoLastBytesOfTheSlot) {
  // The C API keeps its tag in zmq_msg_t's bytes 62-63 (engine/api/msg_slot.h).
  static_assert(sizeof(Msg) == 64);
  alignas(8) unsigned char slot[2][64];
  std::memset(slot, 0xa5, sizeof slot);
  Msg* a = new (slot[0]) Msg(Msg::copy_of(std::string_view(std::string(1000, 'a'))));
  Msg* b = new (slot[1]) Msg(Msg::copy_of(std::string_view("b")));
  ASSERT_EQ(a->set_group(std::string(50, 'g')), Err::kOk);
  ASSERT_EQ(b->set_group("short"), Err::kOk);
  a->set_routing_id(0xffffffff);
  a->set_more(true);
  a->set_command(true);
  *b = a->share();
  Msg moved = std::move(*a);
  *a = std::move(moved);
  EXPECT_EQ(b->group(), std::string(50, 'g'));
  a->reset();
  a->~Msg();
  b->~Msg();
  for (auto& s : slot) {
    EXPECT_EQ(s[62], 0xa5);
    EXPECT_EQ(s[63], 0xa5);
  }
}

}  // namespace
}  // namespace zlab
