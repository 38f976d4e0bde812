// The draft message calls: zmq_msg_init_buffer, zmq_msg_set_routing_id/zmq_msg_routing_id (the
// peer a SERVER or PEER message comes from or goes to), zmq_msg_set_group/zmq_msg_group (a
// RADIO/DISH message's group). Draft build only (build_flavour.h).
#include <errno.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string_view>

#include "engine/api/errno_map.h"
#include "engine/api/msg_slot.h"
#include "engine/api/zmq.h"

using zlab::Msg;
using zlab::api::fail_with;
using zlab::api::msg_of;

extern "C" int zmq_msg_init_buffer(zmq_msg_t* msg, const void* buf, size_t size) {
  if (msg == nullptr) return fail_with(EFAULT);
  if (buf == nullptr && size != 0) return fail_with(EFAULT);
  try {
    zlab::api::construct_msg(
        msg, Msg::copy_of(std::span<const uint8_t>(static_cast<const uint8_t*>(buf), size)));
  } catch (const std::bad_alloc&) {
    return fail_with(ENOMEM);
  }
  return 0;
}

extern "C" int zmq_msg_set_routing_id(zmq_msg_t* msg, uint32_t routing_id) {
  Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  if (routing_id == 0) return fail_with(EINVAL);  // 0 means "none": libzmq refuses it too
  m->set_routing_id(routing_id);
  return 0;
}

// 0 (no routing id) also for a message that is not one, with errno EFAULT.
extern "C" uint32_t zmq_msg_routing_id(zmq_msg_t* msg) {
  Msg* m = msg_of(msg);
  if (m == nullptr) {
    fail_with(EFAULT);
    return 0;
  }
  return m->routing_id();
}

// Up to ZMQ_GROUP_MAX_LENGTH (255) bytes; a longer group is EINVAL and leaves the message's
// group as it was (libzmq 4.3.4 silently keeps the first 255 bytes:
// div/draft/msg-group-truncated). "" clears it.
extern "C" int zmq_msg_set_group(zmq_msg_t* msg, const char* group) {
  Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  if (group == nullptr) return fail_with(EINVAL);
  // Never reads more than one byte past the longest group a message may carry.
  const size_t length = strnlen(group, zlab::kGroupMaxLength + 1);
  try {
    if (m->set_group(std::string_view(group, length)) != zlab::Err::kOk) return fail_with(EINVAL);
  } catch (const std::bad_alloc&) {
    return fail_with(ENOMEM);
  }
  return 0;
}

// The message's group as a C string, "" for none (as libzmq); valid while the message keeps it.
// NULL with errno EFAULT for a message that is not one.
extern "C" const char* zmq_msg_group(zmq_msg_t* msg) {
  Msg* m = msg_of(msg);
  if (m == nullptr) return zlab::api::fail_null<const char>(EFAULT);
  return m->group().data();  // NUL-terminated (Msg::group)
}
