// Subscriptions: a prefix-matching trie with a count per topic (the same topic may be
// subscribed several times and needs as many cancels). Used by SUB (its own topics) and by
// PUB/XPUB (one per peer, to decide which peers get a message).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

namespace zlab {

class SubscriptionTrie {
 public:
  // Returns true when the topic is new (first subscription to it).
  bool add(std::span<const uint8_t> topic);
  // Returns true when the last subscription to the topic went away.
  bool remove(std::span<const uint8_t> topic);
  // Whether exactly this topic is subscribed (at least once).
  bool contains(std::span<const uint8_t> topic) const;
  // Whether any subscribed topic is a prefix of `data`.
  bool matches(std::span<const uint8_t> data) const;
  bool empty() const { return root_.refs == 0 && root_.children.empty(); }
  size_t topics() const { return topics_; }
  // Calls fn with every subscribed topic (for resubscribing after a reconnect).
  void for_each(const std::function<void(const std::string&)>& fn) const;
  void clear();

 private:
  struct Node {
    uint32_t refs = 0;  // subscriptions ending here
    std::map<uint8_t, std::unique_ptr<Node>> children;
  };
  static void walk(const Node& node, std::string& prefix,
                   const std::function<void(const std::string&)>& fn);
  Node root_;
  size_t topics_ = 0;
};

}  // namespace zlab
