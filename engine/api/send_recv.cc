// Sending and receiving: zmq_send, zmq_send_const, zmq_recv, zmq_msg_send, zmq_msg_recv, the
// older zmq_sendmsg/zmq_recvmsg, and zmq_sendiov/zmq_recviov.
//
// Blocking calls wait at most ZMQ_SNDTIMEO/ZMQ_RCVTIMEO (EAGAIN after), fail with ETERM once the
// context is shut down or terminated, and with EINTR when a signal arrives (blocking.h). On
// failure nothing is lost: the message stays with the caller.
#include <errno.h>
#include <sys/uio.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>

#include "engine/api/blocking.h"
#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/msg_slot.h"
#include "engine/api/zmq.h"

using zlab::Err;
using zlab::Msg;
using zlab::api::fail;
using zlab::api::fail_with;
using zlab::api::msg_of;
using zlab::api::socket_of;
using zlab::api::SocketHandle;

namespace {

constexpr int kFlagMask = ZMQ_DONTWAIT | ZMQ_SNDMORE;

int clamp_size(size_t size) { return size > size_t(INT_MAX) ? INT_MAX : int(size); }

// Sends `msg`; on success it is left empty and the sent size is returned.
int send_msg(SocketHandle& h, Msg& msg, int flags) {
  size_t size = msg.size();
  Err err = zlab::api::send_part(*h.socket, msg, flags & kFlagMask);
  if (err != Err::kOk) return fail(err);
  msg.reset();
  return clamp_size(size);
}

int send_copy(void* socket, const void* buf, size_t len, int flags, bool constant) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (buf == nullptr && len != 0) return fail_with(EFAULT);
  Msg msg;
  try {
    if (constant) {
      // zmq_send_const: the bytes are the caller's for ever; refer to them, copy nothing.
      msg = Msg::wrap(const_cast<void*>(buf), len, nullptr, nullptr);
    } else {
      msg = Msg::copy_of(std::span<const uint8_t>(static_cast<const uint8_t*>(buf), len));
    }
  } catch (const std::bad_alloc&) {
    return fail_with(ENOMEM);
  }
  return send_msg(*h, msg, flags);
}

}  // namespace

extern "C" int zmq_send(void* socket, const void* buf, size_t len, int flags) {
  return send_copy(socket, buf, len, flags, false);
}

extern "C" int zmq_send_const(void* socket, const void* buf, size_t len, int flags) {
  return send_copy(socket, buf, len, flags, true);
}

extern "C" int zmq_recv(void* socket, void* buf, size_t len, int flags) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (buf == nullptr && len != 0) return fail_with(EFAULT);
  Msg msg;
  Err err = zlab::api::recv_part(*h->socket, &msg, flags);
  if (err != Err::kOk) return fail(err);
  // As libzmq: copy what fits, report the full size (a larger result means truncated).
  if (len > 0 && msg.size() > 0) std::memcpy(buf, msg.data(), std::min(len, msg.size()));
  return clamp_size(msg.size());
}

extern "C" int zmq_msg_send(zmq_msg_t* msg, void* socket, int flags) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  return send_msg(*h, *m, flags);
}

extern "C" int zmq_msg_recv(zmq_msg_t* msg, void* socket, int flags) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  Msg* m = msg_of(msg);
  if (m == nullptr) return fail_with(EFAULT);
  Msg received;
  Err err = zlab::api::recv_part(*h->socket, &received, flags);
  if (err != Err::kOk) return fail(err);
  *m = std::move(received);  // releases what `msg` held before
  return clamp_size(m->size());
}

extern "C" int zmq_sendmsg(void* socket, zmq_msg_t* msg, int flags) {
  return zmq_msg_send(msg, socket, flags);
}

extern "C" int zmq_recvmsg(void* socket, zmq_msg_t* msg, int flags) {
  return zmq_msg_recv(msg, socket, flags);
}

extern "C" int zmq_sendiov(void* socket, struct iovec* iov, size_t count, int flags) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (iov == nullptr || count == 0) return fail_with(EINVAL);
  // Every part but the last carries ZMQ_SNDMORE; the last ends the message even when the caller
  // passed ZMQ_SNDMORE (libzmq clears it; test_iov passes it and then receives the message).
  // As libzmq, returns the last part's size.
  int rc = -1;
  for (size_t i = 0; i < count; ++i) {
    if (iov[i].iov_base == nullptr && iov[i].iov_len != 0) return fail_with(EFAULT);
    Msg part = Msg::copy_of(
        std::span<const uint8_t>(static_cast<const uint8_t*>(iov[i].iov_base), iov[i].iov_len));
    int part_flags = i + 1 < count ? (flags | ZMQ_SNDMORE) : (flags & ~ZMQ_SNDMORE);
    rc = send_msg(*h, part, part_flags);
    if (rc < 0) return -1;
  }
  return rc;
}

extern "C" int zmq_recviov(void* socket, struct iovec* iov, size_t* count, int flags) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (iov == nullptr || count == nullptr || *count == 0) return fail_with(EINVAL);
  // Up to *count parts of one message, each in a buffer from malloc() that the caller frees.
  // Returns the number of parts (also left in *count).
  size_t room = *count;
  *count = 0;
  bool more = true;
  while (more && *count < room) {
    Msg part;
    Err err = zlab::api::recv_part(*h->socket, &part, flags);
    if (err != Err::kOk) return fail(err);
    void* copy = std::malloc(part.size() > 0 ? part.size() : 1);
    if (copy == nullptr) return fail_with(ENOMEM);
    if (part.size() > 0) std::memcpy(copy, part.data(), part.size());
    iov[*count].iov_base = copy;
    iov[*count].iov_len = part.size();
    ++*count;
    more = part.more();
  }
  return clamp_size(*count);
}
