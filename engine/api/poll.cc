// zmq_poll over zmq sockets and plain file descriptors, with poll(2).
//
// A socket is watched through its ZMQ_FD (signalled whenever its ZMQ_EVENTS may have gained a
// bit) and its readiness read from ZMQ_EVENTS, which also re-arms the FD, as libzmq does. The
// timeout is honoured to the millisecond: the call never returns 0 early, -1 waits for ever, 0
// only looks. A terminated context makes it fail with ETERM; a signal with EINTR. A thread-safe
// socket (draft build) has no ZMQ_FD: this call watches it through an eventfd of its own
// (socket_signal.h), so several threads may poll one such socket, as libzmq 4.3 allows.
#include <errno.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <vector>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/socket_signal.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"
#include "engine/sockets/routing.h"

using zlab::Err;
using zlab::api::fail;
using zlab::api::fail_with;

namespace {

using Clock = std::chrono::steady_clock;

short zmq_to_poll(short events) {
  short out = 0;
  if (events & ZMQ_POLLIN) out |= POLLIN;
  if (events & ZMQ_POLLOUT) out |= POLLOUT;
  if (events & ZMQ_POLLPRI) out |= POLLPRI;
  return out;
}

short poll_to_zmq(short revents, short wanted) {
  short out = 0;
  if ((revents & POLLIN) && (wanted & ZMQ_POLLIN)) out |= ZMQ_POLLIN;
  if ((revents & POLLOUT) && (wanted & ZMQ_POLLOUT)) out |= ZMQ_POLLOUT;
  if ((revents & POLLPRI) && (wanted & ZMQ_POLLPRI)) out |= ZMQ_POLLPRI;
  if (revents & ~(POLLIN | POLLOUT | POLLPRI)) out |= ZMQ_POLLERR;  // POLLERR, POLLHUP, POLLNVAL
  return out;
}

// Milliseconds left until `end`, rounded up so poll(2) never wakes before it.
int ms_until(Clock::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(end - Clock::now()).count();
  if (left <= 0) return 0;
  return int((left + 999) / 1000);
}

}  // namespace

extern "C" int zmq_poll(zmq_pollitem_t* items, int nitems, long timeout) {
  if (nitems < 0) return fail_with(EINVAL);
  if (nitems == 0) {
    // Nothing to watch: sleep for the timeout, as libzmq does (-1: until a signal, EINTR).
    if (timeout == 0) return 0;
    int rc = ::poll(nullptr, 0, timeout < 0 ? -1 : int(std::min<long>(timeout, INT32_MAX)));
    return rc < 0 ? fail_with(errno) : 0;
  }
  if (items == nullptr) return fail_with(EFAULT);

  std::vector<std::shared_ptr<zlab::real::Socket>> sockets(static_cast<size_t>(nitems));
  std::vector<pollfd> fds(static_cast<size_t>(nitems));
  std::unique_ptr<zlab::api::SocketSignal> signal;  // made for the first thread-safe socket
  for (int i = 0; i < nitems; ++i) {
    if (items[i].socket != nullptr) {
      zlab::api::SocketHandle* h = zlab::api::socket_of(items[i].socket);
      if (h == nullptr) return -1;  // ENOTSOCK
      sockets[i] = h->socket;
      if (zlab::socket_traits(sockets[i]->type()).thread_safe) {
        if (!signal) signal = std::make_unique<zlab::api::SocketSignal>();
        if (!signal->valid()) return fail_with(EMFILE);
        signal->watch(sockets[i]);
        fds[i] = {signal->fd(), POLLIN, 0};
      } else {
        fds[i] = {sockets[i]->signal_fd(), POLLIN, 0};
      }
    } else {
      fds[i] = {items[i].fd, zmq_to_poll(items[i].events), 0};
    }
  }

  // Beyond about 30 years a timeout is as good as infinite (and would overflow the clock).
  constexpr long kForeverMs = 1'000'000'000'000;
  if (timeout > kForeverMs) timeout = -1;
  Clock::time_point end = Clock::time_point::max();
  if (timeout > 0) end = Clock::now() + std::chrono::milliseconds(timeout);
  bool first_pass = true;
  for (;;) {
    // First look without waiting: a socket may be ready with its FD quiet (edge-triggered).
    int wait_ms = first_pass ? 0 : (timeout < 0 ? -1 : ms_until(end));
    int rc = ::poll(fds.data(), nfds_t(nitems), wait_ms);
    if (rc < 0) {
      if (errno == EINTR) return fail_with(EINTR);
      return fail_with(errno);
    }
    if (signal) signal->drain();  // before ZMQ_EVENTS: a change after this writes it again
    int ready = 0;
    for (int i = 0; i < nitems; ++i) {
      zmq_pollitem_t& item = items[i];
      item.revents = 0;
      if (sockets[i]) {
        int events = 0;
        size_t size = sizeof events;
        Err err =
            sockets[i]->get_option(zlab::opt::kEvents, reinterpret_cast<uint8_t*>(&events), &size);
        if (err != Err::kOk) return fail(err);  // ETERM once the context is terminated
        if ((item.events & ZMQ_POLLIN) && (events & ZMQ_POLLIN)) item.revents |= ZMQ_POLLIN;
        if ((item.events & ZMQ_POLLOUT) && (events & ZMQ_POLLOUT)) item.revents |= ZMQ_POLLOUT;
      } else {
        item.revents = poll_to_zmq(fds[i].revents, item.events);
      }
      if (item.revents != 0) ++ready;
    }
    if (ready > 0 || timeout == 0) return ready;
    first_pass = false;
    if (timeout > 0 && Clock::now() >= end) return 0;
  }
}
