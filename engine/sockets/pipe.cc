#include "engine/sockets/pipe.h"

#include <cassert>

namespace zlab {

int64_t compute_lwm(int64_t hwm) {
  constexpr int64_t kMaxWmDelta = 1024;
  return hwm > 2 * kMaxWmDelta ? hwm - kMaxWmDelta : (hwm + 1) / 2;
}

void Pipe::attach_shared(SharedPipe* shared, bool writer) {
  shared_ = shared;
  shared_writer_ = writer;
  if (writer) {
    for (size_t i = 0; i < parts_.size(); ++i) shared->write(std::move(parts_[i]));
    if (writing_) shared->rollback();  // an unfinished message's writer is gone
  }
  parts_.clear();
  complete_ = 0;
  unfinished_ = 0;
  writing_ = reading_ = full_ = false;
  set_hwm(hwm_);
  set_conflate(conflate_);
}

int64_t Pipe::messages() const {
  if (shared_ == nullptr) return complete_;
  return shared_writer_ ? shared_->unread_by_peer() : shared_->messages();
}

bool Pipe::empty() const {
  if (shared_ == nullptr) return parts_.empty();
  return shared_writer_ || shared_->drained();
}

void Pipe::set_hwm(int64_t hwm) {
  if (shared_ != nullptr) {
    if (shared_writer_) {
      shared_->set_writer_hwm(hwm < 0 ? 0 : hwm);
    } else {
      shared_->set_reader_hwm(hwm < 0 ? 0 : hwm);
    }
  }
  hwm_ = hwm < 0 ? 0 : hwm;
  lwm_ = compute_lwm(hwm_);
  full_ = bounded() && complete_ >= hwm_;
}

void Pipe::set_conflate(bool conflate) {
  if (shared_ != nullptr && conflate) shared_->set_conflate(true);
  conflate_ = conflate;
  full_ = bounded() && complete_ >= hwm_;
}

void Pipe::write(Msg&& part) {
  if (shared_ != nullptr) {
    shared_->write(std::move(part));
    return;
  }
  assert(can_write());
  bool last = !part.more();
  parts_.push_back(std::move(part));
  notice();
  if (!last) {
    writing_ = true;
    ++unfinished_;
    return;
  }
  writing_ = false;
  unfinished_ = 0;
  if (conflate_ && !reading_) {
    // Only the newest message counts; older whole messages are dropped unread.
    while (parts_.size() > 1) parts_.pop_front();
    complete_ = 0;
  }
  ++complete_;
  if (bounded() && complete_ >= hwm_) full_ = true;
  readable();
}

void Pipe::write_control(Msg part) {
  assert(!part.more() && !writing_ && "control messages are single parts between messages");
  part.set_more(false);
  if (shared_ != nullptr) {
    shared_->write(std::move(part));
    readable();  // a reader's own notification (ROUTER_NOTIFY over inproc)
    return;
  }
  parts_.push_back(std::move(part));
  notice();
  ++complete_;
  if (bounded() && complete_ >= hwm_) full_ = true;
  readable();
}

void Pipe::rollback() {
  if (shared_ != nullptr) {
    if (shared_writer_) shared_->rollback();
    return;
  }
  while (unfinished_ > 0) {
    parts_.pop_back();
    --unfinished_;
  }
  writing_ = false;
}

bool Pipe::read(Msg* part) {
  if (shared_ != nullptr) return !shared_writer_ && shared_->read(part);
  if (!can_read()) return false;
  *part = std::move(parts_.front());
  parts_.pop_front();
  reading_ = part->more();
  if (!reading_) {
    --complete_;
    if (full_ && complete_ <= lwm_) full_ = false;
  }
  return true;
}

int64_t Pipe::clear() {
  if (shared_ != nullptr) {
    if (shared_writer_) return 0;  // written messages are the reader's
    return shared_->clear();
  }
  int64_t dropped = complete_;
  // Keep the parts of a message still being written: its writer will finish it.
  std::vector<Msg> keep;
  for (size_t i = parts_.size() - unfinished_; i < parts_.size(); ++i) {
    keep.push_back(std::move(parts_[i]));
  }
  parts_.clear();
  for (Msg& part : keep) parts_.push_back(std::move(part));
  complete_ = 0;
  reading_ = false;
  full_ = false;
  return dropped;
}

int64_t Pipe::drop_unread() {
  if (shared_ != nullptr) return shared_writer_ ? 0 : shared_->drop_unread();
  if (!reading_) return clear();
  // The rest of the message being read is at the front, up to its last part.
  size_t rest = 0;
  while (parts_[rest].more()) ++rest;
  std::vector<Msg> keep;
  for (size_t i = 0; i <= rest; ++i) keep.push_back(std::move(parts_[i]));
  for (size_t i = parts_.size() - unfinished_; i < parts_.size(); ++i) {
    keep.push_back(std::move(parts_[i]));
  }
  int64_t dropped = complete_ - 1;
  parts_.clear();
  for (Msg& part : keep) parts_.push_back(std::move(part));
  complete_ = 1;
  full_ = hwm_ > 0 && complete_ >= hwm_;
  return dropped;
}

}  // namespace zlab
