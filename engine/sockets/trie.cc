#include "engine/sockets/trie.h"

#include <vector>

namespace zlab {

bool SubscriptionTrie::add(std::span<const uint8_t> topic) {
  Node* node = &root_;
  for (uint8_t c : topic) {
    auto& child = node->children[c];
    if (!child) child = std::make_unique<Node>();
    node = child.get();
  }
  if (node->refs++ > 0) return false;
  ++topics_;
  return true;
}

bool SubscriptionTrie::remove(std::span<const uint8_t> topic) {
  std::vector<std::pair<Node*, uint8_t>> path;
  Node* node = &root_;
  for (uint8_t c : topic) {
    auto it = node->children.find(c);
    if (it == node->children.end()) return false;
    path.emplace_back(node, c);
    node = it->second.get();
  }
  if (node->refs == 0) return false;
  if (--node->refs > 0) return false;
  --topics_;
  // Prune branches that no longer lead to a subscription.
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    Node* child = it->first->children[it->second].get();
    if (child->refs > 0 || !child->children.empty()) break;
    it->first->children.erase(it->second);
  }
  return true;
}

bool SubscriptionTrie::contains(std::span<const uint8_t> topic) const {
  const Node* node = &root_;
  for (uint8_t c : topic) {
    auto it = node->children.find(c);
    if (it == node->children.end()) return false;
    node = it->second.get();
  }
  return node->refs > 0;
}

bool SubscriptionTrie::matches(std::span<const uint8_t> data) const {
  const Node* node = &root_;
  if (node->refs > 0) return true;
  for (uint8_t c : data) {
    auto it = node->children.find(c);
    if (it == node->children.end()) return false;
    node = it->second.get();
    if (node->refs > 0) return true;
  }
  return false;
}

void SubscriptionTrie::walk(const Node& node, std::string& prefix,
                            const std::function<void(const std::string&)>& fn) {
  for (uint32_t i = 0; i < node.refs; ++i) fn(prefix);
  for (const auto& [c, child] : node.children) {
    prefix.push_back(char(c));
    walk(*child, prefix, fn);
    prefix.pop_back();
  }
}

void SubscriptionTrie::for_each(const std::function<void(const std::string&)>& fn) const {
  std::string prefix;
  walk(root_, prefix, fn);
}

void SubscriptionTrie::clear() {
  root_.refs = 0;
  root_.children.clear();
  topics_ = 0;
}

}  // namespace zlab
