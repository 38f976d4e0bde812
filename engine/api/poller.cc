// The draft poller: zmq_poller_new/destroy/size/add/modify/remove/add_fd/modify_fd/remove_fd/
// wait/wait_all/fd, as libzmq 4.3.4's (socket_poller.cpp), over poll(2).
//
// A classic socket is watched through its ZMQ_FD and a thread-safe one through the poller's own
// eventfd (socket_signal.h), which is also what zmq_poller_fd gives (as libzmq, only once a
// thread-safe socket was added: EINVAL before). Readiness is read from ZMQ_EVENTS. Errors as
// libzmq's: EFAULT for a bad poller or a NULL event array, ENOTSOCK for a bad socket, EBADF for
// fd -1, EINVAL for events outside POLLIN|POLLOUT|POLLERR|POLLPRI, an item added twice or one
// not there, a negative count; a wait that finds nothing fails with EAGAIN, and one that could
// never return (no item wants any event, timeout -1) with EFAULT. A socket closed while still in
// the poller makes the wait fail with ENOTSOCK. A poller is used by one thread at a time.
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <new>
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

constexpr uint64_t kPollerTag = 0x7a6c61622d706f6c;  // "zlab-pol"
constexpr short kKnownEvents = ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI;

struct Item {
  void* socket = nullptr;  // the application's handle; nullptr for an fd
  std::shared_ptr<zlab::real::Socket> engine;
  bool thread_safe = false;
  zmq_fd_t fd = -1;
  void* user_data = nullptr;
  short events = 0;
};

struct Poller {
  uint64_t tag = kPollerTag;
  std::vector<Item> items;
  // Made when the first thread-safe socket is added, kept until the poller goes (libzmq's).
  std::unique_ptr<zlab::api::SocketSignal> signal;

  ~Poller() { tag = 0; }
};

Poller* poller_of(void* p) {
  auto* poller = static_cast<Poller*>(p);
  if (poller == nullptr || poller->tag != kPollerTag) return zlab::api::fail_null<Poller>(EFAULT);
  return poller;
}

bool events_known(short events) { return (events & ~kKnownEvents) == 0; }

std::vector<Item>::iterator find_socket(Poller& p, void* socket) {
  return std::find_if(p.items.begin(), p.items.end(),
                      [&](const Item& item) { return item.socket == socket; });
}

std::vector<Item>::iterator find_fd(Poller& p, zmq_fd_t fd) {
  return std::find_if(p.items.begin(), p.items.end(),
                      [&](const Item& item) { return item.socket == nullptr && item.fd == fd; });
}

// The poller and socket of an add/modify/remove call, or nullptr (errno EFAULT / ENOTSOCK).
Poller* poller_and_socket(void* poller, void* socket, zlab::api::SocketHandle** h) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return nullptr;
  *h = zlab::api::socket_of(socket);
  return *h == nullptr ? nullptr : p;
}

short poll_events(short zmq_events) {
  short out = 0;
  if (zmq_events & ZMQ_POLLIN) out |= POLLIN;
  if (zmq_events & ZMQ_POLLOUT) out |= POLLOUT;
  if (zmq_events & ZMQ_POLLPRI) out |= POLLPRI;
  return out;
}

short zmq_events_of(short revents) {
  short out = 0;
  if (revents & POLLIN) out |= ZMQ_POLLIN;
  if (revents & POLLOUT) out |= ZMQ_POLLOUT;
  if (revents & POLLPRI) out |= ZMQ_POLLPRI;
  if (revents & ~(POLLIN | POLLOUT | POLLPRI)) out |= ZMQ_POLLERR;  // POLLERR, POLLHUP, POLLNVAL
  return out;
}

// What one wait watches: one pollfd per item that wants events (thread-safe sockets share the
// poller's eventfd, listed once, first). fd_index[i] is item i's pollfd, -1 when none.
struct PollSet {
  std::vector<pollfd> fds;
  std::vector<int> fd_index;
  bool uses_signal = false;
};

PollSet build_poll_set(const Poller& p) {
  PollSet set;
  set.fd_index.assign(p.items.size(), -1);
  for (const Item& item : p.items) {
    if (item.events != 0 && item.thread_safe) set.uses_signal = true;
  }
  if (set.uses_signal) set.fds.push_back({p.signal->fd(), POLLIN, 0});
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Item& item = p.items[i];
    if (item.events == 0 || item.thread_safe) continue;
    set.fd_index[i] = int(set.fds.size());
    if (item.socket != nullptr) {
      set.fds.push_back({item.engine->signal_fd(), POLLIN, 0});
    } else {
      set.fds.push_back({item.fd, poll_events(item.events), 0});
    }
  }
  return set;
}

// Fills `events` with up to `n` ready items; the count, or -1 with errno (ENOTSOCK for a socket
// closed meanwhile, ETERM once its context is terminated).
int collect_events(const Poller& p, const PollSet& set, zmq_poller_event_t* events, int n) {
  int found = 0;
  for (size_t i = 0; i < p.items.size() && found < n; ++i) {
    const Item& item = p.items[i];
    short ready = 0;
    if (item.socket != nullptr) {
      if (zlab::api::socket_of(item.socket) == nullptr) return -1;  // ENOTSOCK
      int socket_events = 0;
      size_t size = sizeof socket_events;
      Err err = item.engine->get_option(zlab::opt::kEvents,
                                        reinterpret_cast<uint8_t*>(&socket_events), &size);
      if (err != Err::kOk) return fail(err);
      ready = short(item.events & socket_events);
    } else if (set.fd_index[i] >= 0) {
      ready = zmq_events_of(set.fds[size_t(set.fd_index[i])].revents);
    }
    if (ready == 0) continue;
    events[found] = {item.socket, item.socket != nullptr ? -1 : item.fd, item.user_data, ready};
    ++found;
  }
  for (int i = found; i < n; ++i) events[i] = {nullptr, -1, nullptr, 0};
  return found;
}

// Milliseconds left until `end`, rounded up so poll(2) never wakes before it.
int ms_until(Clock::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(end - Clock::now()).count();
  if (left <= 0) return 0;
  return int(std::min<int64_t>((left + 999) / 1000, INT_MAX));
}

int wait_all(Poller& p, zmq_poller_event_t* events, int n, long timeout_ms) {
  if (p.items.empty() && timeout_ms < 0) return fail_with(EFAULT);  // could never return
  PollSet set = build_poll_set(p);
  if (set.fds.empty()) {
    // Nothing wants an event: fail at once for -1 (it could never return), else after the
    // timeout as if nothing happened (libzmq's).
    if (timeout_ms < 0) return fail_with(EFAULT);
    if (timeout_ms > 0) ::usleep(useconds_t(std::min<long>(timeout_ms, INT_MAX / 1000) * 1000));
    return fail_with(EAGAIN);
  }
  constexpr long kForeverMs = 1'000'000'000'000;  // beyond ~30 years: as good as infinite
  if (timeout_ms > kForeverMs) timeout_ms = -1;
  const Clock::time_point end =
      timeout_ms > 0 ? Clock::now() + std::chrono::milliseconds(timeout_ms) : Clock::time_point{};
  for (bool first_pass = true;; first_pass = false) {
    // First look without waiting: a socket may be ready with its fd quiet (edge-triggered).
    int wait_ms = first_pass ? 0 : (timeout_ms < 0 ? -1 : ms_until(end));
    if (::poll(set.fds.data(), nfds_t(set.fds.size()), wait_ms) < 0) return fail_with(errno);
    if (set.uses_signal) p.signal->drain();  // before ZMQ_EVENTS: later changes write it again
    int found = collect_events(p, set, events, n);
    if (found != 0) return found;  // events, or -1 with errno
    if (timeout_ms == 0 || (timeout_ms > 0 && Clock::now() >= end)) return fail_with(EAGAIN);
  }
}

}  // namespace

extern "C" void* zmq_poller_new(void) {
  auto* poller = new (std::nothrow) Poller();
  if (poller == nullptr) return zlab::api::fail_null(ENOMEM);
  return poller;
}

extern "C" int zmq_poller_destroy(void** poller_p) {
  if (poller_p == nullptr) return fail_with(EFAULT);
  Poller* p = poller_of(*poller_p);
  if (p == nullptr) return -1;
  delete p;  // stops watching its thread-safe sockets
  *poller_p = nullptr;
  return 0;
}

extern "C" int zmq_poller_size(void* poller) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  return int(p->items.size());
}

extern "C" int zmq_poller_add(void* poller, void* socket, void* user_data, short events) {
  zlab::api::SocketHandle* h = nullptr;
  Poller* p = poller_and_socket(poller, socket, &h);
  if (p == nullptr) return -1;
  if (!events_known(events)) return fail_with(EINVAL);
  if (find_socket(*p, socket) != p->items.end()) return fail_with(EINVAL);
  Item item{socket, h->socket, zlab::socket_traits(h->socket->type()).thread_safe,
            -1,     user_data, events};
  if (item.thread_safe) {
    if (!p->signal) {
      auto signal = std::make_unique<zlab::api::SocketSignal>();
      if (!signal->valid()) return fail_with(EMFILE);
      p->signal = std::move(signal);
    }
    p->signal->watch(item.engine);
  }
  p->items.push_back(std::move(item));
  return 0;
}

extern "C" int zmq_poller_modify(void* poller, void* socket, short events) {
  zlab::api::SocketHandle* h = nullptr;
  Poller* p = poller_and_socket(poller, socket, &h);
  if (p == nullptr) return -1;
  if (!events_known(events)) return fail_with(EINVAL);
  auto it = find_socket(*p, socket);
  if (it == p->items.end()) return fail_with(EINVAL);
  it->events = events;
  return 0;
}

extern "C" int zmq_poller_remove(void* poller, void* socket) {
  zlab::api::SocketHandle* h = nullptr;
  Poller* p = poller_and_socket(poller, socket, &h);
  if (p == nullptr) return -1;
  auto it = find_socket(*p, socket);
  if (it == p->items.end()) return fail_with(EINVAL);
  if (it->thread_safe) p->signal->unwatch(*it->engine);
  p->items.erase(it);
  return 0;
}

extern "C" int zmq_poller_add_fd(void* poller, zmq_fd_t fd, void* user_data, short events) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  if (fd == -1) return fail_with(EBADF);
  if (!events_known(events)) return fail_with(EINVAL);
  if (find_fd(*p, fd) != p->items.end()) return fail_with(EINVAL);
  p->items.push_back(Item{nullptr, nullptr, false, fd, user_data, events});
  return 0;
}

extern "C" int zmq_poller_modify_fd(void* poller, zmq_fd_t fd, short events) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  if (fd == -1) return fail_with(EBADF);
  if (!events_known(events)) return fail_with(EINVAL);
  auto it = find_fd(*p, fd);
  if (it == p->items.end()) return fail_with(EINVAL);
  it->events = events;
  return 0;
}

extern "C" int zmq_poller_remove_fd(void* poller, zmq_fd_t fd) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  if (fd == -1) return fail_with(EBADF);
  auto it = find_fd(*p, fd);
  if (it == p->items.end()) return fail_with(EINVAL);
  p->items.erase(it);
  return 0;
}

extern "C" int zmq_poller_wait_all(void* poller, zmq_poller_event_t* events, int n_events,
                                   long timeout) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  if (events == nullptr) return fail_with(EFAULT);
  if (n_events < 0) return fail_with(EINVAL);
  return wait_all(*p, events, n_events, timeout);
}

extern "C" int zmq_poller_wait(void* poller, zmq_poller_event_t* event, long timeout) {
  int rc = zmq_poller_wait_all(poller, event, 1, timeout);
  if (rc < 0 && event != nullptr) *event = {nullptr, -1, nullptr, 0};
  return rc < 0 ? -1 : 0;
}

extern "C" int zmq_poller_fd(void* poller, zmq_fd_t* fd) {
  Poller* p = poller_of(poller);
  if (p == nullptr) return -1;
  if (fd == nullptr) return fail_with(EFAULT);
  if (!p->signal) return fail_with(EINVAL);  // libzmq: only once a thread-safe socket was added
  *fd = p->signal->fd();
  return 0;
}
