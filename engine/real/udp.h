// udp:// on the real driver: the sockets of RADIO/DISH datagram endpoints (libzmq 4.3.4's
// udp_engine and udp_address, in their behaviour). Non-blocking, close-on-exec; nothing here
// knows about sockets' cores beyond the DatagramPort they read and write through.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "engine/base/err.h"
#include "engine/driver/driver.h"
#include "engine/sockets/endpoint.h"

namespace zlab::real {

// The receiving socket of a udp bind: SO_REUSEADDR; for a multicast group, bound to the
// wildcard address at the port with SO_REUSEPORT (several receivers on one host share the
// group) and joined to the group on the named interface (any when none or "*"). `ipv6` as
// ZMQ_IPV6. Errors (EADDRINUSE, ENODEV for an unknown interface...) now.
Err udp_bind(const UdpAddress& address, bool ipv6, int* fd);

// A sending socket and where it sends. Multicast: ZMQ_MULTICAST_LOOP, ZMQ_MULTICAST_HOPS (the
// TTL) and the interface named before ';' apply, as libzmq sets them.
struct UdpSender {
  int fd = -1;
  sockaddr_storage target{};
  socklen_t target_len = 0;
};
Err udp_open_sender(const UdpAddress& address, bool ipv6, int multicast_hops, bool multicast_loop,
                    UdpSender* out);

// One datagram per call over a udp socket it does not own (the driver closes the fd).
class UdpPort final : public DatagramPort {
 public:
  // A receiving port (no target), or a sending one.
  explicit UdpPort(int fd) : fd_(fd) {}
  explicit UdpPort(const UdpSender& sender)
      : fd_(sender.fd), target_(sender.target), target_len_(sender.target_len) {}
  // DGRAM's: receives and sends on its bound socket, each datagram in the addressed envelope
  // (wire::parse_addressed): the sender's "a.b.c.d:port" (IPv6: "[addr]:port") is written
  // before what arrives, and what is sent goes to the address before it. A datagram to an
  // address that is no IP literal and port is dropped, as libzmq drops it.
  static UdpPort addressed(int fd) {
    UdpPort port(fd);
    port.addressed_ = true;
    return port;
  }
  int fd() const { return fd_; }
  Status receive(std::span<uint8_t> into, size_t* n, Err* err) override;
  Status send(const wire::IoSlice* slices, size_t count, Err* err) override;

 private:
  Status receive_addressed(std::span<uint8_t> into, size_t* n, Err* err);
  Status send_addressed(const wire::IoSlice* slices, size_t count, Err* err);
  // The one receive and the one send of every datagram; `from` may be null.
  Status receive_from(std::span<uint8_t> into, sockaddr_storage* from, size_t* n, Err* err);
  Status send_to(const sockaddr_storage& to, socklen_t to_len, const wire::IoSlice* slices,
                 size_t count, Err* err);

  static constexpr size_t kMaxSlices = 4;

  int fd_;
  bool addressed_ = false;
  sockaddr_storage target_{};
  socklen_t target_len_ = 0;
};

}  // namespace zlab::real
