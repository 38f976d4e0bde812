// The SOCKS5 client byte by byte: what it sends (RFC 1928 / RFC 1929 encodings), replies split
// at every byte, malformed and refusing replies failing at their first wrong byte, and never a
// byte read past the proxy's last reply.
#include "engine/proto/socks5_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace zlab::proto {
namespace {

using Bytes = std::vector<uint8_t>;
using State = Socks5Client::State;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Everything the client has to send now, written `chunk` bytes at a time.
Bytes drain(Socks5Client& c, size_t chunk = 1 << 20) {
  Bytes out;
  while (!c.poll_transmit().empty()) {
    auto pending = c.poll_transmit();
    size_t n = std::min(chunk, pending.size());
    out.insert(out.end(), pending.begin(), pending.begin() + long(n));
    c.handle_written(n);
  }
  return out;
}

// Feeds `bytes` through read_buffer() in pieces of at most `chunk`; returns how many the client
// took (it stops taking once a reply is complete or it failed).
size_t feed(Socks5Client& c, const Bytes& bytes, size_t chunk = 1 << 20) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    std::span<uint8_t> room = c.read_buffer();
    if (room.empty()) break;
    size_t n = std::min({room.size(), chunk, bytes.size() - pos});
    std::memcpy(room.data(), bytes.data() + pos, n);
    c.handle_read(n);
    pos += n;
  }
  return pos;
}

Socks5Client client(const std::string& address, std::string user = "", std::string pass = "") {
  auto target = parse_socks5_target(address);
  EXPECT_TRUE(target.has_value()) << address;
  return Socks5Client(*target, std::move(user), std::move(pass));
}

const Bytes kChoiceNone = {0x05, 0x00};
const Bytes kChoiceUserPass = {0x05, 0x02};
const Bytes kAuthOk = {0x01, 0x00};
const Bytes kReplyIpv4 = {0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x9c, 0x40};
const Bytes kReplyIpv6 = concat({{0x05, 0x00, 0x00, 0x04}, Bytes(15, 0), {1}, {0x9c, 0x40}});
const Bytes kReplyDomain = concat({{0x05, 0x00, 0x00, 0x03, 9}, text("localhost"), {0x9c, 0x40}});

TEST(Socks5TargetTest, Parses) {
  auto t = parse_socks5_target("somedomainname.org:5555");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "somedomainname.org");
  EXPECT_EQ(t->port, 5555);
  EXPECT_EQ(parse_socks5_target("[::1]:1")->host, "::1");
  EXPECT_EQ(parse_socks5_target("::1:1")->host, "::1");  // the last ':' ends the host
  EXPECT_EQ(parse_socks5_target("127.0.0.1:0;10.0.0.1:65535")->host, "10.0.0.1");
  EXPECT_EQ(parse_socks5_target("h:65535")->port, 65535);
  for (const char* bad : {"host", ":5555", "host:", "host:0", "host:65536", "host:5x", "[]:5",
                          "host:-1", "host:123456"}) {
    EXPECT_FALSE(parse_socks5_target(bad).has_value()) << bad;
  }
}

TEST(Socks5ClientTest, NoAuthConnectToIpv4) {
  Socks5Client c = client("127.0.0.1:5555");
  EXPECT_TRUE(c.read_buffer().empty());  // nothing to read before the greeting is out
  EXPECT_EQ(drain(c), (Bytes{0x05, 0x01, 0x00}));
  EXPECT_EQ(c.state(), State::kAwaitChoice);
  EXPECT_EQ(c.read_buffer().size(), 2u);
  EXPECT_EQ(feed(c, kChoiceNone), 2u);
  EXPECT_EQ(drain(c), (Bytes{0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x15, 0xb3}));
  EXPECT_EQ(c.state(), State::kAwaitReply);
  EXPECT_EQ(feed(c, kReplyIpv4), kReplyIpv4.size());
  EXPECT_TRUE(c.done());
  EXPECT_TRUE(c.read_buffer().empty());
  EXPECT_TRUE(c.poll_transmit().empty());
}

TEST(Socks5ClientTest, RequestEncodesNamesAndIpv6) {
  Socks5Client named = client("somedomainname.org:258");
  drain(named);
  feed(named, kChoiceNone);
  EXPECT_EQ(drain(named),
            concat({{0x05, 0x01, 0x00, 0x03, 18}, text("somedomainname.org"), {0x01, 0x02}}));
  for (const char* address : {"[::1]:258", "::1:258", "[::1%2]:258"}) {
    Socks5Client v6 = client(address);
    drain(v6);
    feed(v6, kChoiceNone);
    EXPECT_EQ(drain(v6), concat({{0x05, 0x01, 0x00, 0x04}, Bytes(15, 0), {1}, {0x01, 0x02}}))
        << address;
  }
}

TEST(Socks5ClientTest, UsernamePasswordAuthentication) {
  Socks5Client c = client("127.0.0.1:5555", "someuser", "somepass");
  EXPECT_EQ(drain(c), (Bytes{0x05, 0x01, 0x02}));  // only username/password is offered
  feed(c, kChoiceUserPass);
  EXPECT_EQ(c.state(), State::kSendAuth);
  EXPECT_EQ(drain(c), concat({{0x01, 8}, text("someuser"), {8}, text("somepass")}));
  EXPECT_EQ(c.read_buffer().size(), 2u);
  feed(c, kAuthOk);
  EXPECT_EQ(c.state(), State::kSendRequest);
  drain(c);
  feed(c, kReplyIpv4);
  EXPECT_TRUE(c.done());
}

TEST(Socks5ClientTest, EmptyPasswordIsAZeroLengthField) {
  Socks5Client c = client("127.0.0.1:5555", "u", "");
  drain(c);
  feed(c, kChoiceUserPass);
  EXPECT_EQ(drain(c), (Bytes{0x01, 1, 'u', 0}));
}

TEST(Socks5ClientTest, PartialWritesResume) {
  Socks5Client c = client("somedomainname.org:5555", "someuser", "somepass");
  Bytes greeting = drain(c, 1);
  EXPECT_EQ(greeting, (Bytes{0x05, 0x01, 0x02}));
  feed(c, kChoiceUserPass);
  EXPECT_EQ(drain(c, 3), concat({{0x01, 8}, text("someuser"), {8}, text("somepass")}));
  feed(c, kAuthOk);
  EXPECT_EQ(drain(c, 2).size(), 3u + 2 + 18 + 2);
  // More than was offered is a caller's mistake: ignored.
  c.handle_written(1000);
  EXPECT_EQ(c.state(), State::kAwaitReply);
}

// The whole server side of an exchange, split at every byte and fed byte by byte, succeeds.
TEST(Socks5ClientTest, RepliesSplitAnywhere) {
  struct Case {
    std::string user;
    Bytes server;  // everything the proxy sends, in order
  };
  const Case cases[] = {
      {"", concat({kChoiceNone, kReplyIpv4})},
      {"", concat({kChoiceNone, kReplyIpv6})},
      {"", concat({kChoiceNone, kReplyDomain})},
      {"someuser", concat({kChoiceUserPass, kAuthOk, kReplyIpv4})},
      {"someuser", concat({kChoiceUserPass, kAuthOk, kReplyDomain})},
  };
  for (const Case& k : cases) {
    for (size_t chunk = 1; chunk <= k.server.size(); ++chunk) {
      Socks5Client c = client("127.0.0.1:5555", k.user, "pw");
      size_t pos = 0;
      // Lockstep: write what the client has, then give it at most `chunk` bytes per read.
      while (!c.done() && !c.failed() && pos < k.server.size()) {
        drain(c);
        Bytes rest(k.server.begin() + long(pos), k.server.end());
        size_t took = feed(c, rest, chunk);
        ASSERT_GT(took, 0u) << "chunk " << chunk;
        pos += took;
      }
      EXPECT_TRUE(c.done()) << "user '" << k.user << "' chunk " << chunk << " pos " << pos;
      EXPECT_EQ(pos, k.server.size());
    }
  }
}

// The far end's first bytes may arrive right behind the proxy's reply: the client must not take
// them, so the ZMTP connection that follows gets them.
TEST(Socks5ClientTest, NeverReadsPastTheReply) {
  for (const Bytes& reply : {kReplyIpv4, kReplyIpv6, kReplyDomain}) {
    Socks5Client c = client("127.0.0.1:5555");
    drain(c);
    EXPECT_EQ(feed(c, concat({kChoiceNone, text("junk")})), 2u);
    drain(c);
    Bytes greeting = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1};
    EXPECT_EQ(feed(c, concat({reply, greeting})), reply.size());
    EXPECT_TRUE(c.done());
  }
}

struct Malformed {
  const char* name;
  std::string user;
  Bytes server;  // the proxy's bytes up to and including the bad one
  Err error;
  uint8_t reply_code = 0;
};

// Each fails at its last byte, whatever the split.
TEST(Socks5ClientTest, MalformedAndRefusingRepliesFailAtTheFirstWrongByte) {
  std::vector<Malformed> cases = {
      {"choice version", "", {0x04}, Err::kProtocol},
      {"no acceptable method", "", {0x05, 0xff}, Err::kConnRefused},
      {"method not offered", "", {0x05, 0x02}, Err::kConnRefused},
      {"method not offered (auth)", "u", {0x05, 0x00}, Err::kConnRefused},
      {"auth version", "u", {0x05, 0x02, 0x05}, Err::kProtocol},
      {"auth refused", "u", {0x05, 0x02, 0x01, 0x01}, Err::kConnRefused},
      {"reply version", "", {0x05, 0x00, 0x04}, Err::kProtocol},
      {"reserved byte", "", {0x05, 0x00, 0x05, 0x00, 0x01}, Err::kProtocol},
      {"address type 0", "", {0x05, 0x00, 0x05, 0x00, 0x00, 0x00}, Err::kProtocol},
      {"address type 2", "", {0x05, 0x00, 0x05, 0x00, 0x00, 0x02}, Err::kProtocol},
      {"address type 5", "", {0x05, 0x00, 0x05, 0x00, 0x00, 0x05}, Err::kProtocol},
  };
  for (uint8_t rep : {1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0xff}) {
    cases.push_back({"REP", "", {0x05, 0x00, 0x05, rep}, Err::kConnRefused, rep});
  }
  for (const Malformed& m : cases) {
    for (size_t chunk = 1; chunk <= m.server.size() + 1; ++chunk) {
      Socks5Client c = client("127.0.0.1:5555", m.user, "p");
      Bytes server = concat({m.server, {0x00, 0x00}});  // bytes that must not be taken
      size_t pos = 0;
      size_t last_took = 0;
      while (!c.failed() && !c.done() && pos < server.size()) {
        drain(c);
        last_took = feed(c, Bytes(server.begin() + long(pos), server.end()), chunk);
        if (last_took == 0) break;
        pos += last_took;
      }
      EXPECT_TRUE(c.failed()) << m.name << " chunk " << chunk;
      EXPECT_EQ(c.error(), m.error) << m.name;
      EXPECT_EQ(c.reply_code(), m.reply_code) << m.name;
      EXPECT_FALSE(c.error_detail().empty()) << m.name;
      // It failed on the read that brought the bad byte (with one-byte reads: that byte).
      EXPECT_GE(pos, m.server.size()) << m.name << " chunk " << chunk;
      EXPECT_LT(pos - last_took, m.server.size()) << m.name << " chunk " << chunk;
      EXPECT_TRUE(c.read_buffer().empty()) << m.name;
      EXPECT_TRUE(c.poll_transmit().empty()) << m.name;
    }
  }
}

TEST(Socks5ClientTest, EofAnywhereBeforeTheEndFails) {
  const Bytes server = concat({kChoiceUserPass, kAuthOk, kReplyDomain});
  for (size_t cut = 0; cut < server.size(); ++cut) {
    Socks5Client c = client("h:1", "someuser", "pw");
    size_t pos = 0;
    while (pos < cut) {
      drain(c);
      pos += feed(c, Bytes(server.begin() + long(pos), server.begin() + long(cut)));
    }
    drain(c);
    c.handle_eof();
    EXPECT_TRUE(c.failed()) << cut;
    EXPECT_EQ(c.error(), Err::kConnReset);
  }
  Socks5Client done = client("h:1");
  drain(done);
  feed(done, kChoiceNone);
  drain(done);
  feed(done, kReplyIpv4);
  done.handle_eof();  // after the exchange the stream is ZMTP's: not the client's to judge
  EXPECT_TRUE(done.done());
}

TEST(Socks5ClientTest, FieldsOver255BytesCannotBeSent) {
  Socks5Client long_host(Socks5Target{std::string(256, 'h'), 1}, "", "");
  EXPECT_TRUE(long_host.failed());
  EXPECT_EQ(long_host.error(), Err::kInvalid);
  EXPECT_TRUE(long_host.poll_transmit().empty());
  Socks5Client long_user(Socks5Target{"h", 1}, std::string(256, 'u'), "");
  EXPECT_TRUE(long_user.failed());
  Socks5Client long_pass(Socks5Target{"h", 1}, "u", std::string(256, 'p'));
  EXPECT_TRUE(long_pass.failed());
  Socks5Client max(Socks5Target{std::string(255, 'h'), 1}, std::string(255, 'u'),
                   std::string(255, 'p'));
  EXPECT_FALSE(max.failed());
  drain(max);
  feed(max, kChoiceUserPass);
  EXPECT_EQ(drain(max).size(), 1u + 1 + 255 + 1 + 255);
  feed(max, kAuthOk);
  EXPECT_EQ(drain(max).size(), 4u + 1 + 255 + 2);
}

TEST(Socks5ClientTest, ReadsBeyondTheRoomAreIgnored) {
  Socks5Client c = client("h:1");
  drain(c);
  c.handle_read(3);  // there was room for 2
  EXPECT_EQ(c.state(), State::kAwaitChoice);
  EXPECT_EQ(c.read_buffer().size(), 2u);
}

}  // namespace
}  // namespace zlab::proto
