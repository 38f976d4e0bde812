// Thin, non-blocking socket syscalls for tcp and ipc: resolve, listen, accept, connect.
// Everything returns an fd or an Err; nothing here knows about ZMTP or sockets' cores.
#pragma once

#include <optional>
#include <string>

#include "engine/base/err.h"
#include "engine/base/ip_address.h"
#include "engine/sockets/accept_filter.h"
#include "engine/sockets/endpoint.h"
#include "engine/sockets/options.h"

namespace zlab::real {

struct Listening {
  int fd = -1;
  std::string resolved;  // what ZMQ_LAST_ENDPOINT reports, e.g. tcp://127.0.0.1:41234
  std::string ipc_path;  // ipc: the path to unlink on close
  std::string ipc_dir;   // ipc://*: the temporary folder made for it
};

// ZMQ_SNDBUF / ZMQ_RCVBUF: the kernel buffer sizes a socket asks for; -1 or 0 leaves the OS
// default (and its autotuning) alone. ZMQ_PRIORITY (draft): SO_PRIORITY, the queueing class of
// what a tcp connection sends (connects use it; accepts take it from accept_from); 0: default.
struct BufferSizes {
  int sndbuf = -1;
  int rcvbuf = -1;
  int priority = 0;
};

// Binds and listens (non-blocking, close-on-exec). `ipv6` as ZMQ_IPV6. Accepted connections
// inherit `buffers` from the listening socket (set before listen(), as the window scale is
// chosen at the handshake).
Err listen_on(const Endpoint& endpoint, bool ipv6, int backlog, BufferSizes buffers,
              Listening* out);
struct AcceptedPeer {
  std::string address;          // what Peer-Address reports: the IP over tcp, over ipc
                                // "localhost:UID:GID:PID" (libzmq's, from SO_PEERCRED)
  std::optional<IpAddress> ip;  // tcp: the peer's address, for ZMQ_TCP_ACCEPT_FILTER
};

// ZMQ_USE_FD: listens on `fd`, a socket the application made, bound and set listening, for a
// bind to `endpoint` (tcp: the address is not used, the fd's own is reported; ipc: the path is
// the application's, never unlinked). The fd is made non-blocking; it is closed with the
// listener, as libzmq closes it.
Err adopt_listener(int fd, const Endpoint& endpoint, Listening* out);
// Accepts one connection: fd >= 0, or -1 with *err kAgain when none is waiting.
// `priority`: ZMQ_PRIORITY, set on an accepted tcp connection (0: left alone).
int accept_from(int listen_fd, AcceptedPeer* peer, Err* err, int priority = 0);
// Whether a connection just accepted may stay: ZMQ_TCP_ACCEPT_FILTER over tcp,
// ZMQ_IPC_FILTER_* over ipc (SO_PEERCRED). A refused one is closed by the caller at once, and
// the socket never hears of it (no ACCEPTED event), as in libzmq.
bool peer_admitted(int fd, const AcceptedPeer& peer, const SocketOptions& options);
// SO_PEERCRED of a unix-domain connection.
bool peer_credentials(int fd, PeerCredentials* out);
// Whether the group `gid` lists the user `uid` among its members (the group database, as
// libzmq's ZMQ_IPC_FILTER_GID checks supplementary groups). False if either is unknown.
bool user_in_group(uint32_t uid, uint32_t gid);
// Starts a non-blocking connect; *in_progress when completion must be awaited (EPOLLOUT).
int connect_to(const Endpoint& endpoint, bool ipv6, BufferSizes buffers, bool* in_progress,
               Err* err);
// After EPOLLOUT on a connecting fd: kOk, or why it failed.
Err finish_connect(int fd);
std::string peer_address_of(int fd);
// "tcp://IP:PORT" for a tcp address resolved as connect resolves it (names are looked up, a
// wildcard host fails), or "" if it does not resolve. unbind/disconnect try this spelling when
// the given one names no endpoint, as libzmq does ("tcp://localhost:5555" finds 127.0.0.1:5555).
std::string resolved_tcp_endpoint(const std::string& address, bool ipv6);
void close_listening(const Listening& listening);
Err errno_to_err(int e);

}  // namespace zlab::real
