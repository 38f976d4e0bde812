// A network for one property case: hosts, sockets, and time moved on by the property itself.
// Two backends behind one interface, so the same property body runs on both:
//   - simulated (the default): a sim::World in virtual time, with a fault schedule drawn from
//     a generated fault mask (so RapidCheck shrinks faults towards none);
//   - real tcp: zlab's real driver on loopback, wall-clock time, no injected faults.
// Sockets are driven without actors: every call is non-blocking, and waiting means letting
// time run (virtual time in the simulator, a short sleep on real sockets).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/msg.h"
#include "engine/base/socket_type.h"
#include "sim/fault/faults.h"
#include "sim/world/world.h"

namespace zlab {
// So that RapidCheck prints "kAgain" rather than "<???>" when an assertion on an Err fails.
inline std::ostream& operator<<(std::ostream& os, Err e) { return os << err_name(e); }
}  // namespace zlab

namespace zlab::conform {

using Parts = std::vector<std::string>;

// A single-part message of the thread-safe types (RFC 41, 48, 49) with what travels beside its
// body: the routing id a SERVER or PEER names (0: none) and a RADIO/DISH group ("": none).
struct Letter {
  std::string body;
  uint32_t routing_id = 0;
  std::string group;
  bool operator==(const Letter&) const = default;
};

// Which transport the properties of this run use (set by the runner, like the evidence).
enum class Transport { kSim, kTcp, kIpc };
Transport current_transport();
void set_current_transport(Transport t);
std::string_view transport_name(Transport t);

// Fault kinds that keep every connection alive and every message intact: a property that
// promises exact behaviour (rotation, exactly-once) may run under any mix of these.
uint32_t benign_fault_mask();
// Fault kinds that lose connections, delay delivery past timeouts or shrink queues: loss
// (retransmission delays), reset, partitions (both ways, one way), slow_consumer (here: HWMs
// of 1..50 and small TCP buffers; its reader pauses need actors). A property under these
// checks only what the spec promises even then (at-most-once, in order, no duplicates).
// Crashes are not drawn: a property that needs one schedules it (World::crash_at).
uint32_t lossy_fault_mask();
// The udp datagram faults (dgram_loss, dgram_dup, dgram_reorder): a world drawn with any of
// them in its mask runs sim::DatagramNet's faults; other worlds draw what they drew before.
uint32_t datagram_fault_mask();
std::string fault_names(uint32_t mask);

// A socket under test. "tcp://*:PORT" in bind() means this socket's own host; endpoints to
// connect to come from Lab::endpoint(). send/recv never block (kAgain instead).
class Sock {
 public:
  virtual ~Sock() = default;
  virtual SocketType type() const = 0;
  virtual uint32_t host() const = 0;
  virtual Err bind(std::string_view endpoint) = 0;
  virtual Err connect(std::string_view endpoint) = 0;
  virtual Err unbind(std::string_view endpoint) = 0;
  virtual Err disconnect(std::string_view endpoint) = 0;
  virtual Err set_int(int option, int value) = 0;
  virtual Err set_bytes(int option, std::string_view value) = 0;
  virtual int get_int(int option) = 0;
  virtual Err send(Msg& part, int flags) = 0;
  virtual Err recv(Msg* part) = 0;
  virtual bool rcvmore() = 0;
  // A property of the last part recv() returned, as zmq_msg_gets(3) reads it (User-Id,
  // Socket-Type, ZAP metadata): nullopt when it has none. An implementation that shows no
  // properties throws Unobservable.
  virtual std::optional<std::string> property(std::string_view name) = 0;
  virtual uint32_t events() = 0;
  virtual void close() = 0;
  // Monitor events of one kind seen so far (monitor::kHandshakeSucceeded, ...).
  virtual uint64_t monitor_count(uint16_t event) = 0;
  // Handshakes done that the monitor does not report: libzmq reports none with a ZMTP 2.0
  // peer, and neither does zlab; zlab counts them. 0 where nobody counts them.
  virtual uint64_t unreported_handshakes() { return 0; }
  // Whether its handshake count is the handshakes done (false where the implementation has no
  // handshake events and a TCP connection stands in: JeroMQ 0.3.6's agent).
  virtual bool handshakes_exact() { return true; }
  // Messages the engine dropped on purpose (HWM drop, unroutable), as it counts them.
  virtual uint64_t dropped_messages() = 0;
  // The same count where the implementation keeps one, nullopt where it does not (libzmq):
  // extra evidence only, for properties that check their rule from what arrives.
  virtual std::optional<uint64_t> counted_drops() { return dropped_messages(); }
  // The simulated socket, or nullptr on a real transport.
  virtual sim::SimSocket* sim() { return nullptr; }
  // Draft API (zmq_join(3), zmq_leave(3), zmq_connect_peer(3)): kNotSupported where the
  // implementation has none.
  virtual Err join(std::string_view group) {
    (void)group;
    return Err::kNotSupported;
  }
  virtual Err leave(std::string_view group) {
    (void)group;
    return Err::kNotSupported;
  }
  // Connects a PEER to `endpoint`; *routing_id is the id messages to that peer carry.
  virtual Err connect_peer(std::string_view endpoint, uint32_t* routing_id) {
    (void)endpoint;
    (void)routing_id;
    return Err::kNotSupported;
  }

  // What Lab::send puts beside a single-part message: the routing id of the peer this socket
  // last heard from (a SERVER or PEER answers it; 0 until then, or set by a property).
  uint32_t reply_to = 0;
  // ... and the group (prepare() gives a RADIO one, "g", which it DISH peers join).
  std::string group;
};

// A raw byte connection to a socket that listens, or from one that connects (raw_listener), for
// properties that speak ZMTP by hand
// (bytes from engine/wire/zmtp_bytes): a sim::RawConn in the simulator, a plain socket on a
// real transport (so it also reaches an agent's socket). Never blocks.
class RawPeer {
 public:
  virtual ~RawPeer() = default;
  // Whether the connection is up; a refused attempt is made again on the next look (a late
  // bind), until the connection first opens.
  virtual bool open() = 0;
  // The other end closed or reset the connection (seen by read()).
  virtual bool closed() const = 0;
  // Writes what the connection takes of `data` now: the number of bytes taken.
  virtual size_t write(std::string_view data) = 0;
  // Appends every byte that has arrived to *in; notes an end of stream.
  virtual void read(std::string* in) = 0;
};

class Lab {
 public:
  // `fault_mask`: which fault kinds the draw may use (0: none; ignored on real transports).
  // The transport is the run's (current_transport()).
  Lab(uint64_t seed, uint32_t fault_mask, uint32_t hosts);
  ~Lab();
  Lab(Lab&&) noexcept;
  Lab& operator=(Lab&&) = delete;

  bool simulated() const;
  // The simulated world. Only for sim-only properties (Property::sim_only): aborts otherwise.
  sim::World& world();
  // Injected faults (an empty schedule on real transports).
  const sim::FaultSchedule& faults() const;
  // A socket on host `host`, with test defaults: linger 0, fast reconnect.
  Sock* socket(uint32_t host, SocketType type);
  // Where a socket on `host` that bound "tcp://*:PORT" listens.
  std::string endpoint(uint32_t host, int port) const;
  // Where a RADIO sends to reach a DISH on `host` that bound "udp://*:PORT" (udp on real
  // transports whatever the run's transport, as only udp carries RADIO/DISH datagrams).
  std::string udp_endpoint(uint32_t host, int port) const;
  // A raw connection from host `from` to what listens on `to`'s PORT (endpoint(to, port)),
  // owned by the Lab. Wait for open() before writing.
  RawPeer* raw_peer(uint32_t from, uint32_t to, int port);
  // A raw peer that listens at endpoint(host, port) and takes the first connection made to it
  // (open() once it has), owned by the Lab: for properties whose socket connects.
  RawPeer* raw_listener(uint32_t host, int port);

  int64_t now_ns() const;
  // How many times more traffic a property should push to fill a real connection's buffers
  // (the kernel's loopback buffers are far larger than the simulator's): 1 in the simulator.
  int volume_factor() const { return simulated() ? 1 : 8; }
  // Lets `ms` of time pass.
  void advance_ms(int64_t ms);
  // Lets time pass until `done()` or `timeout_ms` passes; returns done().
  bool wait_for(const std::function<bool()>& done, int64_t timeout_ms = 30'000);
  // Until the faults are over (their schedule's window end).
  void wait_out_faults();

  // Non-blocking whole messages. send: false with *err when the first part is refused.
  bool send(Sock* s, const Parts& parts, Err* err = nullptr);
  std::optional<Parts> recv(Sock* s, Err* err = nullptr);
  // One single-part message with its routing id and group (the draft types). send_letter:
  // false with *err when refused; recv_letter also reports ZMQ_RCVMORE in *more, which a
  // thread-safe type never sets.
  bool send_letter(Sock* s, const Letter& letter, Err* err = nullptr);
  std::optional<Letter> recv_letter(Sock* s, Err* err = nullptr, bool* more = nullptr);
  uint64_t handshakes(Sock* s) const;
  uint64_t protocol_failures(Sock* s) const;

  // Security (issue 14). A ZAP handler (rfc 27) on `host`, as an application binds
  // inproc://zeromq.zap.01, answering each request with answer(request): on the simulator an
  // actor of the world whose faults (zap_slow, zap_silent, zap_absent) come from the fault
  // mask. On real transports a REP at that endpoint in zlab's context or an agent's,
  // answered as time passes (lab_tcp.cc); false where none can be bound (JeroMQ).
  bool serve_zap(uint32_t host, sim::ZapAnswer answer);
  // Requests the handler on `host` was given so far.
  uint64_t zap_requests(uint32_t host);
  // From now on every read returns one byte, so every parser meets every cut a stream can
  // have (the simulator; false elsewhere).
  bool read_bytewise();

  class Backend;

 private:
  // Fails the case (RC_FAIL) once it is past its wall-time or virtual-time limit
  // (case_limits()), saying how far it got.
  void check_limits() const;

  std::unique_ptr<Backend> backend_;
  std::vector<std::unique_ptr<RawPeer>> raws_;  // after backend_: gone before the network
  uint64_t sends_ = 0;  // whole messages, for the report of a case past its limits
  uint64_t recvs_ = 0;
};

}  // namespace zlab::conform
