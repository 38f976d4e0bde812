// The classic twelve socket types. Each is a small Routing built from the strategies.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/sockets/routing.h"
#include "engine/sockets/strategies.h"
#include "engine/sockets/trie.h"

namespace zlab {

// How an int option is read as a flag. libzmq is not uniform, and programs pass values such
// as 10 where libzmq takes them (test_proxy_hwm sets ZMQ_REQ_CORRELATE to 10), so each option
// says which form libzmq 4.3.4 gives it.
enum class BoolForm : uint8_t {
  kStrict,       // 0 or 1 (ZMQ_STREAM_NOTIFY, the generic flags)
  kNonNegative,  // any int >= 0, nonzero is on (the socket types' own flags: ROUTER_*, REQ_*,
                 // PROBE_ROUTER, XPUB_*)
  kAnyInt,       // any int, nonzero is on (ZMQ_INVERT_MATCHING)
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
  uint64_t dropped_messages() const override { return unroutable_dropped_; }
  Err peer_state(std::string_view routing_id, int* state) override;

 protected:
  Peer* find(std::string_view routing_id);
  std::string generate_id();

  FairQueue fq_;
  std::map<std::string, Peer*, std::less<>> by_id_;
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
  uint64_t unroutable_dropped_ = 0;  // no such peer (or it is gone), without MANDATORY
};

// REP: ROUTER that keeps the request's envelope and puts it back on the reply.
class RepRouting final : public RouterRouting {
 public:
  using RouterRouting::RouterRouting;
  Err send(Msg& part) override;
  Err recv(Msg* part) override;
  bool has_in() override;
  bool has_out() override;
  Err set_option(int, std::span<const uint8_t>) override { return Err::kNotSupported; }

 private:
  std::vector<Msg> envelope_;  // routing id, saved frames, delimiter
  bool sending_reply_ = false;
  bool in_reply_ = false;
  bool receiving_body_ = false;
};

class StreamRouting final : public RouterRouting {
 public:
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
  SubscriptionTrie all_;  // every (peer, topic) pair, to report a topic's first and last
  std::deque<Upstream> upstream_;
  Peer* last_subscriber_ = nullptr;  // XPUB_MANUAL: whom ZMQ_SUBSCRIBE applies to
  bool more_out_ = false;
  bool verbose_subs_ = false;    // XPUB_VERBOSE, XPUB_VERBOSER: every subscribe goes up
  bool verbose_unsubs_ = false;  // XPUB_VERBOSER: every cancel goes up
  bool manual_ = false;
  bool nodrop_ = false;
  bool invert_ = false;
  bool has_welcome_ = false;
  std::string welcome_;
  static constexpr size_t kMaxUpstream = 100000;  // bound on unread subscription messages
};

// XSUB (and SUB, which subscribes through options instead of messages).
class XSubRouting : public Routing {
 public:
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
  bool invert_ = false;
};

}  // namespace zlab
