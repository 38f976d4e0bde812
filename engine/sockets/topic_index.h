// PUB/XPUB: which peers hold which topics, one trie for the whole socket (as libzmq's mtrie),
// so that matching a message walks its first bytes, not every peer's own trie (the many-peers
// goal: a PUB with 1,000 SUBs pays per message for the peers that match, not for all).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "engine/sockets/peer.h"

namespace zlab {

class TopicIndex {
 public:
  // The peer now holds `topic` (the caller adds each (peer, topic) pair once).
  void add(std::span<const uint8_t> topic, Peer* peer);
  // The peer no longer holds `topic`; nothing when it did not.
  void remove(std::span<const uint8_t> topic, Peer* peer);
  // Appends to *out every peer holding a prefix of `data`, each once: shorter topics first,
  // then in the order the peers subscribed (deterministic: no addresses are compared).
  void match(std::span<const uint8_t> data, std::vector<Peer*>* out);
  bool empty() const { return root_.peers.empty() && root_.children.empty(); }

 private:
  struct Node {
    std::vector<Peer*> peers;
    std::map<uint8_t, std::unique_ptr<Node>> children;
  };
  Node root_;
  uint64_t epoch_ = 0;  // match(): a peer whose match_mark is this one is already in *out
};

}  // namespace zlab
