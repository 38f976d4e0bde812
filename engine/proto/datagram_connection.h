// udp:// for RADIO and DISH: a "connection" that is one datagram endpoint. No ZMTP, no
// handshake (it is active at once), no heartbeats; each message is one datagram
// (engine/wire/udp_datagram.h), and a datagram is whole or lost, never partly delivered.
//
// The driver moves one datagram per read and per write: read_buffer() has room for the largest
// datagram and handle_read(n) takes exactly one; poll_transmit() offers exactly one datagram,
// and handle_written() takes it whole (sent, or lost: udp has no retransmission either way).
//
// Parts, as libzmq's udp engine exchanges them with its session: a message is its group (a
// part with MORE) and then its body; a single part whose Msg::group() is set is taken the same
// way. Received datagrams come out as the group part, then the body (its group() set too).
//
// An addressed endpoint (DGRAM, wire::DatagramRole::kAddressed) sends and receives, and its
// messages are the peer's address (MORE) and the body; the driver hands each datagram over,
// and takes each one, in wire::parse_addressed's envelope (it alone knows the addresses).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/proto/connection.h"
#include "engine/wire/udp_datagram.h"

namespace zlab::proto {

class DatagramConnection final : public Connection {
 public:
  // Datagrams waiting to be sent before can_send() says no (the socket's pipe holds the rest).
  static constexpr size_t kMaxQueuedDatagrams = 64;

  DatagramConnection(wire::DatagramRole role, int64_t now_ns);
  ~DatagramConnection() override;

  std::span<uint8_t> read_buffer() override;
  void handle_read(size_t n, int64_t now_ns) override;
  void handle_eof(int64_t) override {}
  size_t poll_transmit(wire::IoSlice* out, size_t max) const override;
  size_t pending_bytes() const override { return pending_bytes_; }
  void handle_written(size_t n, int64_t now_ns) override;
  int64_t next_deadline_ns() const override { return kNever; }
  void handle_timeout(int64_t) override {}
  bool poll_part(Msg* part, int64_t now_ns) override;
  bool can_send() const override;
  void send_part(Msg part) override;
  bool poll_event(ConnEvent* event) override;
  void close(CloseReason reason, std::string detail) override;
  bool active() const override { return !closed_; }
  bool closed() const override { return closed_; }
  bool finished() const override { return closed_ && out_.empty(); }
  const Metadata* peer_metadata() const override { return meta_; }
  bool is_datagram() const override { return true; }
  bool addressed() const { return role_ == wire::DatagramRole::kAddressed; }

  // Received datagrams that were malformed (dropped, each alone), and why the last one was.
  uint64_t malformed_datagrams() const { return malformed_; }
  std::string_view last_malformed() const { return wire::datagram_error_name(last_error_); }
  // Messages that could not be sent as one datagram (group or address > 255 bytes, datagram
  // > 8192 bytes): dropped whole, never truncated.
  uint64_t unsendable_messages() const { return unsendable_; }

 private:
  struct Outgoing {
    std::array<uint8_t, wire::kMaxDatagramHeader> header;
    size_t header_size = 0;
    Msg body;
    size_t size() const { return header_size + body.size(); }
  };

  wire::DatagramRole role_;
  std::vector<uint8_t> buf_;
  std::deque<Msg> received_;  // group, body, group, body...
  std::deque<Outgoing> out_;
  size_t pending_bytes_ = 0;
  Msg group_;  // the group part of the message being sent
  bool have_group_ = false;
  bool skipping_ = false;  // parts past the body of a message: dropped up to its last
  std::deque<ConnEvent> events_;
  const Metadata* meta_ = nullptr;
  bool closed_ = false;
  uint64_t malformed_ = 0;
  wire::DatagramError last_error_ = wire::DatagramError::kNone;
  uint64_t unsendable_ = 0;
};

}  // namespace zlab::proto
