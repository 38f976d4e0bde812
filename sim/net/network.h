// Simulated hosts and TCP-like stream connections between them, under virtual time.
//
// What a connection guarantees, as TCP does: bytes arrive once, in order, or the connection
// fails (reset, timed out). What it does to its users, as TCP does:
//  * connect to a port nobody listens on is refused (after a round trip); a SYN that cannot get
//    through is retried with backoff until the connect timeout;
//  * each direction has a send buffer (the writer's) and a receive window (the reader's):
//    writes are short or would block when the send buffer is full, and a reader that stops
//    reading stops the writer (backpressure);
//  * bytes leave at the link's bandwidth and arrive after its latency (drawn once per link)
//    plus jitter; a lost segment is retransmitted after an RTO, and everything behind it waits;
//  * reads and writes may be split at a random point (1 byte up to everything);
//  * a partition (one way or both) holds segments back; they are retransmitted with backoff
//    and arrive once it heals, or the sender gives up (ETIMEDOUT) after `give_up_ns`;
//  * a reset (RST) fails both ends; closing with unread input resets the peer (as Linux does);
//    a failed end's reads give what had arrived, then the error once, then EOF; an end that had
//    read the peer's FIN stays at EOF (Linux; sim/net/linux_tcp_test.py probes both);
//    data for an end that was closed or forgotten (its host restarted) is answered with RST,
//    which travels behind what that end had already sent (never overtakes it);
//  * a crashed host vanishes silently: its peers hear nothing until they send (RST after it
//    restarts) or their heartbeats time out.
//
// Owners (a simulated socket, a raw TCP peer) are told about changes by callbacks that run
// from their own events, never from inside another owner's call, so an owner may call back
// into the network from any callback; the one exception, EndOwner::on_changed, runs inside
// the network's call and may only take note.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/err.h"
#include "sim/base/event_queue.h"
#include "sim/base/rng.h"
#include "sim/base/trace.h"
#include "sim/net/byte_queue.h"
#include "sim/net/packet_sink.h"

namespace zlab::sim {

using ListenerId = uint64_t;

// One end of a connection: side 0 connected, side 1 accepted.
struct EndRef {
  ConnId conn = 0;
  uint8_t side = 0;
};

enum class IoStatus : uint8_t { kOk, kWouldBlock, kEof, kError };

struct Slice {
  const uint8_t* data;
  size_t size;
};

class EndOwner {
 public:
  // The connect that made this end finished: kOk, or why it failed (refused, timed out, ...).
  virtual void on_connect_result(EndRef end, Err err) = 0;
  // Something may have changed: bytes or EOF or an error to read, room to write.
  virtual void on_ready(EndRef end) = 0;
  // The same news at once, from inside the network's call that made it (on_ready follows as
  // its own event): an owner that pumps only the ends that changed notes it here, since it
  // may pump before that event runs. Only noting is allowed: no call back into the network.
  // `tag` is what the owner gave set_owner_tag for this end (0 if nothing).
  virtual void on_changed(EndRef end, uint64_t tag) {
    (void)end;
    (void)tag;
  }

 protected:
  ~EndOwner() = default;
};

class ListenOwner {
 public:
  // A connection was accepted; returns who owns its accepting end.
  virtual EndOwner* on_accept(ListenerId listener, EndRef end, const std::string& peer) = 0;

 protected:
  ~ListenOwner() = default;
};

// The network's parameters for a run. Times in ns; probabilities in parts per million.
struct NetParams {
  // One-way latency, drawn once per ordered pair of hosts, uniform in [min, max]; plus per
  // segment jitter uniform in [0, jitter], and now and then (spike_ppm) a spike of spike_ns.
  int64_t latency_min_ns = 50'000;
  int64_t latency_max_ns = 200'000;
  int64_t jitter_ns = 0;
  uint32_t spike_ppm = 0;
  int64_t spike_ns = 0;
  int64_t loopback_latency_ns = 10'000;
  // Bytes per second, drawn once per ordered pair of hosts; 0: unlimited.
  uint64_t bandwidth_min_bps = 0;
  uint64_t bandwidth_max_bps = 0;
  // Each segment is lost (and retransmitted after an RTO) with this probability, up to three
  // times in a row (200 + 400 + 800 ms: less than the scenarios' 2 s heartbeat timeout).
  uint32_t loss_ppm = 0;
  // Segments sent from then on are not lost: a fault schedule's loss ends with its window, so
  // the quiet phase is a liveness check (TigerBeetle's VOPR heals its network the same way).
  int64_t loss_until_ns = INT64_MAX;
  // Default buffer sizes (SO_SNDBUF / SO_RCVBUF); a socket's ZMQ_SNDBUF/RCVBUF override them.
  size_t sndbuf = 256 * 1024;
  size_t rcvbuf = 256 * 1024;
  size_t mss = 16 * 1024;  // the most one segment carries
  // A read or write is cut short at a random point with this probability.
  uint32_t split_ppm = 0;
  // The most one read returns (0: no limit; 1: every byte on its own, so a parser meets every
  // boundary a stream can be cut at: the handshake split at every byte).
  size_t read_max = 0;
  // Retransmission: RTO doubles from min to max; a segment not through after give_up fails
  // the sending end with ETIMEDOUT. (Scaled down from Linux's 200 ms .. 120 s and ~15 min.)
  int64_t rto_min_ns = 200'000'000;
  int64_t rto_max_ns = 1'000'000'000;
  int64_t give_up_ns = 30'000'000'000;
  // SYN retries from syn_rto (doubling, at most max(syn_rto, rto_max)) until the connect
  // timeout (ZMQ_CONNECT_TIMEOUT, or this default).
  int64_t syn_rto_ns = 1'000'000'000;
  int64_t connect_timeout_ns = 10'000'000'000;
  // udp datagrams (datagram_net.h): each copy lost, or duplicated, with these probabilities;
  // each copy delayed by up to reorder_ns more (so datagrams overtake each other); a receiver
  // queues at most dgram_queue datagrams. No retransmission, ever.
  uint32_t dgram_loss_ppm = 0;
  uint32_t dgram_dup_ppm = 0;
  int64_t dgram_reorder_ns = 0;
  size_t dgram_queue = 256;
  // Put each delivered segment's bytes in the trace (hex), for pcap export.
  bool trace_payload = false;
  // For testing the checks only: a segment's bytes vanish and the stream goes on, a TCP that
  // breaks its promise; a datagram arrives without its last byte, a udp that breaks its own
  // (whole or nothing). Never drawn as a fault.
  uint32_t debug_vanish_ppm = 0;
};

struct ConnectOptions {
  int64_t timeout_ns = 0;  // 0: the network's default
  size_t sndbuf = 0;       // 0: the network's default
  size_t rcvbuf = 0;
};

struct NetStats {
  uint64_t connects = 0;
  uint64_t refused = 0;
  uint64_t connect_timeouts = 0;
  uint64_t segments = 0;
  uint64_t bytes_delivered = 0;
  uint64_t retransmits = 0;
  uint64_t resets = 0;
  uint64_t give_ups = 0;
};

class Network final : public EventTarget {
 public:
  Network(EventQueue& queue, Rng& rng, Trace& trace, NetParams params);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const NetParams& params() const { return params_; }
  NetParams& mutable_params() { return params_; }
  const NetStats& stats() const { return stats_; }
  // Tells `sink` (not owned; null: none) about every packet from now on; the hosts so far are
  // announced at once.
  void set_packet_sink(PacketSink* sink);
  PacketSink* packet_sink() const { return sink_; }

  // --- hosts ---
  HostId add_host(std::string name);
  size_t host_count() const { return hosts_.size(); }
  const std::string& host_name(HostId host) const { return hosts_[host].name; }
  bool host_up(HostId host) const { return hosts_[host].up; }
  // "h1" -> its id; false if unknown.
  bool resolve(std::string_view name, HostId* host) const;
  // The host vanishes: listeners and connection ends gone without a word to anyone.
  void crash(HostId host);
  // Back up, knowing nothing of its old connections.
  void restart(HostId host);
  // Segments and SYNs from `from` to `to` are held back while blocked.
  void set_blocked(HostId from, HostId to, bool blocked);
  bool blocked(HostId from, HostId to) const;

  // --- listening ---
  // port 0: an ephemeral port. kAddrInUse if taken.
  // `buffers`: the accepted connections' send/receive buffers (a listener's ZMQ_SNDBUF and
  // ZMQ_RCVBUF, as a real kernel's accepted sockets inherit them); 0: the default.
  Err listen(HostId host, uint16_t port, ListenOwner* owner, uint16_t* bound, ListenerId* id,
             const ConnectOptions& buffers = {});
  void unlisten(ListenerId id);

  // --- connections ---
  // Starts connecting; the result comes to owner->on_connect_result. kHostUnreachable for an
  // unknown host name (then no connection is made).
  Err connect(HostId from, std::string_view to_host, uint16_t port, EndOwner* owner,
              const ConnectOptions& options, EndRef* end);
  IoStatus read(EndRef end, std::span<uint8_t> into, size_t* n, Err* err);
  IoStatus writev(EndRef end, const Slice* slices, size_t count, size_t* n, Err* err);
  // Whether read/writev would do anything but kWouldBlock.
  bool readable(EndRef end) const;
  bool writable(EndRef end) const;
  // Gives an accepted end (accepted with no owner) its owner.
  void adopt(EndRef end, EndOwner* owner);
  // A number of the owner's, handed back with on_changed (so that it need not look the end up
  // on every segment).
  void set_owner_tag(EndRef end, uint64_t tag);
  // Closes an end: FIN after what was written, or RST if unread input was left behind.
  void close(EndRef end);
  // shutdown(SHUT_WR): FIN after what was written; the end still reads (and writes fail with
  // ENOTCONN, as EPIPE would). A later close() with nothing unread is then a plain close.
  void shutdown_write(EndRef end);
  const std::string& local_address(EndRef end) const;
  const std::string& peer_address(EndRef end) const {
    return local_address(EndRef{end.conn, uint8_t(1 - end.side)});
  }

  // --- faults ---
  // Connections that are established and have both ends open, in id order.
  std::vector<ConnId> live_connections() const;
  // Both ends fail with ECONNRESET; what was in flight is lost.
  void reset(ConnId conn);
  HostId host_of(EndRef end) const;
  // The one-way latency from one host to another (drawn at first use, as for segments): what a
  // udp datagram takes before its jitter.
  int64_t link_latency_ns(HostId from, HostId to) { return link(from, to).latency_ns; }

  void on_event(const Event& event) override;

 private:
  enum EventKind : uint32_t { kSyn, kSynAck, kConnectFailed, kTransmit, kDeliver, kNotify };
  // kRst: closed with unread input; kRstReply: the answer to data for a closed or reset end.
  enum class SegKind : uint8_t { kData, kFin, kRst, kRstReply };
  struct Segment {
    int64_t arrive_at;
    int64_t first_sent;
    uint32_t len;
    SegKind kind;
    uint8_t retries;  // held back by a partition or a down host, retransmitted
    uint8_t lost;     // lost by the loss model (the delay already holds their RTOs)
  };
  // The bytes from end i to end 1-i.
  struct Dir {
    ByteQueue out;  // the writer's send buffer: [0, wire) in flight, then unsent
    size_t wire = 0;
    std::deque<Segment> flight;
    ByteQueue in;  // the reader's receive buffer
    bool fin_queued = false;
    bool fin_sent = false;
    bool eof = false;  // the reader has seen the FIN
    bool tx_scheduled = false;
    bool delivery_scheduled = false;
    bool window_blocked = false;
    int64_t link_free_at = 0;
    int64_t last_arrive = 0;
  };
  struct End {
    HostId host = 0;
    uint32_t incarnation = 0;
    EndOwner* owner = nullptr;
    uint64_t owner_tag = 0;
    std::string address;
    uint16_t port = 0;
    size_t sndbuf = 0;
    size_t rcvbuf = 0;
    bool connected = false;
    bool closed = false;  // by its owner, or with its host
    Err err = Err::kOk;   // reset or timed out: reads fail after the data, writes at once
    // A read or a write has reported `err` (Linux's sock_error() clears sk_err): later reads
    // give EOF and later writes EPIPE (the reset end is shut down both ways).
    bool err_reported = false;
    bool notify_pending = false;
  };
  struct Conn {
    ConnId id = 0;
    End end[2];
    Dir dir[2];
    bool established = false;
    uint16_t dst_port = 0;
    int64_t syn_deadline = 0;
    int syn_retries = 0;
  };
  struct Host {
    std::string name;
    bool up = true;
    uint32_t incarnation = 0;
    std::map<uint16_t, ListenerId> ports;
    uint16_t next_ephemeral = 49152;
  };
  struct Listener {
    HostId host;
    uint16_t port;
    ListenOwner* owner;
    size_t sndbuf = 0;  // for accepted ends; 0: the default
    size_t rcvbuf = 0;
  };
  struct Link {
    int64_t latency_ns;
    uint64_t bandwidth_bps;
  };

  Conn* find(ConnId id);
  const Conn* find(ConnId id) const;
  void erase_conn(ConnId id);
  Link link(HostId from, HostId to);
  int64_t segment_delay(HostId from, HostId to, uint8_t* lost = nullptr);
  uint16_t ephemeral_port(Host& host);
  void on_syn(Conn& c);
  void transmit(Conn& c, int d);
  void deliver(Conn& c, int d);
  void schedule_delivery(Conn& c, int d);
  void push_segment(Conn& c, int d, SegKind kind, uint32_t len);
  void notify(Conn& c, int side);
  void reply_rst(Conn& c, int side);
  void drop_outgoing(Conn& c, int d);
  void fail_end(Conn& c, int side, Err err, std::string_view why);
  void maybe_forget(Conn& c);
  void trace(HostId host, ConnId conn, std::string_view event, int64_t bytes,
             std::string_view detail = {});

  EventQueue& queue_;
  Rng& rng_;
  Trace& trace_;
  NetParams params_;
  NetStats stats_;
  PacketSink* sink_ = nullptr;
  std::vector<Host> hosts_;
  std::map<ListenerId, Listener> listeners_;
  std::map<ConnId, Conn> conns_;
  // conn_index_[id]: the connection (a node of conns_, which never moves) or null. find() is
  // on every simulated read and write; conns_ keeps the iteration order.
  std::vector<Conn*> conn_index_;
  // links_[from][to]: read on every segment, so indexed, not a map.
  std::vector<std::vector<std::optional<Link>>> links_;
  std::set<std::pair<HostId, HostId>> blocked_;
  ConnId next_conn_ = 1;
  ListenerId next_listener_ = 1;
};

}  // namespace zlab::sim
