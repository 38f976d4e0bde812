// zmq_has: which optional libzmq features this build of zlab provides.
//
// Names libzmq knows: ipc, pgm, tipc, norm, curve, gssapi, vmci, draft, ws, wss. zlab offers
// ipc (Unix domain sockets), ws (WebSocket) and curve (CURVE security, libsodium), and the draft
// build (build_flavour.h) draft; every other name, unknown names and NULL answer 0.
//
// ws: libzmq 4.3.4 compares against "WS" in capitals (zmq.cpp), so Debian's libzmq answers 0
// for "ws" although its ws:// transport works, and 1 for "WS". zlab answers 1 to both: "ws" in
// the lower case of every other capability name (and of the transport's own name) is what a
// program asks, and "WS" keeps code written against 4.3.4's spelling working.
#include <string.h>

#include "engine/api/build_flavour.h"
#include "engine/api/zmq.h"

namespace {

constexpr const char* kProvided[] = {"ipc", "ws", "WS", "curve"};

}  // namespace

extern "C" int zmq_has(const char* capability) {
  if (capability == nullptr) return 0;
  if (strcmp(capability, "draft") == 0) return zlab::api::draft_api_built() ? 1 : 0;
  for (const char* name : kProvided) {
    if (strcmp(capability, name) == 0) return 1;
  }
  return 0;
}
