// One direction of an inproc connection: a lock-free single-producer/single-consumer queue of
// message parts that the sending socket writes and the receiving socket reads, each under its
// own lock only (no lock is ever shared by the two sockets).
//
// As libzmq's inproc pipe: a message becomes visible to the reader when its last part is
// written; the queue holds at most the writer's SNDHWM plus the reader's RCVHWM whole messages
// (0 on either side: unlimited); the writer learns what was read only every low-water-mark
// messages, so a full pipe takes new messages again once the reader has read past that mark;
// the reader is woken when a message lands in a pipe it found empty, the writer when the
// reader publishes its progress while the writer waits for room. Wake-ups go through a
// PipeWaker the driver provides: the core never blocks, sleeps or signals anything itself.
//
// Memory: parts live in fixed chunks linked writer to reader; the reader hands drained chunks
// back (up to kSpareChunks spares) so a steady flow allocates nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/base/msg.h"

namespace zlab {

// How one side of a shared pipe wakes the other side's socket. Called with the caller's own
// socket lock held: an implementation must not take another socket's lock there (the real
// driver defers the wake-up until the caller has released its lock).
//
// A wake-up names what woke the socket: the token its core gave that pipe end (set_*_token: a
// peer id), noted here before wake() runs, so the woken socket takes in that peer only, not
// every peer of its links (the many-peers goal). Token 0 (no end registered yet) notes
// nothing: a core registers its token before it first looks at the pipe.
class PipeWaker {
 public:
  PipeWaker() = default;
  PipeWaker(const PipeWaker&) = delete;
  PipeWaker& operator=(const PipeWaker&) = delete;
  virtual ~PipeWaker();
  virtual void wake() = 0;

  // Notes `token` (any thread), then wake()s.
  void wake_for(uint32_t token);
  // Whether a token waits (one atomic load: the woken socket's calls ask it each time).
  bool has_woken() const { return woken_.load(std::memory_order_acquire) != nullptr; }
  // Moves the tokens noted so far into *out (cleared first), in the order they came.
  void take_woken(std::vector<uint32_t>* out);

 private:
  // A lock-free stack (the core takes no locks): writers push, the socket takes it whole.
  struct Woken {
    uint32_t token;
    Woken* next;
  };
  std::atomic<Woken*> woken_{nullptr};
};

class SharedPipe {
 public:
  static constexpr size_t kChunkParts = 256;
  // As many chunks as the default HWMs span (SNDHWM + RCVHWM, 2000 parts): a reader that
  // drains a full pipe in one go leaves the writer a chunk for each it will need (with one
  // spare, 7 of 8 chunk changes allocated; with 4, half). Spares are chunks the pipe had in
  // use: never more memory than its own peak.
  static constexpr size_t kSpareChunks = 8;

  SharedPipe();
  ~SharedPipe();
  SharedPipe(const SharedPipe&) = delete;
  SharedPipe& operator=(const SharedPipe&) = delete;

  // Set once, before either side uses the pipe.
  void set_wakers(PipeWaker* writer_side, PipeWaker* reader_side) {
    writer_waker_ = writer_side;
    reader_waker_ = reader_side;
  }

  // What each side's wake-ups name (PipeWaker::wake_for): set by that side's core before it
  // first reads or writes the pipe (0: not yet).
  void set_reader_token(uint32_t token) { reader_token_.store(token, std::memory_order_seq_cst); }
  void set_writer_token(uint32_t token) { writer_token_.store(token, std::memory_order_seq_cst); }
  uint32_t reader_token() const { return reader_token_.load(std::memory_order_seq_cst); }

  // Each side's share of the capacity: the writer's SNDHWM, the reader's RCVHWM (0: unlimited,
  // -1: that side has not joined yet, so only the other's counts).
  void set_writer_hwm(int64_t hwm) { writer_hwm_.store(hwm, std::memory_order_relaxed); }
  void set_reader_hwm(int64_t hwm) { reader_hwm_.store(hwm, std::memory_order_relaxed); }
  // ZMQ_CONFLATE on either side: never full, and the reader sees only the newest message.
  void set_conflate(bool conflate) { conflate_.store(conflate, std::memory_order_relaxed); }
  // Whole messages it may hold (0: unlimited).
  int64_t capacity() const;

  // --- writer ---
  // Room for a new message (a started one may always be finished). When full, asks to be
  // woken once the reader has made room.
  bool can_write();
  void write(Msg&& part);
  // Drops the parts of an unfinished message.
  void rollback();
  bool writing() const { return writing_; }
  // Messages written that the writer has not yet seen read (an upper bound).
  int64_t unread_by_peer() const;
  // The writer goes away: an unfinished message is dropped, the rest stays readable.
  void close_writer();
  bool reader_closed() const { return reader_closed_.load(std::memory_order_seq_cst); }

  // --- reader ---
  // A whole message, or the rest of one being read, is there. When not, asks to be woken
  // when one arrives.
  bool can_read();
  bool read(Msg* part);
  // The next part (can_read() must be true).
  const Msg& front();
  bool reading() const { return reading_; }
  // Whole messages waiting, not counting one being read.
  int64_t messages() const;
  // Chunks the writer had to allocate (not taken from the spares) since the pipe was made.
  // The writer's own count: read it on the writer's thread.
  uint64_t chunks_allocated() const { return chunks_allocated_; }
  // Nothing left to read: no whole message, none being read.
  bool drained() const { return !reading_ && messages() == 0; }
  // Drops every whole message waiting (and the rest of one being read); returns how many.
  int64_t clear();
  // Drops the whole messages not started; a message being read keeps its remaining parts.
  int64_t drop_unread();
  // The reader goes away: the writer stops writing (it sees reader_closed()).
  void close_reader();
  bool writer_closed() const { return writer_closed_.load(std::memory_order_seq_cst); }

 private:
  struct Chunk {
    std::atomic<Chunk*> next{nullptr};
    alignas(Msg) unsigned char slots[kChunkParts][sizeof(Msg)];
    Msg* slot(size_t i) { return reinterpret_cast<Msg*>(slots[i]); }
  };

  Chunk* take_chunk();
  void recycle(Chunk* chunk);
  // Destroys the parts from (chunk, idx) up to the write position (the writer's side only).
  void destroy_parts_from(Chunk* chunk, size_t idx);
  Msg* reader_slot();
  void publish_read();
  void drop_message();

  PipeWaker* writer_waker_ = nullptr;
  PipeWaker* reader_waker_ = nullptr;
  std::atomic<uint32_t> writer_token_{0};
  std::atomic<uint32_t> reader_token_{0};

  void wake_reader() {
    if (reader_waker_ != nullptr) reader_waker_->wake_for(reader_token());
  }
  void wake_writer() {
    if (writer_waker_ != nullptr) {
      writer_waker_->wake_for(writer_token_.load(std::memory_order_seq_cst));
    }
  }

  // Shared, each written by one side.
  alignas(64) std::atomic<uint64_t> published_msgs_{0};  // whole messages written (writer)
  std::atomic<bool> writer_closed_{false};
  std::atomic<int64_t> writer_hwm_{-1};
  alignas(64) std::atomic<uint64_t> read_msgs_{0};  // whole messages read, as published (reader)
  std::atomic<bool> reader_closed_{false};
  std::atomic<int64_t> reader_hwm_{-1};
  alignas(64) std::atomic<bool> reader_waiting_{false};
  std::atomic<bool> writer_waiting_{false};
  std::atomic<bool> conflate_{false};
  std::atomic<Chunk*> spare_[kSpareChunks] = {};

  // Writer only.
  alignas(64) Chunk* w_chunk_;
  size_t w_idx_ = 0;
  uint64_t chunks_allocated_ = 1;  // the first, made with the pipe
  Chunk* c_chunk_;                 // where the last whole message ended (rollback point)
  size_t c_idx_ = 0;
  uint64_t w_msgs_ = 0;
  bool writing_ = false;

  // Reader only.
  alignas(64) Chunk* r_chunk_;
  size_t r_idx_ = 0;
  uint64_t r_msgs_ = 0;
  uint64_t r_seen_ = 0;        // published_msgs_ as last loaded
  uint64_t next_publish_ = 0;  // publish read_msgs_ when r_msgs_ reaches it
  bool reading_ = false;
};

}  // namespace zlab
