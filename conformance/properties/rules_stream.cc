// STREAM rules and table columns: raw TCP peers, routing ids, connect/disconnect notifications
// (spec/rules.json, spec/sockets-4.3.json). STREAM speaks raw TCP, so its peers here are raw
// byte connections of the simulator (sim/world/raw_conn.h), driven directly and without
// blocking: every property is sim_only.
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "sim/world/raw_conn.h"
#include "sim/world/world.h"

namespace zlab::conform {
namespace {

using sim::IoStatus;
using sim::RawConn;

constexpr int kStreamPort = 5555;
constexpr uint16_t kRawPort = 6000;
// A STREAM connection turns each read of at most this many bytes into one message
// (proto::RawConnection::kReadChunk).
constexpr size_t kReadChunk = 8192;

std::string host_name(uint32_t host) { return "h" + std::to_string(host); }

// Bytes of every value (zeros included), reproducible from a salt: big payloads without
// generating each byte.
std::string pattern(size_t n, uint32_t salt) {
  std::string out(n, '\0');
  uint32_t x = salt * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    out[i] = char(x >> 23);
  }
  return out;
}

// Lets time run until every fault is over, and past the next retransmission of what a
// partition held back (RTO at most 1 s).
void settle(Lab& lab) {
  lab.wait_out_faults();
  lab.advance_ms(1500);
}

// Time for bytes written now to reach the other end (lost segments come again after
// 200 + 400 + 800 ms at worst; latency spikes are at most 200 ms).
int64_t delivery_ms(Lab& lab) { return lab.faults().has(sim::FaultKind::kLoss) ? 3000 : 500; }

bool lossy_case(Lab& lab) {
  bool lossy = drew_lossy_faults(lab);
  if (lossy) evidence().count("lossy_case");
  return lossy;
}

// A raw TCP peer: one connection, what it has read, and how the connection ended.
struct Raw {
  RawConn* c = nullptr;
  uint32_t host = 0;
  std::string got;
  bool eof = false;
  bool error = false;  // reset, or its host crashed
  std::string id;      // the STREAM's routing id for this connection (from its notification)

  // Reads whatever has arrived.
  void pump() {
    if (c == nullptr || eof || error) return;
    for (int i = 0; i < 100000; ++i) {
      IoStatus st = c->read(&got, 64 * 1024);
      if (st == IoStatus::kOk) continue;
      if (st == IoStatus::kEof) eof = true;
      if (st == IoStatus::kError) error = true;
      break;
    }
  }
  bool broken() {
    pump();
    return error || (c != nullptr && c->state() != RawConn::State::kOpen);
  }
};

// A raw TCP client on `host` connecting to `to`:kStreamPort, through its connect. Refused
// connects are retried every 20 ms, as a client does while its server boots (late_bind).
RawConn* raw_connect(Lab& lab, uint32_t host, uint32_t to, uint16_t port = kStreamPort) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    RawConn* c = lab.world().raw_conn(sim::HostId(host));
    RC_ASSERT(c->start_connect(sim::HostId(host), host_name(to), port) == Err::kOk);
    lab.wait_for([&] { return c->state() != RawConn::State::kConnecting; }, 20'000);
    if (c->state() == RawConn::State::kOpen) return c;
    lab.advance_ms(20);
  }
  RC_FAIL("a raw client could not connect in 200 attempts");
}

// Writes all of `data`, letting time run while the send buffer is full. False if the
// connection failed first.
bool raw_write_all(Lab& lab, Raw& r, std::string_view data, size_t* written = nullptr) {
  size_t done = 0;
  if (written != nullptr) *written = 0;
  for (int guard = 0; done < data.size() && guard < 100000; ++guard) {
    size_t n = 0;
    IoStatus st = r.c->write(data.substr(done), &n);
    if (st == IoStatus::kError) return false;
    done += n;
    if (written != nullptr) *written = done;
    if (done < data.size()) {
      r.pump();
      lab.advance_ms(1);
    }
  }
  return done == data.size();
}

// A raw TCP server on `host` (listening on kRawPort) that `s` connects to: the server's end
// of that connection, once it has accepted it. `listener` (if given) gets the listener, for
// properties that check nothing connects again.
RawConn* raw_server_for(Lab& lab, Sock* s, uint32_t host, sim::RawListener** listener = nullptr) {
  sim::RawListener* l = lab.world().raw_listener(sim::HostId(host));
  RC_ASSERT(l->listen(sim::HostId(host), kRawPort) == Err::kOk);
  RC_ASSERT(s->connect("tcp://" + host_name(host) + ":" + std::to_string(kRawPort)) == Err::kOk);
  sim::EndRef end;
  RC_ASSERT(lab.wait_for([&] { return l->take(&end); }, 20'000));
  if (listener != nullptr) *listener = l;
  return lab.world().raw_accepted(sim::HostId(host), end);
}

// What the STREAM socket delivered for one connection (routing id).
struct ConnLog {
  int notifications = 0;  // zero-length messages: 1 after the connect, 2 after the disconnect
  std::string data;
  int data_messages = 0;
  bool data_before_connect = false;
  bool data_after_disconnect = false;
};

// The STREAM socket under test, and everything it delivered, by routing id.
struct Stream {
  Sock* s = nullptr;
  std::vector<std::string> order;  // routing ids in order of first sight
  std::map<std::string, ConnLog> by_id;
  std::vector<std::string> data_from;  // the routing id of each data message, in order

  // Takes every message there is; each must be [routing id, data].
  void poll(Lab& lab) {
    for (int i = 0; i < 1'000'000; ++i) {
      auto m = lab.recv(s);
      if (!m) break;
      take(*m);
    }
  }
  void take(const Parts& m) {
    RC_ASSERT(m.size() == 2u);  // [routing id][data], nothing else
    RC_ASSERT(!m[0].empty());
    auto [it, fresh] = by_id.try_emplace(m[0]);
    if (fresh) order.push_back(m[0]);
    ConnLog& log = it->second;
    if (m[1].empty()) {
      ++log.notifications;
      RC_ASSERT(log.notifications <= 2);  // one connect, one disconnect, never more
      return;
    }
    if (log.notifications == 0) log.data_before_connect = true;
    if (log.notifications >= 2) log.data_after_disconnect = true;
    log.data += m[1];
    ++log.data_messages;
    data_from.push_back(m[0]);
  }
  int notes(const std::string& id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? 0 : it->second.notifications;
  }
  const ConnLog& log(const std::string& id) {
    return by_id[id];  // an empty log for an id never seen
  }
  // Waits for the connect notification of the next new connection; returns its id.
  std::string next_connection(Lab& lab) {
    size_t seen = order.size();
    bool ok = lab.wait_for(
        [&] {
          poll(lab);
          return order.size() > seen;
        },
        20'000);
    EXPECT_RULE(ok, "a new connection's notification within 20 s (seen " << seen << ")");
    const std::string& id = order[seen];
    RC_ASSERT(by_id[id].notifications >= 1);  // the first thing of a connection: its notification
    return id;
  }
};

Stream bound_stream(Lab& lab) {
  Stream st;
  st.s = lab.socket(0, SocketType::kStream);
  RC_ASSERT(st.s->bind("tcp://*:" + std::to_string(kStreamPort)) == Err::kOk);
  return st;
}

// k raw clients on h1..hk, connected one after the other so the i-th connect notification
// names client i.
std::vector<Raw> connect_clients(Lab& lab, Stream& st, int k) {
  std::vector<Raw> raws(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    r.host = uint32_t(i + 1);
    r.c = raw_connect(lab, r.host, 0);
    r.id = st.next_connection(lab);
  }
  return raws;
}

// The connection of `r` is gone, as far as either end knows.
bool gone(Stream& st, Raw& r) { return r.broken() || st.notes(r.id) >= 2; }

// [id, data] from the STREAM socket, the id frame with SNDMORE, the data frame with `flags`.
Err stream_send(Sock* s, const std::string& id, const std::string& data, int data_flags = 0) {
  Msg head = Msg::copy_of(std::string_view(id));
  Err e = s->send(head, kSendMore);
  if (e != Err::kOk) return e;
  Msg body = Msg::copy_of(std::string_view(data));
  return s->send(body, data_flags);
}

// rule/STREAM/prepend-routing-id: every message from a TCP peer is [that connection's routing
// id, bytes]; per id, the bytes are exactly what that peer sent, in order (a prefix of it if a
// fault reset the connection); ids are distinct per connection and never cross.
void prepend_routing_id_property() {
  int k = *rc::gen::inRange(1, 5);
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < k; ++i) {
    writes.push_back(*rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
        rc::gen::nonEmpty(rc::gen::arbitrary<std::string>()))));
  }
  size_t big = *rc::gen::inRange<size_t>(0, 40'000);  // one more write of many read chunks
  writes[0].push_back(pattern(big, 7));
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | lossy_fault_mask()), uint32_t(k + 1));
  bool lossy = lossy_case(lab);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  std::vector<std::string> sent(static_cast<size_t>(k));
  // Interleaved writes: round j writes everyone's j-th piece.
  for (size_t j = 0;; ++j) {
    bool any = false;
    for (int i = 0; i < k; ++i) {
      if (j >= writes[size_t(i)].size()) continue;
      any = true;
      const std::string& w = writes[size_t(i)][j];
      // What a write took before a reset counts too: the simulator, as Linux, delivers bytes
      // that left before the RST (the STREAM may read part of a piece that then failed).
      size_t took = 0;
      raw_write_all(lab, raws[size_t(i)], w, &took);
      sent[size_t(i)] += w.substr(0, took);
      st.poll(lab);
    }
    if (!any) break;
    lab.advance_ms(1);
  }
  settle(lab);
  lab.wait_for(
      [&] {
        st.poll(lab);
        for (int i = 0; i < k; ++i) {
          Raw& r = raws[size_t(i)];
          if (!gone(st, r) && st.log(r.id).data.size() < sent[size_t(i)].size()) return false;
        }
        return true;
      },
      10'000);
  st.poll(lab);
  std::set<std::string> ids;
  for (const Raw& r : raws) ids.insert(r.id);
  RC_ASSERT(ids.size() == size_t(k));       // one routing id per connection
  RC_ASSERT(st.order.size() == size_t(k));  // no message names any other id
  int resets = 0;
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    const ConnLog& log = st.log(r.id);
    EXPECT_RULE(!log.data_before_connect,
                "no data on connection " << i << " before its connect notification");
    EXPECT_RULE(!log.data_after_disconnect,
                "no data on connection " << i << " after its disconnect notification");
    const std::string& want = sent[size_t(i)];
    if (gone(st, r)) {
      // only a fault may break a connection here
      EXPECT_RULE(lossy, "connection " << i << " alive (only a fault may break one here)");
      ++resets;
      RC_ASSERT(log.data.size() <= want.size());
      RC_ASSERT(want.compare(0, log.data.size(), log.data) == 0);  // in order, its own bytes
    } else {
      RC_ASSERT(log.data == want);
    }
    evidence().count("data_messages", log.data_messages);
  }
  evidence().count("broken_connections", resets);
  evidence().max("peers", k);
  if (!st.data_from.empty()) evidence().exercised();
}

// rule/STREAM/fair-queue and socket/STREAM/incoming: k raw peers each with a backlog queued
// at the STREAM socket; as long as every peer still has bytes to come, every k consecutive
// messages come from k different peers. Under lossy faults, connections the faults broke are
// made again afterwards (a new id each) and the check runs on the connections of the end.
void fair_queue_property() {
  int k = *rc::gen::inRange(2, 5);
  std::vector<size_t> sizes;
  for (int i = 0; i < k; ++i) {
    sizes.push_back(size_t(*rc::gen::inRange(2, 7)) * kReadChunk +
                    size_t(*rc::gen::inRange(0, 100)));
  }
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | lossy_fault_mask()), uint32_t(k + 1));
  lossy_case(lab);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  settle(lab);
  st.poll(lab);
  for (Raw& r : raws) {
    if (!gone(st, r)) continue;
    if (r.c->state() == RawConn::State::kOpen) r.c->close();
    uint32_t host = r.host;
    r = Raw();
    r.host = host;
    r.c = raw_connect(lab, host, 0);
    r.id = st.next_connection(lab);
    evidence().count("reconnected");
  }
  lab.advance_ms(200);
  st.poll(lab);
  st.data_from.clear();
  std::map<std::string, size_t> remaining;
  std::map<std::string, std::string> want;
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    want[r.id] = pattern(sizes[size_t(i)], uint32_t(i));
    RC_ASSERT(raw_write_all(lab, r, want[r.id]));
    remaining[r.id] = sizes[size_t(i)];
  }
  lab.advance_ms(delivery_ms(lab));  // everything queued at the STREAM socket, nothing read
  int checked = 0;
  size_t total = 0;
  for (size_t n : sizes) total += n;
  size_t got = 0;
  std::vector<std::string> window;
  for (int guard = 0; got < total && guard < 100000; ++guard) {
    auto m = lab.recv(st.s);
    if (!m) {
      lab.advance_ms(5);  // not expected while backlogs remain: the check below tells
      continue;
    }
    st.take(*m);
    RC_ASSERT(!(*m)[1].empty());
    RC_ASSERT(remaining.count((*m)[0]) == 1u);
    RC_ASSERT(remaining[(*m)[0]] >= (*m)[1].size());
    remaining[(*m)[0]] -= (*m)[1].size();
    got += (*m)[1].size();
    window.push_back((*m)[0]);
    if (window.size() == size_t(k)) {
      bool all_backlogged = std::all_of(remaining.begin(), remaining.end(),
                                        [](const auto& kv) { return kv.second > 0; });
      if (all_backlogged) {
        std::set<std::string> distinct(window.begin(), window.end());
        RC_ASSERT(distinct.size() == size_t(k));  // one message from each peer per round
        ++checked;
      }
      window.clear();
    }
  }
  for (auto& [id, bytes] : want) RC_ASSERT(st.log(id).data == bytes);  // nothing lost
  evidence().count("fair_rounds", checked);
  evidence().max("peers", k);
  if (checked > 0) evidence().exercised();
}

// rule/STREAM/connect-disconnect-notification: each connection, whichever side made it,
// starts with [id, ""] before any of its data, and when the peer closes, the connection is
// reset (a lossy fault) or the peer's host crashes (seen once the STREAM socket next sends to
// it), ends with [id, ""] once more, after all its data and with nothing after it. A
// connection that stays up gets no second notification.
void notification_property() {
  enum End { kStay, kClose, kCrash };
  int k = *rc::gen::inRange(1, 4);
  auto ends = *rc::gen::container<std::vector<int>>(size_t(k), rc::gen::inRange(0, 3));
  bool outward = *rc::gen::arbitrary<bool>();  // the STREAM socket also connects to a raw server
  bool outward_close = *rc::gen::arbitrary<bool>();  // ... which then closes that connection
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | lossy_fault_mask()), uint32_t(k + 2));
  lossy_case(lab);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  uint32_t server_host = uint32_t(k + 1);
  Raw server;  // the raw server's end of the STREAM socket's outgoing connection
  std::string out_id;
  if (outward) {
    server.c = raw_server_for(lab, st.s, server_host);
    server.host = server_host;
    out_id = st.next_connection(lab);
    server.id = out_id;
    evidence().count("outgoing_connect_notifications");
  }
  for (int i = 0; i < k; ++i) {
    raw_write_all(lab, raws[size_t(i)], "hello " + std::to_string(i));
  }
  lab.advance_ms(50);
  st.poll(lab);
  // The faults act meanwhile (resets at 0.3 .. 2 s).
  settle(lab);
  st.poll(lab);
  std::vector<bool> expect_end(size_t(k), false);
  std::vector<bool> reset_first(size_t(k), false);
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    if (gone(st, r)) {  // a fault reset it
      expect_end[size_t(i)] = true;
      reset_first[size_t(i)] = true;
      evidence().count("by_reset");
      continue;
    }
    if (ends[size_t(i)] == kClose) {
      r.c->close();
      expect_end[size_t(i)] = true;
      evidence().count("by_close");
    } else if (ends[size_t(i)] == kCrash) {
      int64_t now = lab.now_ns();
      lab.world().crash_at(sim::HostId(r.host), now + 1'000'000);
      lab.world().restart_at(sim::HostId(r.host), now + 200'000'000);
      expect_end[size_t(i)] = true;
      evidence().count("by_crash");
    }
  }
  if (outward && outward_close && !gone(st, server)) {
    server.c->close();
    evidence().count("outgoing_closed_by_server");
  }
  lab.advance_ms(300);
  st.poll(lab);
  // A crashed peer says nothing: the STREAM socket learns of it when it next sends (the
  // restarted host answers with RST).
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    if (ends[size_t(i)] == kCrash && st.notes(r.id) < 2) {
      Err e = stream_send(st.s, r.id, "are you there?");
      RC_ASSERT(e == Err::kOk || e == Err::kHostUnreachable);
    }
  }
  bool all = lab.wait_for(
      [&] {
        st.poll(lab);
        for (int i = 0; i < k; ++i) {
          if (expect_end[size_t(i)] && st.notes(raws[size_t(i)].id) < 2) return false;
        }
        return true;
      },
      10'000);
  lab.advance_ms(500);
  st.poll(lab);
  int disconnects = 0;
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    const ConnLog& log = st.log(r.id);
    EXPECT_RULE(!log.data_before_connect,
                "no data on connection " << i << " before its connect notification");
    EXPECT_RULE(!log.data_after_disconnect,
                "no data on connection " << i << " after its disconnect notification");
    std::string hello = "hello " + std::to_string(i);
    if (expect_end[size_t(i)]) {
      EXPECT_RULE(all, "all of '" << hello << "' before the end of connection " << i);
      RC_ASSERT(log.notifications == 2);
      RC_ASSERT(hello.compare(0, log.data.size(), log.data) == 0);
      ++disconnects;
      if (ends[size_t(i)] == kCrash && !reset_first[size_t(i)])
        evidence().count("crash_disconnects");
      if (reset_first[size_t(i)]) evidence().count("reset_disconnects");
    } else {
      RC_ASSERT(!gone(st, r));
      RC_ASSERT(log.notifications == 1);  // still connected: no disconnect notification
      RC_ASSERT(log.data == hello);
    }
  }
  // Every other id (the outgoing connection and its reconnections) starts with its notification.
  for (const auto& [id, log] : st.by_id) {
    EXPECT_RULE(!log.data_before_connect,
                "no data on id " << id << " before its connect notification");
    EXPECT_RULE(!log.data_after_disconnect,
                "no data on id " << id << " after its disconnect notification");
    if (id != out_id) continue;
    if (outward_close || server.error) {
      RC_ASSERT(log.notifications == 2);
      ++disconnects;
    }
  }
  evidence().count("connect_notifications", int64_t(st.by_id.size()));
  evidence().count("disconnect_notifications", disconnects);
  if (disconnects > 0) evidence().exercised();
}

// rule/STREAM/close-by-empty-frame: after [id, data...] and then [id, ""], that peer reads
// exactly the data and then EOF, though it never sends anything (strict-spec: the register's
// div/STREAM/close-is-lazy records that libzmq waits for the peer's next bytes); the id is
// unroutable afterwards; the other peers keep their connections.
void close_by_empty_frame_property() {
  int k = *rc::gen::inRange(1, 4);
  auto close = *rc::gen::container<std::vector<bool>>(size_t(k), rc::gen::arbitrary<bool>());
  auto sizes =
      *rc::gen::container<std::vector<size_t>>(size_t(k), rc::gen::inRange<size_t>(0, 50'000));
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  std::vector<std::string> want(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    want[size_t(i)] = pattern(sizes[size_t(i)], uint32_t(i + 11));
    if (!want[size_t(i)].empty()) {
      bool ok = lab.wait_for([&] {
        r.pump();
        return stream_send(st.s, r.id, want[size_t(i)]) == Err::kOk;
      });
      EXPECT_RULE(ok, "the STREAM socket to take the data for connection " << i);
    }
    if (close[size_t(i)]) {
      RC_ASSERT(stream_send(st.s, r.id, "") == Err::kOk);
    } else {
      RC_ASSERT(stream_send(st.s, r.id, "still here") == Err::kOk);
      want[size_t(i)] += "still here";
    }
  }
  lab.wait_for(
      [&] {
        st.poll(lab);
        for (int i = 0; i < k; ++i) {
          Raw& r = raws[size_t(i)];
          r.pump();
          if (r.got.size() < want[size_t(i)].size()) return false;
          if (close[size_t(i)] && !r.eof) return false;
        }
        return true;
      },
      10'000);
  lab.advance_ms(200);
  int closed = 0;
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    r.pump();
    EXPECT_RULE(!r.error, "no error on raw connection " << i);
    RC_ASSERT(r.got == want[size_t(i)]);         // everything sent before the empty frame, then ...
    RC_ASSERT(r.eof == bool(close[size_t(i)]));  // ... EOF, and only there
    st.poll(lab);
    RC_ASSERT(st.log(r.id).data.empty());
    if (close[size_t(i)]) {
      RC_ASSERT(stream_send(st.s, r.id, "too late") == Err::kHostUnreachable);
      ++closed;
    } else {
      RC_ASSERT(st.notes(r.id) == 1);
    }
  }
  evidence().count("closed_by_empty_frame", closed);
  if (closed > 0) evidence().exercised();
}

// rule/STREAM/own-close-silent: a connection the application closes with [id, ""] ends with
// no disconnect notification (the page's second notification is for a peer that disconnects
// or a connection that is lost), and one the STREAM socket made itself is not made again.
// Connections whose raw peer closes instead still end with theirs.
void own_close_property() {
  int k = *rc::gen::inRange(1, 4);
  auto app_closes = *rc::gen::container<std::vector<bool>>(size_t(k), rc::gen::arbitrary<bool>());
  bool outward = *rc::gen::arbitrary<bool>();  // also close a connection it made itself
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 2));
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  uint32_t server_host = uint32_t(k + 1);
  sim::RawListener* listener = nullptr;
  Raw server;
  if (outward) {
    server.c = raw_server_for(lab, st.s, server_host, &listener);
    server.id = st.next_connection(lab);
    RC_ASSERT(stream_send(st.s, server.id, "") == Err::kOk);
  }
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    if (app_closes[size_t(i)]) {
      RC_ASSERT(stream_send(st.s, r.id, "") == Err::kOk);
    } else {
      r.c->close();
    }
  }
  bool ended = lab.wait_for(
      [&] {
        st.poll(lab);
        server.pump();
        if (outward && !server.eof) return false;
        for (int i = 0; i < k; ++i) {
          Raw& r = raws[size_t(i)];
          r.pump();
          if (app_closes[size_t(i)] ? !r.eof : st.notes(r.id) < 2) return false;
        }
        return true;
      },
      10'000);
  EXPECT_RULE(ended, "the connection ended within 10 s");
  lab.advance_ms(3000);  // well past any reconnect interval
  st.poll(lab);
  int silent = 0;
  for (int i = 0; i < k; ++i) {
    const Raw& r = raws[size_t(i)];
    RC_ASSERT(st.notes(r.id) == (app_closes[size_t(i)] ? 1 : 2));
    silent += app_closes[size_t(i)] ? 1 : 0;
  }
  if (outward) {
    RC_ASSERT(st.notes(server.id) == 1);
    sim::EndRef again;
    RC_ASSERT(!listener->take(&again));  // not connected again
    ++silent;
  }
  RC_ASSERT(st.order.size() == size_t(k) + (outward ? 1u : 0u));  // no new connection at all
  evidence().count("closed_by_the_application", silent);
  if (silent > 0) evidence().exercised();
}

// rule/STREAM/notify-off: with ZMQ_STREAM_NOTIFY 0, no zero-length message ever comes, on
// connect or disconnect, for connections accepted or made; data still comes as [routing id,
// bytes], and replies by id reach their peer. A peer that closes is gone all the same: its id
// turns unroutable (EHOSTUNREACH) without a word to the application.
void notify_off_property() {
  int k = *rc::gen::inRange(1, 4);
  bool outward = *rc::gen::arbitrary<bool>();  // also connect to a raw server
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 2));
  Sock* s = lab.socket(0, SocketType::kStream);
  RC_ASSERT(s->set_int(opt::kStreamNotify, 0) == Err::kOk);
  RC_ASSERT(s->bind("tcp://*:" + std::to_string(kStreamPort)) == Err::kOk);
  std::map<std::string, std::string> data_by_id;
  auto take_all = [&] {
    while (auto m = lab.recv(s)) {
      RC_ASSERT(m->size() == 2u);  // [routing id][data]
      RC_ASSERT(!m->at(0).empty());
      RC_ASSERT(!m->at(1).empty());  // no notification with ZMQ_STREAM_NOTIFY 0
      data_by_id[m->at(0)] += m->at(1);
    }
  };
  // The id of the connection whose data is exactly `hello`, once all of it has come.
  auto id_of = [&](const std::string& hello) {
    std::string found;
    bool ok = lab.wait_for([&] {
      take_all();
      for (const auto& [id, data] : data_by_id) {
        if (data == hello) found = id;
      }
      return !found.empty();
    });
    EXPECT_RULE(ok, "the expected data found");
    return found;
  };
  std::vector<Raw> raws(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    r.host = uint32_t(i + 1);
    r.c = raw_connect(lab, r.host, 0);
    RC_ASSERT(raw_write_all(lab, r, "hello " + std::to_string(i)));
    r.id = id_of("hello " + std::to_string(i));
  }
  Raw server;
  if (outward) {
    server.host = uint32_t(k + 1);
    server.c = raw_server_for(lab, s, server.host);
    // ZMQ_ROUTING_ID names the connection attached last (libzmq's stream_t sets it when a
    // pipe attaches): wait until the socket has attached this one, a fresh id.
    RC_ASSERT(lab.wait_for([&] {
      uint8_t buf[256];
      size_t size = sizeof buf;
      RC_ASSERT(s->sim()->core().get_option(opt::kRoutingId, buf, &size) == Err::kOk);
      server.id.assign(reinterpret_cast<const char*>(buf), size);
      return !server.id.empty() && data_by_id.count(server.id) == 0;
    }));
    RC_ASSERT(stream_send(s, server.id, "to the server") == Err::kOk);
  }
  for (int i = 0; i < k; ++i) {
    RC_ASSERT(stream_send(s, raws[size_t(i)].id, "re: " + std::to_string(i)) == Err::kOk);
  }
  RC_LOG() << "k=" << k << " outward=" << outward << "\n";
  bool replied = lab.wait_for([&] {
    take_all();
    server.pump();
    for (Raw& r : raws) r.pump();
    for (int i = 0; i < k; ++i) {
      if (raws[size_t(i)].got.size() < 5) return false;
    }
    return !outward || server.got.size() >= 13;
  });
  for (int i = 0; i < k; ++i)
    RC_LOG() << "client " << i << " read '" << raws[size_t(i)].got << "'\n";
  if (outward) RC_LOG() << "the server read '" << server.got << "'\n";
  EXPECT_RULE(replied, "every raw client answered");
  for (int i = 0; i < k; ++i) RC_ASSERT(raws[size_t(i)].got == "re: " + std::to_string(i));
  if (outward) RC_ASSERT(server.got == "to the server");
  for (Raw& r : raws) r.c->close();
  if (outward) server.c->close();
  lab.advance_ms(2000);
  take_all();  // asserts that no disconnect notification came
  for (Raw& r : raws) {
    RC_ASSERT(
        lab.wait_for([&] { return stream_send(s, r.id, "anyone?") == Err::kHostUnreachable; }));
  }
  RC_ASSERT(data_by_id.size() == size_t(k));  // one id per accepted connection, data from each
  evidence().count("connections", k + (outward ? 1 : 0));
  evidence().exercised();
}

// rule/STREAM/connect-then-routing-id: after each zmq_connect to a raw server, ZMQ_ROUTING_ID
// read from the STREAM socket is that connection's routing id (the one its connect
// notification carries), and a message sent to it reaches that server and no other.
void connect_routing_id_property() {
  int k = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* s = lab.socket(0, SocketType::kStream);
  Stream st;
  st.s = s;
  std::vector<Raw> servers(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    Raw& server = servers[size_t(i)];
    server.host = uint32_t(i + 1);
    server.c = raw_server_for(lab, s, server.host);
    server.id = st.next_connection(lab);
    uint8_t buf[256];
    size_t size = sizeof buf;
    RC_ASSERT(s->sim()->core().get_option(opt::kRoutingId, buf, &size) == Err::kOk);
    RC_ASSERT(std::string(reinterpret_cast<const char*>(buf), size) == server.id);
    RC_ASSERT(stream_send(s, server.id, "hi " + std::to_string(i)) == Err::kOk);
  }
  lab.wait_for(
      [&] {
        for (Raw& server : servers) server.pump();
        for (int i = 0; i < k; ++i) {
          if (servers[size_t(i)].got.size() < 4) return false;
        }
        return true;
      },
      10'000);
  for (int i = 0; i < k; ++i) RC_ASSERT(servers[size_t(i)].got == "hi " + std::to_string(i));
  evidence().count("connections", k);
  evidence().exercised();
}

// rule/STREAM/routing-id-frame-sndmore: a message is an id frame with SNDMORE and one data
// frame; SNDMORE on the data frame is ignored (the next frame is the next message's routing
// id), so each peer gets exactly its data frames, in order. Incoming messages are an id frame
// with RCVMORE and one data frame without.
void sndmore_property() {
  int k = *rc::gen::inRange(1, 4);
  struct Out {
    int to;
    std::string data;
    bool more;
  };
  auto outs = *rc::gen::nonEmpty(rc::gen::container<std::vector<Out>>(rc::gen::build<Out>(
      rc::gen::set(&Out::to, rc::gen::inRange(0, k)),
      rc::gen::set(&Out::data, rc::gen::nonEmpty(rc::gen::arbitrary<std::string>())),
      rc::gen::set(&Out::more, rc::gen::arbitrary<bool>()))));
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  std::vector<std::string> want(static_cast<size_t>(k));
  int with_more = 0;
  for (const Out& o : outs) {
    Raw& r = raws[size_t(o.to)];
    RC_ASSERT(stream_send(st.s, r.id, o.data, o.more ? kSendMore : 0) == Err::kOk);
    want[size_t(o.to)] += o.data;
    with_more += o.more;
  }
  // Incoming framing: each raw peer says something.
  for (int i = 0; i < k; ++i)
    RC_ASSERT(raw_write_all(lab, raws[size_t(i)], "from " + std::to_string(i)));
  int incoming = 0;
  lab.wait_for(
      [&] {
        for (;;) {
          Msg id;
          if (st.s->recv(&id) != Err::kOk) break;
          // the routing id frame comes with RCVMORE
          EXPECT_RULE(st.s->rcvmore(), "the routing id frame to come with RCVMORE");
          Msg data;
          RC_ASSERT(st.s->recv(&data) == Err::kOk);
          // and exactly one data frame after it
          EXPECT_RULE(!st.s->rcvmore(), "exactly one data frame after the routing id");
          if (!data.view().empty()) ++incoming;
        }
        bool done = incoming >= k;
        for (int i = 0; i < k; ++i) {
          Raw& r = raws[size_t(i)];
          r.pump();
          if (r.got.size() < want[size_t(i)].size()) done = false;
        }
        return done;
      },
      10'000);
  lab.advance_ms(200);
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    r.pump();
    RC_ASSERT(r.got == want[size_t(i)]);
    EXPECT_RULE(!r.eof, "raw connection " << i << " still open");
    EXPECT_RULE(!r.error, "no error on raw connection " << i);
  }
  evidence().count("data_frames_with_sndmore", with_more);
  evidence().count("data_frames_without", int64_t(outs.size()) - with_more);
  if (with_more > 0 && outs.size() >= 2) evidence().exercised();
}

// rule/STREAM/unroutable-error: a send to an id that names no connection (never known, or its
// connection is gone: closed by the peer or reset by a fault, and notified) fails with
// EHOSTUNREACH or EAGAIN; nothing is dropped silently (every send that succeeded reaches its
// live peer, and the socket counts no drop); the failures do not disturb later messages.
void unroutable_property() {
  int k = *rc::gen::inRange(1, 4);
  auto leaves = *rc::gen::container<std::vector<bool>>(size_t(k), rc::gen::arbitrary<bool>());
  struct Op {
    int kind;  // 0: to client `to`, 1: to an unknown id
    int to;
    std::string unknown;
  };
  auto ops = *rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::inRange(0, 2)),
      rc::gen::set(&Op::to, rc::gen::inRange(0, k)),
      rc::gen::set(&Op::unknown, rc::gen::nonEmpty(rc::gen::arbitrary<std::string>())))));
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | lossy_fault_mask()), uint32_t(k + 1));
  bool lossy = lossy_case(lab);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  for (int i = 0; i < k; ++i) {
    if (leaves[size_t(i)]) raws[size_t(i)].c->close();
  }
  settle(lab);
  lab.wait_for(
      [&] {
        st.poll(lab);
        for (int i = 0; i < k; ++i) {
          if (leaves[size_t(i)] && st.notes(raws[size_t(i)].id) < 2) return false;
        }
        return true;
      },
      10'000);
  st.poll(lab);
  std::vector<std::string> want(static_cast<size_t>(k));
  int unknown_errors = 0;
  int gone_errors = 0;
  for (size_t j = 0; j < ops.size(); ++j) {
    const Op& op = ops[j];
    std::string body = "m" + std::to_string(j) + ";";
    if (op.kind == 1) {
      if (st.by_id.count(op.unknown) != 0) continue;  // happens to name a connection
      Err e = stream_send(st.s, op.unknown, body);
      RC_ASSERT(e == Err::kHostUnreachable || e == Err::kAgain);
      ++unknown_errors;
      continue;
    }
    Raw& r = raws[size_t(op.to)];
    st.poll(lab);
    bool notified_gone = st.notes(r.id) >= 2;
    Err e = stream_send(st.s, r.id, body);
    if (notified_gone) {
      RC_ASSERT(e == Err::kHostUnreachable || e == Err::kAgain);
      ++gone_errors;
    } else if (e == Err::kOk) {
      want[size_t(op.to)] += body;
    } else {
      RC_ASSERT(e == Err::kHostUnreachable || e == Err::kAgain);
      // a live connection only becomes unroutable through a fault
      EXPECT_RULE(lossy, "the live connection " << op.to
                                                << " routable (only a fault makes one unroutable)");
    }
    lab.advance_ms(1);
  }
  lab.wait_for(
      [&] {
        for (int i = 0; i < k; ++i) {
          Raw& r = raws[size_t(i)];
          if (!gone(st, r) && r.got.size() < want[size_t(i)].size()) return false;
        }
        return true;
      },
      10'000);
  lab.advance_ms(200);
  for (int i = 0; i < k; ++i) {
    Raw& r = raws[size_t(i)];
    r.pump();
    if (leaves[size_t(i)]) continue;
    if (gone(st, r)) {
      EXPECT_RULE(lossy, "connection " << i << " alive (only a fault may break one here)");
      RC_ASSERT(want[size_t(i)].compare(0, r.got.size(), r.got) == 0);
    } else {
      RC_ASSERT(r.got == want[size_t(i)]);  // every accepted send arrived, in order
    }
  }
  RC_ASSERT(st.s->dropped_messages() == 0u);
  evidence().count("unknown_id_errors", unknown_errors);
  evidence().count("gone_id_errors", gone_errors);
  if (unknown_errors + gone_errors > 0) evidence().exercised();
}

// rule/STREAM/raw-tcp-peer: a STREAM socket talks plain TCP: a raw peer (which connected to
// it, or which it connected to) gets no greeting, only the exact bytes of each data frame, and
// the STREAM socket gets the raw peer's bytes as they are. A ZeroMQ peer gets no handshake:
// its ZMTP greeting arrives at the application as raw data.
void raw_tcp_peer_property() {
  bool outward = *rc::gen::arbitrary<bool>();
  std::string up = *rc::gen::nonEmpty(rc::gen::arbitrary<std::string>());
  std::string down = *rc::gen::nonEmpty(rc::gen::arbitrary<std::string>());
  SocketType zmtp = *rc::gen::elementOf(zmtp_types());
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Stream st = bound_stream(lab);
  Raw r;
  r.host = 1;
  if (outward) {
    r.c = raw_server_for(lab, st.s, 1);
  } else {
    r.c = raw_connect(lab, 1, 0);
  }
  r.id = st.next_connection(lab);
  lab.advance_ms(300);
  r.pump();
  // no greeting, nothing at all until the application sends
  EXPECT_RULE(r.got.empty(), "nothing at all (no greeting) before the application sends, got "
                                 << r.got.size() << " bytes");
  RC_ASSERT(raw_write_all(lab, r, up));
  RC_ASSERT(stream_send(st.s, r.id, down) == Err::kOk);
  lab.wait_for(
      [&] {
        st.poll(lab);
        r.pump();
        return st.log(r.id).data.size() >= up.size() && r.got.size() >= down.size();
      },
      10'000);
  lab.advance_ms(200);
  st.poll(lab);
  r.pump();
  RC_ASSERT(st.log(r.id).data == up);
  RC_ASSERT(r.got == down);
  // A ZeroMQ socket is no peer: its greeting is just bytes, and it never gets one back.
  Sock* z = lab.socket(2, zmtp);
  z->set_int(opt::kHandshakeIvl, 500);
  RC_ASSERT(z->connect(lab.endpoint(0, kStreamPort)) == Err::kOk);
  std::string zid = st.next_connection(lab);
  lab.wait_for(
      [&] {
        st.poll(lab);
        return st.log(zid).data.size() >= 10;
      },
      5000);
  const std::string& greeting = st.log(zid).data;
  RC_ASSERT(greeting.size() >= 10u);
  RC_ASSERT(uint8_t(greeting[0]) == 0xFFu);  // ZMTP's signature, delivered as data
  RC_ASSERT(uint8_t(greeting[9]) == 0x7Fu);
  lab.advance_ms(1000);
  RC_ASSERT(lab.handshakes(z) == 0u);
  evidence().count(outward ? "outgoing_raw_peer" : "incoming_raw_peer");
  evidence().exercised();
}

// socket/STREAM/direction (bidirectional): on one connection, bytes flow both ways, in a
// generated number of exchanges in each direction.
void direction_property() {
  int rounds = *rc::gen::inRange(1, 6);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, 1);
  Raw& r = raws[0];
  std::string up;
  std::string down;
  for (int j = 0; j < rounds; ++j) {
    std::string u = "up" + std::to_string(j) + ";";
    std::string d = "down" + std::to_string(j) + ";";
    RC_ASSERT(raw_write_all(lab, r, u));
    up += u;
    RC_ASSERT(lab.wait_for(
        [&] {
          st.poll(lab);
          return st.log(r.id).data.size() >= up.size();
        },
        5000));
    RC_ASSERT(st.log(r.id).data == up);
    RC_ASSERT(stream_send(st.s, r.id, d) == Err::kOk);
    down += d;
    RC_ASSERT(lab.wait_for(
        [&] {
          r.pump();
          return r.got.size() >= down.size();
        },
        5000));
    RC_ASSERT(r.got == down);
  }
  evidence().count("exchanges", rounds);
  evidence().exercised();
}

// socket/STREAM/pattern (unrestricted): any generated interleaving of sends and receives on the
// STREAM socket is accepted; every send arrives, every receive gets its bytes.
void pattern_property() {
  auto ops = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());  // true: send
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, 1);
  Raw& r = raws[0];
  int sends = 0;
  int recvs = 0;
  std::string down;
  std::string up;
  for (size_t j = 0; j < ops.size(); ++j) {
    std::string piece = std::to_string(j) + ";";
    if (ops[j]) {
      RC_ASSERT(stream_send(st.s, r.id, piece) == Err::kOk);
      down += piece;
      ++sends;
    } else {
      RC_ASSERT(raw_write_all(lab, r, piece));
      up += piece;
      RC_ASSERT(lab.wait_for(
          [&] {
            st.poll(lab);
            return st.log(r.id).data.size() >= up.size();
          },
          5000));
      ++recvs;
    }
  }
  lab.wait_for(
      [&] {
        r.pump();
        return r.got.size() >= down.size();
      },
      5000);
  RC_ASSERT(r.got == down);
  RC_ASSERT(st.log(r.id).data == up);
  evidence().count("sends", sends);
  evidence().count("receives", recvs);
  if (sends > 0 && recvs > 0) evidence().exercised();
}

// socket/STREAM/outgoing (see text: routed by the routing id frame): each message goes to the
// peer its first frame names and to no other; each peer gets exactly its messages, in order.
void outgoing_property() {
  int k = *rc::gen::inRange(2, 5);
  auto dests = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, k)));
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Stream st = bound_stream(lab);
  std::vector<Raw> raws = connect_clients(lab, st, k);
  std::vector<std::string> want(static_cast<size_t>(k));
  for (size_t j = 0; j < dests.size(); ++j) {
    std::string piece = "to" + std::to_string(dests[j]) + "#" + std::to_string(j) + ";";
    RC_ASSERT(stream_send(st.s, raws[size_t(dests[j])].id, piece) == Err::kOk);
    want[size_t(dests[j])] += piece;
  }
  lab.wait_for(
      [&] {
        for (int i = 0; i < k; ++i) {
          raws[size_t(i)].pump();
          if (raws[size_t(i)].got.size() < want[size_t(i)].size()) return false;
        }
        return true;
      },
      10'000);
  lab.advance_ms(200);
  std::set<int> reached;
  for (int i = 0; i < k; ++i) {
    raws[size_t(i)].pump();
    RC_ASSERT(raws[size_t(i)].got == want[size_t(i)]);
    if (!want[size_t(i)].empty()) reached.insert(i);
  }
  evidence().max("peers_reached", int64_t(reached.size()));
  if (reached.size() >= 2) evidence().exercised();
}

// socket/STREAM/mute (EAGAIN): a raw peer that stops reading, small buffers and a small
// SNDHWM: sends to it end in EAGAIN (not a drop, not EHOSTUNREACH), and once the peer reads
// again it gets every byte that was accepted, in order; sending then works again.
void mute_property() {
  int hwm = *rc::gen::inRange(1, 20);
  size_t size = *rc::gen::inRange<size_t>(500, 8000);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  lab.world().net().mutable_params().sndbuf = 8192;  // the raw peer's buffers
  lab.world().net().mutable_params().rcvbuf = 8192;
  Stream st;
  st.s = lab.socket(0, SocketType::kStream);
  st.s->set_int(opt::kSndHwm, hwm);
  st.s->set_int(opt::kSndBuf, 8192);
  RC_ASSERT(st.s->bind("tcp://*:" + std::to_string(kStreamPort)) == Err::kOk);
  std::vector<Raw> raws = connect_clients(lab, st, 1);
  Raw& r = raws[0];
  std::string want;
  Err err = Err::kOk;
  int accepted = 0;
  // Sends until EAGAIN; the buffers between may still take a little once time runs, so again
  // until a send right after 100 ms still gets EAGAIN: the mute state, with the peer reading
  // nothing.
  bool stable = false;
  for (int j = 0, attempt = 0; attempt < 50 && !stable && j < 100'000; ++attempt) {
    bool first = true;
    for (; j < 100'000; ++j) {
      std::string piece = std::to_string(j) + ":" + pattern(size, uint32_t(j)) + ";";
      err = stream_send(st.s, r.id, piece);
      if (err != Err::kOk) break;
      first = false;
      want += piece;
      ++accepted;
      if (j % 8 == 0) lab.advance_ms(1);
    }
    RC_ASSERT(err == Err::kAgain);  // not dropped, not EHOSTUNREACH
    evidence().count("eagain");
    stable = first && attempt > 0;
    lab.advance_ms(100);
  }
  EXPECT_RULE(stable, "the connection stable");
  RC_ASSERT(st.s->dropped_messages() == 0u);
  evidence().max("accepted_before_mute", accepted);
  lab.wait_for(
      [&] {
        r.pump();
        return r.got.size() >= want.size();
      },
      20'000);
  RC_ASSERT(r.got == want);  // nothing lost, nothing twice, in order
  RC_ASSERT(stream_send(st.s, r.id, "again") == Err::kOk);
  want += "again";
  lab.wait_for(
      [&] {
        r.pump();
        return r.got.size() >= want.size();
      },
      5000);
  RC_ASSERT(r.got == want);
  evidence().exercised();
}

}  // namespace

void add_stream_rule_properties(std::vector<Property>& out) {
  auto add = [&](const char* id, const char* column, std::function<void()> body) {
    out.push_back({id, "STREAM", column, std::move(body), /*sim_only=*/true});
  };
  add("rule/STREAM/prepend-routing-id", "identity", prepend_routing_id_property);
  add("rule/STREAM/fair-queue", "routing", fair_queue_property);
  add("rule/STREAM/connect-disconnect-notification", "notification", notification_property);
  add("rule/STREAM/close-by-empty-frame", "connection", close_by_empty_frame_property);
  add("rule/STREAM/own-close-silent", "notification", own_close_property);
  add("rule/STREAM/connect-then-routing-id", "identity", connect_routing_id_property);
  add("rule/STREAM/notify-off", "notification", notify_off_property);
  add("rule/STREAM/routing-id-frame-sndmore", "framing", sndmore_property);
  add("rule/STREAM/unroutable-error", "routing", unroutable_property);
  add("rule/STREAM/raw-tcp-peer", "compatibility", raw_tcp_peer_property);
  // The table's records (spec/sockets-4.3.json) that need raw TCP peers.
  add("socket/STREAM/direction", "direction", direction_property);
  add("socket/STREAM/pattern", "pattern", pattern_property);
  add("socket/STREAM/outgoing", "outgoing", outgoing_property);
  add("socket/STREAM/incoming", "incoming", fair_queue_property);
  add("socket/STREAM/mute", "mute", mute_property);
}

}  // namespace zlab::conform
