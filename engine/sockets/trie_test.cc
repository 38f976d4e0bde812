#include "engine/sockets/trie.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace zlab {
namespace {

std::span<const uint8_t> b(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(TrieTest, PrefixMatching) {
  SubscriptionTrie t;
  EXPECT_FALSE(t.matches(b("anything")));
  t.add(b("ab"));
  EXPECT_TRUE(t.matches(b("ab")));
  EXPECT_TRUE(t.matches(b("abc")));
  EXPECT_FALSE(t.matches(b("a")));
  EXPECT_FALSE(t.matches(b("b")));
  t.add(b(""));  // the empty topic matches everything
  EXPECT_TRUE(t.matches(b("")));
  EXPECT_TRUE(t.matches(b("zzz")));
}

TEST(TrieTest, CountsRepeatedSubscriptions) {
  SubscriptionTrie t;
  EXPECT_TRUE(t.add(b("x")));
  EXPECT_FALSE(t.add(b("x")));
  EXPECT_FALSE(t.remove(b("x")));
  EXPECT_TRUE(t.matches(b("x")));
  EXPECT_TRUE(t.remove(b("x")));
  EXPECT_FALSE(t.matches(b("x")));
  EXPECT_FALSE(t.remove(b("x")));  // never subscribed: nothing happens
  EXPECT_TRUE(t.empty());
}

// Against a model: a multiset of topics, matching = any topic is a prefix.
RC_GTEST_PROP(TrieTest, BehavesLikeAMultisetOfPrefixes, ()) {
  auto alphabet = rc::gen::elementOf(std::string("ab\0", 3));
  auto topic = rc::gen::container<std::string>(alphabet);
  auto ops = *rc::gen::container<std::vector<std::pair<bool, std::string>>>(
      rc::gen::pair(rc::gen::arbitrary<bool>(), topic));
  auto probes = *rc::gen::container<std::vector<std::string>>(topic);
  SubscriptionTrie t;
  std::map<std::string, int> model;
  for (const auto& [add, s] : ops) {
    if (add) {
      RC_ASSERT(t.add(b(s)) == (model[s]++ == 0));
    } else {
      bool had = model[s] > 0;
      bool last = model[s] == 1;
      if (had) --model[s];
      RC_ASSERT(t.remove(b(s)) == last);
    }
  }
  for (const auto& [s, n] : model) RC_ASSERT(t.contains(b(s)) == (n > 0));
  for (const auto& p : probes) {
    RC_ASSERT(t.contains(b(p)) == (model.count(p) > 0 && model[p] > 0));
    bool expect = false;
    for (const auto& [s, n] : model) expect |= n > 0 && p.compare(0, s.size(), s) == 0;
    RC_ASSERT(t.matches(b(p)) == expect);
  }
  size_t listed = 0;
  t.for_each([&](const std::string& s) {
    RC_ASSERT(model[s] > 0);
    ++listed;
  });
  size_t total = 0;
  for (const auto& [s, n] : model) total += size_t(n);
  RC_ASSERT(listed == total);
}

}  // namespace
}  // namespace zlab
