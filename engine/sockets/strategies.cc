#include "engine/sockets/strategies.h"

#include <algorithm>
#include <cassert>

namespace zlab {
namespace {

void erase_peer(std::vector<Peer*>& peers, Peer* peer, size_t* current) {
  auto it = std::find(peers.begin(), peers.end(), peer);
  if (it == peers.end()) return;
  size_t index = size_t(it - peers.begin());
  peers.erase(it);
  if (current != nullptr) {
    if (index < *current) --*current;
    if (*current >= peers.size()) *current = 0;
  }
}

}  // namespace

// Peers take their turns in the order their connections were made (peer ids are given in
// connect and accept order), not the order their handshakes happened to finish: a REQ bound
// to services that connected one after another serves them in that order, as libzmq does.
// The peer due next stays due next, unless the newcomer came before it and has had no turn.
void LoadBalancer::attach(Peer* peer) {
  auto it = std::upper_bound(peers_.begin(), peers_.end(), peer,
                             [](const Peer* a, const Peer* b) { return a->id < b->id; });
  size_t index = size_t(it - peers_.begin());
  peers_.insert(it, peer);
  if (index < current_) ++current_;
}

void LoadBalancer::detach(Peer* peer) {
  if (sticky_ == peer) {
    sticky_ = nullptr;  // the rest of that message has nowhere to go: the caller drops it
  }
  erase_peer(peers_, peer, &current_);
}

Err LoadBalancer::send(Msg& part, Peer** sent_to) {
  Peer* target = nullptr;
  if (more_) {
    target = sticky_;
    if (target == nullptr) {
      // Its peer went away mid-message: swallow the rest so the next message starts clean.
      more_ = part.more();
      part.reset();
      return Err::kOk;
    }
  } else {
    for (size_t tried = 0; tried < peers_.size(); ++tried) {
      Peer* candidate = peers_[current_];
      if (candidate->writable()) {
        target = candidate;
        break;
      }
      current_ = (current_ + 1) % peers_.size();
    }
    if (target == nullptr) return Err::kAgain;
  }
  more_ = part.more();
  target->out.write(std::move(part));
  if (sent_to != nullptr) *sent_to = target;
  if (more_) {
    sticky_ = target;
  } else {
    sticky_ = nullptr;
    if (!peers_.empty()) current_ = (current_ + 1) % peers_.size();
  }
  return Err::kOk;
}

bool LoadBalancer::has_out() {
  if (more_) return true;
  return std::any_of(peers_.begin(), peers_.end(), [](Peer* p) { return p->writable(); });
}

void FairQueue::attach(Peer* peer) {
  assert(peer->fair_queue == nullptr && "a peer is in one fair queue at most");
  peer->fair_queue = this;
  peer->fq_slot = kNotListed;
  peer->in.on_readable(
      [](void* p) {
        Peer* readable = static_cast<Peer*>(p);
        if (readable->fair_queue != nullptr) readable->fair_queue->activate(readable);
      },
      peer);
  activate(peer);
}

void FairQueue::detach(Peer* peer) {
  if (peer->fair_queue != this) return;
  if (sticky_ == peer) {
    sticky_ = nullptr;
    more_ = false;
  }
  if (peer->fq_slot != kNotListed) deactivate(peer->fq_slot);
  peer->in.on_readable(nullptr, nullptr);
  peer->fair_queue = nullptr;
  check_slots();
}

void FairQueue::activate(Peer* peer) {
  if (peer->fq_slot != kNotListed || peer->fair_queue != this) return;
  peer->fq_slot = active_.size();
  active_.push_back(peer);
}

// The last active peer takes the leaver's slot (as libzmq swaps its pipes): O(1), and each
// listed peer still gets one turn per round, so no two waiting peers' counts differ by more
// than one.
void FairQueue::deactivate(size_t slot) {
  Peer* leaving = active_[slot];
  Peer* last = active_.back();
  active_[slot] = last;
  last->fq_slot = slot;
  active_.pop_back();
  leaving->fq_slot = kNotListed;
  if (current_ > active_.size()) current_ = active_.size();  // at most "the round is over"
}

Peer* FairQueue::next_readable() {
  while (!active_.empty()) {
    if (current_ >= active_.size()) current_ = 0;  // the round is over: the next one begins
    Peer* candidate = active_[current_];
    // For a shared pipe can_read() asks for a wake-up when it finds nothing: the writer's next
    // message names this peer (activate()), so leaving the list loses nothing.
    if (candidate->in.can_read()) return candidate;
    deactivate(current_);
  }
  return nullptr;
}

Err FairQueue::recv(Msg* part, Peer** from) {
  Peer* source = nullptr;
  if (more_ && sticky_ != nullptr) {
    source = sticky_;
  } else {
    source = next_readable();
    if (source == nullptr) return Err::kAgain;
  }
  bool ok = source->in.read(part);
  assert(ok && "a pipe mid-message always has the next part");
  (void)ok;
  more_ = part->more();
  if (from != nullptr) *from = source;
  if (more_) {
    sticky_ = source;
  } else {
    sticky_ = nullptr;
    // Past the peer just served, not wrapped yet: a peer listed again meanwhile goes at the end,
    // which is where the turn is (a peer that was alone is not served twice before it).
    ++current_;
  }
  return Err::kOk;
}

bool FairQueue::has_in() {
  if (more_) return true;
  return next_readable() != nullptr;
}

// Debug builds: every listed peer knows its slot (a cheap check, O(active) on detach only).
void FairQueue::check_slots() const {
#ifndef NDEBUG
  for (size_t i = 0; i < active_.size(); ++i) {
    assert(active_[i]->fq_slot == i && active_[i]->fair_queue == this);
  }
  assert(current_ <= active_.size());
#endif
}

void Distributor::attach(Peer* peer) { peers_.push_back(peer); }

void Distributor::detach(Peer* peer) {
  erase_peer(peers_, peer, nullptr);
  erase_peer(matched_, peer, nullptr);
}

void Distributor::match_all() {
  match([](const Peer&) { return true; });
}

void Distributor::send(Msg& part) {
  more_ = part.more();
  if (matched_.empty()) {
    part.reset();
    return;
  }
  // Every recipient but the last gets a shared reference; the last takes the part itself.
  for (size_t i = 0; i + 1 < matched_.size(); ++i) matched_[i]->out.write(part.share());
  matched_.back()->out.write(std::move(part));
  if (!more_) matched_.clear();
}

bool Distributor::all_writable(const std::vector<Peer*>& candidates) const {
  return std::all_of(candidates.begin(), candidates.end(),
                     [](Peer* p) { return p->out_dead || p->writable(); });
}

}  // namespace zlab
