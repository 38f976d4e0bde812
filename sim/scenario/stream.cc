// STREAM with raw TCP peers, both ways round:
//  * h0's STREAM socket serves raw TCP clients on h1 and h2: [id, bytes] in, [id, bytes]
//    echoed back; connects and disconnects arrive as [id, ""];
//  * h0's second STREAM socket connects to a raw TCP echo server on h3 and talks through it.
// Every round trip's echo must be byte-exact; a connection that fails or stalls (raw TCP has
// no heartbeats: 3 s without an echo) is dropped and the round retried on a new one. The
// quiet phase's round trips must all succeed. With no fault on that loses connections, there
// is no timeout and any retry is a failure.
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

constexpr uint64_t kRounds = 20;
constexpr uint64_t kQuietRounds = 5;

std::string payload(Rng& rng, const std::string& flow, uint64_t conn, uint64_t round) {
  std::string p = flow + ":" + std::to_string(conn) + ":" + std::to_string(round) + ":";
  size_t n = size_t(rng.below(1000));
  for (size_t i = 0; i < n; ++i) p.push_back(char('a' + rng.below(26)));
  p.push_back('\n');
  return p;
}

class Stream final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {0};
    t.binders = {0, 3};
    return t;
  }

  void start(ScenarioEnv& env) override {
    env.expect_disconnects();
    env.boot(0, [&env](HostId host) {
      env.world.spawn(
          host, "stream_server", [&env](Ctx& ctx) -> Task<> { co_await server(ctx, env); },
          /*daemon=*/true);
      env.world.spawn(host, "stream_client",
                      [&env](Ctx& ctx) -> Task<> { co_await stream_client(ctx, env); });
    });
    for (uint32_t h : {1u, 2u}) {
      env.boot(h, [&env](HostId host) {
        env.world.spawn(host, "raw_client",
                        [&env](Ctx& ctx) -> Task<> { co_await raw_client(ctx, env); });
      });
    }
    env.boot(3, [&env](HostId host) {
      env.world.spawn(
          host, "raw_server", [&env](Ctx& ctx) -> Task<> { co_await raw_server(ctx, env); },
          /*daemon=*/true);
    });
  }

 private:
  static Task<> server(Ctx& ctx, ScenarioEnv& env) {
    SimSocket* s = ctx.socket(SocketType::kStream);
    env.tune(s);
    if (s->bind("tcp://*:5570") != Err::kOk) env.fail("STREAM bind failed");
    for (;;) {
      std::vector<std::string> msg;
      if (co_await ctx.recv_paced(s, &msg) != Err::kOk) continue;
      if (msg.size() != 2) {
        env.fail("STREAM server got " + std::to_string(msg.size()) + " parts, not [id, data]");
        continue;
      }
      if (msg[1].empty()) continue;  // a peer connected or went away
      Err err = co_await ctx.send_parts(s, std::move(msg));
      if (err != Err::kOk && err != Err::kHostUnreachable) {
        env.fail("STREAM server send failed: " + std::string(err_name(err)));
      }
    }
  }

  static Task<> raw_client(Ctx& ctx, ScenarioEnv& env) {
    Rng& rng = env.world.rng();
    const std::string flow = env.flow(ctx.host());
    RawConn* c = nullptr;
    uint64_t conn = 0;
    bool quiet = false;
    uint64_t quiet_done = 0;
    for (uint64_t round = 0; quiet_done < kQuietRounds;) {
      if (!quiet && (round >= kRounds || !env.window_open())) {
        co_await sleep_until(ctx, env.quiet_at());
        quiet = true;
      }
      if (c == nullptr) {
        if (co_await ctx.raw_connect("h0", 5570, &c) != Err::kOk) {
          c = nullptr;
          co_await ctx.sleep(ms(100));
          continue;
        }
        ++conn;
      }
      bool must = env.must_now();
      std::string p = payload(rng, flow, conn, round);
      std::string got;
      Err err = co_await ctx.raw_write(c, p);
      while (err == Err::kOk && got.size() < p.size()) {
        err = co_await ctx.raw_read(c, &got, env.lossless() ? kForever : sec(3));
      }
      if (p.compare(0, std::min(got.size(), p.size()), got, 0, p.size()) != 0 ||
          got.size() > p.size()) {
        env.fail(ctx.host_name() + " got an echo that is not what it sent (round " +
                 std::to_string(round) + ")");
      }
      if (got.size() == p.size()) {
        env.ledger.sent(flow, round, must);
        env.ledger.received(flow, round, ctx.host_name() + " via h0:5570", env.world.now_ns());
        ++round;
        quiet_done += quiet;
        continue;
      }
      ctx.log("raw_retry", std::string(err_name(err)));
      if (env.lossless()) {
        env.fail(ctx.host_name() + " had to retry round " + std::to_string(round) +
                 " with no fault that loses connections (" + std::string(err_name(err)) + ")");
      }
      c->close();  // failed or stalled: a new connection, the same round
      c = nullptr;
    }
    if (c != nullptr) c->close();
  }

  static Task<> raw_server(Ctx& ctx, ScenarioEnv& env) {
    Err err = Err::kOk;
    RawListener* l = ctx.raw_listen(7000, &err);
    if (err != Err::kOk) env.fail("raw listen failed");
    for (;;) {
      RawConn* c = nullptr;
      if (co_await ctx.raw_accept(l, &c) != Err::kOk) co_return;
      ctx.world().spawn(
          ctx.host(), "raw_echo",
          [c](Ctx& e) -> Task<> {
            for (;;) {
              std::string data;
              if (co_await e.raw_read(c, &data) != Err::kOk) break;
              if (co_await e.raw_write(c, std::move(data)) != Err::kOk) break;
            }
            c->close();
          },
          /*daemon=*/true);
    }
  }

  // A STREAM socket as a TCP client of the raw echo server on h3.
  static Task<> stream_client(Ctx& ctx, ScenarioEnv& env) {
    Rng& rng = env.world.rng();
    const std::string flow = env.flow(ctx.host(), "stream");
    SimSocket* s = ctx.socket(SocketType::kStream);
    env.tune(s);
    s->set_int(opt::kRcvTimeo, env.lossless() ? -1 : 3000);
    s->connect("tcp://h3:7000");
    std::string id;  // the current connection's, once notified
    uint64_t conn = 0;
    bool quiet = false;
    uint64_t quiet_done = 0;
    for (uint64_t round = 0; quiet_done < kQuietRounds;) {
      if (!quiet && (round >= kRounds || !env.window_open())) {
        co_await sleep_until(ctx, env.quiet_at());
        quiet = true;
      }
      std::vector<std::string> msg;
      if (id.empty()) {
        Err err = co_await ctx.recv_parts(s, &msg);
        if (err == Err::kOk && msg.size() == 2 && msg[1].empty()) {
          id = msg[0];
          ++conn;
        }
        continue;
      }
      bool must = env.must_now();
      std::string p = payload(rng, flow, conn, round);
      Err err = co_await ctx.send_parts(s, parts(id, p));
      std::string got;
      while (err == Err::kOk && got.size() < p.size()) {
        err = co_await ctx.recv_parts(s, &msg);
        if (err != Err::kOk) break;
        if (msg.size() != 2) {
          env.fail("STREAM client got " + std::to_string(msg.size()) + " parts");
          break;
        }
        if (msg[0] != id) {
          if (!msg[1].empty()) env.fail("STREAM client got data from an unknown connection");
          continue;  // a late notification about an older connection
        }
        if (msg[1].empty()) {
          err = Err::kConnReset;  // this connection went away: its disconnect notification
          break;
        }
        got += msg[1];
      }
      if (p.compare(0, std::min(got.size(), p.size()), got, 0, p.size()) != 0 ||
          got.size() > p.size()) {
        env.fail("STREAM client got an echo that is not what it sent (round " +
                 std::to_string(round) + ")");
      }
      if (got.size() == p.size()) {
        env.ledger.sent(flow, round, must);
        env.ledger.received(flow, round, "h0 via h3:7000", env.world.now_ns());
        ++round;
        quiet_done += quiet;
        continue;
      }
      ctx.log("stream_retry", std::string(err_name(err)));
      if (env.lossless()) {
        env.fail("the STREAM client had to retry round " + std::to_string(round) +
                 " with no fault that loses connections (" + std::string(err_name(err)) + ")");
      }
      if (err == Err::kAgain && co_await ctx.send_parts(s, parts(id, ""), kDontWait) == Err::kOk) {
        // Stalled: we closed it ourselves. As in libzmq, a connection the application closes
        // is not made again (its connect is over), so connect anew.
        s->connect("tcp://h3:7000");
      }
      id.clear();  // the next connection's notification names the next id
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> make_stream() { return std::make_unique<Stream>(); }

}  // namespace zlab::sim
