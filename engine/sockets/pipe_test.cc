#include "engine/sockets/pipe.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab {
namespace {

Msg part(std::string_view s, bool more = false) {
  Msg m = Msg::copy_of(s);
  m.set_more(more);
  return m;
}

TEST(PipeTest, HwmCountsWholeMessagesWithHysteresis) {
  Pipe p(4);
  EXPECT_EQ(p.lwm(), 2);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(p.can_write());
    p.write(part("a", true));
    p.write(part("b"));  // two parts, one message
  }
  EXPECT_FALSE(p.can_write());
  Msg m;
  p.read(&m);
  p.read(&m);  // 3 left: still above the low-water mark
  EXPECT_FALSE(p.can_write());
  p.read(&m);
  p.read(&m);  // 2 left = lwm: room again
  EXPECT_TRUE(p.can_write());
}

TEST(PipeTest, ZeroHwmIsUnbounded) {
  Pipe p(0);
  for (int i = 0; i < 100000; ++i) p.write(part("x"));
  EXPECT_TRUE(p.can_write());
  EXPECT_EQ(p.messages(), 100000);
}

TEST(PipeTest, ReadersSeeOnlyWholeMessages) {
  Pipe p(10);
  p.write(part("a", true));
  EXPECT_FALSE(p.can_read());
  p.write(part("b", true));
  p.write(part("c"));
  EXPECT_TRUE(p.can_read());
  Msg m;
  ASSERT_TRUE(p.read(&m));
  EXPECT_EQ(m.view(), "a");
  EXPECT_TRUE(p.can_read());  // the rest of the message
  p.read(&m);
  p.read(&m);
  EXPECT_EQ(m.view(), "c");
  EXPECT_FALSE(p.can_read());
}

TEST(PipeTest, AStartedMessageCanBeFinishedAtTheLimit) {
  Pipe p(1);
  p.write(part("a", true));
  EXPECT_TRUE(p.can_write());
  p.write(part("b"));
  EXPECT_FALSE(p.can_write());
}

TEST(PipeTest, RollbackDropsAnUnfinishedMessage) {
  Pipe p(10);
  p.write(part("whole"));
  p.write(part("half", true));
  p.rollback();
  Msg m;
  ASSERT_TRUE(p.read(&m));
  EXPECT_EQ(m.view(), "whole");
  EXPECT_FALSE(p.can_read());
  EXPECT_TRUE(p.empty());
}

TEST(PipeTest, ControlMessagesGoInAtTheHwm) {
  Pipe p(2);
  p.write(part("a"));
  p.write(part("b"));
  EXPECT_FALSE(p.can_write());
  p.write_control(part("\x01topic"));  // a subscription is never dropped
  EXPECT_EQ(p.messages(), 3);
  Msg m;
  p.read(&m);
  p.read(&m);
  p.read(&m);
  EXPECT_EQ(m.view(), "\x01topic");
  EXPECT_TRUE(p.can_write());
}

TEST(PipeTest, LwmOfLargeHwm) {
  EXPECT_EQ(compute_lwm(1000), 500);
  EXPECT_EQ(compute_lwm(10000), 10000 - 1024);
  EXPECT_EQ(compute_lwm(1), 1);
}

TEST(PipeTest, ClearKeepsAMessageBeingWritten) {
  Pipe p(2);
  p.write(part("a"));
  p.write(part("b"));
  EXPECT_FALSE(p.can_write());
  EXPECT_EQ(p.clear(), 2);
  EXPECT_TRUE(p.can_write());
  p.write(part("c", true));
  p.write(part("d"));
  Msg m;
  p.read(&m);
  EXPECT_EQ(m.view(), "c");
}

TEST(PipeTest, DropUnreadKeepsTheRestOfTheMessageBeingRead) {
  Pipe p(10);
  p.write(part("a1", true));
  p.write(part("a2"));
  p.write(part("b"));
  p.write(part("c1", true));  // still being written
  Msg m;
  p.read(&m);                     // a1: the reader is inside message a
  EXPECT_EQ(p.drop_unread(), 1);  // b
  p.read(&m);
  EXPECT_EQ(m.view(), "a2");
  EXPECT_FALSE(p.can_read());  // c is not finished yet
  p.write(part("c2"));
  p.read(&m);
  EXPECT_EQ(m.view(), "c1");
}

TEST(PipeTest, DropUnreadBetweenMessagesDropsThemAll) {
  Pipe p(2);
  p.write(part("a"));
  p.write(part("b"));
  EXPECT_EQ(p.drop_unread(), 2);
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(p.can_write());
}

// A conflating pipe keeps the newest message and never fills, whatever its HWM.
TEST(PipeTest, ConflateIgnoresTheHwm) {
  Pipe p(1);
  p.set_conflate(true);
  for (const char* body : {"a", "b", "c"}) {
    ASSERT_TRUE(p.can_write());
    p.write(part(body));
  }
  EXPECT_FALSE(p.full());
  EXPECT_EQ(p.messages(), 1);
  Msg m;
  ASSERT_TRUE(p.read(&m));
  EXPECT_EQ(m.view(), "c");
}

}  // namespace
}  // namespace zlab
