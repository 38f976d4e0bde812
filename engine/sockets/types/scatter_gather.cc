// SCATTER and GATHER (rfc 49): PUSH and PULL, single-part.
#include "engine/sockets/types/types.h"

namespace zlab {

bool ScatterRouting::attach(Peer& peer) {
  peer.attached = true;
  lb_.attach(&peer);
  return true;
}

Err ScatterRouting::send(Msg& part) {
  if (part.more()) return Err::kInvalid;
  return lb_.send(part);
}

bool GatherRouting::attach(Peer& peer) {
  peer.attached = true;
  fq_.attach(&peer);
  return true;
}

Err GatherRouting::recv(Msg* part) { return recv_single_part(fq_, part); }

}  // namespace zlab
