// A zlab::Msg living inside the caller's zmq_msg_t (64 bytes, pointer-aligned, like libzmq's).
//
// Msg's members end before byte 62; the last two bytes of zmq_msg_t hold a tag, written after
// the Msg is constructed and cleared when it is destroyed, so an uninitialised or closed
// zmq_msg_t is refused with EFAULT, as libzmq does. (msg_test checks that no Msg operation
// touches those bytes.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "engine/api/zmq.h"
#include "engine/base/msg.h"

namespace zlab::api {

inline constexpr size_t kMsgTagOffset = 62;
inline constexpr uint8_t kMsgTag[2] = {0x5a, 0x4c};  // "ZL"

static_assert(sizeof(Msg) <= sizeof(zmq_msg_t), "Msg must fit in zmq_msg_t");
static_assert(alignof(Msg) <= alignof(zmq_msg_t), "zmq_msg_t must be aligned for Msg");

// Constructs `value` in `slot` (whatever was there is overwritten, not released).
inline Msg* construct_msg(zmq_msg_t* slot, Msg&& value) {
  Msg* msg = new (slot->_) Msg(std::move(value));
  slot->_[kMsgTagOffset] = kMsgTag[0];
  slot->_[kMsgTagOffset + 1] = kMsgTag[1];
  return msg;
}

inline bool is_msg(const zmq_msg_t* slot) {
  return slot != nullptr && slot->_[kMsgTagOffset] == kMsgTag[0] &&
         slot->_[kMsgTagOffset + 1] == kMsgTag[1];
}

// The Msg in an initialised slot, or nullptr.
inline Msg* msg_of(zmq_msg_t* slot) {
  return is_msg(slot) ? std::launder(reinterpret_cast<Msg*>(slot->_)) : nullptr;
}
inline const Msg* msg_of(const zmq_msg_t* slot) {
  return is_msg(slot) ? std::launder(reinterpret_cast<const Msg*>(slot->_)) : nullptr;
}

// Destroys the Msg (releasing its body) and marks the slot uninitialised.
inline void destroy_msg(zmq_msg_t* slot) {
  std::launder(reinterpret_cast<Msg*>(slot->_))->~Msg();
  slot->_[kMsgTagOffset] = 0;
  slot->_[kMsgTagOffset + 1] = 0;
}

}  // namespace zlab::api
