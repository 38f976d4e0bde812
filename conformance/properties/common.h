// What the table properties share: generators for a case's world seed and faults, partners
// for each socket type, and one-message exchanges that respect each type's envelope rules.
#pragma once

#include <rapidcheck.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/harness/expect.h"
#include "conformance/harness/property.h"
#include "conformance/properties/lab.h"
#include "conformance/properties/spec_table.h"
#include "conformance/properties/type_letters.h"

namespace zlab::conform {

// The built types (active in the spec table) that speak ZMTP (STREAM speaks raw TCP).
const std::vector<SocketType>& zmtp_types();

// The built ZMTP types a rule of rules.json applies to (its applies_to, from the spec data).
std::vector<SocketType> rule_types(std::string_view rule_id);

// A world seed (shrinks towards small numbers) and a fault mask within `allowed`.
uint64_t gen_world_seed();
uint32_t gen_faults(uint32_t allowed);

// The peer type a property pairs `type` with to make traffic flow (from the spec table's
// compatible lists), and its options.
SocketType partner(SocketType type);
// A subscriber of `type` subscribes to `topic` its own way (an option, or a message upstream);
// other types do nothing.
void subscribe(Sock* s, SocketType type, const std::string& topic);
// Prepares a socket: subscribers subscribe to everything, identities where routing needs them.
void prepare(Sock* s, SocketType type, const std::string& identity);

// One test message from `from` (of type `from_type`) to `to`: the envelope each type needs
// on the way out and strips on the way in. `to_identity` addresses ROUTER sends.
Parts outgoing(SocketType from_type, const std::string& body, const std::string& to_identity);
// The body of a received message, once the receiving type's envelope is taken off.
std::optional<std::string> body_of(SocketType to_type, const Parts& parts);

// A SERVER or PEER sends only to a peer it has heard from (rule/SERVER/routing-id-required):
// spokes of such a type that have not are sent one message each by the hub (round-robin takes
// one to each), and read it, so that they can answer.
void greet_if_unaddressed(Lab& lab, Sock* hub, const std::vector<Sock*>& spokes);
// Whether `s` must hear from its peer before it can send to it.
bool unaddressed(const Sock* s);

// Waits until `a` and every socket in `bs` have completed at least one handshake.
bool connected(Lab& lab, Sock* a, const std::vector<Sock*>& bs, int64_t timeout_ms = 20'000);

// Whether the case's fault draw holds any kind of lossy_fault_mask(): exact timing and
// exactly-once are then not promised while the faults act.
bool drew_lossy_faults(const Lab& lab);

// Lets time pass until `publisher`'s messages reach every one of `subscribers` (subscriptions
// travel asynchronously), then drops the probes still on their way, and the subscription
// messages an XPUB publisher was handed meanwhile.
void await_subscribers(Lab& lab, Sock* publisher, const std::vector<Sock*>& subscribers);

// `type` bound on h0 as "a", `peer` connected from h1 as "b", both through their handshake.
std::pair<Sock*, Sock*> connected_pair(Lab& lab, SocketType type, SocketType peer);

// Every message `s` will get: reads, lets time run, and stops once 1 s passes with nothing
// new: longer than any latency spike the faults draw (200 ms) plus latency, so bytes still
// in the simulated network arrive meanwhile.
std::vector<Parts> drain(Lab& lab, Sock* s);

// What `s` will get when its sender says `owed` messages are still on their way to it (sent
// and not dropped): reads until that many have come or `patience_ms` passes, then drain()s
// for any more. The 1 s lull of drain() is not enough on loopback TCP when the receiver has a
// tiny buffer: a segment it dropped while full is sent again only by TCP's retransmission
// timer, whose backoff doubles with each drop, so after T seconds of a full receiver the last
// messages may come about T seconds after the reader starts (seen with JeroMQ 0.3.6
// subscribers, whose SO_RCVBUF comes after the SYN: conformance/agents/README.md). Callers
// give at least the time their receiver sat full.
std::vector<Parts> drain_owed(Lab& lab, Sock* s, size_t owed, int64_t patience_ms);

// `s` is mute: a DONTWAIT send fails with EAGAIN and events() shows no POLLOUT. In the
// simulator nothing runs between two calls, so the very next send must fail and events()
// agree with it. On real transports the I/O thread may make room at any moment (loopback TCP
// opens its window by a few KB now and then): there a send that is taken goes on filling,
// and POLLOUT after an EAGAIN is a promise that the next send is taken, until a send fails
// and events() agrees. Messages come from message(j), j = *sent, which counts those taken.
void observe_mute(Lab& lab, Sock* s, int* sent, const std::function<Parts(int)>& message);

// k peers of `spoke_type`, each on its own host (h1..hk), and one hub on h0: the hub binds
// and the spokes connect (hub_binds), or each spoke binds and the hub connects to all.
struct Fan {
  Lab lab;
  Sock* hub;
  std::vector<Sock*> spokes;
};

// Set before any connection exists: pipes take their HWM, connections their buffers, when made.
struct FanOptions {
  int hub_sndhwm = 0;  // 0: leave the default
  int spoke_rcvhwm = 0;
  int buffer_bytes = 0;       // SO_SNDBUF/SO_RCVBUF of every socket; 0: the network's default
  int slow_spokes_from = -1;  // spokes at or after this index get spoke_rcvhwm; -1: all
  uint32_t fault_mask = benign_fault_mask();  // what the generated fault schedule may use
};

// Builds the fan, waits for every handshake and for the faults' window to end.
std::unique_ptr<Fan> make_fan(SocketType hub_type, SocketType spoke_type, int k, bool hub_binds,
                              const FanOptions& o = {});

// Table bodies that rules of the draft types reuse (table_routing.cc, table_na.cc).
void round_robin_cell_property(SocketType type);
void fair_queue_cell_property(SocketType type);
void mute_block_cell_property(SocketType type);
void mute_drop_cell_property(SocketType type);
void single_peer_cell_property(SocketType type);

}  // namespace zlab::conform
