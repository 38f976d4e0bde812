// The udp model on its own: unicast and multicast, and each datagram fault (loss, duplication,
// reordering), partitions and crashes; no retransmission; the same seed, the same trace.
#include "sim/net/datagram_net.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace zlab::sim {
namespace {

constexpr int64_t kMs = 1'000'000;

struct Fixture final : DatagramOwner {
  explicit Fixture(NetParams p = {}, uint64_t seed = 1)
      : rng(seed), net(queue, rng, trace, p), dgram(net, queue, rng, trace) {
    a = net.add_host("a");
    b = net.add_host("b");
    c = net.add_host("c");
  }
  void on_datagram(DgramId id) override { ++arrivals[id]; }
  void run_until(int64_t t) {
    while (queue.run_next(t)) {
    }
    queue.advance_to(t);
  }
  // Sends "0", "1", ... (n datagrams) from `from` to `to`:`port`, one per millisecond.
  void send_numbered(DgramId from, std::string to, uint16_t port, int n) {
    for (int i = 0; i < n; ++i) {
      std::string body = std::to_string(i);
      ASSERT_EQ(
          dgram.send(from, to, port, {reinterpret_cast<const uint8_t*>(body.data()), body.size()}),
          Err::kOk);
      run_until(queue.now_ns() + kMs);
    }
  }
  std::vector<std::string> drain(DgramId id) {
    std::vector<std::string> got;
    uint8_t buf[9000];
    size_t n = 0;
    while (dgram.receive(id, buf, &n) == IoStatus::kOk) {
      got.emplace_back(reinterpret_cast<char*>(buf), n);
    }
    return got;
  }
  EventQueue queue;
  Rng rng;
  Trace trace;
  Network net;
  DatagramNet dgram;
  HostId a, b, c;
  std::map<DgramId, int> arrivals;
};

std::vector<std::string> numbers(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

TEST(DatagramNetTest, UnicastArrivesInOrderWithoutFaults) {
  Fixture f;
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 20);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_EQ(f.drain(rx), numbers(20));
  EXPECT_EQ(f.arrivals[rx], 20);
  EXPECT_EQ(f.dgram.stats().delivered, 20u);
  // Another port, another host: nobody gets it, and nothing comes back.
  f.send_numbered(tx, "b", 5556, 1);
  f.send_numbered(tx, "c", 5555, 1);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_TRUE(f.drain(rx).empty());
  EXPECT_EQ(f.dgram.send(tx, "nowhere", 5555, {}), Err::kHostUnreachable);
}

TEST(DatagramNetTest, UnicastPortIsOneSocketsAGroupPortIsShared) {
  Fixture f;
  DgramId x = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &x), Err::kOk);
  EXPECT_EQ(f.dgram.bind(f.b, 5555, "", &f, &x), Err::kAddrInUse);
  ASSERT_EQ(f.dgram.bind(f.b, 6000, "239.1.1.1", &f, &x), Err::kOk);
  EXPECT_EQ(f.dgram.bind(f.b, 6000, "239.1.1.1", &f, &x), Err::kOk);
  EXPECT_EQ(f.dgram.bind(f.b, 6000, "10.0.0.1", &f, &x), Err::kInvalid);  // no group
}

TEST(DatagramNetTest, MulticastReachesEveryMemberOnEveryHostTheSendersToo) {
  Fixture f;
  DgramId on_b = 0, on_c = 0, on_a = 0, other_group = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 6000, "239.1.1.1", &f, &on_b), Err::kOk);
  ASSERT_EQ(f.dgram.bind(f.c, 6000, "239.1.1.1", &f, &on_c), Err::kOk);
  ASSERT_EQ(f.dgram.bind(f.a, 6000, "239.1.1.1", &f, &on_a), Err::kOk);
  ASSERT_EQ(f.dgram.bind(f.c, 6000, "239.1.1.2", &f, &other_group), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "239.1.1.1", 6000, 5);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_EQ(f.drain(on_b), numbers(5));
  EXPECT_EQ(f.drain(on_c), numbers(5));
  EXPECT_EQ(f.drain(on_a), numbers(5));
  EXPECT_TRUE(f.drain(other_group).empty());
}

TEST(DatagramNetTest, LossLosesAndNothingIsRetransmitted) {
  NetParams p;
  p.dgram_loss_ppm = 300'000;
  Fixture f(p);
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 200);
  f.run_until(f.queue.now_ns() + 10'000 * kMs);
  std::vector<std::string> got = f.drain(rx);
  EXPECT_GT(f.dgram.stats().lost, 20u);
  EXPECT_EQ(got.size() + f.dgram.stats().lost, 200u);  // each lost for good
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end(), [](const auto& x, const auto& y) {
    return std::stoi(x) < std::stoi(y);
  }));
}

TEST(DatagramNetTest, DuplicationDeliversSomeTwice) {
  NetParams p;
  p.dgram_dup_ppm = 300'000;
  Fixture f(p);
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 100);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  std::vector<std::string> got = f.drain(rx);
  EXPECT_GT(f.dgram.stats().duplicated, 10u);
  EXPECT_EQ(got.size(), 100u + f.dgram.stats().duplicated);
  std::sort(got.begin(), got.end());
  got.erase(std::unique(got.begin(), got.end()), got.end());
  EXPECT_EQ(got.size(), 100u);  // every one, some twice
}

TEST(DatagramNetTest, ReorderingLetsLaterDatagramsOvertake) {
  NetParams p;
  p.dgram_reorder_ns = 20 * kMs;  // far more than the 1 ms between sends
  Fixture f(p);
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 100);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  std::vector<std::string> got = f.drain(rx);
  ASSERT_EQ(got.size(), 100u);
  EXPECT_NE(got, numbers(100));
  std::sort(got.begin(), got.end());
  std::vector<std::string> want = numbers(100);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(DatagramNetTest, PartitionDropsAndHealsWithoutCatchingUp) {
  Fixture f;
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.net.set_blocked(f.a, f.b, true);
  f.send_numbered(tx, "b", 5555, 10);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_TRUE(f.drain(rx).empty());
  EXPECT_EQ(f.dgram.stats().dropped, 10u);
  f.net.set_blocked(f.a, f.b, false);
  f.run_until(f.queue.now_ns() + 1000 * kMs);
  EXPECT_TRUE(f.drain(rx).empty());  // no retransmission after the heal
  f.send_numbered(tx, "b", 5555, 3);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_EQ(f.drain(rx), numbers(3));
}

TEST(DatagramNetTest, FullReceiveQueueDropsTheRest) {
  NetParams p;
  p.dgram_queue = 4;
  Fixture f(p);
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 10);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_EQ(f.drain(rx), numbers(4));
  EXPECT_EQ(f.dgram.stats().dropped, 6u);
}

TEST(DatagramNetTest, CrashForgetsTheHostsSockets) {
  Fixture f;
  DgramId rx = 0, tx = 0;
  ASSERT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  ASSERT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 2);  // delivered, not yet read
  ASSERT_EQ(f.dgram.stats().delivered, 2u);
  f.net.crash(f.b);
  f.dgram.crash(f.b);
  f.send_numbered(tx, "b", 5555, 2);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  EXPECT_FALSE(f.dgram.readable(rx));  // what was queued died with the host
  EXPECT_EQ(f.dgram.stats().delivered, 2u);
}

std::pair<uint64_t, std::vector<std::string>> faulty_run(uint64_t seed) {
  NetParams p;
  p.dgram_loss_ppm = 100'000;
  p.dgram_dup_ppm = 100'000;
  p.dgram_reorder_ns = 5 * kMs;
  p.jitter_ns = kMs;
  Fixture f(p, seed);
  DgramId rx = 0, member = 0, tx = 0;
  EXPECT_EQ(f.dgram.bind(f.b, 5555, "", &f, &rx), Err::kOk);
  EXPECT_EQ(f.dgram.bind(f.c, 6000, "239.9.9.9", &f, &member), Err::kOk);
  EXPECT_EQ(f.dgram.open(f.a, &tx), Err::kOk);
  f.send_numbered(tx, "b", 5555, 50);
  f.send_numbered(tx, "239.9.9.9", 6000, 50);
  f.run_until(f.queue.now_ns() + 100 * kMs);
  std::vector<std::string> got = f.drain(rx);
  for (std::string& s : f.drain(member)) got.push_back("m" + s);
  return {f.trace.hash(), got};
}

TEST(DatagramNetTest, SameSeedSameTraceAnotherSeedAnother) {
  auto [hash1, got1] = faulty_run(7);
  auto [hash2, got2] = faulty_run(7);
  auto [hash3, got3] = faulty_run(8);
  EXPECT_EQ(hash1, hash2);
  EXPECT_EQ(got1, got2);
  EXPECT_NE(hash1, hash3);
}

}  // namespace
}  // namespace zlab::sim
