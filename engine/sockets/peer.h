// One peer of a socket: its two pipes and, while connected, its protocol connection.
//
// A peer made by connect() outlives its connections: its pipes keep queued messages across
// reconnects (unless ZMQ_IMMEDIATE). A peer made by accept() lives as long as its connection,
// plus however long its received messages wait to be read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/proto/connection.h"
#include "engine/sockets/inproc_link.h"
#include "engine/sockets/pipe.h"
#include "engine/sockets/trie.h"

namespace zlab {

class FairQueue;

using StreamId = uint32_t;
using EndpointId = uint32_t;
inline constexpr StreamId kNoStream = 0;
inline constexpr size_t kNotListed = SIZE_MAX;

struct Peer {
  uint32_t id = 0;
  EndpointId endpoint = 0;  // the bind or connect that made it
  bool from_connect = false;
  StreamId stream = kNoStream;
  std::unique_ptr<proto::Connection> conn;
  Pipe in;
  Pipe out;
  std::string routing_id;  // ROUTER/STREAM/SERVER: the key applications address it by
  bool attached = false;   // known to the socket type's routing
  bool out_dead = false;   // its connection is gone for good: nothing more can be sent
  bool handshaken = false;
  bool close_after_flush = false;  // close the connection once the out pipe is empty
  bool held_back = false;          // listed in the core's held_back_ (its in pipe was full)
  // The application closed this peer's connection (STREAM's [id, ""]): it is not reconnected
  // and no disconnect notification is delivered, as in libzmq.
  bool closed_by_app = false;
  SubscriptionTrie subscriptions;  // PUB/XPUB: the topics it gets (each at most once)
  SubscriptionTrie requested;      // XPUB_MANUAL: the topics it asked for (each at most once)
  uint64_t match_mark = 0;         // TopicIndex::match: listed for the message being matched
  uint64_t dropped_messages = 0;   // messages dropped for it in the mute state
  std::vector<Msg> partial_in;     // XPUB: the parts read so far of an unfinished message
  // inproc: the connection shared with the other socket (no `conn`: `in` and `out` are the
  // ends of its pipes), and which side of it this socket is.
  std::shared_ptr<InprocLink> link;
  int link_side = kConnecterSide;
  bool link_closed = false;  // this side has left the link
  // The routing id the other side announced (its ZMQ_ROUTING_ID), as a ZMTP READY's Identity.
  std::string announced_id;

  // The fair queue that reads `in` (strategies.h), and this peer's slot in its active list
  // (kNotListed: its in pipe was found empty; a new message lists it again).
  FairQueue* fair_queue = nullptr;
  size_t fq_slot = kNotListed;

  // Room for a new outbound message now.
  bool writable() const { return !out_dead && out.can_write(); }
};

}  // namespace zlab
