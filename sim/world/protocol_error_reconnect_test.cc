// A connect()ed socket whose connection ends in a protocol error does not connect again, as
// in libzmq 4.3.4 (session_base_t::engine_error: a protocol error terminates the session;
// connection and timeout errors reconnect). zlab used to reconnect every ZMQ_RECONNECT_IVL
// to an endpoint that would only refuse it again (found by ./zlab fuzz --listen against
// libzmq: libzmq never came back, zlab did).
//
// A raw server on h1 plays one kind of misbehaviour on every connection it accepts; a PUSH on
// h0 connects with a 100 ms reconnect interval; the test counts the connections in 3 s.
#include <gtest/gtest.h>

#include <functional>

#include "engine/wire/zmtp_bytes.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

namespace bytes = wire::bytes;

// What the server does on a connection: the bytes it writes (then it reads until EOF), or
// an empty string to close at once.
int connections_made(const std::string& server_says) {
  World w(1);
  HostId h0 = w.add_host("h0");
  HostId h1 = w.add_host("h1");
  int accepted = 0;
  w.spawn(h1, "raw_server", [&](Ctx& ctx) -> Task<> {
    Err err = Err::kOk;
    RawListener* l = ctx.raw_listen(80, &err);
    EXPECT_EQ(err, Err::kOk);
    for (;;) {
      RawConn* c = nullptr;
      if (co_await ctx.raw_accept(l, &c, sec(4)) != Err::kOk) break;
      ++accepted;
      if (server_says.empty()) {
        c->close();  // EOF before a greeting: a connection error
        continue;
      }
      co_await ctx.raw_write(c, server_says);
      std::string got;
      while (co_await ctx.raw_read(c, &got, ms(500)) == Err::kOk) {
      }
      c->close();
    }
  });
  w.spawn(h0, "push", [&](Ctx& ctx) -> Task<> {
    SimSocket* s = ctx.socket(SocketType::kPush);
    s->set_int(opt::kReconnectIvl, 100);
    s->connect("tcp://h1:80");
    co_await ctx.sleep(sec(3));
  });
  w.run(sec(10));
  return accepted;
}

TEST(ProtocolErrorReconnectTest, AMechanismMismatchEndsTheSession) {
  EXPECT_EQ(connections_made(bytes::greeting("PLAIN", true)), 1);
}

TEST(ProtocolErrorReconnectTest, AMalformedCommandEndsTheSession) {
  EXPECT_EQ(connections_made(bytes::greeting() + bytes::command("READY", "\x05")), 1);
}

TEST(ProtocolErrorReconnectTest, AnErrorDuringTheHandshakeEndsTheSession) {
  // What a server whose ZAP handler refused us sends (rfc 27: status 400 in the ERROR).
  EXPECT_EQ(connections_made(bytes::greeting() + bytes::error("400")), 1);
}

TEST(ProtocolErrorReconnectTest, AClosedConnectionIsMadeAgain) {
  EXPECT_GE(connections_made(""), 3);
}

TEST(ProtocolErrorReconnectTest, AnErrorAfterTheHandshakeIsNoProtocolErrorOfOurs) {
  // libzmq ignores an ERROR once the handshake is done; the server closes next, which is a
  // connection error: the socket connects again. (An ERROR in the handshake is the peer
  // refusing us: rfc 37 and rfc 26 forbid trying again with the same credentials, above.)
  EXPECT_GE(connections_made(bytes::null_handshake("PULL") + bytes::error("bye")), 2);
}
}  // namespace
}  // namespace zlab::sim
