// What an actor's code sees: its host's clock, sockets, and blocking calls that wait in
// virtual time.
//
//   Task<> pusher(Ctx& ctx) {
//     SimSocket* s = ctx.socket(SocketType::kPush);
//     s->connect("tcp://h0:5555");
//     Err err = co_await ctx.send(s, "hello");     // blocks while the socket is muted
//     co_await ctx.sleep(ms(10));
//   }
//
// Blocking calls follow libzmq: ZMQ_SNDTIMEO / ZMQ_RCVTIMEO bound the wait (-1: forever, 0:
// never wait), kDontWait never waits; kAgain comes back on timeout. Durations are in the
// host's clock (drift applies).
#pragma once

#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/msg.h"
#include "sim/world/task.h"
#include "sim/world/world.h"

namespace zlab::sim {

inline constexpr int kDontWait = 1;  // as ZMQ_DONTWAIT
inline constexpr int64_t kForever = -1;

constexpr int64_t ms(int64_t n) { return n * 1'000'000; }
constexpr int64_t sec(int64_t n) { return n * 1'000'000'000; }

// A message's parts: parts("id", "", body). Use it rather than a braced list inside a
// coroutine: GCC 12 rejects initializer lists in co_await expressions ("array used as
// initializer").
template <typename... P>
std::vector<std::string> parts(P&&... p) {
  std::vector<std::string> out;
  out.reserve(sizeof...(p));
  (out.emplace_back(std::forward<P>(p)), ...);
  return out;
}

// co_await: true if something it waits on became ready, false on timeout.
class WaitAwaiter {
 public:
  WaitAwaiter(World& world, ActorId actor, std::vector<WaitItem> items, int64_t deadline_ns)
      : world_(world), actor_(actor), items_(std::move(items)), deadline_ns_(deadline_ns) {}
  bool await_ready();
  void await_suspend(std::coroutine_handle<> h);
  bool await_resume();

 private:
  bool ready();
  World& world_;
  ActorId actor_;
  std::vector<WaitItem> items_;
  int64_t deadline_ns_;  // virtual time; INT64_MAX: none
};

class Ctx {
 public:
  Ctx(World& world, ActorId id, HostId host, std::string name)
      : world_(world), id_(id), host_(host), name_(std::move(name)) {}

  World& world() { return world_; }
  ActorId id() const { return id_; }
  HostId host() const { return host_; }
  const std::string& name() const { return name_; }
  const std::string& host_name() const { return world_.host_name(host_); }
  // The host's clock.
  int64_t now_ns() { return world_.clock(host_).local(world_.now_ns()); }
  SimSocket* socket(SocketType type) { return world_.socket(host_, type); }
  // A trace line from the application ("app_<event>").
  void log(std::string_view event, std::string_view detail = {}, int64_t bytes = 0);

  // Sleeps for a duration of the host's clock.
  WaitAwaiter sleep(int64_t local_ns);
  // Waits until one of `items` is ready or `timeout_ns` (host clock; kForever) passes.
  WaitAwaiter wait(std::vector<WaitItem> items, int64_t timeout_ns);

  // One part, as zmq_msg_send / zmq_msg_recv.
  Task<Err> send(SimSocket* s, Msg& part, int flags = 0);
  Task<Err> send(SimSocket* s, std::string body, int flags = 0);
  Task<Err> recv(SimSocket* s, Msg* part, int flags = 0);
  // A whole message; parts are sent as they are accepted (a started message always finishes).
  Task<Err> send_parts(SimSocket* s, std::vector<std::string> parts, int flags = 0);
  // `peer`, if given, names the connection the message came from: its Peer-Address and a
  // number (World::connection_tag), "h2:5581#7".
  Task<Err> recv_parts(SimSocket* s, std::vector<std::string>* parts, int flags = 0,
                       std::string* peer = nullptr);
  // recv_parts as a slow consumer: waits while the host's consumer gate is paused, and keeps
  // to its rate (World::consumer_pause / consumer_rate).
  Task<Err> recv_paced(SimSocket* s, std::vector<std::string>* parts, int flags = 0,
                       std::string* peer = nullptr);

  // Raw TCP (no ZMTP). Each returns kOk, kAgain on timeout, or the connection's error;
  // raw_read returns kNotConnected at EOF and otherwise appends at least one byte.
  Task<Err> raw_connect(std::string host, uint16_t port, RawConn** out);
  RawListener* raw_listen(uint16_t port, Err* err);
  Task<Err> raw_accept(RawListener* listener, RawConn** out, int64_t timeout_ns = kForever);
  Task<Err> raw_write(RawConn* conn, std::string data);
  Task<Err> raw_read(RawConn* conn, std::string* out, int64_t timeout_ns = kForever);

 private:
  int64_t deadline_for(int timeout_ms, int flags);

  World& world_;
  ActorId id_;
  HostId host_;
  std::string name_;
};

}  // namespace zlab::sim
