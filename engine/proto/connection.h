// What a socket needs from one peer's protocol engine: ZMTP for ZMTP peers, raw bytes for
// STREAM. Sans-I/O like everything below the drivers: bytes and now_ns in, bytes, parts,
// deadlines and events out.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/base/metadata.h"
#include "engine/base/msg.h"
#include "engine/proto/events.h"
#include "engine/wire/frame.h"

namespace zlab::proto {

// What the transport knows of a connection, added to its peer's metadata as libzmq adds it:
// "Peer-Address", and with it the private "__fd" that zmq_msg_get(ZMQ_SRCFD) reads (the
// driver's descriptor for the connection, when it has one: source_fd >= 0).
inline void add_transport_properties(std::vector<Metadata::Property>* props,
                                     const std::string& peer_address, int source_fd) {
  if (peer_address.empty()) return;
  props->emplace_back("Peer-Address", peer_address);
  if (source_fd >= 0) props->emplace_back("__fd", std::to_string(source_fd));
}

class Connection {
 public:
  virtual ~Connection() = default;

  virtual std::span<uint8_t> read_buffer() = 0;
  virtual void handle_read(size_t n, int64_t now_ns) = 0;
  virtual void handle_eof(int64_t now_ns) = 0;

  virtual size_t poll_transmit(wire::IoSlice* out, size_t max) const = 0;
  virtual size_t pending_bytes() const = 0;
  virtual void handle_written(size_t n, int64_t now_ns) = 0;

  // Only reading, a timeout or the handshake's start may move it earlier; send_part and
  // handle_written never do (SocketCore::flush relies on it: it does not re-read it).
  virtual int64_t next_deadline_ns() const = 0;
  virtual void handle_timeout(int64_t now_ns) = 0;

  virtual bool poll_part(Msg* part, int64_t now_ns) = 0;
  virtual bool can_send() const = 0;
  virtual void send_part(Msg part) = 0;
  virtual bool poll_event(ConnEvent* event) = 0;

  virtual void close(CloseReason reason, std::string detail) = 0;
  virtual bool active() const = 0;
  virtual bool closed() const = 0;
  // Closed and everything queued written: the stream can be closed.
  virtual bool finished() const = 0;
  // It refused its peer with an ERROR command (queued or written): the stream then closes
  // gently, so that the ERROR is not lost to a reset (engine/sockets/error_close.h).
  virtual bool sent_error() const { return false; }
  virtual const Metadata* peer_metadata() const = 0;
  // udp:// (datagram_connection.h): one datagram endpoint, no peer behind it. A RADIO sends it
  // every group (nobody joins over udp); a DISH filters what arrives by its own joins.
  virtual bool is_datagram() const { return false; }

  // ZAP (rfc 27): requests to carry to the handler, and its replies (ZMTP connections only).
  virtual bool poll_zap_request(std::vector<Msg>* frames) {
    (void)frames;
    return false;
  }
  virtual void handle_zap_reply(std::span<const Msg> frames, bool no_handler, int64_t now_ns) {
    (void)frames;
    (void)no_handler;
    (void)now_ns;
  }
};

}  // namespace zlab::proto
