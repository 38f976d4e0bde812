// RADIO -> DISH over udp:// on the real driver, on loopback: unicast (IPv4 and IPv6), multicast
// on lo to two DISHes (the interface named in the endpoint, so it needs no multicast route:
// a fresh network namespace has none), the DISH's joins as a local filter, bind errors at
// zmq_bind, and a malformed datagram from a raw socket costing only itself.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "engine/real/context.h"
#include "engine/real/socket.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::real {
namespace {

std::shared_ptr<Socket> make(Context& ctx, SocketType type) {
  Err err;
  auto s = ctx.create_socket(type, &err);
  EXPECT_EQ(err, Err::kOk);
  int timeout_ms = 2000;
  EXPECT_EQ(s->set_option(opt::kRcvTimeo,
                          {reinterpret_cast<const uint8_t*>(&timeout_ms), sizeof timeout_ms}),
            Err::kOk);
  return s;
}

// A udp port nobody uses right now (bound to 0, read back, released).
uint16_t free_udp_port(int family = AF_INET) {
  int fd = ::socket(family, SOCK_DGRAM, 0);
  sockaddr_storage ss{};
  ss.ss_family = sa_family_t(family);
  socklen_t len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  ::close(fd);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);  // same offset in sockaddr_in6
}

Err send(Socket& s, std::string_view body, std::string_view group) {
  Msg m = Msg::copy_of(body);
  EXPECT_EQ(m.set_group(group), Err::kOk);
  return s.send(m, 0);
}

std::string recv_body(Socket& s, std::string* group = nullptr) {
  Msg m;
  if (s.recv(&m, 0) != Err::kOk) return "<none>";
  if (group != nullptr) *group = std::string(m.group());
  return std::string(m.view());
}

TEST(UdpRadioDishTest, UnicastFiltersByTheDishsJoins) {
  Context ctx;
  auto dish = make(ctx, SocketType::kDish);
  auto radio = make(ctx, SocketType::kRadio);
  std::string port = std::to_string(free_udp_port());
  ASSERT_EQ(dish->bind("udp://*:" + port), Err::kOk);
  ASSERT_EQ(dish->join("TV"), Err::kOk);
  ASSERT_EQ(radio->connect("udp://127.0.0.1:" + port), Err::kOk);
  ASSERT_EQ(send(*radio, "Weather", "News"), Err::kOk);  // not joined: the DISH drops it
  ASSERT_EQ(send(*radio, "Friends", "TV"), Err::kOk);
  std::string group;
  EXPECT_EQ(recv_body(*dish, &group), "Friends");
  EXPECT_EQ(group, "TV");
}

TEST(UdpRadioDishTest, UnicastOverIpv6) {
  Context ctx;
  auto dish = make(ctx, SocketType::kDish);
  auto radio = make(ctx, SocketType::kRadio);
  int one = 1;
  for (auto* s : {dish.get(), radio.get()}) {
    ASSERT_EQ(s->set_option(opt::kIpv6, {reinterpret_cast<const uint8_t*>(&one), sizeof one}),
              Err::kOk);
  }
  std::string port = std::to_string(free_udp_port(AF_INET6));
  ASSERT_EQ(dish->bind("udp://*:" + port), Err::kOk);
  ASSERT_EQ(dish->join("TV"), Err::kOk);
  ASSERT_EQ(radio->connect("udp://[::1]:" + port), Err::kOk);
  ASSERT_EQ(send(*radio, "Friends", "TV"), Err::kOk);
  EXPECT_EQ(recv_body(*dish), "Friends");
}

TEST(UdpRadioDishTest, MulticastOnLoopbackReachesBothDishes) {
  Context ctx;
  auto d1 = make(ctx, SocketType::kDish);
  auto d2 = make(ctx, SocketType::kDish);
  auto radio = make(ctx, SocketType::kRadio);
  std::string ep = "udp://lo;239.255.42.7:" + std::to_string(free_udp_port());
  ASSERT_EQ(d1->bind(ep), Err::kOk);
  ASSERT_EQ(d2->bind(ep), Err::kOk);  // a group's port is shared
  ASSERT_EQ(d1->join("TV"), Err::kOk);
  ASSERT_EQ(d2->join("TV"), Err::kOk);
  ASSERT_EQ(radio->connect(ep), Err::kOk);
  ASSERT_EQ(send(*radio, "Friends", "TV"), Err::kOk);
  EXPECT_EQ(recv_body(*d1), "Friends");
  EXPECT_EQ(recv_body(*d2), "Friends");
}

TEST(UdpRadioDishTest, RolesAndBindErrors) {
  Context ctx;
  auto dish = make(ctx, SocketType::kDish);
  auto radio = make(ctx, SocketType::kRadio);
  EXPECT_EQ(radio->bind("udp://*:5556"), Err::kNoCompatProto);
  EXPECT_EQ(dish->connect("udp://127.0.0.1:5556"), Err::kNoCompatProto);
  EXPECT_EQ(dish->bind("udp://nosuchif0;239.255.42.8:5556"), Err::kNoDevice);
  EXPECT_EQ(dish->bind("udp://10.255.255.1:5556"), Err::kAddrNotAvailable);  // not ours
}

// A datagram whose length byte runs past its end, from a raw udp socket: dropped alone.
TEST(UdpRadioDishTest, AMalformedDatagramCostsOnlyItself) {
  Context ctx;
  auto dish = make(ctx, SocketType::kDish);
  uint16_t port = free_udp_port();
  ASSERT_EQ(dish->bind("udp://127.0.0.1:" + std::to_string(port)), Err::kOk);
  ASSERT_EQ(dish->join("g"), Err::kOk);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (const std::string& d :
       {wire::bytes::udp_datagram("g", "one"), wire::bytes::raw_udp_datagram(200, "g", "bad"),
        std::string(), wire::bytes::udp_datagram("g", "two")}) {
    ASSERT_EQ(::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              ssize_t(d.size()));
  }
  ::close(fd);
  EXPECT_EQ(recv_body(*dish), "one");
  EXPECT_EQ(recv_body(*dish), "two");
}

}  // namespace
}  // namespace zlab::real
