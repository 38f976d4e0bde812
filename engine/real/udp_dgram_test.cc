// DGRAM (libzmq 4.3.4's draft raw udp type) on the real driver, on loopback: each message is
// the peer's address and the body, both ways over the one bound socket; what is not two parts
// is EINVAL; a message to an address that is none is dropped alone; DGRAM connects nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "engine/real/context.h"
#include "engine/real/socket.h"

namespace zlab::real {
namespace {

std::shared_ptr<Socket> make_dgram(Context& ctx) {
  Err err;
  auto s = ctx.create_socket(SocketType::kDgram, &err);
  EXPECT_EQ(err, Err::kOk);
  int timeout_ms = 2000;
  EXPECT_EQ(s->set_option(opt::kRcvTimeo,
                          {reinterpret_cast<const uint8_t*>(&timeout_ms), sizeof timeout_ms}),
            Err::kOk);
  return s;
}

uint16_t free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

Err send_part(Socket& s, std::string_view text, bool more) {
  Msg m = Msg::copy_of(text);
  return s.send(m, more ? kSendMoreFlag : 0);
}

// One received message as "address|body" (the address without its NUL), or "<none>".
std::string recv_message(Socket& s) {
  Msg address;
  Msg body;
  if (s.recv(&address, 0) != Err::kOk || !address.more()) return "<none>";
  if (s.recv(&body, 0) != Err::kOk || body.more()) return "<none>";
  std::string_view a = address.view();
  EXPECT_EQ(a.back(), '\0');  // a C string, as libzmq's udp engine makes it
  return std::string(a.substr(0, a.size() - 1)) + "|" + std::string(body.view());
}

TEST(UdpDgramTest, EachMessageNamesItsPeerBothWays) {
  Context ctx;
  auto a = make_dgram(ctx);
  auto b = make_dgram(ctx);
  std::string pa = "127.0.0.1:" + std::to_string(free_udp_port());
  std::string pb = "127.0.0.1:" + std::to_string(free_udp_port());
  ASSERT_EQ(a->bind("udp://" + pa), Err::kOk);
  ASSERT_EQ(b->bind("udp://" + pb), Err::kOk);
  ASSERT_EQ(send_part(*a, pb, true), Err::kOk);
  ASSERT_EQ(send_part(*a, "question", false), Err::kOk);
  EXPECT_EQ(recv_message(*b), pa + "|question");
  // The reply goes back to the address as received, NUL and all.
  ASSERT_EQ(send_part(*b, std::string(pa) + '\0', true), Err::kOk);
  ASSERT_EQ(send_part(*b, "answer", false), Err::kOk);
  EXPECT_EQ(recv_message(*a), pb + "|answer");
}

TEST(UdpDgramTest, AMessageIsExactlyAddressThenBody) {
  Context ctx;
  auto a = make_dgram(ctx);
  ASSERT_EQ(a->bind("udp://127.0.0.1:" + std::to_string(free_udp_port())), Err::kOk);
  EXPECT_EQ(send_part(*a, "127.0.0.1:9", false), Err::kInvalid);  // no body
  ASSERT_EQ(send_part(*a, "127.0.0.1:9", true), Err::kOk);
  EXPECT_EQ(send_part(*a, "body", true), Err::kInvalid);  // no third part
  EXPECT_EQ(send_part(*a, "body", false), Err::kOk);
}

TEST(UdpDgramTest, AMessageToNoAddressIsDroppedAlone) {
  Context ctx;
  auto a = make_dgram(ctx);
  auto b = make_dgram(ctx);
  std::string pb = "127.0.0.1:" + std::to_string(free_udp_port());
  ASSERT_EQ(a->bind("udp://127.0.0.1:" + std::to_string(free_udp_port())), Err::kOk);
  ASSERT_EQ(b->bind("udp://" + pb), Err::kOk);
  for (const char* bad : {"nowhere", "127.0.0.1:0", "127.0.0.1:x", "host.invalid:5"}) {
    ASSERT_EQ(send_part(*a, bad, true), Err::kOk);
    ASSERT_EQ(send_part(*a, "lost", false), Err::kOk);
  }
  ASSERT_EQ(send_part(*a, pb, true), Err::kOk);
  ASSERT_EQ(send_part(*a, "kept", false), Err::kOk);
  std::string got = recv_message(*b);
  EXPECT_EQ(got.substr(got.find('|')), "|kept");
}

TEST(UdpDgramTest, ConnectsNothingAndBindsOnlyUdp) {
  Context ctx;
  auto a = make_dgram(ctx);
  EXPECT_EQ(a->connect("udp://127.0.0.1:5559"), Err::kNoCompatProto);
  EXPECT_EQ(a->bind("tcp://127.0.0.1:*"), Err::kNoCompatProto);
}

}  // namespace
}  // namespace zlab::real
