// Messages: zmq_msg_init/init_size/init_data/close/move/copy/data/size/more/get/set/gets.
// (Sending and receiving them is in send_recv.cc.)
#include <errno.h>

#include <climits>
#include <cstdlib>
#include <new>
#include <string_view>

#include "engine/api/errno_map.h"
#include "engine/api/msg_slot.h"
#include "engine/api/zmq.h"

using zlab::Msg;
using zlab::api::construct_msg;
using zlab::api::fail_with;
using zlab::api::msg_of;

extern "C" int zmq_msg_init(zmq_msg_t* msg) {
  if (msg == nullptr) return fail_with(EFAULT);
  construct_msg(msg, Msg());
  return 0;
}

extern "C" int zmq_msg_init_size(zmq_msg_t* msg, size_t size) {
  if (msg == nullptr) return fail_with(EFAULT);
  try {
    construct_msg(msg, Msg::with_size(size));
  } catch (const std::bad_alloc&) {
    return fail_with(ENOMEM);
  }
  return 0;
}

extern "C" int zmq_msg_init_data(zmq_msg_t* msg, void* data, size_t size, zmq_free_fn* ffn,
                                 void* hint) {
  if (msg == nullptr) return fail_with(EFAULT);
  if (data == nullptr && size != 0) return fail_with(EINVAL);
  // Zero-copy: the bytes stay the caller's; ffn (if any) runs when the last copy is closed,
  // possibly on an I/O thread once the message is on the wire.
  try {
    construct_msg(msg, Msg::wrap(data, size, ffn, hint));
  } catch (const std::bad_alloc&) {
    return fail_with(ENOMEM);
  }
  return 0;
}

extern "C" int zmq_msg_close(zmq_msg_t* msg) {
  if (msg_of(msg) == nullptr) return fail_with(EFAULT);
  zlab::api::destroy_msg(msg);
  return 0;
}

extern "C" int zmq_msg_move(zmq_msg_t* dest, zmq_msg_t* src) {
  Msg* from = msg_of(src);
  Msg* to = msg_of(dest);
  if (from == nullptr || to == nullptr) return fail_with(EFAULT);
  if (from != to) *to = std::move(*from);  // src is left an empty message, as in libzmq
  return 0;
}

extern "C" int zmq_msg_copy(zmq_msg_t* dest, zmq_msg_t* src) {
  Msg* from = msg_of(src);
  Msg* to = msg_of(dest);
  if (from == nullptr || to == nullptr) return fail_with(EFAULT);
  // Large bodies are shared, not copied (ZMQ_SHARED reports it); small ones are copied.
  if (from != to) *to = from->share();
  return 0;
}

extern "C" void* zmq_msg_data(zmq_msg_t* msg) {
  Msg* m = msg_of(msg);
  if (m == nullptr) return zlab::api::fail_null(EFAULT);
  // libzmq hands out the pointer even when the body is shared: writing to it is the caller's call.
  return const_cast<uint8_t*>(m->data());
}

extern "C" size_t zmq_msg_size(const zmq_msg_t* msg) {
  const Msg* m = msg_of(msg);
  if (m == nullptr) {
    fail_with(EFAULT);
    return 0;
  }
  return m->size();
}

extern "C" int zmq_msg_more(const zmq_msg_t* msg) {
  const Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  return m->more() ? 1 : 0;
}

extern "C" int zmq_msg_get(const zmq_msg_t* msg, int property) {
  const Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  switch (property) {
    case ZMQ_MORE:
      return m->more() ? 1 : 0;
    case ZMQ_SHARED:
      return m->shared() ? 1 : 0;
    case ZMQ_SRCFD: {
      // The fd of the connection the message came in on: its "__fd" property, there with a
      // Peer-Address (tcp, ipc), as in libzmq; -1 (EINVAL) for messages made here, inproc.
      const zlab::Metadata* meta = m->metadata();
      const std::string* fd = meta == nullptr ? nullptr : meta->find("__fd");
      if (fd == nullptr) return fail_with(EINVAL);
      return std::atoi(fd->c_str());
    }
    default:
      return fail_with(EINVAL);
  }
}

extern "C" int zmq_msg_set(zmq_msg_t* msg, int property, int optval) {
  (void)property;
  (void)optval;
  if (msg_of(msg) == nullptr) return fail_with(EFAULT);
  return fail_with(EINVAL);  // libzmq 4.3 has no settable message property
}

extern "C" const char* zmq_msg_gets(const zmq_msg_t* msg, const char* property) {
  const Msg* m = msg_of(msg);
  if (m == nullptr) return zlab::api::fail_null<const char>(EFAULT);
  if (property == nullptr) return zlab::api::fail_null<const char>(EINVAL);
  // The peer's READY properties ("Socket-Type", "Identity", any application metadata) and
  // "Peer-Address"; names are matched without regard to case, as ZMTP says.
  const zlab::Metadata* meta = m->metadata();
  const std::string* value = meta == nullptr ? nullptr : meta->find(property);
  if (value == nullptr) return zlab::api::fail_null<const char>(EINVAL);
  return value->c_str();
}
