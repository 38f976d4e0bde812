// The world's side of the ZAP handler actor (sim/world/zap_handler.h).
#include "sim/world/zap_handler.h"

#include "sim/world/ctx.h"
#include "sim/world/world.h"

namespace zlab::sim {
namespace {

std::vector<Msg> to_msgs(const ZapFrames& frames) {
  std::vector<Msg> out;
  out.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    out.push_back(Msg::copy_of(std::string_view(frames[i])));
    out.back().set_more(i + 1 < frames.size());
  }
  return out;
}

// One request at a time, in arrival order, as a single-threaded handler loop would: a slow
// answer delays the ones behind it.
Task<> handler_loop(Ctx& ctx, World& world, ZapInbox* inbox, ZapAnswer answer) {
  for (;;) {
    std::vector<WaitItem> items{{inbox, kReadyIn}};
    co_await ctx.wait(std::move(items), kForever);
    while (std::optional<ZapInbox::Request> r = inbox->pop()) {
      const ZapFaults& f = world.zap_faults();
      if (f.silent) {
        world.trace().record(world.now_ns(), world.host_name(ctx.host()), 0, "zap_unanswered", 0,
                             r->frames.size() > 2 ? r->frames[2] : "");
        continue;
      }
      if (f.delay_max_ns > 0) {
        int64_t delay = world.rng().range(f.delay_min_ns, f.delay_max_ns);
        co_await ctx.sleep(delay);
      }
      std::optional<ZapFrames> reply = answer(r->frames);
      if (!reply) continue;
      r->socket->deliver_zap_reply(r->stream, to_msgs(*reply));
    }
  }
}

}  // namespace

void World::serve_zap(HostId host, ZapAnswer answer) {
  Host& h = *hosts_[host];
  if (zap_faults_.absent) {
    trace_.record(queue_.now_ns(), host_name(host), 0, "zap_absent", 0, "");
    return;
  }
  h.zap = std::make_unique<ZapInbox>();
  h.zap->set_hub(this);
  ZapInbox* inbox = h.zap.get();
  h.zap_actor = spawn(
      host, "zap-handler",
      [this, inbox, answer = std::move(answer)](Ctx& ctx) -> Task<> {
        return handler_loop(ctx, *this, inbox, answer);
      },
      /*daemon=*/true);
}

uint64_t World::zap_requests(HostId host) const {
  const Host& h = *hosts_[host];
  return h.zap ? h.zap->received() : 0;
}

bool World::route_zap(HostId host, SimSocket* from, StreamId stream, std::vector<Msg> frames) {
  Host& h = *hosts_[host];
  if (!h.zap) return false;
  ZapFrames copy;
  copy.reserve(frames.size());
  for (const Msg& m : frames) copy.emplace_back(m.view());
  h.zap->push(ZapInbox::Request{from, stream, std::move(copy)});
  return true;
}

}  // namespace zlab::sim
