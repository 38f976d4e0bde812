// The socket types. Each is a small Routing built from the strategies: the classic twelve, then
// the eight draft ones (libzmq 4.3's thread-safe types).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/sockets/routing.h"
#include "engine/sockets/strategies.h"
#include "engine/sockets/topic_index.h"
#include "engine/sockets/trie.h"

namespace zlab {

// Looks routing ids up by std::string_view without building a std::string.
struct RoutingIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
};

// How an int option is read as a flag. libzmq is not uniform, and programs pass values such
// as 10 where libzmq takes them (test_proxy_hwm sets ZMQ_REQ_CORRELATE to 10), so each option
// says which form libzmq 4.3.4 gives it.
enum class BoolForm : uint8_t {
  kStrict,       // 0 or 1 (ZMQ_STREAM_NOTIFY, the generic flags)
  kNonNegative,  // any int >= 0, nonzero is on (the socket types' own flags: ROUTER_*, REQ_*,
                 // PROBE_ROUTER, XPUB_*)
  kAnyInt,       // any int, nonzero is on
};
// Reads an int option value as a flag; nullopt for a wrong size or a value the form refuses.
std::optional<bool> bool_option(std::span<const uint8_t> value, BoolForm form = BoolForm::kStrict);
// Writes an int option value.
Err put_int_option(int v, uint8_t* out, size_t* size);

class PairRouting final : public Routing {
 public:
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override;

 private:
  Peer* peer_ = nullptr;
};

class PushRouting final : public Routing {
 public:
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override { return lb_.send(part); }
  Err recv(Msg*) override { return Err::kNotSupported; }
  bool has_in() override { return false; }
  bool has_out() override { return lb_.has_out(); }

 private:
  LoadBalancer lb_;
};

class PullRouting final : public Routing {
 public:
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg&) override { return Err::kNotSupported; }
  Err recv(Msg* part) override { return fq_.recv(part); }
  bool has_in() override { return fq_.has_in(); }
  bool has_out() override { return false; }

 private:
  FairQueue fq_;
};

class DealerRouting : public Routing {
 public:
  // READY carries Identity (libzmq: REQ, DEALER and ROUTER); REQ inherits this.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.wire.sends_identity = true;
    t.sends_hello_msg = true;
    return t;
  }();
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override { return lb_.send(part); }
  Err recv(Msg* part) override { return fq_.recv(part); }
  bool has_in() override { return fq_.has_in(); }
  bool has_out() override { return lb_.has_out(); }
  Err set_option(int id, std::span<const uint8_t> value) override;

 protected:
  LoadBalancer lb_;
  FairQueue fq_;
  bool probe_router_ = false;
};

// REQ: DEALER with the envelope delimiter and strict send/recv alternation (EFSM otherwise).
class ReqRouting final : public DealerRouting {
 public:
  // DEALER's, without ZMQ_HELLO_MSG: libzmq's REQ session over tcp sends none (and a hello
  // would break the request envelope).
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = DealerRouting::kTraits;
    t.sends_hello_msg = false;
    return t;
  }();
  using DealerRouting::DealerRouting;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override;
  Err set_option(int id, std::span<const uint8_t> value) override;

 private:
  Err send_envelope(Msg& first);
  bool discard_rest(Peer* from, Msg& part);

  bool expecting_reply_ = false;  // a request was sent; its reply is awaited
  bool sending_ = false;          // parts of a request are being sent
  bool reply_started_ = false;    // the reply's envelope was checked
  Peer* reply_peer_ = nullptr;
  uint32_t request_id_ = 0;
  bool correlate_ = false;
  bool relaxed_ = false;
};

class RouterRouting : public Routing {
 public:
  // READY carries Identity (libzmq: REQ, DEALER and ROUTER).
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.wire.sends_identity = true;
    t.sends_hello_msg = true;
    t.takes_disconnect_msg = true;
    return t;
  }();
  explicit RouterRouting(SocketServices& services);
  // With ZMQ_CONNECT_ROUTING_ID the peer's id is known at connect(): as in libzmq, messages
  // to it queue from then on (test_connect_rid sends right after connect()).
  bool attach_before_handshake(bool has_connect_routing_id) const override {
    return has_connect_routing_id;
  }
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override;
  Err set_option(int id, std::span<const uint8_t> value) override;
  Err get_option(int id, uint8_t* out, size_t* size) override;
  uint64_t dropped_messages() const override { return unroutable_dropped_; }
  Err peer_state(std::string_view routing_id, int* state) override;
  void handshaken(Peer& peer) override { connection_up(peer); }
  void connection_lost(Peer& peer) override;

 protected:
  Peer* find(std::string_view routing_id);
  std::string generate_id();
  // ZMQ_ROUTER_NOTIFY (router_notify.cc): a peer's connection finished its handshake.
  void connection_up(Peer& peer);

  FairQueue fq_;
  // Hashed: a send looks its peer up by id, O(1) whatever the peers (libzmq: a map, O(log n)).
  std::unordered_map<std::string, Peer*, RoutingIdHash, std::equal_to<>> by_id_;
  Peer* out_peer_ = nullptr;  // destination of the message being sent
  bool sending_ = false;      // a message's routing id was consumed
  bool dropping_ = false;     // the message being sent is discarded
  Msg pending_;               // first body part, returned after the routing id
  bool has_pending_ = false;
  bool more_in_ = false;
  uint32_t next_id_;
  bool mandatory_ = false;
  bool handover_ = false;
  bool probe_router_ = false;
  int router_notify_ = 0;  // ZMQ_ROUTER_NOTIFY: kNotifyConnect | kNotifyDisconnect
  // Peers whose current stream connection finished its handshake (ZMQ_ROUTER_NOTIFY's
  // disconnect notice is for those only).
  std::set<const Peer*> up_;
  uint64_t unroutable_dropped_ = 0;  // no such peer (or it is gone), without MANDATORY
};

// REP: ROUTER that keeps the request's envelope and puts it back on the reply.
class RepRouting final : public RouterRouting {
 public:
  // No Identity in READY, unlike ROUTER; a request is answered before the next is read.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.answers_each_request = true;
    t.sends_hello_msg = true;  // libzmq's REP is its ROUTER
    t.takes_disconnect_msg = true;
    return t;
  }();
  using RouterRouting::RouterRouting;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override;
  Err set_option(int id, std::span<const uint8_t> value) override;

 private:
  std::vector<Msg> envelope_;  // routing id, saved frames, delimiter
  bool sending_reply_ = false;
  bool in_reply_ = false;
  bool receiving_body_ = false;
};

class StreamRouting final : public RouterRouting {
 public:
  // Raw bytes over tcp only: no ZMTP, so no other transport means anything to it.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.raw = true;
    t.binds = {Transport::kTcp};
    t.connects = {Transport::kTcp};
    return t;
  }();
  using RouterRouting::RouterRouting;
  bool attach(Peer& peer) override;
  void handshaken(Peer& peer) override;
  void connection_lost(Peer& peer) override;
  Err send(Msg& part) override;
  bool has_out() override { return true; }
  Err set_option(int id, std::span<const uint8_t> value) override;
  Err get_option(int id, uint8_t* out, size_t* size) override;
  void option_changed(int id) override;

 private:
  bool notify_ = true;
  std::optional<std::string> last_generated_id_;  // what ZMQ_ROUTING_ID reads, as in libzmq
};

// XPUB (and PUB, which is XPUB that does not pass subscriptions up).
class XPubRouting : public Routing {
 public:
  // Subscriptions arrive as SUBSCRIBE/CANCEL from 3.1 peers.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.wire.accepts = proto::kSubscriptionCommands;
    return t;
  }();
  XPubRouting(SocketServices& services, bool is_pub);
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  bool intercept(Peer& peer, Msg& part) override;
  bool intercepts_all() const override { return true; }
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override { return !is_pub_ && !upstream_.empty(); }
  bool has_out() override { return true; }
  Err set_option(int id, std::span<const uint8_t> value) override;

 private:
  // A message waiting for the application. In manual mode, reading a subscription (or a
  // cancel made by a peer leaving) makes its peer, or none, the target of ZMQ_SUBSCRIBE.
  struct Upstream {
    Msg part;
    bool names_subscriber = false;
    Peer* subscriber = nullptr;
  };
  // Returns whether the change is news upstream (first subscribe, last cancel, or verbose).
  bool apply(Peer& peer, bool subscribe, std::span<const uint8_t> topic);
  void push_upstream(Msg part, bool names_subscriber = false, Peer* subscriber = nullptr);
  void drop_subscriptions(Peer& peer, bool report);

  bool is_pub_;
  Distributor dist_;
  SubscriptionTrie all_;       // every (peer, topic) pair, to report a topic's first and last
  TopicIndex index_;           // the same pairs by topic: send() matches without a walk over peers
  std::vector<Peer*> wanted_;  // send()'s scratch
  std::deque<Upstream> upstream_;
  Peer* last_subscriber_ = nullptr;  // XPUB_MANUAL: whom ZMQ_SUBSCRIBE applies to
  bool more_out_ = false;
  bool verbose_subs_ = false;    // XPUB_VERBOSE, XPUB_VERBOSER: every subscribe goes up
  bool verbose_unsubs_ = false;  // XPUB_VERBOSER: every cancel goes up
  bool manual_ = false;
  bool send_to_last_ = false;  // XPUB_MANUAL_LAST_VALUE (send())
  bool nodrop_ = false;
  bool has_welcome_ = false;
  std::string welcome_;
  static constexpr size_t kMaxUpstream = 100000;  // bound on unread subscription messages
};

// XSUB (and SUB, which subscribes through options instead of messages).
class XSubRouting : public Routing {
 public:
  // Subscriptions go as SUBSCRIBE/CANCEL to 3.1 peers. libzmq's XSUB, and so SUB, starts with
  // ZMQ_LINGER 0: subscriptions still queued for a peer that never came must not keep
  // zmq_ctx_term waiting.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.wire.sends = proto::kSubscriptionCommands;
    t.linger_ms = 0;
    return t;
  }();
  XSubRouting(SocketServices& services, bool is_sub);
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  void reconnected(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override { return !is_sub_; }
  Err set_option(int id, std::span<const uint8_t> value) override;

 private:
  void send_subscription(bool subscribe, std::span<const uint8_t> topic);
  void resubscribe(Peer& peer);
  bool fetch();  // finds the next matching message; drops the rest

  bool is_sub_;
  Distributor dist_;
  FairQueue fq_;
  SubscriptionTrie subscriptions_;
  Msg pending_;
  bool has_pending_ = false;
  bool more_in_ = false;
  bool more_out_ = false;
};

// --- The draft types (client_server.cc, scatter_gather.cc, channel.cc, radio_dish.cc) ---
// Thread-safe in libzmq, so single-part only: sending a part with MORE fails with kInvalid
// (EINVAL), and a multipart message from a peer is dropped whole when received.

// The next single-part message from `fq`; multipart ones are read and dropped (client_server.cc).
Err recv_single_part(FairQueue& fq, Msg* part, Peer** from = nullptr);

// CLIENT (rfc 41): DEALER's strategies, single-part.
class ClientRouting final : public Routing {
 public:
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = kThreadSafeTraits;
    t.sends_hello_msg = true;
    return t;
  }();
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override { return fq_.has_in(); }
  bool has_out() override { return lb_.has_out(); }

 private:
  LoadBalancer lb_;
  FairQueue fq_;
};

// SERVER (rfc 41), and PEER (SERVER that also connects, zmq_connect_peer): each peer gets a
// uint32 routing id (never 0), received messages carry their peer's as Msg::routing_id, and a
// message is sent to the peer its Msg::routing_id names: kHostUnreachable for none, kAgain
// when that peer is at its HWM.
class ServerRouting : public Routing {
 public:
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = kThreadSafeTraits;
    t.sends_hello_msg = true;
    t.takes_disconnect_msg = true;
    return t;
  }();
  explicit ServerRouting(SocketServices& services);
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override { return fq_.has_in(); }
  bool has_out() override { return true; }
  uint32_t routing_id_of(const Peer& peer) const override;

 private:
  FairQueue fq_;
  std::map<uint32_t, Peer*> by_id_;
  std::unordered_map<const Peer*, uint32_t> id_of_;
  uint32_t next_id_;
};

// SCATTER (rfc 49): PUSH, single-part.
class ScatterRouting final : public Routing {
 public:
  static constexpr SocketTraits kTraits = kThreadSafeTraits;
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override { lb_.detach(&peer); }
  Err send(Msg& part) override;
  Err recv(Msg*) override { return Err::kNotSupported; }
  bool has_in() override { return false; }
  bool has_out() override { return lb_.has_out(); }

 private:
  LoadBalancer lb_;
};

// GATHER (rfc 49): PULL, single-part.
class GatherRouting final : public Routing {
 public:
  static constexpr SocketTraits kTraits = kThreadSafeTraits;
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override { fq_.detach(&peer); }
  Err send(Msg&) override { return Err::kNotSupported; }
  Err recv(Msg* part) override;
  bool has_in() override { return fq_.has_in(); }
  bool has_out() override { return false; }

 private:
  FairQueue fq_;
};

// CHANNEL: PAIR, single-part (one peer; a second is refused).
class ChannelRouting final : public Routing {
 public:
  static constexpr SocketTraits kTraits = kThreadSafeTraits;
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override { return peer_ != nullptr && peer_->in.can_read(); }
  bool has_out() override { return peer_ != nullptr && peer_->writable(); }

 private:
  Peer* peer_ = nullptr;
};

// PEER: SERVER whose zmq_connect_peer connects and names the new peer.
class PeerRouting final : public ServerRouting {
 public:
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = kThreadSafeTraits;
    t.connect_peer = true;
    t.sends_hello_msg = true;
    t.takes_disconnect_msg = true;
    return t;
  }();
  using ServerRouting::ServerRouting;
};

// RADIO (rfc 48): sends each message to the peers that joined its group (Msg::group), as two
// parts on the pipe: the group (MORE), then the body, which is what ZMTP carries. The groups
// come from the peers' JOIN/LEAVE commands. A peer at its HWM misses the message (ZMQ_XPUB_NODROP:
// the send fails with kAgain instead).
class RadioRouting final : public Routing {
 public:
  // JOIN/LEAVE arrive as commands (rfc 48), handed over as their command frames (intercept()).
  // udp://: a RADIO connects and sends (libzmq 4.3.4; a udp peer joins nothing and gets every
  // group); it binds no udp.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = kThreadSafeTraits;
    t.wire.accepts = proto::kGroupCommands;
    t.connects = kZmtpAndUdpTransports;
    return t;
  }();
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  bool intercept(Peer& peer, Msg& part) override;
  bool intercepts_all() const override { return true; }
  Err send(Msg& part) override;
  Err recv(Msg*) override { return Err::kNotSupported; }
  bool has_in() override { return false; }
  bool has_out() override { return true; }
  Err set_option(int id, std::span<const uint8_t> value) override;

 private:
  Distributor dist_;
  std::map<std::string, std::set<Peer*>, std::less<>> groups_;
  bool nodrop_ = false;
};

// DISH (rfc 48): fair-queues the messages of the groups it joined. join()/leave() send
// JOIN/LEAVE to every peer; a new or reconnected peer hears every joined group.
class DishRouting final : public Routing {
 public:
  // Its JOIN/LEAVE command parts go out as commands (rfc 48). ZMQ_LINGER starts at 0, as
  // libzmq's dish_t: queued JOINs for a peer that never came must not hold zmq_ctx_term.
  // udp://: a DISH binds and receives (libzmq 4.3.4); it connects no udp.
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t = kThreadSafeTraits;
    t.wire.sends = proto::kGroupCommands;
    t.linger_ms = 0;
    t.binds = kZmtpAndUdpTransports;
    return t;
  }();
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  void reconnected(Peer& peer) override;
  Err send(Msg&) override { return Err::kNotSupported; }
  Err recv(Msg* part) override;
  bool has_in() override { return fetch(); }
  bool has_out() override { return false; }
  Err join(std::string_view group) override;
  Err leave(std::string_view group) override;

 private:
  void tell_all(const Msg& command);
  void send_joins(Peer& peer);
  bool fetch();  // the next message of a joined group into pending_; drops the others

  FairQueue fq_;
  std::vector<Peer*> peers_;
  std::set<std::string, std::less<>> groups_;
  Msg pending_;
  bool has_pending_ = false;
};

// DGRAM (libzmq 4.3's draft raw udp type): binds udp:// only and exchanges bare datagrams;
// each message is two parts, the peer's address ("a.b.c.d:port", MORE) and the body. Its one
// peer is its bound datagram endpoint (a second bind's is refused, as libzmq refuses a second
// pipe).
class DgramRouting final : public Routing {
 public:
  static constexpr SocketTraits kTraits = [] {
    SocketTraits t;
    t.binds = {Transport::kUdp};
    t.connects = {};
    t.addressed_datagrams = true;
    return t;
  }();
  using Routing::Routing;
  bool attach(Peer& peer) override;
  void detach(Peer& peer) override;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override { return peer_ != nullptr && peer_->in.can_read(); }
  bool has_out() override { return peer_ != nullptr && peer_->writable(); }

 private:
  Peer* peer_ = nullptr;
  bool body_next_ = false;  // the address part went out: the body comes next
};

}  // namespace zlab
