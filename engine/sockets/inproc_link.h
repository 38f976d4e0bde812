// An inproc connection: the two shared pipes between a connecting and a binding socket of one
// context, and what each side announces (its routing id), as libzmq's pipe pair. Both sockets
// hold it; each reads and writes its own ends under its own lock only. The driver makes it
// (it knows both sockets and how to wake them); the cores attach to it.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/base/socket_type.h"
#include "engine/sockets/shared_pipe.h"

namespace zlab {

inline constexpr int kConnecterSide = 0;
inline constexpr int kBinderSide = 1;

class InprocLink {
 public:
  // `wakers[side]` wakes that side's socket.
  InprocLink(std::shared_ptr<PipeWaker> connecter, std::shared_ptr<PipeWaker> binder)
      : wakers_{std::move(connecter), std::move(binder)} {
    // Side s writes pipes_[s] and reads pipes_[1 - s].
    pipes_[kConnecterSide].set_wakers(wakers_[kConnecterSide].get(), wakers_[kBinderSide].get());
    pipes_[kBinderSide].set_wakers(wakers_[kBinderSide].get(), wakers_[kConnecterSide].get());
  }

  SharedPipe& outbound(int side) { return pipes_[side]; }
  SharedPipe& inbound(int side) { return pipes_[1 - side]; }

  // A side joins: what it says about itself becomes readable by the other side (its "handshake").
  void announce(int side, SocketType type, std::string routing_id) {
    types_[side] = type;
    routing_ids_[side] = std::move(routing_id);
    announced_[side].store(true, std::memory_order_seq_cst);
    // The other side reads pipes_[side]: its token there names this connection.
    wakers_[1 - side]->wake_for(pipes_[side].reader_token());
  }
  bool announced(int side) const { return announced_[side].load(std::memory_order_seq_cst); }
  // The waker of `side`'s socket (one per socket: its core takes its tokens from it).
  const std::shared_ptr<PipeWaker>& waker(int side) const { return wakers_[side]; }
  // Valid once announced(side).
  const std::string& routing_id(int side) const { return routing_ids_[side]; }
  SocketType type(int side) const { return types_[side]; }

  // ZMQ_DISCONNECT_MSG over inproc, as libzmq's pipe: `side`'s message, which the other side
  // writes last as it leaves (its unfinished message dropped first). Set before
  // announce(side), so the other side reads it only once it sees the announcement.
  void set_farewell(int side, std::string msg) { farewells_[side] = std::move(msg); }

  // A side leaves: it writes and reads no more; what it wrote stays readable by the other.
  void close(int side) {
    int other = 1 - side;
    if (announced(other) && !farewells_[other].empty() && !outbound(side).reader_closed()) {
      outbound(side).rollback();
      outbound(side).write(Msg::copy_of(std::string_view(farewells_[other])));
    }
    outbound(side).close_writer();
    inbound(side).close_reader();
  }
  // The other side of `side` left.
  bool peer_closed(int side) const { return pipes_[1 - side].writer_closed(); }

 private:
  std::shared_ptr<PipeWaker> wakers_[2];
  SharedPipe pipes_[2];
  std::string routing_ids_[2];
  std::string farewells_[2];  // set_farewell
  SocketType types_[2] = {};  // read only once announced
  std::atomic<bool> announced_[2] = {false, false};
};

}  // namespace zlab
