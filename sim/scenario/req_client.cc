#include "sim/scenario/req_client.h"

#include <algorithm>

#include "sim/scenario/message.h"

namespace zlab::sim {

std::vector<std::string> reply_to(std::vector<std::string> request, size_t envelope) {
  std::vector<std::string> out(request.begin(), request.begin() + ptrdiff_t(envelope));
  out.emplace_back("re");
  out.insert(out.end(), request.begin() + ptrdiff_t(envelope), request.end());
  return out;
}

Task<> req_client(Ctx& ctx, ScenarioEnv& env, ReqClientOptions o) {
  auto open = [&]() {
    SimSocket* s = ctx.socket(SocketType::kReq);
    env.tune(s);
    if (!o.lazy_pirate) {
      s->set_int(opt::kReqRelaxed, 1);
      s->set_int(opt::kReqCorrelate, 1);
    }
    s->connect(o.endpoint);
    return s;
  };
  SimSocket* s = open();
  Rng& rng = env.world.rng();
  const std::string flow = env.flow(ctx.host());
  const uint64_t window = o.count * env.params.scale;
  bool quiet = false;
  for (uint64_t seq = 0, quiet_sent = 0; quiet_sent < o.quiet_count; ++seq) {
    if (!quiet && (seq >= window || !env.window_open())) {
      co_await sleep_until(ctx, env.quiet_at());
      quiet = true;
    }
    if (quiet) ++quiet_sent;
    std::vector<std::string> body = make_message(flow, seq, rng);
    env.ledger.sent(flow, seq, env.must_now());
    for (int attempt = 0;; ++attempt) {
      std::vector<std::string> msg;
      msg.push_back("attempt:" + std::to_string(attempt));
      msg.insert(msg.end(), body.begin(), body.end());
      Err err = co_await ctx.send_parts(s, std::move(msg));
      if (err != Err::kOk) {
        env.fail(ctx.host_name() + " REQ send failed: " + std::string(err_name(err)));
        co_await ctx.sleep(ms(100));
        continue;
      }
      // The timeout doubles with each attempt (3 s, 6 s, ... 24 s): a reply slower than the
      // timeout (heavy loss, a large message) still gets through in the end. When no fault can
      // lose a connection, nothing may be lost: no timeout, and a lost reply is a stuck REQ.
      s->set_int(opt::kRcvTimeo, env.lossless() ? -1 : 3000 << std::min(attempt, 3));
      std::vector<std::string> reply;
      std::string peer;
      err = co_await ctx.recv_parts(s, &reply, 0, &peer);
      if (err == Err::kAgain) {
        ctx.log("retry", flow + "#" + std::to_string(seq));
        if (o.lazy_pirate) {
          s->close();
          s = open();
        }
        continue;
      }
      if (err != Err::kOk) {
        env.fail(ctx.host_name() + " REQ recv failed: " + std::string(err_name(err)));
        break;
      }
      if (reply.size() < 3 || reply[0] != "re") {
        env.fail(ctx.host_name() + " REQ got a reply of the wrong shape");
        break;
      }
      if (reply[1] != "attempt:" + std::to_string(attempt)) {
        env.fail(ctx.host_name() + " REQ got a stale reply (" + reply[1] + " to attempt " +
                 std::to_string(attempt) + ")");
      }
      std::string f, why;
      uint64_t got = 0;
      if (!read_message(reply, 2, &f, &got, &why)) {
        env.fail(ctx.host_name() + " REQ got a bad reply: " + why);
      } else if (f != flow || got != seq) {
        env.fail(ctx.host_name() + " REQ got the reply to " + f + "#" + std::to_string(got) +
                 " for #" + std::to_string(seq));
      } else {
        env.ledger.received(f, got, ctx.host_name() + " via " + peer, env.world.now_ns());
      }
      break;
    }
    co_await ctx.sleep(int64_t(rng.below(uint64_t(ms(30)))));
  }
}

}  // namespace zlab::sim
