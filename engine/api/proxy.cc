// zmq_proxy, zmq_proxy_steerable and the older zmq_device.
//
// Moves whole messages between frontend and backend, in both directions, while the receiving
// side can take them; a capture socket gets a copy of every part. Waiting is poll(2) on the
// sockets' ZMQ_FDs, so an idle proxy uses no CPU. It runs until the context is terminated
// (returning -1 with ETERM) or, steerable, until the control socket says TERMINATE (returning 0).
//
// Control commands (one part each): PAUSE, RESUME, TERMINATE, STATISTICS. STATISTICS replies
// with libzmq's eight uint64_t parts (host byte order): frontend messages in, bytes in,
// messages out, bytes out, then the same four for the backend; a multipart message counts once.
// A REP control socket gets an empty reply to the other commands (libzmq 4.3.4 sends none, which
// leaves a REP control socket unable to take the next command); unknown commands are ignored
// (libzmq 4.3.4 aborts the process).
#include <errno.h>
#include <poll.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"
#include "engine/sockets/routing.h"

using zlab::Err;
using zlab::Msg;
using zlab::api::fail;
using zlab::api::fail_with;
using SocketPtr = std::shared_ptr<zlab::real::Socket>;

namespace {

// Messages moved in one direction before the other direction and the control socket get a turn.
constexpr int kBurst = 1000;

struct Stats {
  uint64_t msg_in = 0;
  uint64_t bytes_in = 0;
  uint64_t msg_out = 0;
  uint64_t bytes_out = 0;
};

enum class State { kActive, kPaused, kTerminated };

// Resolves an optional handle: nullptr stays nullptr, anything else must be an open socket.
bool optional_socket(void* p, SocketPtr* out) {
  if (p == nullptr) return true;
  zlab::api::SocketHandle* h = zlab::api::socket_of(p);
  if (h == nullptr) return false;
  *out = h->socket;
  return true;
}

// ZMQ_EVENTS, which also re-arms the socket's ZMQ_FD before the proxy waits on it.
Err read_events(zlab::real::Socket& socket, int* events) {
  size_t size = sizeof *events;
  return socket.get_option(zlab::opt::kEvents, reinterpret_cast<uint8_t*>(events), &size);
}

// One whole message from `from` to `to` (and `capture`). kAgain: nothing was waiting.
Err forward(zlab::real::Socket& from, Stats& from_stats, zlab::real::Socket& to, Stats& to_stats,
            zlab::real::Socket* capture) {
  uint64_t bytes = 0;
  for (bool first = true;; first = false) {
    Msg part;
    Err err = from.recv(&part, zlab::real::kDontWait);
    if (err != Err::kOk) return err == Err::kAgain && !first ? Err::kFsm : err;
    bool more = part.more();
    int flags = more ? zlab::real::kSendMoreFlag : 0;
    bytes += part.size();
    if (capture != nullptr) {
      Msg copy = part.share();
      err = capture->send(copy, flags);
      if (err != Err::kOk) return err;
    }
    err = to.send(part, flags);
    if (err != Err::kOk) return err;
    if (!more) break;
  }
  ++from_stats.msg_in;
  from_stats.bytes_in += bytes;
  ++to_stats.msg_out;
  to_stats.bytes_out += bytes;
  return Err::kOk;
}

// Up to kBurst messages while `from` has them and `to` takes them. One socket as both ends
// (a REP answering each request with itself) is not asked for POLLOUT first: a REP has none
// until it has read the request, so, as libzmq, the proxy only checks it has input.
Err forward_burst(zlab::real::Socket& from, Stats& from_stats, zlab::real::Socket& to,
                  Stats& to_stats, zlab::real::Socket* capture, bool* progress) {
  for (int n = 0; n < kBurst; ++n) {
    if (&from != &to && !(to.events() & ZMQ_POLLOUT)) return Err::kOk;
    Err err = forward(from, from_stats, to, to_stats, capture);
    if (err == Err::kAgain) return Err::kOk;
    if (err != Err::kOk) return err;
    *progress = true;
  }
  return Err::kOk;
}

Err send_part(zlab::real::Socket& socket, const void* data, size_t size, bool more) {
  Msg part = Msg::copy_of(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size));
  return socket.send(part, more ? zlab::real::kSendMoreFlag : 0);
}

Err reply_stats(zlab::real::Socket& control, const Stats& frontend, const Stats& backend) {
  const uint64_t values[8] = {frontend.msg_in,    frontend.bytes_in, frontend.msg_out,
                              frontend.bytes_out, backend.msg_in,    backend.bytes_in,
                              backend.msg_out,    backend.bytes_out};
  for (int i = 0; i < 8; ++i) {
    Err err = send_part(control, &values[i], sizeof values[i], i < 7);
    if (err != Err::kOk) return err;
  }
  return Err::kOk;
}

// Takes one command from the control socket and acts on it.
Err handle_command(zlab::real::Socket& control, State* state, const Stats& frontend,
                   const Stats& backend) {
  Msg command;
  Err err = control.recv(&command, zlab::real::kDontWait);
  if (err != Err::kOk) return err == Err::kAgain ? Err::kOk : err;
  for (bool more = command.more(); more;) {  // a command is one part: drop any others
    Msg rest;
    if (control.recv(&rest, zlab::real::kDontWait) != Err::kOk) break;
    more = rest.more();
  }
  std::string_view text = command.view();
  if (text == "STATISTICS") return reply_stats(control, frontend, backend);
  if (text == "PAUSE") {
    *state = State::kPaused;
  } else if (text == "RESUME") {
    *state = State::kActive;
  } else if (text == "TERMINATE") {
    *state = State::kTerminated;
  }
  if (zlab::socket_traits(control.type()).answers_each_request) {  // a REP control socket
    return send_part(control, nullptr, 0, false);
  }
  return Err::kOk;
}

int run_proxy(void* frontend_handle, void* backend_handle, void* capture_handle,
              void* control_handle) {
  if (frontend_handle == nullptr || backend_handle == nullptr) return fail_with(EFAULT);
  SocketPtr frontend, backend, capture, control;
  if (!optional_socket(frontend_handle, &frontend) || !optional_socket(backend_handle, &backend) ||
      !optional_socket(capture_handle, &capture) || !optional_socket(control_handle, &control)) {
    return -1;  // ENOTSOCK
  }
  const bool same = frontend == backend;
  Stats frontend_stats, backend_stats;
  State state = State::kActive;
  for (;;) {
    int frontend_events = 0, backend_events = 0, control_events = 0;
    Err err = read_events(*frontend, &frontend_events);
    if (err == Err::kOk && !same) err = read_events(*backend, &backend_events);
    if (err == Err::kOk && control) err = read_events(*control, &control_events);
    if (err != Err::kOk) return fail(err);

    bool progress = false;
    if (control && (control_events & ZMQ_POLLIN)) {
      err = handle_command(*control, &state, frontend_stats, backend_stats);
      if (err != Err::kOk) return fail(err);
      if (state == State::kTerminated) return 0;
      progress = true;
    }
    if (state == State::kActive) {
      err = forward_burst(*frontend, frontend_stats, *backend, backend_stats, capture.get(),
                          &progress);
      if (err == Err::kOk && !same) {
        err = forward_burst(*backend, backend_stats, *frontend, frontend_stats, capture.get(),
                            &progress);
      }
      if (err != Err::kOk) return fail(err);
    }
    if (progress) continue;

    pollfd fds[3];
    nfds_t n = 0;
    if (state == State::kActive) {
      fds[n++] = {frontend->signal_fd(), POLLIN, 0};
      if (!same) fds[n++] = {backend->signal_fd(), POLLIN, 0};
    }
    if (control) fds[n++] = {control->signal_fd(), POLLIN, 0};
    // As libzmq's, the proxy returns on a signal (EINTR); callers such as pyzmq call it again.
    if (::poll(fds, n, -1) < 0) return fail_with(errno);
  }
}

}  // namespace

extern "C" int zmq_proxy(void* frontend, void* backend, void* capture) {
  return run_proxy(frontend, backend, capture, nullptr);
}

extern "C" int zmq_proxy_steerable(void* frontend, void* backend, void* capture, void* control) {
  return run_proxy(frontend, backend, capture, control);
}

extern "C" int zmq_device(int type, void* frontend, void* backend) {
  (void)type;  // ZMQ_QUEUE, ZMQ_FORWARDER and ZMQ_STREAMER all mean "proxy"
  return run_proxy(frontend, backend, nullptr, nullptr);
}
