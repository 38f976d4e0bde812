// DGRAM: raw udp datagrams, each message the peer's address and the body (libzmq 4.3's draft
// dgram_t: exactly two parts, the first with MORE).
#include "engine/sockets/types/types.h"

namespace zlab {

bool DgramRouting::attach(Peer& peer) {
  if (peer_ != nullptr) return false;  // one datagram endpoint
  peer_ = &peer;
  peer.attached = true;
  return true;
}

void DgramRouting::detach(Peer& peer) {
  if (peer_ == &peer) {
    peer_ = nullptr;
    body_next_ = false;
  }
}

Err DgramRouting::send(Msg& part) {
  // The address must come with MORE and the body without it: a one-part message, or a third
  // part, is EINVAL (and the message is not started).
  if (part.more() == body_next_) return Err::kInvalid;
  if (peer_ == nullptr) return Err::kAgain;
  if (!body_next_ && !peer_->writable()) return Err::kAgain;
  if (peer_->out_dead) return Err::kAgain;
  peer_->out.write(std::move(part));
  body_next_ = !body_next_;
  return Err::kOk;
}

Err DgramRouting::recv(Msg* part) {
  if (peer_ == nullptr || !peer_->in.read(part)) return Err::kAgain;
  return Err::kOk;
}

}  // namespace zlab
