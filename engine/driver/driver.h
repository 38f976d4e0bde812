// The seam between the sans-I/O engine and the world: what a socket core needs done, and the
// two loops that move bytes. Implemented by the real driver (engine/real: epoll, threads) and
// by the simulator (sim/: virtual time, simulated hosts). No engine code knows which.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/base/err.h"
#include "engine/sockets/endpoint.h"
#include "engine/sockets/options.h"
#include "engine/sockets/peer.h"
#include "engine/sockets/socket_core.h"
#include "engine/wire/frame.h"

namespace zlab {

struct ConnectResult {
  enum class Kind : uint8_t { kInProgress, kConnected, kFailed };
  Kind kind;
  Err err = Err::kOk;
  std::string peer_address;  // kConnected
  int source_fd = -1;        // kConnected: the driver's descriptor for it (ZMQ_SRCFD)
  // kConnected over inproc: the link shared with the bound socket (no stream, no bytes).
  std::shared_ptr<InprocLink> inproc = nullptr;
};

// The operations the engine asks of a driver. Outcomes that come later (a connect completing,
// bytes arriving, a deadline passing) are reported by the driver calling the core's handle_*.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual int64_t now_ns() = 0;
  // Binds and listens; bind errors (EADDRINUSE, ...) are reported here and now.
  virtual Err listen(EndpointId id, const Endpoint& endpoint, const SocketOptions& options,
                     std::string* resolved) = 0;
  virtual ConnectResult connect(StreamId id, const Endpoint& endpoint,
                                const SocketOptions& options) = 0;
  // Which readiness of a stream the core wants to hear about.
  virtual void set_interest(StreamId id, bool read, bool write) = 0;
  // When the core next wants handle_timeout() (INT64_MAX: never).
  virtual void set_deadline(int64_t deadline_ns) = 0;
  virtual void close_stream(StreamId id) = 0;
  // shutdown(SHUT_WR): a FIN after what was written; the stream is still read (and closed by
  // a later close_stream). Used to close a stream refused with ERROR without a reset.
  virtual void shutdown_write(StreamId id) = 0;
  virtual void close_listener(EndpointId id) = 0;
  // udp:// (RADIO/DISH). listen() on a udp endpoint binds its receiving socket (and joins the
  // multicast group it names) at once, so bind errors are reported there. open_datagram then
  // makes stream `id` a datagram endpoint: kReceive takes over the socket `listener` bound,
  // kSend opens one that sends to `endpoint` (ZMQ_MULTICAST_HOPS, ZMQ_MULTICAST_LOOP apply),
  // kAddressed (DGRAM) takes over the bound socket to receive and send, each datagram in
  // wire::parse_addressed's envelope (the driver fills in and reads the peer's address).
  // The stream's datagrams move with pump_datagrams_in/out over a DatagramPort; close_stream
  // closes it. A driver without udp answers kProtoNotSupported.
  virtual Err open_datagram(StreamId id, EndpointId listener, const Endpoint& endpoint,
                            DatagramRole role, const SocketOptions& options) {
    (void)id;
    (void)listener;
    (void)endpoint;
    (void)role;
    (void)options;
    return Err::kProtoNotSupported;
  }
  // ZAP (rfc 27): carries a connection's request (frames, delimiter first) to the handler at
  // inproc://zeromq.zap.01 and later hands its reply to core.handle_zap_reply(). False when no
  // handler is bound there (carry_out tells the core so at once); a driver without ZAP
  // answers false.
  virtual bool zap_request(StreamId id, std::vector<Msg> frames) {
    (void)id;
    (void)frames;
    return false;
  }
};

// The actions, ZAP requests and stream interest carry_out found waiting.
void carry_out_work(SocketCore& core, Driver& driver);

// Carries out everything the core asked for since the last call: connects, closes, stream
// interest and the next deadline. Call it after every call into the core. Inline: most calls
// (a send or receive over a connection already up) leave only the deadline to look at, and
// this runs after every one of them.
inline void carry_out(SocketCore& core, Driver& driver) {
  if (core.driver_work_pending()) carry_out_work(core, driver);
  driver.set_deadline(core.next_deadline_ns());
}

// bind() through a driver: the core's two-step bind with the driver's listen between.
Err bind_through(SocketCore& core, Driver& driver, std::string_view endpoint);

// One stream's bytes, as the driver reads and writes them. Both may move fewer bytes than
// asked; neither blocks.
class ByteStream {
 public:
  enum class Status : uint8_t { kOk, kWouldBlock, kEof, kError };
  virtual ~ByteStream() = default;
  virtual Status read(std::span<uint8_t> into, size_t* n, Err* err) = 0;
  virtual Status writev(const wire::IoSlice* slices, size_t count, size_t* n, Err* err) = 0;
};

// One datagram endpoint's datagrams, as the driver receives and sends them: one whole datagram
// per call. receive() reports a datagram's full length in *n even when it was longer than
// `into` (the core then counts it as too large); send() sends the slices as one datagram.
class DatagramPort {
 public:
  enum class Status : uint8_t { kOk, kWouldBlock, kError };
  virtual ~DatagramPort() = default;
  virtual Status receive(std::span<uint8_t> into, size_t* n, Err* err) = 0;
  virtual Status send(const wire::IoSlice* slices, size_t count, Err* err) = 0;
};

// Receives datagrams while the core takes them (at most max_datagrams).
void pump_datagrams_in(SocketCore& core, StreamId id, DatagramPort& port, int64_t now_ns,
                       int max_datagrams);
// Sends the core's datagrams while the port takes them (at most max_datagrams). A datagram the
// network refuses (no route, too big for the link) is lost, as udp loses datagrams: never
// retried, never a failed connection.
void pump_datagrams_out(SocketCore& core, StreamId id, DatagramPort& port, int64_t now_ns,
                        int max_datagrams);

// Reads while the core offers room and the stream has bytes (at most max_reads reads).
void pump_in(SocketCore& core, StreamId id, ByteStream& stream, int64_t now_ns, int max_reads);
// Writes while the core has bytes and the stream takes them (at most max_writes writes).
void pump_out(SocketCore& core, StreamId id, ByteStream& stream, int64_t now_ns, int max_writes);

}  // namespace zlab
