// The TCP model on its own, with raw byte owners: refusals, order, backpressure, latency,
// bandwidth, loss, partitions, resets, crashes, and closing with unread input.
#include "sim/net/network.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

// Owns ends for a test: remembers results, reads what arrives when asked to.
struct Owner final : EndOwner, ListenOwner {
  void on_connect_result(EndRef end, Err err) override {
    results.push_back(err);
    if (err == Err::kOk) ends.push_back(end);
  }
  void on_ready(EndRef) override { ++ready; }
  EndOwner* on_accept(ListenerId, EndRef end, const std::string& peer) override {
    ends.push_back(end);
    peers.push_back(peer);
    return this;
  }
  std::vector<Err> results;
  std::vector<EndRef> ends;
  std::vector<std::string> peers;
  int ready = 0;
};

struct Fixture {
  explicit Fixture(NetParams p = {}, uint64_t seed = 1) : rng(seed), net(queue, rng, trace, p) {
    a = net.add_host("a");
    b = net.add_host("b");
  }
  void run_until(int64_t t) {
    while (queue.run_next(t)) {
    }
    queue.advance_to(t);
  }
  // Everything readable from `end` now.
  std::string drain(EndRef end, IoStatus* last = nullptr, Err* err = nullptr) {
    std::string got;
    uint8_t buf[4096];
    for (;;) {
      size_t n = 0;
      Err e = Err::kOk;
      IoStatus st = net.read(end, buf, &n, &e);
      if (st != IoStatus::kOk) {
        if (last) *last = st;
        if (err) *err = e;
        return got;
      }
      got.append(reinterpret_cast<char*>(buf), n);
    }
  }
  // Writes as much of `data` as the send buffer takes.
  size_t write(EndRef end, std::string_view data) {
    size_t total = 0;
    while (total < data.size()) {
      Slice s{reinterpret_cast<const uint8_t*>(data.data()) + total, data.size() - total};
      size_t n = 0;
      Err e = Err::kOk;
      if (net.writev(end, &s, 1, &n, &e) != IoStatus::kOk || n == 0) break;
      total += n;
    }
    return total;
  }
  // Connects a -> b:port with a listener there; returns {client end, server end}.
  std::pair<EndRef, EndRef> pair(Owner& cli, Owner& srv, uint16_t port = 80) {
    uint16_t bound = 0;
    ListenerId lid = 0;
    EXPECT_EQ(net.listen(b, port, &srv, &bound, &lid), Err::kOk);
    EndRef end;
    EXPECT_EQ(net.connect(a, "b", port, &cli, {}, &end), Err::kOk);
    run_until(queue.now_ns() + 50 * kMs);
    EXPECT_EQ(cli.results, std::vector<Err>{Err::kOk});
    EXPECT_EQ(srv.ends.size(), 1u);
    return {cli.ends.at(0), srv.ends.at(0)};
  }

  EventQueue queue;
  Rng rng;
  Trace trace;
  Network net;
  HostId a, b;
};

TEST(NetworkTest, ConnectToAClosedPortIsRefusedAfterARoundTrip) {
  NetParams p;
  p.latency_min_ns = p.latency_max_ns = 3 * kMs;
  Fixture f(p);
  Owner cli;
  EndRef end;
  ASSERT_EQ(f.net.connect(f.a, "b", 80, &cli, {}, &end), Err::kOk);
  f.run_until(5 * kMs);
  EXPECT_TRUE(cli.results.empty());
  f.run_until(7 * kMs);
  EXPECT_EQ(cli.results, std::vector<Err>{Err::kConnRefused});
  EXPECT_EQ(f.net.connect(f.a, "nowhere", 80, &cli, {}, &end), Err::kHostUnreachable);
}

TEST(NetworkTest, BytesArriveInOrderAfterTheLatencyThenEof) {
  NetParams p;
  p.latency_min_ns = p.latency_max_ns = 2 * kMs;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  EXPECT_EQ(srv.peers[0].rfind("a:", 0), 0u);
  EXPECT_EQ(f.net.local_address(s), "b:80");
  int64_t t0 = f.queue.now_ns();
  EXPECT_EQ(f.write(c, "hello "), 6u);
  EXPECT_EQ(f.write(c, "world"), 5u);
  f.net.close(c);
  f.run_until(t0 + 2 * kMs - 1);
  EXPECT_EQ(f.drain(s), "");
  f.run_until(t0 + 2 * kMs);
  IoStatus last;
  EXPECT_EQ(f.drain(s, &last), "hello world");
  EXPECT_EQ(last, IoStatus::kEof);
}

TEST(NetworkTest, ReadMaxOneGivesEveryByteOnItsOwn) {
  NetParams p;
  p.read_max = 1;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  EXPECT_EQ(f.write(c, "abc"), 3u);
  f.run_until(f.queue.now_ns() + 50 * kMs);
  uint8_t buf[16];
  std::string got;
  for (int i = 0; i < 3; ++i) {
    size_t n = 0;
    Err e = Err::kOk;
    ASSERT_EQ(f.net.read(s, buf, &n, &e), IoStatus::kOk);
    EXPECT_EQ(n, 1u);
    got.append(reinterpret_cast<char*>(buf), n);
  }
  EXPECT_EQ(got, "abc");
}

TEST(NetworkTest, AFullSendBufferMakesWritesWouldBlockUntilTheReaderReads) {
  NetParams p;
  p.sndbuf = 1000;
  p.rcvbuf = 3000;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  std::string big(100000, 'x');
  size_t accepted = 0;
  for (int i = 0; i < 50; ++i) {
    accepted += f.write(c, std::string_view(big).substr(accepted));
    f.run_until(f.queue.now_ns() + kMs);
  }
  EXPECT_EQ(accepted, 4000u);  // the receive window plus the send buffer, no more
  EXPECT_FALSE(f.net.writable(c));
  Slice one{reinterpret_cast<const uint8_t*>("y"), 1};
  size_t n = 0;
  Err err;
  EXPECT_EQ(f.net.writev(c, &one, 1, &n, &err), IoStatus::kWouldBlock);
  std::string got;
  while (accepted < big.size()) {
    got += f.drain(s);
    accepted += f.write(c, std::string_view(big).substr(accepted));
    f.run_until(f.queue.now_ns() + kMs);
  }
  while (got.size() < big.size()) {
    f.run_until(f.queue.now_ns() + kMs);
    got += f.drain(s);
  }
  EXPECT_EQ(got, big);
}

// A listener's buffer sizes are its accepted connections' (a real kernel's accepted sockets
// inherit them): a server with a small send buffer pushes back on its writer at once.
TEST(NetworkTest, AcceptedEndsTakeTheListenersBuffers) {
  NetParams p;
  p.sndbuf = p.rcvbuf = 3000;  // the client's (the network's default)
  Fixture f(p);
  Owner cli, srv;
  uint16_t bound = 0;
  ListenerId lid = 0;
  ConnectOptions small;
  small.sndbuf = 1000;
  small.rcvbuf = 2000;
  ASSERT_EQ(f.net.listen(f.b, 80, &srv, &bound, &lid, small), Err::kOk);
  EndRef c;
  ASSERT_EQ(f.net.connect(f.a, "b", 80, &cli, {}, &c), Err::kOk);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  ASSERT_EQ(srv.ends.size(), 1u);
  EndRef s = srv.ends[0];
  std::string big(100000, 'x');
  size_t from_server = 0;
  size_t to_server = 0;
  for (int i = 0; i < 50; ++i) {  // nobody reads: each side fills what the other allows
    from_server += f.write(s, std::string_view(big).substr(from_server));
    to_server += f.write(c, std::string_view(big).substr(to_server));
    f.run_until(f.queue.now_ns() + kMs);
  }
  EXPECT_EQ(from_server, 1000u + 3000u);  // its own send buffer + the client's window
  EXPECT_EQ(to_server, 3000u + 2000u);    // the client's send buffer + its window
}

TEST(NetworkTest, BandwidthPacesTheBytes) {
  NetParams p;
  p.bandwidth_min_bps = p.bandwidth_max_bps = 1'000'000;  // 1 MB/s
  p.sndbuf = p.rcvbuf = 1 << 20;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  int64_t t0 = f.queue.now_ns();
  ASSERT_EQ(f.write(c, std::string(500'000, 'z')), 500'000u);
  f.run_until(t0 + 400 * kMs);
  size_t early = f.drain(s).size();
  EXPECT_LT(early, 420'000u);
  f.run_until(t0 + 600 * kMs);
  EXPECT_EQ(early + f.drain(s).size(), 500'000u);
}

TEST(NetworkTest, LossDelaysButNeverReordersOrLoses) {
  NetParams p;
  p.loss_ppm = 300'000;
  p.mss = 100;
  Fixture f(p, 5);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  std::string data;
  for (int i = 0; i < 2000; ++i) data += std::to_string(i) + ",";
  ASSERT_EQ(f.write(c, data), data.size());
  f.run_until(f.queue.now_ns() + 60 * kSec);
  EXPECT_EQ(f.drain(s), data);
  EXPECT_GT(f.net.stats().retransmits, 0u);
}

// Loss ends when its fault window does (NetParams::loss_until_ns): what is sent after it is
// never retransmitted.
TEST(NetworkTest, NoSegmentIsLostAfterTheLossWindow) {
  NetParams p;
  p.loss_ppm = 300'000;
  p.mss = 100;
  p.loss_until_ns = 1 * kSec;
  Fixture f(p, 5);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.run_until(2 * kSec);
  uint64_t before = f.net.stats().retransmits;
  std::string data(20'000, 'x');
  ASSERT_EQ(f.write(c, data), data.size());
  f.run_until(f.queue.now_ns() + 10 * kSec);
  EXPECT_EQ(f.drain(s), data);
  EXPECT_EQ(f.net.stats().retransmits, before);
}

TEST(NetworkTest, APartitionHoldsBytesUntilItHeals) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.net.set_blocked(f.a, f.b, true);  // one way: a -> b
  f.write(c, "held");
  f.write(s, "flows");
  f.run_until(f.queue.now_ns() + 3 * kSec);
  EXPECT_EQ(f.drain(s), "");
  EXPECT_EQ(f.drain(c), "flows");
  f.net.set_blocked(f.a, f.b, false);
  f.run_until(f.queue.now_ns() + 2 * kSec);  // the next retransmission gets through
  EXPECT_EQ(f.drain(s), "held");
}

TEST(NetworkTest, ALongPartitionTimesTheSenderOutAndTheReceiverNeverHears) {
  NetParams p;
  p.give_up_ns = 5 * kSec;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.net.set_blocked(f.a, f.b, true);
  f.net.set_blocked(f.b, f.a, true);
  f.write(c, "lost");
  f.run_until(f.queue.now_ns() + 10 * kSec);
  IoStatus st;
  Err err;
  f.drain(c, &st, &err);
  EXPECT_EQ(st, IoStatus::kError);
  EXPECT_EQ(err, Err::kTimedOut);
  f.drain(s, &st);
  EXPECT_EQ(st, IoStatus::kWouldBlock);  // half-open
}

TEST(NetworkTest, ASynThatCannotGetThroughTimesOut) {
  NetParams p;
  p.connect_timeout_ns = 4 * kSec;
  Fixture f(p);
  Owner cli, srv;
  uint16_t bound;
  ListenerId lid;
  f.net.listen(f.b, 80, &srv, &bound, &lid);
  f.net.set_blocked(f.b, f.a, true);
  EndRef end;
  f.net.connect(f.a, "b", 80, &cli, {}, &end);
  f.run_until(3 * kSec);
  EXPECT_TRUE(cli.results.empty());
  f.run_until(5 * kSec);
  EXPECT_EQ(cli.results, std::vector<Err>{Err::kTimedOut});
  EXPECT_TRUE(srv.ends.empty());
}

TEST(NetworkTest, AResetFailsBothEndsAfterWhatWasAlreadyReceived) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(c, "before");
  f.run_until(f.queue.now_ns() + 10 * kMs);
  f.net.reset(c.conn);
  EXPECT_TRUE(f.net.live_connections().empty());
  IoStatus st;
  Err err;
  EXPECT_EQ(f.drain(s, &st, &err), "before");
  EXPECT_EQ(err, Err::kConnReset);
  f.drain(c, &st, &err);
  EXPECT_EQ(err, Err::kConnReset);
  Slice one{reinterpret_cast<const uint8_t*>("y"), 1};
  size_t n;
  EXPECT_EQ(f.net.writev(c, &one, 1, &n, &err), IoStatus::kError);
}

TEST(NetworkTest, ACrashedPeerIsSilentUntilWrittenToAfterItsRestart) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.net.crash(f.b);
  f.run_until(f.queue.now_ns() + 5 * kSec);
  IoStatus st;
  f.drain(c, &st);
  EXPECT_EQ(st, IoStatus::kWouldBlock);  // nothing tells the client
  f.write(c, "anyone?");
  f.run_until(f.queue.now_ns() + 2 * kSec);
  f.drain(c, &st);
  EXPECT_EQ(st, IoStatus::kWouldBlock);  // retransmitting into the void
  f.net.restart(f.b);
  f.run_until(f.queue.now_ns() + 2 * kSec);
  Err err;
  f.drain(c, &st, &err);
  EXPECT_EQ(st, IoStatus::kError);
  EXPECT_EQ(err, Err::kConnReset);  // the restarted host knows no such connection
  // And its port is closed until someone listens again.
  Owner again;
  EndRef end;
  f.net.connect(f.a, "b", 80, &again, {}, &end);
  f.run_until(f.queue.now_ns() + kSec);
  EXPECT_EQ(again.results, std::vector<Err>{Err::kConnRefused});
}

TEST(NetworkTest, ClosingWithUnreadInputResetsThePeer) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(c, "unread");
  f.write(s, "reply");
  f.run_until(f.queue.now_ns() + 10 * kMs);
  f.net.close(s);  // "unread" is still in its receive buffer
  f.run_until(f.queue.now_ns() + 10 * kMs);
  IoStatus st;
  Err err;
  EXPECT_EQ(f.drain(c, &st, &err), "reply");
  EXPECT_EQ(st, IoStatus::kError);
  EXPECT_EQ(err, Err::kConnReset);
  // Once: then reads give EOF and writes EPIPE, as Linux's (sim/net/linux_tcp_test.py).
  EXPECT_EQ(f.drain(c, &st, &err), "");
  EXPECT_EQ(st, IoStatus::kEof);
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  size_t n = 0;
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);
  EXPECT_EQ(err, Err::kBrokenPipe);
}

// The reset reported to a write first (linux_tcp_test.py's
// test_a_reset_reported_to_a_write_leaves_reads_at_eof_and_writes_at_epipe): the write gets
// ECONNRESET once, reads then give the data and EOF, never the error again, and writes EPIPE.
// The simulator reported ECONNRESET to every later read and write.
TEST(NetworkTest, AResetReportedToAWriteLeavesReadsAtEofAndWritesAtEpipe) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(c, "unread");
  f.write(s, "reply");
  f.run_until(f.queue.now_ns() + 10 * kMs);
  f.net.close(s);  // "unread" is still in its receive buffer: RST
  f.run_until(f.queue.now_ns() + 10 * kMs);
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  size_t n = 0;
  Err err = Err::kOk;
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);
  EXPECT_EQ(err, Err::kConnReset);
  IoStatus st;
  err = Err::kOk;
  EXPECT_EQ(f.drain(c, &st, &err), "reply");
  EXPECT_EQ(st, IoStatus::kEof);
  EXPECT_EQ(err, Err::kOk);
  EXPECT_EQ(f.drain(c, &st, &err), "");
  EXPECT_EQ(st, IoStatus::kEof);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);
    EXPECT_EQ(err, Err::kBrokenPipe);
  }
}

// What a zlab socket that refuses a peer with ERROR meets: the ERROR written, the peer's next
// bytes unread, the end closed at once. Linux drops the unsent ERROR and resets the peer.
TEST(NetworkTest, ClosingWithUnreadInputDropsWhatWasNotSentYet) {
  NetParams p;
  p.bandwidth_min_bps = p.bandwidth_max_bps = 1000;  // "error" takes 5 ms to leave
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(c, "unread");
  f.run_until(f.queue.now_ns() + 50 * kMs);
  std::string error(20 * 1024, 'e');  // two segments: the second waits for the link
  EXPECT_EQ(f.write(s, error), error.size());
  f.net.close(s);
  f.run_until(f.queue.now_ns() + 50 * kSec);
  IoStatus st;
  Err err;
  EXPECT_EQ(f.drain(c, &st, &err).size(), p.mss);
  EXPECT_EQ(err, Err::kConnReset);
}

// The lingering close that avoids it: shut down writing (FIN after the bytes), read what the
// peer still sends, then close with nothing unread: the peer reads everything, then EOF.
TEST(NetworkTest, ShutdownWriteThenDrainingClosesWithoutAReset) {
  NetParams p;
  p.bandwidth_min_bps = p.bandwidth_max_bps = 1000;
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(c, "unread");
  f.run_until(f.queue.now_ns() + 50 * kMs);
  std::string error(20 * 1024, 'e');
  EXPECT_EQ(f.write(s, error), error.size());
  f.net.shutdown_write(s);
  size_t n = 0;
  Err err = Err::kOk;
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  EXPECT_EQ(f.net.writev(s, &more, 1, &n, &err), IoStatus::kError);  // writing is over
  IoStatus st;
  EXPECT_EQ(f.drain(s, &st), "unread");
  f.run_until(f.queue.now_ns() + 50 * kMs);
  f.net.close(s);
  f.run_until(f.queue.now_ns() + 50 * kSec);
  EXPECT_EQ(f.drain(c, &st, &err), error);
  EXPECT_EQ(st, IoStatus::kEof);
}

TEST(NetworkTest, WritingToAClosedPeerEarnsAnRst) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.net.close(s);
  f.run_until(f.queue.now_ns() + 10 * kMs);
  IoStatus st;
  f.drain(c, &st);
  EXPECT_EQ(st, IoStatus::kEof);
  f.write(c, "late");
  f.run_until(f.queue.now_ns() + 10 * kMs);
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  size_t n = 0;
  Err err = Err::kOk;
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);  // the RST failed it
  // After the FIN: EPIPE, as Linux's (linux_tcp_test.py, a reset after a FIN).
  EXPECT_EQ(err, Err::kBrokenPipe);
  f.net.close(c);
  EXPECT_TRUE(f.net.live_connections().empty());
}

// After the peer's FIN, an RST leaves reads at EOF: Linux's read() gives what was sent, then 0,
// and again 0 (tcp_recvmsg looks at the FIN before the error; probed over loopback: the peer
// sends "hi" and closes, we write, its RST comes back, reads give "hi", "", ""). Only writes
// fail. The simulator used to answer ECONNRESET.
TEST(NetworkTest, AfterAFinAnRstLeavesReadsAtEof) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.write(s, "hi");
  f.net.close(s);
  f.run_until(f.queue.now_ns() + 10 * kMs);
  f.write(c, "late");  // reaches the closed end: answered with RST
  f.run_until(f.queue.now_ns() + 10 * kMs);
  IoStatus st;
  Err err = Err::kOk;
  EXPECT_EQ(f.drain(c, &st, &err), "hi");
  EXPECT_EQ(st, IoStatus::kEof);
  EXPECT_EQ(f.drain(c, &st, &err), "");
  EXPECT_EQ(st, IoStatus::kEof);
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  size_t n = 0;
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);
  EXPECT_EQ(err, Err::kBrokenPipe);  // a reset after the FIN: EPIPE, as Linux's
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);
  EXPECT_EQ(err, Err::kBrokenPipe);
}

// The RST that answers data for a closed end leaves behind what that end had already sent:
// segments of one direction arrive in order, as on Linux's loopback (the peer reads the bytes
// first, then its FIN: EOF; writes fail). It used to travel on its own and overtake them (here:
// data held by a one-way partition), so the peer failed before reading what was sent to it.
TEST(NetworkTest, AnRstNeverOvertakesDataSentBeforeIt) {
  Fixture f;
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  f.net.set_blocked(f.b, f.a, true);  // s's bytes are held back
  f.write(s, "sent before");
  f.net.close(s);
  f.write(c, "late");  // reaches the closed end: answered with RST
  f.run_until(f.queue.now_ns() + 100 * kMs);
  f.net.set_blocked(f.b, f.a, false);
  f.run_until(f.queue.now_ns() + 3 * kSec);
  IoStatus st;
  Err err;
  EXPECT_EQ(f.drain(c, &st, &err), "sent before");
  EXPECT_EQ(st, IoStatus::kEof);  // s's FIN went before its RST (AfterAFinAnRstLeavesReadsAtEof)
  Slice more{reinterpret_cast<const uint8_t*>("x"), 1};
  size_t n = 0;
  EXPECT_EQ(f.net.writev(c, &more, 1, &n, &err), IoStatus::kError);  // the RST arrived
  EXPECT_EQ(err, Err::kBrokenPipe);  // after the FIN: EPIPE, as Linux's
}

// What the end that answers with RST had not sent yet is dropped (Linux purges its write
// queue): the peer reads what was on the wire, then ECONNRESET.
TEST(NetworkTest, AnRstReplyDropsWhatItsEndHadNotSentYet) {
  NetParams p;
  p.bandwidth_min_bps = p.bandwidth_max_bps = 1000;  // the second segment waits 16 s
  Fixture f(p);
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  std::string data(20 * 1024, 'd');
  EXPECT_EQ(f.write(s, data), data.size());
  f.net.close(s);
  f.write(c, "late");
  f.run_until(f.queue.now_ns() + 60 * kSec);
  IoStatus st;
  Err err;
  EXPECT_EQ(f.drain(c, &st, &err).size(), p.mss);
  EXPECT_EQ(err, Err::kConnReset);
}

TEST(NetworkTest, ListenRefusesAPortInUseAndEphemeralPortsAreFree) {
  Fixture f;
  Owner o;
  uint16_t port;
  ListenerId id, id2;
  EXPECT_EQ(f.net.listen(f.b, 80, &o, &port, &id), Err::kOk);
  EXPECT_EQ(f.net.listen(f.b, 80, &o, &port, &id2), Err::kAddrInUse);
  EXPECT_EQ(f.net.listen(f.b, 0, &o, &port, &id2), Err::kOk);
  EXPECT_GE(port, 49152);
  f.net.unlisten(id);
  EXPECT_EQ(f.net.listen(f.b, 80, &o, &port, &id), Err::kOk);
}

// Whatever the split points, buffer sizes and loss, the bytes arrive once and in order.
RC_GTEST_PROP(NetworkTest, TheByteStreamIsExactUnderAnySplitsBuffersAndLoss, ()) {
  NetParams p;
  p.split_ppm = *rc::gen::inRange<uint32_t>(0, 1'000'001);
  p.loss_ppm = *rc::gen::inRange<uint32_t>(0, 200'000);
  p.sndbuf = *rc::gen::inRange<size_t>(1, 5000);
  p.rcvbuf = *rc::gen::inRange<size_t>(1, 5000);
  p.mss = *rc::gen::inRange<size_t>(1, 3000);
  p.jitter_ns = *rc::gen::inRange<int64_t>(0, 5 * kMs);
  Fixture f(p, *rc::gen::arbitrary<uint64_t>());
  Owner cli, srv;
  auto [c, s] = f.pair(cli, srv);
  const auto data = *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
  size_t sent = 0;
  std::string got;
  for (int round = 0; round < 100000 && got.size() < data.size(); ++round) {
    sent += f.write(c, std::string_view(data).substr(sent));
    f.run_until(f.queue.now_ns() + kMs);
    got += f.drain(s);
  }
  RC_ASSERT(got == data);
}

// An owner that pumps only the ends it was told of (sim/world/sim_socket.h) relies on this:
// whenever an end becomes readable or writable, its owner hears on_changed (with its tag)
// from inside the call that did it, whatever else happens: writes, reads, time, closes,
// resets, crashes. Even the room a dropped send buffer leaves (data for a closed end).
struct Watcher final : EndOwner, ListenOwner {
  void on_connect_result(EndRef end, Err err) override {
    if (err == Err::kOk) ends.push_back(end);
  }
  void on_ready(EndRef) override {}
  void on_changed(EndRef end, uint64_t tag) override {
    told.push_back({end.conn, end.side});
    tags.push_back(tag);
  }
  EndOwner* on_accept(ListenerId, EndRef end, const std::string&) override {
    ends.push_back(end);
    return this;
  }
  bool was_told(EndRef end) const {
    for (auto [conn, side] : told) {
      if (conn == end.conn && side == end.side) return true;
    }
    return false;
  }
  std::vector<EndRef> ends;
  std::vector<std::pair<ConnId, uint8_t>> told;
  std::vector<uint64_t> tags;
};

RC_GTEST_PROP(NetworkTest, EveryEndThatBecomesReadableOrWritableIsToldAtOnce, ()) {
  NetParams p;
  p.split_ppm = *rc::gen::inRange<uint32_t>(0, 1'000'001);
  p.loss_ppm = *rc::gen::inRange<uint32_t>(0, 200'000);
  p.sndbuf = *rc::gen::inRange<size_t>(1, 3000);
  p.rcvbuf = *rc::gen::inRange<size_t>(1, 3000);
  p.mss = *rc::gen::inRange<size_t>(1, 2000);
  p.latency_min_ns = p.latency_max_ns = 2 * kMs;  // steps of time shorter than a trip
  Fixture f(p, *rc::gen::arbitrary<uint64_t>());
  Watcher w;
  uint16_t bound = 0;
  ListenerId lid = 0;
  RC_ASSERT(f.net.listen(f.b, 80, &w, &bound, &lid) == Err::kOk);
  EndRef c;
  RC_ASSERT(f.net.connect(f.a, "b", 80, &w, {}, &c) == Err::kOk);
  f.run_until(50 * kMs);
  RC_ASSERT(w.ends.size() == 2u);
  EndRef s = w.ends[0].side == 1 ? w.ends[0] : w.ends[1];
  f.net.set_owner_tag(c, 11);
  f.net.set_owner_tag(s, 22);
  EndRef both[2] = {c, s};
  bool closed[2] = {false, false};
  bool could[2][2];  // [end][read, write] after the last step
  for (int i = 0; i < 2; ++i) {
    could[i][0] = f.net.readable(both[i]);
    could[i][1] = f.net.writable(both[i]);
  }
  const auto ops = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 9));
  for (int op : ops) {
    w.told.clear();
    w.tags.clear();
    int e = op % 2;
    switch (op) {
      case 0:
      case 1:
        if (!closed[e]) f.write(both[e], std::string(1 + f.rng.below(4000), 'z'));
        break;
      case 2:
      case 3:
        if (!closed[e]) f.drain(both[e]);
        break;
      case 4:
      case 5:
        if (!closed[e]) f.net.close(both[e]);
        closed[e] = true;
        break;
      case 6:
        f.net.reset(c.conn);
        break;
      case 7:
        f.net.crash(f.b);
        f.net.restart(f.b);
        break;
      default:
        f.run_until(f.queue.now_ns() + int64_t(f.rng.below(3 * kMs)));
        break;
    }
    for (int i = 0; i < 2; ++i) {
      bool now[2] = {f.net.readable(both[i]), f.net.writable(both[i])};
      for (int k = 0; k < 2; ++k) {
        if (!closed[i] && now[k] && !could[i][k]) {
          RC_ASSERT(w.was_told(both[i]));
        }
        could[i][k] = now[k];
      }
    }
    for (size_t t = 0; t < w.told.size(); ++t) {
      RC_ASSERT(w.tags[t] == (w.told[t].second == 0 ? 11u : 22u));
    }
  }
}

// The case a pump of every end used to cover: data reaching a closed end is answered with RST,
// and the writer's send buffer is dropped at once, before the RST gets back to tell it.
TEST(NetworkTest, ASendBufferDroppedForAClosedPeerIsToldAtOnce) {
  NetParams p;
  p.latency_min_ns = p.latency_max_ns = 2 * kMs;
  p.sndbuf = 1000;
  Fixture f(p);
  Watcher w;
  uint16_t bound = 0;
  ListenerId lid = 0;
  ASSERT_EQ(f.net.listen(f.b, 80, &w, &bound, &lid), Err::kOk);
  EndRef c;
  ASSERT_EQ(f.net.connect(f.a, "b", 80, &w, {}, &c), Err::kOk);
  f.run_until(50 * kMs);
  ASSERT_EQ(w.ends.size(), 2u);
  EndRef s = w.ends[0].side == 1 ? w.ends[0] : w.ends[1];
  f.net.set_owner_tag(c, 11);
  f.net.close(s);
  f.run_until(f.queue.now_ns() + 3 * kMs);  // its FIN is in
  EXPECT_EQ(f.write(c, std::string(5000, 'z')), 1000u);
  EXPECT_FALSE(f.net.writable(c));
  w.told.clear();
  w.tags.clear();
  f.run_until(f.queue.now_ns() + 3 * kMs);  // the data reached the closed end; no RST back yet
  EXPECT_TRUE(f.net.writable(c));
  EXPECT_TRUE(w.was_told(c));
  EXPECT_EQ(w.tags, std::vector<uint64_t>{11});
}

TEST(NetworkTest, SameSeedSameTrace) {
  auto run = [](uint64_t seed) {
    NetParams p;
    p.split_ppm = 500'000;
    p.loss_ppm = 100'000;
    p.jitter_ns = kMs;
    Fixture f(p, seed);
    Owner cli, srv;
    auto [c, s] = f.pair(cli, srv);
    f.write(c, std::string(50000, 'q'));
    for (int i = 0; i < 100; ++i) {
      f.run_until(f.queue.now_ns() + 10 * kMs);
      f.drain(s);
    }
    return f.trace.hash();
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

}  // namespace
}  // namespace zlab::sim
