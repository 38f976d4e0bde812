// CHANNEL: PAIR, single-part.
#include "engine/sockets/types/types.h"

namespace zlab {

bool ChannelRouting::attach(Peer& peer) {
  if (peer_ != nullptr) return false;  // exclusive, as PAIR: a second peer is refused
  peer_ = &peer;
  peer.attached = true;
  return true;
}

void ChannelRouting::detach(Peer& peer) {
  if (peer_ == &peer) peer_ = nullptr;
}

Err ChannelRouting::send(Msg& part) {
  if (part.more()) return Err::kInvalid;
  if (peer_ == nullptr || !peer_->writable()) return Err::kAgain;
  peer_->out.write(std::move(part));
  return Err::kOk;
}

Err ChannelRouting::recv(Msg* part) {
  if (peer_ == nullptr) return Err::kAgain;
  // A multipart message is dropped whole (its parts are all queued once the first is readable).
  while (peer_->in.can_read() && peer_->in.read(part)) {
    if (!part->more()) return Err::kOk;
    while (part->more() && peer_->in.read(part)) {
    }
  }
  return Err::kAgain;
}

}  // namespace zlab
