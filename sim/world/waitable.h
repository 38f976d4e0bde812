// Something an actor can block on: a simulated socket or a raw TCP connection. It says which
// of in/out/error it is ready for, and tells its hub (the world) when that may have changed,
// so the actors waiting on it are resumed in virtual time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace zlab::sim {

inline constexpr uint32_t kReadyIn = 1;   // as ZMQ_POLLIN
inline constexpr uint32_t kReadyOut = 2;  // as ZMQ_POLLOUT
inline constexpr uint32_t kReadyErr = 4;  // as ZMQ_POLLERR: closed, failed, gone
// Not a readiness: wake on the next change of any kind (a blocking call's retry, as libzmq's
// blocking send/recv loop waits for the next command, not for a poll flag).
inline constexpr uint32_t kAnyChange = 0x100;

class Waitable;

class WaitHub {
 public:
  virtual void on_changed(Waitable& w) = 0;

 protected:
  ~WaitHub() = default;
};

class Waitable {
 public:
  virtual ~Waitable() = default;
  virtual uint32_t ready_mask() = 0;

  void add_waiter(uint64_t actor) { waiters_.push_back(actor); }
  void remove_waiter(uint64_t actor) {
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), actor), waiters_.end());
  }
  const std::vector<uint64_t>& waiters() const { return waiters_; }
  void set_hub(WaitHub* hub) { hub_ = hub; }

 protected:
  // Call when readiness may have changed.
  void changed() {
    if (hub_ != nullptr && !waiters_.empty()) hub_->on_changed(*this);
  }

 private:
  WaitHub* hub_ = nullptr;
  std::vector<uint64_t> waiters_;
};

}  // namespace zlab::sim
