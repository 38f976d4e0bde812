// The PUB/XPUB topic index: a message reaches each peer holding a prefix of it, once.
#include "engine/sockets/topic_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zlab {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint32_t> ids_matching(TopicIndex& index, const std::string& data) {
  std::vector<Peer*> out;
  index.match(bytes(data), &out);
  std::vector<uint32_t> ids;
  for (Peer* p : out) ids.push_back(p->id);
  return ids;
}

TEST(TopicIndexTest, EachPeerHoldingAPrefixOnceShortTopicsFirst) {
  Peer a, b, c;
  a.id = 1;
  b.id = 2;
  c.id = 3;
  TopicIndex index;
  index.add(bytes("AB"), &a);
  index.add(bytes("A"), &a);  // a holds two prefixes of "ABC": listed once
  index.add(bytes("A"), &b);
  index.add(bytes("B"), &c);
  EXPECT_EQ(ids_matching(index, "ABC"), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(ids_matching(index, "A"), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(ids_matching(index, "B"), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(ids_matching(index, "").empty());
  EXPECT_TRUE(ids_matching(index, "C").empty());
  index.add(bytes(""), &c);  // everything
  EXPECT_EQ(ids_matching(index, "C"), (std::vector<uint32_t>{3}));
}

TEST(TopicIndexTest, RemovedTopicsMatchNothingAndLeaveNoNodes) {
  Peer a, b;
  a.id = 1;
  b.id = 2;
  TopicIndex index;
  index.add(bytes("topic"), &a);
  index.add(bytes("top"), &b);
  index.remove(bytes("topic"), &a);
  EXPECT_EQ(ids_matching(index, "topical"), (std::vector<uint32_t>{2}));
  index.remove(bytes("top"), &a);  // a never held it: nothing changes
  EXPECT_EQ(ids_matching(index, "top"), (std::vector<uint32_t>{2}));
  index.remove(bytes("top"), &b);
  EXPECT_TRUE(ids_matching(index, "topic").empty());
  EXPECT_TRUE(index.empty());
}

}  // namespace
}  // namespace zlab
