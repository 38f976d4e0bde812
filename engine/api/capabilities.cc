// zmq_has: which optional libzmq features this build of zlab provides.
//
// Names libzmq knows: ipc, pgm, tipc, norm, curve, gssapi, vmci, draft, ws, wss. zlab offers
// ipc (Unix domain sockets); every other name, unknown names and NULL answer 0. The list grows
// as features land (CURVE: see curve.cc).
#include <string.h>

#include "engine/api/zmq.h"

namespace {

constexpr const char* kProvided[] = {"ipc"};

}  // namespace

extern "C" int zmq_has(const char* capability) {
  if (capability == nullptr) return 0;
  for (const char* name : kProvided) {
    if (strcmp(capability, name) == 0) return 1;
  }
  return 0;
}
