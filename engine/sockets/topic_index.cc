#include "engine/sockets/topic_index.h"

#include <algorithm>
#include <cassert>

namespace zlab {

void TopicIndex::add(std::span<const uint8_t> topic, Peer* peer) {
  Node* node = &root_;
  for (uint8_t byte : topic) {
    std::unique_ptr<Node>& child = node->children[byte];
    if (!child) child = std::make_unique<Node>();
    node = child.get();
  }
  assert(std::find(node->peers.begin(), node->peers.end(), peer) == node->peers.end());
  node->peers.push_back(peer);
}

void TopicIndex::remove(std::span<const uint8_t> topic, Peer* peer) {
  // The path, so that nodes left with no peers and no children go too.
  std::vector<Node*> path{&root_};
  for (uint8_t byte : topic) {
    auto it = path.back()->children.find(byte);
    if (it == path.back()->children.end()) return;
    path.push_back(it->second.get());
  }
  std::vector<Peer*>& peers = path.back()->peers;
  auto it = std::find(peers.begin(), peers.end(), peer);
  if (it == peers.end()) return;
  peers.erase(it);  // keeps the others' order
  for (size_t depth = topic.size(); depth > 0; --depth) {
    Node* node = path[depth];
    if (!node->peers.empty() || !node->children.empty()) break;
    path[depth - 1]->children.erase(topic[depth - 1]);
  }
}

void TopicIndex::match(std::span<const uint8_t> data, std::vector<Peer*>* out) {
  ++epoch_;
  const Node* node = &root_;
  size_t depth = 0;
  while (true) {
    for (Peer* peer : node->peers) {
      if (peer->match_mark == epoch_) continue;  // it holds a shorter prefix too
      peer->match_mark = epoch_;
      out->push_back(peer);
    }
    if (depth == data.size()) break;
    auto it = node->children.find(data[depth]);
    if (it == node->children.end()) break;
    node = it->second.get();
    ++depth;
  }
}

}  // namespace zlab
