// Test-only: SocketCores wired together in memory through their driver-side API, under a
// virtual clock. Bytes move in chunks of at most `max_chunk` (short reads and writes on
// purpose); nothing is random unless a test makes it so. The simulator (sim/) is the full
// version of this, with faults; this one exists so engine tests need nothing outside engine/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/sockets/socket_core.h"

namespace zlab::testing {

class LoopbackNet {
 public:
  explicit LoopbackNet(size_t max_chunk = SIZE_MAX) : max_chunk_(max_chunk) {}

  // A new socket owned by the net; the pointer stays valid until the net is destroyed.
  SocketCore* socket(SocketType type);
  Err bind(SocketCore* s, const std::string& endpoint);
  Err connect(SocketCore* s, const std::string& endpoint) {
    return run(s->connect(endpoint, now_ns_));
  }
  Err disconnect(SocketCore* s, const std::string& endpoint) {
    return run(s->disconnect(endpoint, now_ns_));
  }
  Err unbind(SocketCore* s, const std::string& endpoint) {
    return run(s->unbind(endpoint, now_ns_));
  }

  // Moves bytes and carries out actions until nothing changes.
  void settle();
  // Advances virtual time to `now_ns`, firing every deadline on the way.
  void advance_to(int64_t now_ns);
  void advance_by(int64_t delta_ns) { advance_to(now_ns_ + delta_ns); }
  int64_t now_ns() const { return now_ns_; }

  // Application calls, settled before and after.
  Err send(SocketCore* s, std::string_view body, int flags = 0);
  Err send_multipart(SocketCore* s, const std::vector<std::string>& parts);
  // A whole message, or kAgain.
  Err recv_multipart(SocketCore* s, std::vector<std::string>* parts);
  Err recv(SocketCore* s, std::string* body);

  // Resets the connection of every stream of `s` (both directions lose unsent bytes).
  void reset_streams(SocketCore* s);
  // Stops moving bytes into `s` (a slow consumer at the TCP level).
  void set_reading(SocketCore* s, bool reading) { reading_[s] = reading; }
  std::vector<MonitorEvent> monitor_events(SocketCore* s);

 private:
  struct End {
    SocketCore* core;
    StreamId stream;
  };
  struct Link {
    End a;
    End b;
    bool open = true;
  };
  // udp://: a datagram endpoint (the bound socket of a receiver, or a sender's socket). A
  // sender's datagrams reach every receiver bound to the port it aims at, on its host, any
  // host ("*") or its multicast group; each receiver queues up to kDatagramQueue of them (a
  // kernel buffer) and the rest are lost, as udp loses them.
  static constexpr size_t kDatagramQueue = 64;
  struct DatagramEnd {
    End end;
    DatagramRole role;
    UdpAddress address;
    std::vector<std::string> queued;  // receiver: datagrams not read yet
  };

  Err run(Err err) {
    settle();
    return err;
  }
  bool move_bytes(End from, End to);
  void open_datagram(SocketCore* s, const IoAction& action);
  bool move_datagrams();
  bool carry_out_actions(SocketCore* s);
  void close_end(SocketCore* s, StreamId stream);
  Link* link_of(SocketCore* s, StreamId stream, End** self, End** other);

  // inproc: links shared by two cores, as the real driver's; a wake-up is noted and taken in
  // by settle() (handle_inproc_activity).
  std::shared_ptr<PipeWaker> waker_for(SocketCore* s);
  bool take_wakes();

  size_t max_chunk_;
  std::map<SocketCore*, std::shared_ptr<PipeWaker>> wakers_;
  std::set<SocketCore*> woken_;
  int64_t now_ns_ = 0;
  uint64_t next_seed_ = 1;
  std::vector<std::unique_ptr<SocketCore>> sockets_;
  std::map<std::string, std::pair<SocketCore*, EndpointId>> listeners_;
  std::vector<Link> links_;
  std::vector<DatagramEnd> datagram_ends_;
  std::map<SocketCore*, bool> reading_;
  std::map<SocketCore*, std::vector<MonitorEvent>> events_;
  uint32_t next_port_ = 50000;
};

}  // namespace zlab::testing
