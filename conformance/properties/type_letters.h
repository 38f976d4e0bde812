// How a property talks through a socket of each type: the per-type facts the shared helpers
// (common.cc, rules_wire.cc) need to send a test message, read one, and make traffic flow, as
// one row per type (type_letters.cc). The helpers ask these facts, never "is this a ROUTER?",
// so a new type adds a row here, not cases there (tools/type_knowledge.py checks it).
#pragma once

#include <cstdint>

#include "engine/base/socket_type.h"

namespace zlab::conform {

// What the application puts before a body it sends and finds before a body it receives.
enum class Envelope : uint8_t {
  kNone,       // the body alone
  kDelimiter,  // DEALER: an empty delimiter part (so a REP peer takes it), optional on receipt
  kAddressed,  // ROUTER: the peer's routing id, then the delimiter (optional on receipt)
};

// How traffic is filtered, and so what a property does before messages flow.
enum class Filter : uint8_t {
  kNone,
  kSubscribesByOption,  // SUB: ZMQ_SUBSCRIBE
  kSubscribesBySend,    // XSUB: sends a subscription message upstream
  kJoins,               // DISH: zmq_join (rfc 48)
  kPublishes,           // PUB, XPUB: sends only to peers that subscribed (a SUBSCRIBE first)
  kSendsToGroup,        // RADIO: sends to peers that joined the message's group (rfc 48)
};

struct TypeLetters {
  Envelope envelope = Envelope::kNone;
  // A peer's message on the wire starts with an empty delimiter (REQ/REP's envelope, rfc 28).
  bool wire_delimited = false;
  // Takes a message a peer sends unprompted into its application (REQ must ask first; a
  // sender, XPUB and STREAM take no data message from a ZMTP peer).
  bool receives_unprompted = false;
  Filter filter = Filter::kNone;
  // Hands its peers' subscriptions to its application as messages (XPUB).
  bool hands_up_subscriptions = false;
};

const TypeLetters& letters(SocketType type);

}  // namespace zlab::conform
