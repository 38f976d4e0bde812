// The draft monitor calls (draft build only): zmq_socket_monitor_versioned, which picks the
// monitor socket's type and the event format (monitor.h), and zmq_socket_monitor_pipes_stats,
// which reports each peer's queues as ZMQ_EVENT_PIPES_STATS events.
#include <errno.h>

#include <cstdint>
#include <optional>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/monitor.h"
#include "engine/api/zmq.h"

using zlab::api::fail_with;

static_assert(zlab::api::kEventPipesStats == ZMQ_EVENT_PIPES_STATS);

namespace {

// The monitor socket's types libzmq 4.3.4 takes: one-way types that send multipart messages
// (as zmq.h numbers them; the socket table gives the engine's type).
bool monitor_type_of(int type, zlab::SocketType* out) {
  if (type != ZMQ_PAIR && type != ZMQ_PUB && type != ZMQ_PUSH) return false;
  std::optional<zlab::SocketType> known = zlab::socket_type_from_zmq(type);
  if (!known) return false;
  *out = *known;
  return true;
}

}  // namespace

// As libzmq: format 1 reports the first 16 event bits only (EINVAL for a mask beyond them);
// format 2 any. A type other than PAIR, PUB, PUSH is EINVAL. A format other than 1 and 2 is
// EINVAL too (libzmq takes it and then never sends an event).
extern "C" int zmq_socket_monitor_versioned(void* s, const char* addr, uint64_t events,
                                            int event_version, int type) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(s);
  if (h == nullptr) return -1;
  if (event_version != 1 && event_version != 2) return fail_with(EINVAL);
  if (event_version == 1 && (events >> 16) != 0) return fail_with(EINVAL);
  zlab::SocketType monitor_type{};
  if (addr != nullptr && !monitor_type_of(type, &monitor_type)) return fail_with(EINVAL);
  return zlab::api::start_monitor(*h, addr, events, event_version, monitor_type);
}

// One ZMQ_EVENT_PIPES_STATS event per peer: [messages queued to it, messages from it not yet
// read]. EINVAL unless the socket's monitor asks for those events, EAGAIN when it has no peer.
extern "C" int zmq_socket_monitor_pipes_stats(void* s) {
  zlab::api::SocketHandle* h = zlab::api::socket_of(s);
  if (h == nullptr) return -1;
  std::shared_ptr<zlab::api::Monitor> monitor = h->monitor;
  if (!monitor || !monitor->wants(ZMQ_EVENT_PIPES_STATS)) return fail_with(EINVAL);
  std::vector<zlab::PipeStats> stats = h->socket->pipe_stats();
  if (stats.empty()) return fail_with(EAGAIN);
  for (const zlab::PipeStats& peer : stats) {
    monitor->post_pipe_stats(peer.stream, peer.endpoint, peer.outbound, peer.inbound);
  }
  return 0;
}
