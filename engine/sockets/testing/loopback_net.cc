#include "engine/sockets/testing/loopback_net.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace zlab::testing {

SocketCore* LoopbackNet::socket(SocketType type) {
  sockets_.push_back(std::make_unique<SocketCore>(type, next_seed_++));
  return sockets_.back().get();
}

Err LoopbackNet::bind(SocketCore* s, const std::string& endpoint) {
  Err err = Err::kOk;
  auto request = s->bind(endpoint, &err);
  if (!request) return err;
  std::string resolved = endpoint;
  if (endpoint.size() >= 2 && endpoint.compare(endpoint.size() - 2, 2, ":*") == 0) {
    resolved = endpoint.substr(0, endpoint.size() - 1) + std::to_string(next_port_++);
  }
  // udp multicast: every receiver of the group binds its port (SO_REUSEPORT).
  UdpAddress udp;
  bool shared = request->endpoint.transport == Transport::kUdp &&
                parse_udp_address(request->endpoint.address, true, &udp) == Err::kOk &&
                udp.multicast;
  Err result = listeners_.count(resolved) && !shared ? Err::kAddrInUse : Err::kOk;
  err = s->complete_bind(request->listener, result, resolved, now_ns_);
  if (err == Err::kOk && !shared) listeners_[resolved] = {s, request->listener};
  settle();
  return err;
}

LoopbackNet::Link* LoopbackNet::link_of(SocketCore* s, StreamId stream, End** self, End** other) {
  for (Link& link : links_) {
    if (!link.open) continue;
    if (link.a.core == s && link.a.stream == stream) {
      *self = &link.a;
      *other = &link.b;
      return &link;
    }
    if (link.b.core == s && link.b.stream == stream) {
      *self = &link.b;
      *other = &link.a;
      return &link;
    }
  }
  return nullptr;
}

void LoopbackNet::close_end(SocketCore* s, StreamId stream) {
  End* self = nullptr;
  End* other = nullptr;
  Link* link = link_of(s, stream, &self, &other);
  if (link == nullptr) return;
  // What was written before the close still arrives; then the other end sees EOF.
  move_bytes(*self, *other);
  link->open = false;
  other->core->handle_eof(other->stream, now_ns_);
}

bool LoopbackNet::carry_out_actions(SocketCore* s) {
  bool progress = false;
  // No ZAP handler lives in this net: every request is answered "none bound".
  StreamId zap_stream;
  std::vector<Msg> zap_frames;
  while (s->poll_zap_request(&zap_stream, &zap_frames)) {
    progress = true;
    s->handle_zap_reply(zap_stream, {}, true, now_ns_);
  }
  IoAction action;
  while (s->poll_action(&action)) {
    progress = true;
    switch (action.kind) {
      case IoAction::Kind::kConnect: {
        auto it = listeners_.find(action.endpoint.text);
        if (it == listeners_.end()) {
          s->handle_connect_failed(action.id, Err::kConnRefused, now_ns_);
          break;
        }
        auto [server, listener] = it->second;
        if (action.endpoint.transport == Transport::kInproc) {
          auto link = std::make_shared<InprocLink>(waker_for(s), waker_for(server));
          s->handle_inproc_connected(action.id, link, now_ns_);
          server->handle_inproc_accepted(listener, link, now_ns_);
          break;
        }
        StreamId accepted = server->handle_accepted(listener, "client", now_ns_);
        links_.push_back(Link{End{s, action.id}, End{server, accepted}});
        s->handle_connected(action.id, "server", now_ns_);
        break;
      }
      case IoAction::Kind::kCloseStream:
        close_end(s, action.id);
        std::erase_if(datagram_ends_, [&](const DatagramEnd& d) {
          return d.end.core == s && d.end.stream == action.id;
        });
        break;
      case IoAction::Kind::kOpenDatagram:
        open_datagram(s, action);
        break;
      case IoAction::Kind::kShutdownWrite:
        // A FIN after what was written; the other side closes at once in this net, which the
        // shut-down end then reads as EOF.
        close_end(s, action.id);
        s->handle_eof(action.id, now_ns_);
        break;
      case IoAction::Kind::kCloseListener:
        for (auto it = listeners_.begin(); it != listeners_.end();) {
          it = (it->second.first == s && it->second.second == action.id) ? listeners_.erase(it)
                                                                         : std::next(it);
        }
        break;
    }
  }
  MonitorEvent ev;
  while (s->poll_monitor_event(&ev)) events_[s].push_back(ev);
  return progress;
}

void LoopbackNet::open_datagram(SocketCore* s, const IoAction& action) {
  DatagramRole role = action.listener != 0 ? DatagramRole::kReceive : DatagramRole::kSend;
  UdpAddress address;
  if (parse_udp_address(action.endpoint.address, role == DatagramRole::kReceive, &address) !=
      Err::kOk) {
    s->handle_stream_error(action.id, Err::kInvalid, now_ns_);
    return;
  }
  datagram_ends_.push_back(DatagramEnd{End{s, action.id}, role, std::move(address), {}});
  if (role == DatagramRole::kSend) s->handle_connected(action.id, {}, now_ns_);
}

bool LoopbackNet::move_datagrams() {
  bool moved = false;
  wire::IoSlice slices[4];
  for (DatagramEnd& from : datagram_ends_) {
    if (from.role != DatagramRole::kSend) continue;
    while (size_t n = from.end.core->poll_transmit(from.end.stream, slices, 4)) {
      std::string datagram;
      for (size_t i = 0; i < n; ++i) {
        datagram.append(reinterpret_cast<const char*>(slices[i].data), slices[i].size);
      }
      from.end.core->handle_written(from.end.stream, datagram.size(), now_ns_);
      moved = true;
      for (DatagramEnd& to : datagram_ends_) {
        bool reaches = to.role == DatagramRole::kReceive && to.address.port == from.address.port &&
                       (to.address.host == from.address.host || to.address.host == "*");
        if (reaches && to.queued.size() < kDatagramQueue) to.queued.push_back(datagram);
      }
    }
  }
  for (DatagramEnd& to : datagram_ends_) {
    if (reading_.count(to.end.core) && !reading_[to.end.core]) continue;
    size_t taken = 0;
    for (; taken < to.queued.size(); ++taken) {
      std::span<uint8_t> room = to.end.core->read_buffer(to.end.stream);
      if (room.empty()) break;
      const std::string& datagram = to.queued[taken];
      size_t n = std::min(datagram.size(), room.size());
      std::memcpy(room.data(), datagram.data(), n);
      to.end.core->handle_read(to.end.stream, n, now_ns_);
    }
    if (taken > 0) {
      to.queued.erase(to.queued.begin(), to.queued.begin() + long(taken));
      moved = true;
    }
  }
  return moved;
}

bool LoopbackNet::move_bytes(End from, End to) {
  if (reading_.count(to.core) && !reading_[to.core]) return false;
  bool moved = false;
  wire::IoSlice slices[16];
  for (int rounds = 0; rounds < 1000; ++rounds) {
    size_t n = from.core->poll_transmit(from.stream, slices, 16);
    if (n == 0) break;
    std::span<uint8_t> dst = to.core->read_buffer(to.stream);
    if (dst.empty()) break;
    size_t budget = std::min(dst.size(), max_chunk_);
    size_t copied = 0;
    for (size_t i = 0; i < n && copied < budget; ++i) {
      size_t take = std::min(slices[i].size, budget - copied);
      std::memcpy(dst.data() + copied, slices[i].data, take);
      copied += take;
    }
    from.core->handle_written(from.stream, copied, now_ns_);
    to.core->handle_read(to.stream, copied, now_ns_);
    moved = true;
  }
  return moved;
}

namespace {

class NoteWake final : public PipeWaker {
 public:
  NoteWake(std::set<SocketCore*>* woken, SocketCore* core) : woken_(woken), core_(core) {}
  void wake() override { woken_->insert(core_); }

 private:
  std::set<SocketCore*>* woken_;
  SocketCore* core_;
};

}  // namespace

std::shared_ptr<PipeWaker> LoopbackNet::waker_for(SocketCore* s) {
  std::shared_ptr<PipeWaker>& waker = wakers_[s];
  if (!waker) waker = std::make_shared<NoteWake>(&woken_, s);
  return waker;
}

bool LoopbackNet::take_wakes() {
  if (woken_.empty()) return false;
  std::set<SocketCore*> woken;
  woken.swap(woken_);
  for (SocketCore* s : woken) s->handle_inproc_activity(now_ns_);
  return true;
}

void LoopbackNet::settle() {
  for (int round = 0; round < 100000; ++round) {
    bool progress = take_wakes();
    for (auto& s : sockets_) progress |= carry_out_actions(s.get());
    for (size_t i = 0; i < links_.size(); ++i) {
      Link link = links_[i];
      if (!link.open) continue;
      progress |= move_bytes(link.a, link.b);
      progress |= move_bytes(link.b, link.a);
    }
    progress |= move_datagrams();
    for (auto& s : sockets_) progress |= carry_out_actions(s.get());
    if (!progress) return;
  }
  assert(false && "the loopback net did not settle");
}

void LoopbackNet::advance_to(int64_t now_ns) {
  settle();
  for (int guard = 0; guard < 1000000; ++guard) {
    int64_t next = INT64_MAX;
    for (auto& s : sockets_) next = std::min(next, s->next_deadline_ns());
    if (next > now_ns) break;
    now_ns_ = std::max(now_ns_, next);
    for (auto& s : sockets_) {
      if (s->next_deadline_ns() <= now_ns_) s->handle_timeout(now_ns_);
    }
    settle();
  }
  now_ns_ = now_ns;
  settle();
}

Err LoopbackNet::send(SocketCore* s, std::string_view body, int flags) {
  settle();
  Msg m = Msg::copy_of(body);
  Err err = s->send(m, flags, now_ns_);
  settle();
  return err;
}

Err LoopbackNet::send_multipart(SocketCore* s, const std::vector<std::string>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    Err err = send(s, parts[i], i + 1 < parts.size() ? kSendMore : 0);
    if (err != Err::kOk) return err;
  }
  return Err::kOk;
}

Err LoopbackNet::recv(SocketCore* s, std::string* body) {
  settle();
  Msg m;
  Err err = s->recv(&m, now_ns_);
  if (err == Err::kOk) body->assign(m.view());
  settle();
  return err;
}

Err LoopbackNet::recv_multipart(SocketCore* s, std::vector<std::string>* parts) {
  parts->clear();
  for (;;) {
    std::string body;
    Err err = recv(s, &body);
    if (err != Err::kOk) {
      assert(parts->empty() && "a message's parts arrive together");
      return err;
    }
    parts->push_back(body);
    if (!s->rcvmore()) return Err::kOk;
  }
}

void LoopbackNet::reset_streams(SocketCore* s) {
  for (Link& link : links_) {
    if (!link.open || (link.a.core != s && link.b.core != s)) continue;
    link.open = false;
    link.a.core->handle_stream_error(link.a.stream, Err::kConnReset, now_ns_);
    link.b.core->handle_stream_error(link.b.stream, Err::kConnReset, now_ns_);
  }
  settle();
}

std::vector<MonitorEvent> LoopbackNet::monitor_events(SocketCore* s) {
  settle();
  return std::move(events_[s]);
}

}  // namespace zlab::testing
