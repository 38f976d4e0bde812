#include "sim/world/ctx.h"

#include <algorithm>

namespace zlab::sim {
namespace {

// (Built outside the coroutines: GCC 12 mis-compiles a braced vector inside a co_await.)
std::vector<WaitItem> one(Waitable* w, uint32_t mask) {
  std::vector<WaitItem> items;
  items.push_back(WaitItem{w, mask});
  return items;
}

}  // namespace

// --- waiting ---

bool WaitAwaiter::ready() {
  for (const WaitItem& item : items_) {
    if (item.what->ready_mask() & item.mask) return true;
  }
  return false;
}

bool WaitAwaiter::await_ready() {
  if (ready()) return true;
  return deadline_ns_ <= world_.now_ns() && !world_.spun_too_long();
}

void WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  world_.block(actor_, h, items_, deadline_ns_);
}

bool WaitAwaiter::await_resume() {
  bool r = ready();
  if (r || items_.empty()) world_.note_progress();  // woken by what it waited for, or slept
  return r;
}

// --- Ctx ---

void Ctx::log(std::string_view event, std::string_view detail, int64_t bytes) {
  std::string ev = "app_";
  ev += event;
  world_.trace().record(world_.now_ns(), host_name(), 0, ev, bytes,
                        name_ + (detail.empty() ? "" : " ") + std::string(detail));
}

WaitAwaiter Ctx::sleep(int64_t local_ns) { return wait({}, std::max<int64_t>(local_ns, 0)); }

WaitAwaiter Ctx::wait(std::vector<WaitItem> items, int64_t timeout_ns) {
  int64_t deadline = INT64_MAX;
  if (timeout_ns >= 0) deadline = world_.now_ns() + world_.clock(host_).global_duration(timeout_ns);
  return WaitAwaiter(world_, id_, std::move(items), deadline);
}

int64_t Ctx::deadline_for(int timeout_ms, int flags) {
  if ((flags & kDontWait) || timeout_ms == 0) return 0;
  if (timeout_ms < 0) return INT64_MAX;
  return world_.now_ns() + world_.clock(host_).global_duration(int64_t(timeout_ms) * 1'000'000);
}

// A blocking call tries, and after kAgain waits for the socket's next change (or the
// timeout) and tries again: not for POLLOUT, which a ROUTER with ZMQ_ROUTER_MANDATORY shows
// while any peer has room, not necessarily the one this message is for.
Task<Err> Ctx::send(SimSocket* s, Msg& part, int flags) {
  int64_t deadline = deadline_for(s->alive() ? s->core().options().sndtimeo_ms : 0, flags);
  for (;;) {
    Err err = s->send(part, flags);
    if (err != Err::kAgain || deadline == 0 || deadline <= world_.now_ns()) {
      world_.note_progress();
      co_return err;
    }
    co_await WaitAwaiter(world_, id_, one(s, kReadyErr | kAnyChange), deadline);
  }
}

Task<Err> Ctx::send(SimSocket* s, std::string body, int flags) {
  Msg m = Msg::copy_of(body);
  co_return co_await send(s, m, flags);
}

Task<Err> Ctx::recv(SimSocket* s, Msg* part, int flags) {
  int64_t deadline = deadline_for(s->alive() ? s->core().options().rcvtimeo_ms : 0, flags);
  for (;;) {
    Err err = s->recv(part);
    if (err != Err::kAgain || deadline == 0 || deadline <= world_.now_ns()) {
      world_.note_progress();
      co_return err;
    }
    co_await WaitAwaiter(world_, id_, one(s, kReadyErr | kAnyChange), deadline);
  }
}

Task<Err> Ctx::send_parts(SimSocket* s, std::vector<std::string> parts, int flags) {
  for (size_t i = 0; i < parts.size(); ++i) {
    int more = i + 1 < parts.size() ? kSendMore : 0;
    // Only the first part may time out: once started, a message always has room.
    Err err = co_await send(s, std::move(parts[i]), (i == 0 ? flags : 0) | more);
    if (err != Err::kOk) co_return err;
  }
  co_return Err::kOk;
}

Task<Err> Ctx::recv_parts(SimSocket* s, std::vector<std::string>* parts, int flags,
                          std::string* peer) {
  parts->clear();
  for (;;) {
    Msg m;
    Err err = co_await recv(s, &m, parts->empty() ? flags : kDontWait);
    if (err != Err::kOk) {
      // The rest of a started message is always there at once: messages are atomic.
      co_return parts->empty() ? err : Err::kProtocol;
    }
    if (parts->empty() && peer != nullptr) {
      const std::string* address = m.metadata() ? m.metadata()->find("Peer-Address") : nullptr;
      *peer = (address ? *address : "") + "#" +
              std::to_string(m.metadata() ? world_.connection_tag(m.metadata()) : 0);
    }
    parts->emplace_back(m.view());
    if (!s->rcvmore()) co_return Err::kOk;
  }
}

Task<Err> Ctx::recv_paced(SimSocket* s, std::vector<std::string>* parts, int flags,
                          std::string* peer) {
  World::ConsumerGate& gate = world_.consumer_gate(host_);
  for (;;) {
    if (gate.paused) {
      co_await WaitAwaiter(world_, id_, std::vector<WaitItem>(), world_.now_ns() + ms(20));
      continue;
    }
    if (gate.interval_ns > 0 && world_.now_ns() < gate.next_at_ns) {
      co_await WaitAwaiter(world_, id_, std::vector<WaitItem>(), gate.next_at_ns);
      continue;
    }
    break;
  }
  Err err = co_await recv_parts(s, parts, flags, peer);
  if (err == Err::kOk && gate.interval_ns > 0) gate.next_at_ns = world_.now_ns() + gate.interval_ns;
  co_return err;
}

Task<Err> Ctx::raw_connect(std::string host, uint16_t port, RawConn** out) {
  RawConn* c = world_.raw_conn(host_);
  *out = c;
  Err err = c->start_connect(host_, host, port);
  if (err != Err::kOk) co_return err;
  while (c->state() == RawConn::State::kConnecting) {
    co_await WaitAwaiter(world_, id_, one(c, kReadyIn | kReadyOut | kReadyErr), INT64_MAX);
  }
  co_return c->state() == RawConn::State::kOpen ? Err::kOk : c->error();
}

RawListener* Ctx::raw_listen(uint16_t port, Err* err) {
  RawListener* l = world_.raw_listener(host_);
  *err = l->listen(host_, port);
  return l;
}

Task<Err> Ctx::raw_accept(RawListener* listener, RawConn** out, int64_t timeout_ns) {
  int64_t deadline = timeout_ns < 0
                         ? INT64_MAX
                         : world_.now_ns() + world_.clock(host_).global_duration(timeout_ns);
  for (;;) {
    EndRef end;
    if (listener->take(&end)) {
      *out = world_.raw_accepted(host_, end);
      co_return Err::kOk;
    }
    if (listener->ready_mask() & kReadyErr) co_return Err::kNotConnected;
    if (deadline <= world_.now_ns()) co_return Err::kAgain;
    co_await WaitAwaiter(world_, id_, one(listener, kReadyIn | kReadyErr), deadline);
  }
}

Task<Err> Ctx::raw_write(RawConn* conn, std::string data) {
  size_t done = 0;
  while (done < data.size()) {
    size_t n = 0;
    IoStatus st = conn->write(std::string_view(data).substr(done), &n);
    if (st == IoStatus::kError)
      co_return conn->error() == Err::kOk ? Err::kNotConnected : conn->error();
    done += n;
    if (done < data.size()) {
      co_await WaitAwaiter(world_, id_, one(conn, kReadyOut | kReadyErr), INT64_MAX);
    }
  }
  co_return Err::kOk;
}

Task<Err> Ctx::raw_read(RawConn* conn, std::string* out, int64_t timeout_ns) {
  int64_t deadline = timeout_ns < 0
                         ? INT64_MAX
                         : world_.now_ns() + world_.clock(host_).global_duration(timeout_ns);
  for (;;) {
    IoStatus st = conn->read(out, 64 * 1024);
    if (st == IoStatus::kOk) co_return Err::kOk;
    if (st == IoStatus::kEof) co_return Err::kNotConnected;
    if (st == IoStatus::kError)
      co_return conn->error() == Err::kOk ? Err::kNotConnected : conn->error();
    if (deadline <= world_.now_ns()) co_return Err::kAgain;
    co_await WaitAwaiter(world_, id_, one(conn, kReadyIn | kReadyErr), deadline);
  }
}

}  // namespace zlab::sim
