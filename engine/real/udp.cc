#include "engine/real/udp.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "engine/real/transport.h"

namespace zlab::real {
namespace {

std::string unbracketed(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// A host (name or literal, "*" the wildcard) and port as a socket address.
Err resolve_udp(const std::string& host, uint16_t port, bool ipv6, sockaddr_storage* out,
                socklen_t* len) {
  std::memset(out, 0, sizeof *out);
  if (host == "*") {
    if (ipv6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(out);
      a6->sin6_family = AF_INET6;
      a6->sin6_addr = in6addr_any;
      a6->sin6_port = htons(port);
      *len = sizeof(sockaddr_in6);
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(out);
      a4->sin_family = AF_INET;
      a4->sin_addr.s_addr = htonl(INADDR_ANY);
      a4->sin_port = htons(port);
      *len = sizeof(sockaddr_in);
    }
    return Err::kOk;
  }
  addrinfo hints{};
  hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::string name = unbracketed(host);
  std::string service = std::to_string(port);
  if (getaddrinfo(name.c_str(), service.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Err::kInvalid;
  }
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = socklen_t(res->ai_addrlen);
  freeaddrinfo(res);
  return Err::kOk;
}

// The interface before ';': "*" (or none) is any, else a name or one of its addresses.
Err interface_index(const std::string& iface, unsigned* index, in_addr* v4) {
  *index = 0;
  v4->s_addr = htonl(INADDR_ANY);
  if (iface.empty() || iface == "*") return Err::kOk;
  if (inet_pton(AF_INET, iface.c_str(), v4) == 1) return Err::kOk;
  *index = if_nametoindex(iface.c_str());
  return *index == 0 ? Err::kNoDevice : Err::kOk;
}

int open_udp(int family) { return ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

Err fail(int fd) {
  Err err = errno_to_err(errno);
  ::close(fd);
  return err;
}

Err join_group(int fd, const sockaddr_storage& group, unsigned index, in_addr v4) {
  if (group.ss_family == AF_INET6) {
    ipv6_mreq mreq{};
    mreq.ipv6mr_multiaddr = reinterpret_cast<const sockaddr_in6*>(&group)->sin6_addr;
    mreq.ipv6mr_interface = index;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
      return fail(fd);
    }
    return Err::kOk;
  }
  ip_mreqn mreq{};
  mreq.imr_multiaddr = reinterpret_cast<const sockaddr_in*>(&group)->sin_addr;
  mreq.imr_address = v4;
  mreq.imr_ifindex = int(index);
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) return fail(fd);
  return Err::kOk;
}

// A peer's address as DGRAM names it: "a.b.c.d:port" (libzmq's form), "[v6]:port" for IPv6.
std::string address_text(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(a);
    inet_ntop(AF_INET6, &a6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a6.sin6_port));
  }
  const auto& a4 = reinterpret_cast<const sockaddr_in&>(a);
  inet_ntop(AF_INET, &a4.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a4.sin_port));
}

// The reverse: an IP literal, ':', a port 1..65535 (digits only). False for anything else.
bool parse_address_text(std::string_view text, sockaddr_storage* out, socklen_t* len) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) return false;
  unsigned port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + unsigned(c - '0');
  }
  if (port == 0 || port > 65535) return false;
  std::string host(text.substr(0, colon));
  std::memset(out, 0, sizeof *out);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(out);
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6->sin6_addr) != 1) {
      return false;
    }
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(uint16_t(port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  auto* a4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) return false;
  a4->sin_family = AF_INET;
  a4->sin_port = htons(uint16_t(port));
  *len = sizeof(sockaddr_in);
  return true;
}

}  // namespace

Err udp_bind(const UdpAddress& address, bool ipv6, int* fd_out) {
  sockaddr_storage target{};
  socklen_t len = 0;
  Err err = resolve_udp(address.host, address.port, ipv6, &target, &len);
  if (err != Err::kOk) return err;
  unsigned index = 0;
  in_addr v4{};
  if (err = interface_index(address.iface, &index, &v4); err != Err::kOk) return err;
  int fd = open_udp(target.ss_family);
  if (fd < 0) return errno_to_err(errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage bind_to = target;
  socklen_t bind_len = len;
  if (address.multicast) {
    // Every receiver of the group on this host binds the port: share it, and take the group's
    // datagrams on the wildcard address (libzmq binds the same way).
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (Err e = resolve_udp("*", address.port, target.ss_family == AF_INET6, &bind_to, &bind_len);
        e != Err::kOk) {
      ::close(fd);
      return e;
    }
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&bind_to), bind_len) != 0) return fail(fd);
  if (address.multicast) {
    if (err = join_group(fd, target, index, v4); err != Err::kOk) return err;
  }
  *fd_out = fd;
  return Err::kOk;
}

Err udp_open_sender(const UdpAddress& address, bool ipv6, int multicast_hops, bool multicast_loop,
                    UdpSender* out) {
  Err err = resolve_udp(address.host, address.port, ipv6, &out->target, &out->target_len);
  if (err != Err::kOk) return err;
  int fd = open_udp(out->target.ss_family);
  if (fd < 0) return errno_to_err(errno);
  if (address.multicast) {
    unsigned index = 0;
    in_addr v4{};
    if (err = interface_index(address.iface, &index, &v4); err != Err::kOk) {
      ::close(fd);
      return err;
    }
    int loop = multicast_loop ? 1 : 0;
    bool v6 = out->target.ss_family == AF_INET6;
    int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
    if (setsockopt(fd, level, v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP, &loop, sizeof loop) !=
        0) {
      return fail(fd);
    }
    if (multicast_hops > 0 && setsockopt(fd, level, v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL,
                                         &multicast_hops, sizeof multicast_hops) != 0) {
      return fail(fd);
    }
    int rc = 0;
    if (v6 && index != 0) {
      rc = setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index);
    } else if (!v6 && (index != 0 || v4.s_addr != htonl(INADDR_ANY))) {
      ip_mreqn mreq{};
      mreq.imr_address = v4;
      mreq.imr_ifindex = int(index);
      rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq);
    }
    if (rc != 0) return fail(fd);
  }
  out->fd = fd;
  return Err::kOk;
}

DatagramPort::Status UdpPort::receive(std::span<uint8_t> into, size_t* n, Err* err) {
  if (addressed_) return receive_addressed(into, n, err);
  return receive_from(into, nullptr, n, err);
}

DatagramPort::Status UdpPort::send(const wire::IoSlice* slices, size_t count, Err* err) {
  if (addressed_) return send_addressed(slices, count, err);
  return send_to(target_, target_len_, slices, count, err);
}

DatagramPort::Status UdpPort::receive_from(std::span<uint8_t> into, sockaddr_storage* from,
                                           size_t* n, Err* err) {
  iovec iov{into.data(), into.size()};
  msghdr msg{};
  msg.msg_name = from;
  msg.msg_namelen = from != nullptr ? sizeof *from : 0;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  // MSG_TRUNC: the datagram's real length, so one longer than the buffer is seen as such.
  ssize_t rc = ::recvmsg(fd_, &msg, MSG_TRUNC);
  if (rc < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::kWouldBlock;
    *err = errno_to_err(errno);
    return Status::kError;
  }
  *n = size_t(rc);
  return Status::kOk;
}

DatagramPort::Status UdpPort::send_to(const sockaddr_storage& to, socklen_t to_len,
                                      const wire::IoSlice* slices, size_t count, Err* err) {
  // One datagram is at most kMaxSlices pieces (the driver asks the core for no more); more
  // would be a driver bug, refused rather than sent cut.
  if (count > kMaxSlices) {
    *err = Err::kMessageTooLong;
    return Status::kError;
  }
  iovec iov[kMaxSlices];
  for (size_t i = 0; i < count; ++i) {
    iov[i].iov_base = const_cast<uint8_t*>(slices[i].data);
    iov[i].iov_len = slices[i].size;
  }
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr_storage*>(&to);
  msg.msg_namelen = to_len;
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  if (::sendmsg(fd_, &msg, MSG_NOSIGNAL) < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::kWouldBlock;
    *err = errno_to_err(errno);
    return Status::kError;
  }
  return Status::kOk;
}

DatagramPort::Status UdpPort::receive_addressed(std::span<uint8_t> into, size_t* n, Err* err) {
  // The datagram lands after room for the longest envelope header; its sender's address is
  // then written just before it and the envelope moved to the front of `into`.
  if (into.size() <= wire::kMaxDatagramHeader) return Status::kWouldBlock;
  std::span<uint8_t> body = into.subspan(wire::kMaxDatagramHeader);
  sockaddr_storage from{};
  size_t length = 0;
  Status status = receive_from(body, &from, &length, err);
  if (status != Status::kOk) return status;
  std::string address = address_text(from);
  size_t header = 1 + address.size();
  size_t kept = std::min(length, body.size());
  uint8_t* start = body.data() - header;
  start[0] = uint8_t(address.size());
  std::memcpy(start + 1, address.data(), address.size());
  std::memmove(into.data(), start, header + kept);
  *n = header + length;  // the full length: one longer than the room is seen as such
  return Status::kOk;
}

DatagramPort::Status UdpPort::send_addressed(const wire::IoSlice* slices, size_t count, Err* err) {
  if (count == 0 || slices[0].size == 0) return Status::kOk;
  std::string_view address(reinterpret_cast<const char*>(slices[0].data) + 1, slices[0].size - 1);
  sockaddr_storage to{};
  socklen_t to_len = 0;
  if (!parse_address_text(address, &to, &to_len)) return Status::kOk;  // dropped
  return send_to(to, to_len, slices + 1, count - 1, err);
}

}  // namespace zlab::real
