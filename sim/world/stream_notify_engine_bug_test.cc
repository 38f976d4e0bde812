// ENGINE BUG, FIXED (engine 5529d79: STREAM notifications use Pipe::write_control); kept as
// a regression test.
//
// StreamRouting::connection_lost (engine/sockets/types/stream.cc) wrote the disconnect
// notification (an empty message, ZMQ_STREAM_NOTIFY) into the peer's inbound pipe with
// Pipe::write, never asking can_write(). When the application had not read enough to leave
// room under ZMQ_RCVHWM, the write tripped `assert(can_write())` in Pipe::write and the
// process aborted.
//
// Found by: ./zlab sim --seed 136 --scenario stream with slow_consumer's small HWMs.
// Here: a STREAM server with ZMQ_RCVHWM 1 that has not read yet; a raw TCP client connects
// (the connect notification fills the pipe) and hangs up.
#include <gtest/gtest.h>

#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

TEST(StreamNotifyEngineBugTest, ADisconnectIntoAFullPipeDoesNotAbort) {
  World w(1);
  HostId h0 = w.add_host("h0");
  HostId h1 = w.add_host("h1");
  int notifications = 0;
  w.spawn(h0, "stream_server", [&](Ctx& ctx) -> Task<> {
    SimSocket* s = ctx.socket(SocketType::kStream);
    s->set_int(opt::kRcvHwm, 1);
    s->bind("tcp://*:80");
    co_await ctx.sleep(ms(100));  // the client comes and goes meanwhile
    for (;;) {
      std::vector<std::string> msg;
      s->set_int(opt::kRcvTimeo, 100);
      if (co_await ctx.recv_parts(s, &msg) != Err::kOk) break;
      if (msg.size() == 2 && msg[1].empty()) ++notifications;
    }
  });
  w.spawn(h1, "raw_client", [&](Ctx& ctx) -> Task<> {
    RawConn* c = nullptr;
    EXPECT_EQ(co_await ctx.raw_connect("h0", 80, &c), Err::kOk);
    co_await ctx.sleep(ms(10));
    c->close();  // EOF at the server: connection_lost -> the disconnect notification
  });
  RunOutcome out = w.run(sec(5));
  EXPECT_EQ(out.kind, RunOutcome::Kind::kDone);
  EXPECT_GE(notifications, 1);  // the connect notification; the disconnect one may be dropped
}

}  // namespace
}  // namespace zlab::sim
