// udp:// sockets of the real driver on loopback: unicast, multicast on lo (the interface named
// in the endpoint: a fresh network namespace has no multicast route, and lo needs none when the
// sender names it), what the options set, and what errors come back.
#include "engine/real/udp.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <poll.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/wire/zmtp_bytes.h"

namespace zlab::real {
namespace {

uint16_t bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

void send_datagram(UdpPort& port, const std::string& datagram) {
  // Header and body as separate slices, as the core hands them over: one datagram on the wire.
  wire::IoSlice slices[2] = {
      {reinterpret_cast<const uint8_t*>(datagram.data()), 1},
      {reinterpret_cast<const uint8_t*>(datagram.data()) + 1, datagram.size() - 1}};
  Err err = Err::kOk;
  ASSERT_EQ(port.send(slices, 2, &err), DatagramPort::Status::kOk) << err_name(err);
}

// The next datagram within a second, or "<none>".
std::string receive_datagram(UdpPort& port, size_t room = 9000, size_t* full_size = nullptr) {
  pollfd p{port.fd(), POLLIN, 0};
  if (poll(&p, 1, 1000) != 1) return "<none>";
  std::vector<uint8_t> buf(room);
  size_t n = 0;
  Err err = Err::kOk;
  if (port.receive(buf, &n, &err) != DatagramPort::Status::kOk) return "<error>";
  if (full_size != nullptr) *full_size = n;
  return std::string(reinterpret_cast<const char*>(buf.data()), std::min(n, room));
}

UdpAddress address_of(const std::string& text, bool bind) {
  UdpAddress a;
  EXPECT_EQ(parse_udp_address(text, bind, &a), Err::kOk) << text;
  return a;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A receiver bound on loopback and a sender aimed at it (multicast hops 1, loop on).
struct UnicastPair {
  Fd receiver;
  Fd sender_fd;
  UdpSender sender;
};

void open_unicast_pair(UnicastPair* p) {
  ASSERT_EQ(udp_bind(address_of("127.0.0.1:0", true), false, &p->receiver.fd), Err::kOk);
  std::string to = "127.0.0.1:" + std::to_string(bound_port(p->receiver.fd));
  ASSERT_EQ(udp_open_sender(address_of(to, false), false, 1, true, &p->sender), Err::kOk);
  p->sender_fd.fd = p->sender.fd;
}

TEST(RealUdpTest, UnicastDatagramsArriveWhole) {
  UnicastPair pair;
  open_unicast_pair(&pair);
  UdpPort out(pair.sender);
  UdpPort in(pair.receiver.fd);
  send_datagram(out, wire::bytes::udp_datagram("g", "one"));
  send_datagram(out, wire::bytes::udp_datagram("group", "two"));
  EXPECT_EQ(receive_datagram(in), wire::bytes::udp_datagram("g", "one"));
  EXPECT_EQ(receive_datagram(in), wire::bytes::udp_datagram("group", "two"));
  size_t n = 0;
  Err err = Err::kOk;
  uint8_t buf[16];
  EXPECT_EQ(in.receive(buf, &n, &err), DatagramPort::Status::kWouldBlock);
}

TEST(RealUdpTest, ADatagramOfMorePiecesThanThePortSendsIsRefusedNotCut) {
  UnicastPair pair;
  open_unicast_pair(&pair);
  UdpPort out(pair.sender);
  UdpPort in(pair.receiver.fd);
  const uint8_t piece[1] = {'x'};
  wire::IoSlice slices[5];
  for (auto& slice : slices) slice = {piece, 1};
  Err err = Err::kOk;
  EXPECT_EQ(out.send(slices, 5, &err), DatagramPort::Status::kError);
  EXPECT_EQ(err, Err::kMessageTooLong);
  EXPECT_EQ(receive_datagram(in), "<none>");
}

TEST(RealUdpTest, AnAddressedPortNamesTheSenderAndAnswersToTheAddressGiven) {
  Fd a_fd;
  Fd b_fd;
  ASSERT_EQ(udp_bind(address_of("127.0.0.1:0", true), false, &a_fd.fd), Err::kOk);
  ASSERT_EQ(udp_bind(address_of("127.0.0.1:0", true), false, &b_fd.fd), Err::kOk);
  UdpPort a = UdpPort::addressed(a_fd.fd);
  UdpPort b = UdpPort::addressed(b_fd.fd);
  std::string to_b = "127.0.0.1:" + std::to_string(bound_port(b_fd.fd));
  std::string header = std::string(1, char(to_b.size())) + to_b;
  std::string body = "ping";
  wire::IoSlice slices[2] = {{reinterpret_cast<const uint8_t*>(header.data()), header.size()},
                             {reinterpret_cast<const uint8_t*>(body.data()), body.size()}};
  Err err = Err::kOk;
  ASSERT_EQ(a.send(slices, 2, &err), DatagramPort::Status::kOk) << err_name(err);
  std::string from_a = "127.0.0.1:" + std::to_string(bound_port(a_fd.fd));
  EXPECT_EQ(receive_datagram(b), std::string(1, char(from_a.size())) + from_a + "ping");
}

TEST(RealUdpTest, AnAddressedSendToNoAddressIsDropped) {
  Fd a_fd;
  ASSERT_EQ(udp_bind(address_of("127.0.0.1:0", true), false, &a_fd.fd), Err::kOk);
  UdpPort a = UdpPort::addressed(a_fd.fd);
  std::string header = std::string(1, char(4)) + "nope";
  wire::IoSlice slice{reinterpret_cast<const uint8_t*>(header.data()), header.size()};
  Err err = Err::kOk;
  EXPECT_EQ(a.send(&slice, 1, &err), DatagramPort::Status::kOk);
  EXPECT_EQ(err, Err::kOk);
}

TEST(RealUdpTest, WildcardBindReceivesOnLoopback) {
  Fd receiver;
  ASSERT_EQ(udp_bind(address_of("*:0", true), false, &receiver.fd), Err::kOk);
  UdpSender sender;
  std::string target = "localhost:" + std::to_string(bound_port(receiver.fd));
  ASSERT_EQ(udp_open_sender(address_of(target, false), false, 1, true, &sender), Err::kOk);
  Fd sender_fd{sender.fd};
  UdpPort out(sender);
  UdpPort in(receiver.fd);
  send_datagram(out, wire::bytes::udp_datagram("", "x"));
  EXPECT_EQ(receive_datagram(in), wire::bytes::udp_datagram("", "x"));
}

TEST(RealUdpTest, ALongerDatagramShowsItsFullLength) {
  UnicastPair pair;
  open_unicast_pair(&pair);
  UdpPort out(pair.sender);
  UdpPort in(pair.receiver.fd);
  send_datagram(out, wire::bytes::raw_udp_datagram(1, "g", std::string(9000, 'x')));
  size_t full = 0;
  receive_datagram(in, wire::kMaxUdpDatagram + 1, &full);
  EXPECT_EQ(full, 9002u);  // MSG_TRUNC: the core sees it is too large, never a cut datagram
}

// Every receiver that joined the group on this host gets each datagram (SO_REUSEPORT on the
// shared port), as libzmq's DISHes do.
TEST(RealUdpTest, MulticastOnLoopbackReachesEveryJoinedReceiver) {
  std::string endpoint = "lo;239.255.7.9:" + std::to_string(20000 + getpid() % 20000);
  Fd r1, r2;
  ASSERT_EQ(udp_bind(address_of(endpoint, true), false, &r1.fd), Err::kOk);
  ASSERT_EQ(udp_bind(address_of(endpoint, true), false, &r2.fd), Err::kOk);
  UdpSender sender;
  ASSERT_EQ(udp_open_sender(address_of(endpoint, false), false, 3, true, &sender), Err::kOk);
  Fd sender_fd{sender.fd};
  // ZMQ_MULTICAST_HOPS is the TTL, ZMQ_MULTICAST_LOOP the loop flag.
  int ttl = 0, loop = 0;
  socklen_t len = sizeof ttl;
  getsockopt(sender.fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, &len);
  len = sizeof loop;
  getsockopt(sender.fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, &len);
  EXPECT_EQ(ttl, 3);
  EXPECT_EQ(loop, 1);
  UdpPort out(sender);
  UdpPort in1(r1.fd), in2(r2.fd);
  send_datagram(out, wire::bytes::udp_datagram("news", "hello"));
  EXPECT_EQ(receive_datagram(in1), wire::bytes::udp_datagram("news", "hello"));
  EXPECT_EQ(receive_datagram(in2), wire::bytes::udp_datagram("news", "hello"));
}

TEST(RealUdpTest, MulticastLoopOffIsSet) {
  UdpSender sender;
  ASSERT_EQ(udp_open_sender(address_of("lo;239.255.7.10:5555", false), false, 1, false, &sender),
            Err::kOk);
  Fd sender_fd{sender.fd};
  int loop = 1;
  socklen_t len = sizeof loop;
  getsockopt(sender.fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, &len);
  EXPECT_EQ(loop, 0);
}

TEST(RealUdpTest, UnknownInterfaceIsNoDevice) {
  int fd = -1;
  EXPECT_EQ(udp_bind(address_of("nosuchif0;239.255.7.11:5555", true), false, &fd), Err::kNoDevice);
  UdpSender sender;
  EXPECT_EQ(
      udp_open_sender(address_of("nosuchif0;239.255.7.11:5555", false), false, 1, true, &sender),
      Err::kNoDevice);
}

TEST(RealUdpTest, UnresolvableTargetIsInvalid) {
  UdpSender sender;
  EXPECT_EQ(
      udp_open_sender(address_of("no-such-host.invalid:5555", false), false, 1, true, &sender),
      Err::kInvalid);
}

}  // namespace
}  // namespace zlab::real
