// Raw TCP peers for STREAM scenarios: an actor's plain byte connection or listener on the
// simulated network, with no ZMTP. Actors block on them like sockets (Ctx::raw_*).
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "sim/net/network.h"
#include "sim/world/waitable.h"

namespace zlab::sim {

class RawConn final : public EndOwner, public Waitable {
 public:
  explicit RawConn(Network& net) : net_(net) {}
  // A connection that was accepted (RawListener::take): this becomes its owner.
  RawConn(Network& net, EndRef end) : net_(net), end_(end), state_(State::kOpen) {
    net_.adopt(end, this);
  }

  // Starts connecting (the result comes later: state()).
  Err start_connect(HostId from, std::string_view host, uint16_t port);
  enum class State : uint8_t { kIdle, kConnecting, kOpen, kFailed, kClosed };
  State state() const { return state_; }
  Err error() const { return err_; }
  // At most max bytes: kOk (some), kWouldBlock, kEof, kError (error()).
  IoStatus read(std::string* out, size_t max);
  // Some of `data`: *n bytes taken.
  IoStatus write(std::string_view data, size_t* n);
  void close();
  // The host crashed: nothing more happens here.
  void kill();

  uint32_t ready_mask() override;
  void on_connect_result(EndRef end, Err err) override;
  void on_ready(EndRef end) override;

 private:
  Network& net_;
  EndRef end_;
  State state_ = State::kIdle;
  Err err_ = Err::kOk;
};

class RawListener final : public ListenOwner, public Waitable {
 public:
  explicit RawListener(Network& net) : net_(net) {}
  Err listen(HostId host, uint16_t port);
  // The next accepted connection's end, if any.
  bool take(EndRef* end);
  void close();
  void kill();

  uint32_t ready_mask() override;
  EndOwner* on_accept(ListenerId listener, EndRef end, const std::string& peer) override;

 private:
  Network& net_;
  ListenerId id_ = 0;
  bool open_ = false;
  std::deque<EndRef> pending_;
};

}  // namespace zlab::sim
