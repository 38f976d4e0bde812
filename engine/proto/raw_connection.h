// A STREAM socket's connection: raw TCP bytes, no ZMTP. Each read becomes one message; each
// message sent is written as is. It is "active" from the start: there is no handshake.
#pragma once

#include <deque>
#include <vector>

#include "engine/proto/connection.h"

namespace zlab::proto {

class RawConnection final : public Connection {
 public:
  static constexpr size_t kReadChunk = 8192;
  // At most this many received chunks wait for the socket before reading stops.
  static constexpr size_t kMaxQueuedChunks = 64;

  // source_fd: the transport's descriptor for the connection (ZMQ_SRCFD), -1 for none.
  RawConnection(std::string peer_address, int64_t now_ns, int source_fd = -1);
  ~RawConnection() override;

  std::span<uint8_t> read_buffer() override;
  void handle_read(size_t n, int64_t now_ns) override;
  void handle_eof(int64_t now_ns) override;
  size_t poll_transmit(wire::IoSlice* out, size_t max) const override {
    return encoder_.poll_transmit(out, max);
  }
  size_t pending_bytes() const override { return encoder_.pending_bytes(); }
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
  bool finished() const override { return closed_ && encoder_.empty(); }
  const Metadata* peer_metadata() const override { return meta_; }

 private:
  std::vector<uint8_t> buf_;
  std::deque<Msg> received_;
  std::deque<ConnEvent> events_;
  wire::FrameEncoder encoder_;
  const Metadata* meta_ = nullptr;
  bool closed_ = false;
  bool eof_ = false;
};

}  // namespace zlab::proto
