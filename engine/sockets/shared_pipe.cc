#include "engine/sockets/shared_pipe.h"

#include <algorithm>
#include <cassert>
#include <new>
#include <utility>

#include "engine/sockets/pipe.h"

namespace zlab {

PipeWaker::~PipeWaker() {
  std::vector<uint32_t> left;
  take_woken(&left);
}

// One node a wake-up: wake-ups are the empty-to-not-empty edges of a pipe (and room, joins and
// leaves), each of which already costs the driver a hand-off to another thread.
void PipeWaker::wake_for(uint32_t token) {
  if (token != 0) {
    Woken* node = new Woken{token, woken_.load(std::memory_order_relaxed)};
    while (!woken_.compare_exchange_weak(node->next, node, std::memory_order_release,
                                         std::memory_order_relaxed)) {
    }
  }
  wake();
}

void PipeWaker::take_woken(std::vector<uint32_t>* out) {
  out->clear();
  // Taken whole (no single-node pop, so no ABA), newest first: reversed into arrival order.
  Woken* list = woken_.exchange(nullptr, std::memory_order_acquire);
  while (list != nullptr) {
    out->push_back(list->token);
    Woken* next = list->next;
    delete list;
    list = next;
  }
  std::reverse(out->begin(), out->end());
}

SharedPipe::SharedPipe() { w_chunk_ = c_chunk_ = r_chunk_ = new Chunk; }

SharedPipe::~SharedPipe() {
  // Both sides are gone: destroy every part still queued (unpublished ones included).
  destroy_parts_from(r_chunk_, r_idx_);
  Chunk* chunk = r_chunk_;
  while (chunk != nullptr) {
    Chunk* next = chunk->next.load(std::memory_order_relaxed);
    delete chunk;
    chunk = next;
  }
  for (std::atomic<Chunk*>& spare : spare_) delete spare.load(std::memory_order_relaxed);
}

int64_t SharedPipe::capacity() const {
  int64_t w = writer_hwm_.load(std::memory_order_relaxed);
  int64_t r = reader_hwm_.load(std::memory_order_relaxed);
  if (w == 0 || r == 0) return 0;
  if (w < 0) return r < 0 ? 0 : r;
  return r < 0 ? w : w + r;
}

// --- writer ---

int64_t SharedPipe::unread_by_peer() const {
  return int64_t(w_msgs_ - read_msgs_.load(std::memory_order_acquire));
}

bool SharedPipe::can_write() {
  if (writing_) return true;
  int64_t cap = capacity();
  if (cap <= 0 || conflate_.load(std::memory_order_relaxed)) return true;
  if (unread_by_peer() < cap) return true;
  // Full. Ask for a wake-up, then look again: the reader may have published its progress
  // between the two (it stores read_msgs_ before it looks at writer_waiting_). Only the waking
  // side clears the flag (with the wake-up): clearing it here when the second look finds room
  // lost wake-ups (a blocked sender and receiver each waiting for the other; found by
  // RealSocketTest.InprocBlockedSenderAndReceiverWakeEachOther under TSan).
  writer_waiting_.store(true, std::memory_order_seq_cst);
  if (int64_t(w_msgs_ - read_msgs_.load(std::memory_order_seq_cst)) < cap) return true;
  return false;
}

SharedPipe::Chunk* SharedPipe::take_chunk() {
  for (std::atomic<Chunk*>& spare : spare_) {
    if (spare.load(std::memory_order_relaxed) == nullptr) continue;
    if (Chunk* chunk = spare.exchange(nullptr, std::memory_order_acquire)) return chunk;
  }
  ++chunks_allocated_;
  return new Chunk;
}

void SharedPipe::write(Msg&& part) {
  if (w_idx_ == kChunkParts) {
    // A chunk left linked by a rollback is reused; the reader never looks past what is
    // published, so the link is ours to make until then.
    Chunk* next = w_chunk_->next.load(std::memory_order_relaxed);
    if (next == nullptr) {
      next = take_chunk();
      w_chunk_->next.store(next, std::memory_order_relaxed);
    }
    w_chunk_ = next;
    w_idx_ = 0;
  }
  bool last = !part.more();
  new (w_chunk_->slot(w_idx_++)) Msg(std::move(part));
  if (!last) {
    writing_ = true;
    return;
  }
  writing_ = false;
  c_chunk_ = w_chunk_;
  c_idx_ = w_idx_;
  ++w_msgs_;
  // Publish, then look whether the reader found the pipe empty and waits (it sets the flag
  // before it looks again at published_msgs_): one of the two always sees the other.
  published_msgs_.store(w_msgs_, std::memory_order_seq_cst);
  if (reader_waiting_.load(std::memory_order_seq_cst) &&
      reader_waiting_.exchange(false, std::memory_order_acq_rel)) {
    wake_reader();
  }
}

void SharedPipe::destroy_parts_from(Chunk* chunk, size_t idx) {
  while (chunk != w_chunk_ || idx != w_idx_) {
    if (idx == kChunkParts) {
      chunk = chunk->next.load(std::memory_order_relaxed);
      idx = 0;
      continue;
    }
    chunk->slot(idx++)->~Msg();
  }
}

void SharedPipe::rollback() {
  destroy_parts_from(c_chunk_, c_idx_);
  w_chunk_ = c_chunk_;
  w_idx_ = c_idx_;
  writing_ = false;
}

void SharedPipe::close_writer() {
  rollback();
  writer_closed_.store(true, std::memory_order_seq_cst);
  reader_waiting_.store(false, std::memory_order_relaxed);
  wake_reader();
}

// --- reader ---

int64_t SharedPipe::messages() const {
  return int64_t(published_msgs_.load(std::memory_order_acquire) - r_msgs_);
}

bool SharedPipe::can_read() {
  if (reading_) return true;
  if (r_seen_ == r_msgs_) {
    r_seen_ = published_msgs_.load(std::memory_order_acquire);
    if (r_seen_ == r_msgs_) {
      // Empty. Ask for a wake-up, then look again (see write()). The flag stays set even when
      // the second look finds a message: only the writer clears it (see can_write()).
      reader_waiting_.store(true, std::memory_order_seq_cst);
      r_seen_ = published_msgs_.load(std::memory_order_seq_cst);
      if (r_seen_ == r_msgs_) return false;
    }
  }
  if (conflate_.load(std::memory_order_relaxed)) {
    // Only the newest whole message counts.
    r_seen_ = published_msgs_.load(std::memory_order_acquire);
    while (r_seen_ - r_msgs_ > 1) drop_message();
  }
  return true;
}

Msg* SharedPipe::reader_slot() {
  if (r_idx_ == kChunkParts) {
    Chunk* done = r_chunk_;
    r_chunk_ = done->next.load(std::memory_order_acquire);
    r_idx_ = 0;
    recycle(done);
  }
  return r_chunk_->slot(r_idx_);
}

void SharedPipe::recycle(Chunk* chunk) {
  chunk->next.store(nullptr, std::memory_order_relaxed);
  for (std::atomic<Chunk*>& spare : spare_) {
    Chunk* empty = nullptr;
    if (spare.compare_exchange_strong(empty, chunk, std::memory_order_acq_rel)) return;
  }
  delete chunk;  // every spare taken: the writer is well supplied
}

const Msg& SharedPipe::front() { return *reader_slot(); }

bool SharedPipe::read(Msg* part) {
  if (!can_read()) return false;
  Msg* slot = reader_slot();
  *part = std::move(*slot);
  slot->~Msg();
  ++r_idx_;
  reading_ = part->more();
  if (!reading_) {
    ++r_msgs_;
    publish_read();
  }
  return true;
}

// The writer hears of reads every low-water-mark messages, as libzmq's reader sends its
// count then: a full pipe opens again once the reader is past the mark.
void SharedPipe::publish_read() {
  if (r_msgs_ < next_publish_) return;
  int64_t lwm = compute_lwm(capacity());
  uint64_t step = lwm > 0 ? uint64_t(lwm) : 1024;
  next_publish_ = (r_msgs_ / step + 1) * step;
  if (r_msgs_ % step != 0) return;
  read_msgs_.store(r_msgs_, std::memory_order_seq_cst);
  if (writer_waiting_.load(std::memory_order_seq_cst) &&
      writer_waiting_.exchange(false, std::memory_order_acq_rel)) {
    wake_writer();
  }
}

void SharedPipe::drop_message() {
  Msg part;
  do {
    Msg* slot = reader_slot();
    part = std::move(*slot);
    slot->~Msg();
    ++r_idx_;
  } while (part.more());
  ++r_msgs_;
  publish_read();
}

int64_t SharedPipe::clear() {
  Msg part;
  while (reading_ && read(&part)) {
  }
  int64_t dropped = 0;
  uint64_t published = published_msgs_.load(std::memory_order_acquire);
  while (r_msgs_ < published) {
    drop_message();
    ++dropped;
  }
  r_seen_ = published;
  return dropped;
}

int64_t SharedPipe::drop_unread() {
  if (reading_) return 0;  // the routing is mid-message: its remaining parts stay readable
  return clear();
}

void SharedPipe::close_reader() {
  reader_closed_.store(true, std::memory_order_seq_cst);
  writer_waiting_.store(false, std::memory_order_relaxed);
  wake_writer();
}

}  // namespace zlab
