// ENGINE BUG, FIXED (engine/sockets/error_close.h): an ERROR lost to a reset.
//
// A zlab socket that refused a peer with an ERROR command closed the stream as soon as the
// ERROR was written. When the peer's next bytes were still unread in the receive buffer the
// close was a TCP reset (Linux, and the simulator's TCP, answer close() with unread input so),
// which drops what was not yet sent and makes the peer drop what it had not read: the peer
// never learned why it was refused.
//
// Found by: ./zlab fuzz --sim --socket-type PULL --seed 2 --faults split_io,latency (cases 8
// and 76). Here, deterministic: a slow link keeps the ERROR in the send buffer, and the
// peer's SUBSCRIBE (refused by a PULL) comes with 16 KiB more in the same segment.
#include <gtest/gtest.h>

#include <cstdlib>

#include "engine/wire/zmtp_bytes.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

namespace bytes = wire::bytes;

struct Seen {
  std::string got;
  Err last = Err::kOk;
};

// A PULL on h0; a raw peer on h1 sends its handshake, a SUBSCRIBE and `trailing` more bytes
// at once, then reads until the connection ends.
Seen refused_peer_reads(World& w, size_t trailing) {
  HostId h0 = w.add_host("h0");
  HostId h1 = w.add_host("h1");
  Seen seen;
  w.spawn(h0, "pull", [&](Ctx& ctx) -> Task<> {
    SimSocket* s = ctx.socket(SocketType::kPull);
    s->bind("tcp://*:80");
    co_await ctx.sleep(sec(10));
  });
  w.spawn(h1, "raw_peer", [&](Ctx& ctx) -> Task<> {
    RawConn* c = nullptr;
    EXPECT_EQ(co_await ctx.raw_connect("h0", 80, &c), Err::kOk);
    std::string flight =
        bytes::null_handshake("PUSH") + bytes::subscribe("") + std::string(trailing, '\0');
    EXPECT_EQ(co_await ctx.raw_write(c, flight), Err::kOk);
    for (;;) {
      seen.last = co_await ctx.raw_read(c, &seen.got, sec(5));
      if (seen.last != Err::kOk) break;
    }
  });
  w.run(sec(20));
  return seen;
}

TEST(ErrorCloseTest, TheErrorReachesAPeerThatWasStillSending) {
  World w(1);
  if (std::getenv("TRACE")) w.trace().set_file(stderr);
  w.net().mutable_params().bandwidth_min_bps = 200'000;  // the ERROR waits for the link
  w.net().mutable_params().bandwidth_max_bps = 200'000;
  Seen seen = refused_peer_reads(w, 16 * 1024);
  bytes::Stream stream = bytes::parse_stream(seen.got);
  EXPECT_TRUE(stream.has_command("READY"));
  EXPECT_TRUE(stream.has_command("ERROR")) << "got " << seen.got.size() << " bytes";
  EXPECT_EQ(seen.last, Err::kNotConnected);  // EOF (a FIN), not ECONNRESET
}

// The drain is bounded: a peer that keeps sending past the budget does not hold the stream
// open (it is closed, with a reset then, as before).
TEST(ErrorCloseTest, APeerSendingPastTheBudgetIsClosedAnyway) {
  World w(1);
  Seen seen = refused_peer_reads(w, 2 * ErrorCloses::kMaxDrainBytes);
  EXPECT_NE(seen.last, Err::kOk);
  EXPECT_NE(seen.last, Err::kAgain);  // ended, not timed out waiting
}

}  // namespace
}  // namespace zlab::sim
