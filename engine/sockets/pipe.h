// A one-way queue of message parts between a socket and one peer, bounded in whole messages.
//
// The high-water mark counts messages, not parts or bytes (0 = unbounded). Once full, a pipe
// stays full until it drains to the low-water mark, as libzmq's does, so a writer at the
// limit is woken once per batch rather than once per message. Readers only see whole
// messages: a message's parts become visible when its last part is written.
//
// Over inproc a pipe is one end of a SharedPipe the two sockets share (attach_shared): the
// same calls then write to or read from it, so the routing strategies see one kind of pipe.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/base/msg.h"
#include "engine/sockets/msg_ring.h"
#include "engine/sockets/shared_pipe.h"

namespace zlab {

class Pipe {
 public:
  explicit Pipe(int64_t hwm = 1000) { set_hwm(hwm); }

  void set_hwm(int64_t hwm);
  int64_t hwm() const { return hwm_; }
  int64_t lwm() const { return lwm_; }

  // Becomes the writing (`writer`) or reading end of `shared` (inproc). Parts already queued
  // for writing move into it, in order. The caller keeps `shared` alive as long as this pipe.
  void attach_shared(SharedPipe* shared, bool writer);
  bool is_shared() const { return shared_ != nullptr; }

  // Room to start a new message. A message already started may always be finished.
  bool can_write() const {
    if (shared_ != nullptr) [[unlikely]]
      return shared_->can_write();
    return !full_ || writing_;
  }
  // Takes the part (moved from once, into the queue: no copy on the way).
  void write(Msg&& part);
  // Each write to this (unshared) pipe after clear_notice() lists `id` in `*list` once: the
  // socket core flushes the peers written to, not every peer (the many-peers goal).
  void notify_writes_to(std::vector<uint32_t>* list, uint32_t id) {
    notice_ = list;
    notice_id_ = id;
  }
  void clear_notice() { noticed_ = false; }
  // Called (fn(arg)) each time a whole message lands in this unshared pipe: the reader's fair
  // queue lists the peer again (strategies.h). A shared pipe's reader learns of its writes
  // through the wake-up that names it (SharedPipe's reader token). nullptr: nobody listens.
  void on_readable(void (*fn)(void*), void* arg) {
    readable_fn_ = fn;
    readable_arg_ = arg;
  }
  // A single-part control message (a subscription) that must not be lost: it goes in whatever
  // the HWM says. Callers bound these by what they stand for (one per subscribed topic).
  void write_control(Msg part);
  // Drops the parts of an unfinished message (its writer went away mid-message).
  void rollback();

  // A whole message (or the rest of one being read) is available.
  bool can_read() const {
    if (shared_ != nullptr) [[unlikely]]
      return !shared_writer_ && shared_->can_read();
    return reading_ || complete_ > 0;
  }
  bool read(Msg* part);
  // Peeks at the first part of the next message (can_read() must be true).
  const Msg& front() const { return shared_ != nullptr ? shared_->front() : parts_.front(); }

  int64_t messages() const;
  // A message is partly read (its remaining parts are next).
  bool reading() const {
    if (shared_ != nullptr) [[unlikely]]
      return !shared_writer_ && shared_->reading();
    return reading_;
  }
  // ZMQ_CONFLATE: keep only the newest whole message. A conflating pipe is never full: the
  // HWM does not apply (zmq_setsockopt(3): "Ignores ZMQ_RCVHWM and ZMQ_SNDHWM options"), or a
  // full pipe would hold the oldest message back and stop the newer ones coming in.
  void set_conflate(bool conflate);
  // Nothing queued. A shared pipe's writing end is always empty: what it wrote belongs to the
  // reader now (as libzmq's inproc pipe, it outlives the writer).
  bool empty() const;
  // Whether the pipe hit its high-water mark and has not drained to the low-water mark yet.
  bool full() const { return shared_ != nullptr ? !can_write() : full_; }
  // Drops every message (conflate, close); returns how many whole messages were dropped.
  int64_t clear();
  // Drops the whole messages nobody has started reading (zmq_disconnect); the rest of a message
  // being read stays, so the reader finishes it. Returns how many messages were dropped.
  int64_t drop_unread();

 private:
  bool bounded() const { return hwm_ > 0 && !conflate_; }

  MsgRing parts_;
  int64_t hwm_ = 0;
  int64_t lwm_ = 0;
  int64_t complete_ = 0;   // whole messages queued
  size_t unfinished_ = 0;  // trailing parts of a message still being written
  bool writing_ = false;
  bool reading_ = false;
  bool full_ = false;
  bool conflate_ = false;
  SharedPipe* shared_ = nullptr;  // inproc: the end of a shared pipe this is
  bool shared_writer_ = false;
  std::vector<uint32_t>* notice_ = nullptr;  // notify_writes_to
  uint32_t notice_id_ = 0;
  bool noticed_ = false;
  void (*readable_fn_)(void*) = nullptr;  // on_readable
  void* readable_arg_ = nullptr;

  void readable() {
    if (readable_fn_ != nullptr) readable_fn_(readable_arg_);
  }

  void notice() {
    if (notice_ == nullptr || noticed_) return;
    noticed_ = true;
    notice_->push_back(notice_id_);
  }
};

// libzmq's low-water mark: half the HWM, or HWM-1024 for large HWMs.
int64_t compute_lwm(int64_t hwm);

}  // namespace zlab
