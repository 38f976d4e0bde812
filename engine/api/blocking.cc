#include "engine/api/blocking.h"

#include <errno.h>
#include <poll.h>

#include <chrono>
#include <climits>

#include "engine/api/zmq.h"
#include "engine/sockets/options.h"
#include "engine/sockets/routing.h"

namespace zlab::api {
namespace {

using Clock = std::chrono::steady_clock;

int int_option(real::Socket& socket, int id) {
  int value = -1;
  size_t size = sizeof value;
  socket.get_option(id, reinterpret_cast<uint8_t*>(&value), &size);
  return value;
}

// Tries `attempt` (which must not wait) until it stops saying kAgain, waiting for `ready`
// (ZMQ_POLLIN or ZMQ_POLLOUT) in between, for at most the socket's `timeout_option`.
template <typename Attempt>
Err retry_until_ready(real::Socket& socket, int flags, int timeout_option, int ready,
                      Attempt attempt) {
  Err err = attempt();
  if (err != Err::kAgain || (flags & ZMQ_DONTWAIT)) return err;
  const int timeout_ms = int_option(socket, timeout_option);
  if (timeout_ms == 0) return Err::kAgain;
  const Clock::time_point end = timeout_ms < 0
                                    ? Clock::time_point::max()
                                    : Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool ready_but_refused = false;
  for (;;) {
    // Re-arm ZMQ_FD: from here on, any new readiness signals it.
    int events = 0;
    size_t size = sizeof events;
    err = socket.get_option(opt::kEvents, reinterpret_cast<uint8_t*>(&events), &size);
    if (err != Err::kOk) return err;  // ETERM
    int wait_ms = -1;
    if (end != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(end - Clock::now());
      if (left.count() <= 0) return Err::kAgain;
      wait_ms = int(std::min<int64_t>((left.count() + 999) / 1000, INT_MAX));
    }
    if (events & ready) {
      // It became ready since the attempt: try again at once. Should the socket say "ready"
      // yet refuse again, poll briefly rather than spin.
      if (ready_but_refused && (wait_ms < 0 || wait_ms > 1)) wait_ms = 1;
      ready_but_refused = true;
    } else {
      ready_but_refused = false;
    }
    if (!(events & ready) || wait_ms == 1) {
      pollfd fd = {socket.signal_fd(), POLLIN, 0};
      if (::poll(&fd, 1, wait_ms) < 0 && errno == EINTR) return Err::kInterrupted;
    }
    err = attempt();
    if (err != Err::kAgain) return err;
  }
}

// A thread-safe socket is waited on by several threads at once: they wait on the engine's
// condition variable (every waiter woken by each change), not on the one edge-triggered
// ZMQ_FD whose wake-up one thread would take from another. As in libzmq, a signal does not
// interrupt them (libzmq's thread-safe sockets wait on a condition variable too).
bool waits_in_engine(const real::Socket& socket) {
  return socket_traits(socket.type()).thread_safe;
}

}  // namespace

Err send_part(real::Socket& socket, Msg& part, int flags) {
  const int more = flags & ZMQ_SNDMORE;
  if (waits_in_engine(socket)) return socket.send(part, (flags & ZMQ_DONTWAIT) | more);
  return retry_until_ready(socket, flags, ZMQ_SNDTIMEO, ZMQ_POLLOUT,
                           [&] { return socket.send(part, real::kDontWait | more); });
}

Err recv_part(real::Socket& socket, Msg* part, int flags) {
  if (waits_in_engine(socket)) return socket.recv(part, flags & ZMQ_DONTWAIT);
  return retry_until_ready(socket, flags, ZMQ_RCVTIMEO, ZMQ_POLLIN,
                           [&] { return socket.recv(part, real::kDontWait); });
}

}  // namespace zlab::api
