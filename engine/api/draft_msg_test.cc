// The draft message calls (draft build) through zmq.h alone: zmq_msg_init_buffer, routing ids,
// groups.
#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engine/api/zmq.h"

namespace {

TEST(MsgInitBuffer, CopiesTheBytes) {
  char text[] = "hello, draft";
  zmq_msg_t msg;
  ASSERT_EQ(zmq_msg_init_buffer(&msg, text, sizeof text), 0);
  text[0] = 'j';  // the message has its own copy
  ASSERT_EQ(zmq_msg_size(&msg), sizeof text);
  EXPECT_EQ(std::memcmp(zmq_msg_data(&msg), "hello, draft", sizeof text), 0);
  EXPECT_EQ(zmq_msg_close(&msg), 0);

  std::string big(1000, 'b');
  ASSERT_EQ(zmq_msg_init_buffer(&msg, big.data(), big.size()), 0);
  EXPECT_EQ(std::string(static_cast<char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg)), big);
  EXPECT_EQ(zmq_msg_close(&msg), 0);
}

TEST(MsgInitBuffer, EmptyAndBadInput) {
  zmq_msg_t msg;
  ASSERT_EQ(zmq_msg_init_buffer(&msg, nullptr, 0), 0);
  EXPECT_EQ(zmq_msg_size(&msg), 0u);
  EXPECT_EQ(zmq_msg_close(&msg), 0);
  EXPECT_EQ(zmq_msg_init_buffer(&msg, nullptr, 5), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_init_buffer(nullptr, "x", 1), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
}

TEST(MsgRoutingId, SetAndRead) {
  zmq_msg_t msg;
  ASSERT_EQ(zmq_msg_init(&msg), 0);
  EXPECT_EQ(zmq_msg_routing_id(&msg), 0u);  // none yet
  ASSERT_EQ(zmq_msg_set_routing_id(&msg, 42), 0);
  EXPECT_EQ(zmq_msg_routing_id(&msg), 42u);
  ASSERT_EQ(zmq_msg_set_routing_id(&msg, 0xFFFFFFFFu), 0);
  EXPECT_EQ(zmq_msg_routing_id(&msg), 0xFFFFFFFFu);
  // 0 means "no routing id": libzmq refuses to set it, the old one stays.
  EXPECT_EQ(zmq_msg_set_routing_id(&msg, 0), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_msg_routing_id(&msg), 0xFFFFFFFFu);
  EXPECT_EQ(zmq_msg_close(&msg), 0);
}

TEST(MsgRoutingId, TravelsWithMoveAndCopy) {
  zmq_msg_t a, b, c;
  ASSERT_EQ(zmq_msg_init_size(&a, 100), 0);
  ASSERT_EQ(zmq_msg_set_routing_id(&a, 7), 0);
  ASSERT_EQ(zmq_msg_init(&b), 0);
  ASSERT_EQ(zmq_msg_init(&c), 0);
  ASSERT_EQ(zmq_msg_copy(&b, &a), 0);
  EXPECT_EQ(zmq_msg_routing_id(&b), 7u);
  ASSERT_EQ(zmq_msg_move(&c, &a), 0);
  EXPECT_EQ(zmq_msg_routing_id(&c), 7u);
  EXPECT_EQ(zmq_msg_routing_id(&a), 0u);  // a moved-from message is empty
  zmq_msg_close(&a);
  zmq_msg_close(&b);
  zmq_msg_close(&c);
}

TEST(MsgRoutingId, NotAMessageIsEfault) {
  zmq_msg_t msg;
  std::memset(&msg, 0, sizeof msg);
  EXPECT_EQ(zmq_msg_set_routing_id(&msg, 1), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_set_routing_id(nullptr, 1), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_routing_id(&msg), 0u);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_routing_id(nullptr), 0u);
  EXPECT_EQ(zmq_errno(), EFAULT);
}

TEST(MsgGroup, SetAndReadShortLongAndLongest) {
  zmq_msg_t msg;
  ASSERT_EQ(zmq_msg_init(&msg), 0);
  EXPECT_STREQ(zmq_msg_group(&msg), "");  // none yet
  std::string longest(ZMQ_GROUP_MAX_LENGTH, 'g');
  for (const std::string& group : {std::string("TV"), std::string("Movies!"), longest}) {
    ASSERT_EQ(zmq_msg_set_group(&msg, group.c_str()), 0) << group.size();
    EXPECT_STREQ(zmq_msg_group(&msg), group.c_str());
  }
  ASSERT_EQ(zmq_msg_set_group(&msg, ""), 0);  // clears it
  EXPECT_STREQ(zmq_msg_group(&msg), "");
  EXPECT_EQ(zmq_msg_close(&msg), 0);
}

TEST(MsgGroup, TooLongIsEinvalAndKeepsTheOldGroup) {
  zmq_msg_t msg;
  ASSERT_EQ(zmq_msg_init_size(&msg, 3), 0);
  ASSERT_EQ(zmq_msg_set_group(&msg, "news"), 0);
  std::string too_long(ZMQ_GROUP_MAX_LENGTH + 1, 'x');
  EXPECT_EQ(zmq_msg_set_group(&msg, too_long.c_str()), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_STREQ(zmq_msg_group(&msg), "news");
  EXPECT_EQ(zmq_msg_set_group(&msg, nullptr), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_STREQ(zmq_msg_group(&msg), "news");
  EXPECT_EQ(zmq_msg_close(&msg), 0);
}

TEST(MsgGroup, TravelsWithCopyAndMove) {
  for (const char* group : {"short", "a group longer than the inline room"}) {
    zmq_msg_t a, b, c;
    ASSERT_EQ(zmq_msg_init_size(&a, 100), 0);
    ASSERT_EQ(zmq_msg_set_group(&a, group), 0);
    ASSERT_EQ(zmq_msg_init(&b), 0);
    ASSERT_EQ(zmq_msg_init(&c), 0);
    ASSERT_EQ(zmq_msg_copy(&b, &a), 0);
    ASSERT_EQ(zmq_msg_move(&c, &a), 0);
    EXPECT_STREQ(zmq_msg_group(&b), group);
    EXPECT_STREQ(zmq_msg_group(&c), group);
    EXPECT_STREQ(zmq_msg_group(&a), "");
    zmq_msg_close(&a);
    zmq_msg_close(&c);
    EXPECT_STREQ(zmq_msg_group(&b), group);  // the copy keeps it after the others are gone
    zmq_msg_close(&b);
  }
}

TEST(MsgGroup, NotAMessageIsEfault) {
  zmq_msg_t msg;
  std::memset(&msg, 0, sizeof msg);
  EXPECT_EQ(zmq_msg_set_group(&msg, "g"), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_group(&msg), nullptr);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_msg_group(nullptr), nullptr);
  EXPECT_EQ(zmq_errno(), EFAULT);
}

}  // namespace
