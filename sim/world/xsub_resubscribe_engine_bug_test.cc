// ENGINE BUG, FIXED (engine a8b7acc: subscriptions bypass the HWM, Pipe::write_control); kept
// as a regression test.
//
// XSubRouting::resubscribe (engine/sockets/types/pubsub.cc) wrote one subscription message
// per topic into the peer's out pipe with Pipe::write, never asking can_write(). When a SUB or
// XSUB had more topics than its ZMQ_SNDHWM (or the pipe already held messages), the write
// past the HWM tripped `assert(can_write())` in Pipe::write and the process aborted. It was
// reached from XSubRouting::attach (a new connection) and XSubRouting::reconnected.
//
// Found by: ./zlab sim --seeds 1..60 --scenario xpub_xsub with every socket's HWM at 2.
// Here: a SUB with ZMQ_SNDHWM 1 and two subscriptions connects to a PUB.
#include <gtest/gtest.h>

#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

TEST(XSubResubscribeEngineBugTest, MoreTopicsThanTheSndHwmDoNotAbort) {
  World w(1);
  HostId h0 = w.add_host("h0");
  HostId h1 = w.add_host("h1");
  std::string got;
  w.spawn(
      h0, "pub",
      [&](Ctx& ctx) -> Task<> {
        SimSocket* s = ctx.socket(SocketType::kPub);
        s->bind("tcp://*:1");
        for (;;) {
          co_await ctx.send(s, "a1");
          co_await ctx.sleep(ms(10));
        }
      },
      /*daemon=*/true);
  w.spawn(h1, "sub", [&](Ctx& ctx) -> Task<> {
    SimSocket* s = ctx.socket(SocketType::kSub);
    s->set_int(opt::kSndHwm, 1);
    s->set_bytes(opt::kSubscribe, "a");
    s->set_bytes(opt::kSubscribe, "b");
    s->connect("tcp://h0:1");  // attach -> resubscribe: two writes into a pipe of HWM 1
    Msg m;
    if (co_await ctx.recv(s, &m) == Err::kOk) got = std::string(m.view());
  });
  RunOutcome out = w.run(sec(5));
  EXPECT_EQ(out.kind, RunOutcome::Kind::kDone);
  EXPECT_EQ(got, "a1");  // at least the first subscription (the one that fits) works
}

}  // namespace
}  // namespace zlab::sim
