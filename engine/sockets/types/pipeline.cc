// PAIR, PUSH, PULL, DEALER: the types that are one strategy each way.
#include "engine/sockets/types/types.h"

namespace zlab {

bool PairRouting::attach(Peer& peer) {
  if (peer_ != nullptr) return false;  // exclusive: a second peer is refused
  peer_ = &peer;
  peer.attached = true;
  return true;
}

void PairRouting::detach(Peer& peer) {
  if (peer_ == &peer) peer_ = nullptr;
}

Err PairRouting::send(Msg& part) {
  if (peer_ == nullptr) return Err::kAgain;
  if (!peer_->out.reading() && !peer_->writable()) return Err::kAgain;
  if (peer_->out_dead) return Err::kAgain;
  peer_->out.write(std::move(part));
  return Err::kOk;
}

Err PairRouting::recv(Msg* part) {
  if (peer_ == nullptr || !peer_->in.read(part)) return Err::kAgain;
  return Err::kOk;
}

bool PairRouting::has_in() { return peer_ != nullptr && peer_->in.can_read(); }
bool PairRouting::has_out() { return peer_ != nullptr && peer_->writable(); }

bool PushRouting::attach(Peer& peer) {
  peer.attached = true;
  lb_.attach(&peer);
  return true;
}
void PushRouting::detach(Peer& peer) { lb_.detach(&peer); }

bool PullRouting::attach(Peer& peer) {
  peer.attached = true;
  fq_.attach(&peer);
  return true;
}
void PullRouting::detach(Peer& peer) { fq_.detach(&peer); }

bool DealerRouting::attach(Peer& peer) {
  peer.attached = true;
  lb_.attach(&peer);
  fq_.attach(&peer);
  // ZMQ_PROBE_ROUTER: an empty message tells a ROUTER peer our routing id at once.
  if (probe_router_ && peer.out.can_write()) peer.out.write(Msg());
  return true;
}

void DealerRouting::detach(Peer& peer) {
  lb_.detach(&peer);
  fq_.detach(&peer);
}

Err DealerRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id != opt::kProbeRouter) return Err::kNotSupported;
  auto v = bool_option(value, BoolForm::kNonNegative);
  if (!v) return Err::kInvalid;
  probe_router_ = *v;
  return Err::kOk;
}

}  // namespace zlab
