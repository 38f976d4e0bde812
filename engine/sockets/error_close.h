// The close of a connection refused with an ERROR command (rfc 23: the ERROR tells the peer
// why). Closing a TCP stream whose receive buffer still holds the peer's bytes makes the
// kernel answer with a reset and drop what was not sent yet, and a reset makes the peer drop
// what it had not read: the ERROR is lost exactly when the peer was still sending. So such a
// stream closes gently: its input is read and discarded while the ERROR is written, then
// writing is shut down (a FIN after the ERROR), and the stream is closed once the peer closes
// too, or after a bound in time and bytes (a peer that never stops cannot hold it open).
// Sans-I/O: the socket core asks, the driver does the reads, the shutdown and the close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "engine/sockets/peer.h"

namespace zlab {

class ErrorCloses {
 public:
  // How long, and how many of the peer's bytes, a refused stream is drained at most.
  static constexpr int64_t kDrainMs = 200;
  static constexpr size_t kMaxDrainBytes = 256 * 1024;

  // The stream's connection failed with an ERROR queued: drain it from now on.
  void start(StreamId stream, int64_t now_ns);
  bool contains(StreamId stream) const { return entries_.count(stream) > 0; }
  bool empty() const { return entries_.empty(); }
  // Room for the peer's next bytes, which are dropped (empty once the budget is spent).
  std::span<uint8_t> discard_buffer(StreamId stream);
  // `n` bytes were read into the discard buffer: false once the budget is spent.
  bool handle_read(StreamId stream, size_t n);
  void erase(StreamId stream) { entries_.erase(stream); }
  int64_t next_deadline_ns() const;
  // The streams whose time is up (or all of them), forgotten here.
  std::vector<StreamId> take_expired(int64_t now_ns);
  std::vector<StreamId> take_all() { return take_expired(INT64_MAX); }

 private:
  struct Entry {
    int64_t deadline_ns;
    size_t budget_bytes;
  };
  std::map<StreamId, Entry> entries_;
  std::vector<uint8_t> scratch_;
};

}  // namespace zlab
