// A growable ring of message parts: the queue inside a Pipe.
//
// std::deque<Msg> allocated and freed a 512-byte block every 8 parts (a Msg is 64 bytes), on
// both pipes a tcp message crosses; a ring reuses its slots. It grows by doubling and keeps
// its slots for the next burst (giving them back at every drain cost a regrowth per burst):
// up to kKeepSlots, enough for the default HWM of 1000 (64 KB; libzmq's pipe keeps a spare
// 256-message chunk besides the one in use). Larger storage (an unbounded pipe's backlog) is
// given back when the ring drains.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <utility>

#include "engine/base/msg.h"

namespace zlab {

class MsgRing {
 public:
  // Storage larger than this is released when the ring empties.
  static constexpr size_t kKeepSlots = 1024;

  MsgRing() = default;
  MsgRing(MsgRing&& other) noexcept { take(other); }
  MsgRing& operator=(MsgRing&& other) noexcept {
    if (this != &other) {
      clear();
      take(other);
    }
    return *this;
  }
  MsgRing(const MsgRing&) = delete;
  MsgRing& operator=(const MsgRing&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }

  // The i-th part from the front.
  Msg& operator[](size_t i) { return slots_[(head_ + i) & (capacity_ - 1)]; }
  const Msg& operator[](size_t i) const { return slots_[(head_ + i) & (capacity_ - 1)]; }
  Msg& front() { return slots_[head_]; }
  const Msg& front() const { return slots_[head_]; }

  void push_back(Msg&& part) {
    if (size_ == capacity_) grow();
    slots_[(head_ + size_) & (capacity_ - 1)] = std::move(part);
    ++size_;
  }
  void pop_front() {
    assert(size_ > 0);
    slots_[head_].reset();
    head_ = (head_ + 1) & (capacity_ - 1);
    if (--size_ == 0) drained();
  }
  void pop_back() {
    assert(size_ > 0);
    (*this)[size_ - 1].reset();
    if (--size_ == 0) drained();
  }
  void clear() {
    for (size_t i = 0; i < size_; ++i) (*this)[i].reset();
    size_ = 0;
    drained();
  }

 private:
  [[gnu::noinline]] void grow() {
    size_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
    std::unique_ptr<Msg[]> slots(new Msg[capacity]);
    for (size_t i = 0; i < size_; ++i) slots[i] = std::move((*this)[i]);
    slots_ = std::move(slots);
    capacity_ = capacity;
    head_ = 0;
  }
  // The source is left empty, with no storage.
  void take(MsgRing& other) {
    slots_ = std::move(other.slots_);
    capacity_ = std::exchange(other.capacity_, 0);
    head_ = std::exchange(other.head_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  void drained() {
    head_ = 0;
    if (capacity_ > kKeepSlots) {
      slots_.reset();
      capacity_ = 0;
    }
  }

  std::unique_ptr<Msg[]> slots_;
  size_t capacity_ = 0;  // 0 or a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace zlab
