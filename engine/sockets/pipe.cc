#include "engine/sockets/pipe.h"

#include <cassert>

namespace zlab {

int64_t compute_lwm(int64_t hwm) {
  constexpr int64_t kMaxWmDelta = 1024;
  return hwm > 2 * kMaxWmDelta ? hwm - kMaxWmDelta : (hwm + 1) / 2;
}

void Pipe::set_hwm(int64_t hwm) {
  hwm_ = hwm < 0 ? 0 : hwm;
  lwm_ = compute_lwm(hwm_);
  full_ = bounded() && complete_ >= hwm_;
}

void Pipe::set_conflate(bool conflate) {
  conflate_ = conflate;
  full_ = bounded() && complete_ >= hwm_;
}

void Pipe::write(Msg part) {
  assert(can_write());
  bool last = !part.more();
  parts_.push_back(std::move(part));
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
}

void Pipe::write_control(Msg part) {
  assert(!part.more() && !writing_ && "control messages are single parts between messages");
  part.set_more(false);
  parts_.push_back(std::move(part));
  ++complete_;
  if (bounded() && complete_ >= hwm_) full_ = true;
}

void Pipe::rollback() {
  while (unfinished_ > 0) {
    parts_.pop_back();
    --unfinished_;
  }
  writing_ = false;
}

bool Pipe::read(Msg* part) {
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
  int64_t dropped = complete_;
  // Keep the parts of a message still being written: its writer will finish it.
  std::deque<Msg> keep;
  for (size_t i = parts_.size() - unfinished_; i < parts_.size(); ++i) {
    keep.push_back(std::move(parts_[i]));
  }
  parts_ = std::move(keep);
  complete_ = 0;
  reading_ = false;
  full_ = false;
  return dropped;
}

int64_t Pipe::drop_unread() {
  if (!reading_) return clear();
  // The rest of the message being read is at the front, up to its last part.
  size_t rest = 0;
  while (parts_[rest].more()) ++rest;
  std::deque<Msg> keep;
  for (size_t i = 0; i <= rest; ++i) keep.push_back(std::move(parts_[i]));
  for (size_t i = parts_.size() - unfinished_; i < parts_.size(); ++i) {
    keep.push_back(std::move(parts_[i]));
  }
  int64_t dropped = complete_ - 1;
  parts_ = std::move(keep);
  complete_ = 1;
  full_ = hwm_ > 0 && complete_ >= hwm_;
  return dropped;
}

}  // namespace zlab
