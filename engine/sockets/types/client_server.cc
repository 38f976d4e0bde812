// CLIENT and SERVER (rfc 41), and PEER, which routes as SERVER does.
#include "engine/sockets/types/types.h"

namespace zlab {

Err recv_single_part(FairQueue& fq, Msg* part, Peer** from) {
  for (;;) {
    Err err = fq.recv(part, from);
    if (err != Err::kOk || !part->more()) return err;
    // A multipart message from a peer: the thread-safe types drop it whole, as libzmq does.
    // Its parts are all queued (the fair queue offers whole messages), so this ends.
    while (part->more()) {
      err = fq.recv(part);
      if (err != Err::kOk) return err;
    }
  }
}

bool ClientRouting::attach(Peer& peer) {
  peer.attached = true;
  lb_.attach(&peer);
  fq_.attach(&peer);
  return true;
}

void ClientRouting::detach(Peer& peer) {
  lb_.detach(&peer);
  fq_.detach(&peer);
}

Err ClientRouting::send(Msg& part) {
  if (part.more()) return Err::kInvalid;
  return lb_.send(part);
}

Err ClientRouting::recv(Msg* part) { return recv_single_part(fq_, part); }

// Ids start at a random value, as libzmq's, so a restarted server does not reuse the ids
// its clients' replies may still name.
ServerRouting::ServerRouting(SocketServices& services)
    : Routing(services), next_id_(services.random_u32()) {}

bool ServerRouting::attach(Peer& peer) {
  uint32_t id = next_id_++;
  if (id == 0) id = next_id_++;  // 0 means "no routing id"
  // After 2^32 peers an id may still be in use: skip it.
  while (by_id_.count(id) != 0 || id == 0) id = next_id_++;
  by_id_[id] = &peer;
  id_of_[&peer] = id;
  peer.attached = true;
  fq_.attach(&peer);
  return true;
}

void ServerRouting::detach(Peer& peer) {
  auto it = id_of_.find(&peer);
  if (it != id_of_.end()) {
    by_id_.erase(it->second);
    id_of_.erase(it);
  }
  fq_.detach(&peer);
}

uint32_t ServerRouting::routing_id_of(const Peer& peer) const {
  auto it = id_of_.find(&peer);
  return it == id_of_.end() ? 0 : it->second;
}

Err ServerRouting::send(Msg& part) {
  if (part.more()) return Err::kInvalid;
  auto it = by_id_.find(part.routing_id());
  if (it == by_id_.end()) return Err::kHostUnreachable;
  Peer* peer = it->second;
  if (!peer->writable()) return Err::kAgain;
  part.set_routing_id(0);  // the id is this socket's name for the peer, not the peer's
  peer->out.write(std::move(part));
  return Err::kOk;
}

Err ServerRouting::recv(Msg* part) {
  Peer* from = nullptr;
  Err err = recv_single_part(fq_, part, &from);
  if (err == Err::kOk) part->set_routing_id(routing_id_of(*from));
  return err;
}

}  // namespace zlab
