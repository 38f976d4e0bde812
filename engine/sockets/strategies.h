// The three reusable routing strategies every socket type is built from.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/msg.h"
#include "engine/sockets/peer.h"

namespace zlab {

// Round-robin over peers with room (PUSH, DEALER, REQ). A message's parts all go to one peer.
class LoadBalancer {
 public:
  void attach(Peer* peer);
  void detach(Peer* peer);
  // kAgain when no peer has room (the mute state: the caller blocks or fails).
  Err send(Msg& part, Peer** sent_to = nullptr);
  bool has_out();
  bool mid_message() const { return more_; }

 private:
  std::vector<Peer*> peers_;
  size_t current_ = 0;
  Peer* sticky_ = nullptr;  // the peer of the message in progress
  bool more_ = false;
};

// Fair queuing over peers with whole messages waiting (PULL, DEALER, ROUTER, SUB, ...):
// one message from each ready peer in turn, so no peer starves another.
//
// Only active peers are asked (the many-peers goal: a call costs the same with 10 peers or
// 10,000). A peer is active from attach() until its in pipe is found empty; activate() lists it
// again: a write to its in pipe (tcp: the pipe's readable hook) or the wake-up that names it
// (inproc: SharedPipe's reader token). Invariant: an attached peer whose in pipe holds a whole
// message is listed, or a wake-up naming it is pending.
class FairQueue {
 public:
  void attach(Peer* peer);
  void detach(Peer* peer);
  // The peer's in pipe may have a whole message: it takes turns again (no-op when listed).
  void activate(Peer* peer);
  Err recv(Msg* part, Peer** from = nullptr);
  bool has_in();
  bool mid_message() const { return more_; }
  size_t active() const { return active_.size(); }

 private:
  // The first active peer with a whole message, from current_ on; those found empty leave.
  Peer* next_readable();
  void deactivate(size_t slot);
  void check_slots() const;

  std::vector<Peer*> active_;  // peer->fq_slot is its index here
  size_t current_ = 0;
  Peer* sticky_ = nullptr;
  bool more_ = false;
};

// Fan-out to every matching peer (PUB, XPUB, RADIO). A peer at its HWM when a message starts
// misses that whole message, and the drop is counted; the send never blocks.
class Distributor {
 public:
  void attach(Peer* peer);
  void detach(Peer* peer);
  // Chooses the recipients of the next message; call before its first part.
  template <typename Pred>
  void match(Pred wants) {
    matched_.clear();
    for (Peer* p : peers_) {
      if (wants(*p)) consider(p);
    }
  }
  // The same for recipients the caller found itself (PUB's topic index): attached peers only.
  void match_among(const std::vector<Peer*>& wanted) {
    matched_.clear();
    for (Peer* p : wanted) consider(p);
  }
  void match_all();
  void send(Msg& part);
  // Whether every peer the next message would reach has room (XPUB_NODROP).
  bool all_writable(const std::vector<Peer*>& candidates) const;
  const std::vector<Peer*>& peers() const { return peers_; }
  bool mid_message() const { return more_; }

 private:
  std::vector<Peer*> peers_;
  void consider(Peer* p) {
    if (p->writable()) {
      matched_.push_back(p);
    } else if (!p->out_dead) {
      ++p->dropped_messages;
    }
  }

  std::vector<Peer*> matched_;
  bool more_ = false;
};

}  // namespace zlab
