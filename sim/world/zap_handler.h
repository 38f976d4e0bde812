// The ZAP handler (rfc 27) of a simulated host: what an application binds at
// inproc://zeromq.zap.01, as an actor of the world like any other. The sockets of its host hand
// it their requests (SimSocket::zap_request, through ZapRouter); the actor takes them one at a
// time, asks its answer function for the reply, and hands the reply back to the socket that
// asked. Its faults are drawn per seed like every other (sim/fault: zap_slow, zap_silent,
// zap_absent), so a late, a missing or a silent handler replays from the seed.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/sockets/peer.h"
#include "sim/world/sim_socket.h"
#include "sim/world/waitable.h"

namespace zlab::sim {

// A request's frames as strings (delimiter first), and the reply's frames (delimiter first;
// the handler sets MORE on all but the last, as a REP or ROUTER would). nullopt: no reply.
using ZapFrames = std::vector<std::string>;
using ZapAnswer = std::function<std::optional<ZapFrames>(const ZapFrames& request)>;

// What the fault draw says about every ZAP handler of the world.
struct ZapFaults {
  int64_t delay_min_ns = 0;  // zap_slow: each reply waits delay_min..delay_max (world's Rng)
  int64_t delay_max_ns = 0;
  bool silent = false;  // zap_silent: requests are taken and never answered
  bool absent = false;  // zap_absent: nothing is bound at inproc://zeromq.zap.01
};

// The requests waiting for the handler actor of one host.
class ZapInbox final : public Waitable {
 public:
  struct Request {
    SimSocket* socket;
    StreamId stream;
    ZapFrames frames;
  };
  uint32_t ready_mask() override { return queue_.empty() ? 0 : kReadyIn; }
  void push(Request r) {
    queue_.push_back(std::move(r));
    ++received_;
    changed();
  }
  std::optional<Request> pop() {
    if (queue_.empty()) return std::nullopt;
    Request r = std::move(queue_.front());
    queue_.pop_front();
    return r;
  }
  uint64_t received() const { return received_; }

 private:
  std::deque<Request> queue_;
  uint64_t received_ = 0;
};

}  // namespace zlab::sim
