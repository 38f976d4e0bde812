#include "engine/real/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace zlab::real {
namespace {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_UNSPEC;
};

void set_socket_options(int fd, int family) {
  int one = 1;
  if (family == AF_INET || family == AF_INET6) {
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

// ZMQ_PRIORITY on a tcp connection (libzmq sets it on tcp connects and accepts only).
void set_priority(int fd, int family, int priority) {
  if (priority > 0 && (family == AF_INET || family == AF_INET6)) {
    setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &priority, sizeof priority);
  }
}

void set_buffer_sizes(int fd, BufferSizes buffers) {
  if (buffers.sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffers.sndbuf, sizeof(int));
  if (buffers.rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffers.rcvbuf, sizeof(int));
}

// "host:port" (host may be *, an IPv4 address, [IPv6], or a name); port may be * or 0.
Err resolve_tcp(const std::string& address, bool ipv6, bool passive, SockAddr* out) {
  std::string addr = address;
  if (size_t semi = addr.find(';'); semi != std::string::npos) addr = addr.substr(semi + 1);
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return Err::kInvalid;
  std::string host = addr.substr(0, colon);
  std::string port = addr.substr(colon + 1);
  if (port == "*") port = "0";
  char* end = nullptr;
  long port_num = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != 0 || port_num < 0 || port_num > 65535) return Err::kInvalid;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "*") {
    if (!passive) return Err::kInvalid;
    if (ipv6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
      a6->sin6_family = AF_INET6;
      a6->sin6_addr = in6addr_any;
      a6->sin6_port = htons(uint16_t(port_num));
      out->len = sizeof(sockaddr_in6);
      out->family = AF_INET6;
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&out->storage);
      a4->sin_family = AF_INET;
      a4->sin_addr.s_addr = htonl(INADDR_ANY);
      a4->sin_port = htons(uint16_t(port_num));
      out->len = sizeof(sockaddr_in);
      out->family = AF_INET;
    }
    return Err::kOk;
  }
  addrinfo hints{};
  hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return passive ? Err::kNoDevice : Err::kInvalid;
  }
  std::memcpy(&out->storage, res->ai_addr, res->ai_addrlen);
  out->len = socklen_t(res->ai_addrlen);
  out->family = res->ai_family;
  freeaddrinfo(res);
  return Err::kOk;
}

Err resolve_ipc(const std::string& path, SockAddr* out) {
  auto* un = reinterpret_cast<sockaddr_un*>(&out->storage);
  if (path.size() >= sizeof(un->sun_path)) return Err::kNameTooLong;
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path.data(), path.size());
  // An abstract socket ("@name") has a leading NUL and no terminating one.
  if (!path.empty() && path[0] == '@') un->sun_path[0] = 0;
  out->len = socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  out->family = AF_UNIX;
  return Err::kOk;
}

std::string format_address(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(a4->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a6->sin6_port));
  }
  return "";
}

// The peer's IP address alone ("127.0.0.1", "::1"): what libzmq reports as a message's
// Peer-Address property (zmq_msg_gets), without the port.
std::string format_peer_ip(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

// tcp: the whole address; ws: the address without its path.
std::string host_port_of(const Endpoint& endpoint) {
  if (endpoint.transport != Transport::kWs) return endpoint.address;
  return split_ws_address(endpoint.address).host_port;
}

std::optional<IpAddress> ip_of(const sockaddr_storage& ss) {
  IpAddress ip;
  if (ss.ss_family == AF_INET) {
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, 4);
    return ip;
  }
  if (ss.ss_family == AF_INET6) {
    ip.v6 = true;
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

// getpwuid_r / getgrgid_r want a buffer; grow it while they say ERANGE.
template <typename Entry, typename Lookup>
bool lookup_entry(Lookup lookup, Entry* entry, std::vector<char>* buf) {
  buf->resize(1024);
  for (;;) {
    Entry* found = nullptr;
    int rc = lookup(entry, buf->data(), buf->size(), &found);
    if (rc == ERANGE && buf->size() < (1u << 20)) {
      buf->resize(buf->size() * 2);
      continue;
    }
    return rc == 0 && found != nullptr;
  }
}

}  // namespace

Err errno_to_err(int e) {
  switch (e) {
    case EAGAIN:
      return Err::kAgain;
    case EADDRINUSE:
      return Err::kAddrInUse;
    case EADDRNOTAVAIL:
      return Err::kAddrNotAvailable;
    case ECONNREFUSED:
      return Err::kConnRefused;
    case ECONNRESET:
    case EPIPE:
      return Err::kConnReset;
    case ETIMEDOUT:
      return Err::kTimedOut;
    case ENOENT:
      return Err::kNoEntry;
    case ENOMEM:
      return Err::kNoMemory;
    case ENOBUFS:
      return Err::kNoBufferSpace;
    case ENODEV:
      return Err::kNoDevice;
    case EACCES:
      return Err::kAccessDenied;
    case ENAMETOOLONG:
      return Err::kNameTooLong;
    case EMFILE:
    case ENFILE:
      return Err::kTooManyFiles;
    default:
      return Err::kInvalid;
  }
}

Err listen_on(const Endpoint& endpoint, bool ipv6, int backlog, BufferSizes buffers,
              Listening* out) {
  SockAddr sa;
  std::string path;
  if (endpoint.transport == Transport::kTcp || endpoint.transport == Transport::kWs) {
    Err err = resolve_tcp(host_port_of(endpoint), ipv6, true, &sa);
    if (err != Err::kOk) return err;
  } else {
    path = endpoint.address;
    if (path == "*") {
      char tmpl[] = "/tmp/zlab-ipc-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) return errno_to_err(errno);
      out->ipc_dir = tmpl;
      path = out->ipc_dir + "/socket";
    }
    Err err = resolve_ipc(path, &sa);
    if (err != Err::kOk) return err;
    if (path[0] != '@') ::unlink(path.c_str());  // a stale file from a dead process
  }
  int fd = ::socket(sa.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_to_err(errno);
  int one = 1;
  if (sa.family != AF_UNIX) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sa.family == AF_INET6) {
    int v6only = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  set_buffer_sizes(fd, buffers);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa.storage), sa.len) != 0 ||
      ::listen(fd, backlog) != 0) {
    Err err = errno_to_err(errno);
    ::close(fd);
    return err;
  }
  out->fd = fd;
  if (sa.family == AF_UNIX) {
    out->ipc_path = path[0] == '@' ? "" : path;
    out->resolved = "ipc://" + path;
  } else {
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    out->resolved = endpoint.transport == Transport::kWs
                        // As libzmq: ws://ip:port then the path ("/" when none was given).
                        ? "ws://" + format_address(bound) + split_ws_address(endpoint.address).path
                        : "tcp://" + format_address(bound);
  }
  return Err::kOk;
}

Err adopt_listener(int fd, const Endpoint& endpoint, Listening* out) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return errno_to_err(errno);
  out->fd = fd;
  if (endpoint.transport == Transport::kIpc) {
    out->resolved = "ipc://" + endpoint.address;
    return Err::kOk;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return errno_to_err(errno);
  out->resolved = "tcp://" + format_address(bound);
  return Err::kOk;
}

// An ipc peer has no IP address: libzmq 4.3.4 names it "localhost:UID:GID:PID" from the
// socket's peer credentials (SO_PEERCRED), in Peer-Address and in ZAP's address frame alike.
std::string unix_peer_of(int fd) {
  PeerCredentials cred;
  if (!peer_credentials(fd, &cred)) return "localhost";
  return "localhost:" + std::to_string(cred.uid) + ":" + std::to_string(cred.gid) + ":" +
         std::to_string(cred.pid);
}

int accept_from(int listen_fd, AcceptedPeer* peer, Err* err, int priority) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int fd =
      ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    *err = errno == EAGAIN || errno == EWOULDBLOCK ? Err::kAgain : errno_to_err(errno);
    return -1;
  }
  set_socket_options(fd, ss.ss_family);
  set_priority(fd, ss.ss_family, priority);
  peer->address = ss.ss_family == AF_UNIX ? unix_peer_of(fd) : format_peer_ip(ss);
  peer->ip = ip_of(ss);
  *err = Err::kOk;
  return fd;
}

bool peer_credentials(int fd, PeerCredentials* out) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  out->uid = cred.uid;
  out->gid = cred.gid;
  out->pid = cred.pid;
  return true;
}

bool user_in_group(uint32_t uid, uint32_t gid) {
  passwd pw{};
  std::vector<char> pw_buf;
  auto by_uid = [uid](passwd* e, char* b, size_t n, passwd** r) {
    return getpwuid_r(uid, e, b, n, r);
  };
  if (!lookup_entry(by_uid, &pw, &pw_buf)) return false;
  group gr{};
  std::vector<char> gr_buf;
  auto by_gid = [gid](group* e, char* b, size_t n, group** r) {
    return getgrgid_r(gid, e, b, n, r);
  };
  if (!lookup_entry(by_gid, &gr, &gr_buf)) return false;
  for (char** member = gr.gr_mem; member != nullptr && *member != nullptr; ++member) {
    if (std::strcmp(*member, pw.pw_name) == 0) return true;
  }
  return false;
}

bool peer_admitted(int fd, const AcceptedPeer& peer, const SocketOptions& options) {
  if (peer.ip) return tcp_accept_filters_accept(options.tcp_accept_filters, *peer.ip);
  if (options.ipc_filters.empty()) return true;
  PeerCredentials cred;
  if (!peer_credentials(fd, &cred)) return false;  // unknown credentials: refused, as libzmq
  return ipc_filters_accept(options.ipc_filters, cred,
                            [&](uint32_t gid) { return user_in_group(cred.uid, gid); });
}

int connect_to(const Endpoint& endpoint, bool ipv6, BufferSizes buffers, bool* in_progress,
               Err* err) {
  SockAddr sa;
  *err = endpoint.transport == Transport::kIpc
             ? resolve_ipc(endpoint.address, &sa)
             : resolve_tcp(host_port_of(endpoint), ipv6, false, &sa);
  if (*err != Err::kOk) return -1;
  int fd = ::socket(sa.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno_to_err(errno);
    return -1;
  }
  set_socket_options(fd, sa.family);
  set_buffer_sizes(fd, buffers);
  set_priority(fd, sa.family, buffers.priority);
  *in_progress = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa.storage), sa.len) != 0) {
    if (errno == EINPROGRESS || errno == EAGAIN) {
      *in_progress = true;
    } else {
      *err = errno_to_err(errno);
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

Err finish_connect(int fd) {
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) return errno_to_err(errno);
  return error == 0 ? Err::kOk : errno_to_err(error);
}

std::string peer_address_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  if (ss.ss_family == AF_UNIX) return unix_peer_of(fd);
  return format_peer_ip(ss);
}

std::string resolved_tcp_endpoint(const std::string& address, bool ipv6) {
  SockAddr sa;
  if (resolve_tcp(address, ipv6, false, &sa) != Err::kOk) return "";
  return "tcp://" + format_address(sa.storage);
}

void close_listening(const Listening& listening) {
  if (listening.fd >= 0) ::close(listening.fd);
  if (!listening.ipc_path.empty()) ::unlink(listening.ipc_path.c_str());
  if (!listening.ipc_dir.empty()) ::rmdir(listening.ipc_dir.c_str());
}

}  // namespace zlab::real
