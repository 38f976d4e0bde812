// PUB/XPUB and SUB/XSUB (rfc 29): subscriptions travel upstream as 0x01/0x00 + topic
// messages; publishers fan out to the peers whose subscriptions prefix-match a message's first
// part, dropping for peers at their HWM; subscribers filter again on receipt.
#include <algorithm>

#include "engine/sockets/types/types.h"

namespace zlab {
namespace {

bool is_subscription(const Msg& part) {
  return !part.more() && part.size() >= 1 && (part.data()[0] == 0 || part.data()[0] == 1);
}

Msg subscription_message(bool subscribe, std::span<const uint8_t> topic) {
  Msg msg = Msg::with_size(1 + topic.size());
  msg.mutable_data()[0] = subscribe ? 1 : 0;
  std::copy(topic.begin(), topic.end(), msg.mutable_data() + 1);
  return msg;
}

std::span<const uint8_t> topic_of(const Msg& part) { return part.bytes().subspan(1); }

}  // namespace

// --- XPUB / PUB ---

XPubRouting::XPubRouting(SocketServices& services, bool is_pub)
    : Routing(services), is_pub_(is_pub) {}

bool XPubRouting::attach(Peer& peer) {
  peer.attached = true;
  dist_.attach(&peer);
  if (has_welcome_ && peer.out.can_write()) {
    peer.out.write(Msg::copy_of(std::string_view(welcome_)));
  }
  return true;
}

void XPubRouting::push_upstream(Msg part, bool names_subscriber, Peer* subscriber) {
  if (is_pub_ || upstream_.size() >= kMaxUpstream) return;
  upstream_.push_back(Upstream{std::move(part), names_subscriber, subscriber});
}

// Removes every topic of a leaving peer; reported as libzmq does: in manual mode each topic the
// peer asked for, otherwise each topic nobody else wants (every topic under XPUB_VERBOSER).
void XPubRouting::drop_subscriptions(Peer& peer, bool report) {
  std::vector<std::string> topics;
  peer.subscriptions.for_each([&](const std::string& t) { topics.push_back(t); });
  for (const std::string& t : topics) {
    std::span<const uint8_t> topic(reinterpret_cast<const uint8_t*>(t.data()), t.size());
    bool news = apply(peer, false, topic);
    if (report && news) push_upstream(subscription_message(false, topic));
  }
}

void XPubRouting::detach(Peer& peer) {
  for (Upstream& u : upstream_) {
    if (u.subscriber == &peer) u.subscriber = nullptr;
  }
  drop_subscriptions(peer, !manual_);
  if (manual_) {
    std::vector<std::string> topics;
    peer.requested.for_each([&](const std::string& t) { topics.push_back(t); });
    for (const std::string& t : topics) {
      std::span<const uint8_t> topic(reinterpret_cast<const uint8_t*>(t.data()), t.size());
      push_upstream(subscription_message(false, topic), true, nullptr);
    }
    peer.requested.clear();
  }
  if (last_subscriber_ == &peer) last_subscriber_ = nullptr;
  dist_.detach(&peer);
}

// A peer holds each topic at most once (a repeated subscribe is no change, one cancel ends it),
// as libzmq's XPUB does; all_ counts the peers per topic.
bool XPubRouting::apply(Peer& peer, bool subscribe, std::span<const uint8_t> topic) {
  if (subscribe) {
    if (peer.subscriptions.contains(topic)) return verbose_subs_;
    peer.subscriptions.add(topic);
    index_.add(topic, &peer);
    return all_.add(topic) || verbose_subs_;
  }
  // A cancel of a topic the peer does not hold is passed on, as libzmq does.
  if (!peer.subscriptions.contains(topic)) return true;
  peer.subscriptions.remove(topic);
  index_.remove(topic, &peer);
  return all_.remove(topic) || verbose_unsubs_;
}

bool XPubRouting::intercept(Peer& peer, Msg& part) {
  // Only a whole single-part message can be a subscription: the last part of a multi-part
  // message is data, whatever its first byte. Parts are held per peer until their message is
  // complete, so that messages from several peers never interleave in upstream_.
  if (part.more() || !peer.partial_in.empty()) {
    if (is_pub_) return true;
    peer.partial_in.push_back(std::move(part));
    if (peer.partial_in.back().more()) return true;
    if (upstream_.size() < kMaxUpstream) {
      for (Msg& p : peer.partial_in) push_upstream(std::move(p));
    }
    peer.partial_in.clear();
    return true;
  }
  if (is_subscription(part)) {
    bool subscribe = part.data()[0] == 1;
    if (manual_) {
      // The application decides: it sees every request and, once it has read it, subscribes
      // the requesting peer itself.
      if (subscribe && !peer.requested.contains(topic_of(part))) {
        peer.requested.add(topic_of(part));
      } else if (!subscribe && peer.requested.contains(topic_of(part))) {
        peer.requested.remove(topic_of(part));
      }
      push_upstream(std::move(part), true, &peer);
    } else if (apply(peer, subscribe, topic_of(part))) {
      push_upstream(std::move(part));
    }
    return true;
  }
  // Other messages have no effect on subscriptions; XPUB passes them up as they are.
  push_upstream(std::move(part));
  return true;
}

Err XPubRouting::send(Msg& part) {
  if (!more_out_) {
    // ZMQ_XPUB_MANUAL_LAST_VALUE: the first message after the application read a subscription
    // is matched against that subscriber alone (its "last value"); later ones against all, as
    // libzmq (its inversion then still applies over every peer).
    const Peer* only = send_to_last_ ? last_subscriber_ : nullptr;
    if (only != nullptr) last_subscriber_ = nullptr;
    auto wants = [&](const Peer& p) {
      bool match = (only == nullptr || &p == only) && p.subscriptions.matches(part.bytes());
      return options().invert_matching ? !match : match;
    };
    if (nodrop_) {
      // ZMQ_XPUB_NODROP: block (EAGAIN) instead of dropping for a subscriber at its HWM.
      for (Peer* p : dist_.peers()) {
        if (wants(*p) && !p->out_dead && !p->writable()) return Err::kAgain;
      }
    }
    if (only == nullptr && !options().invert_matching) {
      // The usual case: the index names the peers holding a prefix of the message, so the
      // cost follows the recipients, not the peers (inversion and the last value still ask
      // every peer: their recipients are "all but" or one peer's own trie).
      wanted_.clear();
      index_.match(part.bytes(), &wanted_);
      dist_.match_among(wanted_);
    } else {
      dist_.match(wants);
    }
  }
  more_out_ = part.more();
  dist_.send(part);
  return Err::kOk;
}

Err XPubRouting::recv(Msg* part) {
  if (is_pub_) return Err::kNotSupported;
  if (upstream_.empty()) return Err::kAgain;
  Upstream& next = upstream_.front();
  if (manual_ && next.names_subscriber) last_subscriber_ = next.subscriber;
  *part = std::move(next.part);
  upstream_.pop_front();
  return Err::kOk;
}

Err XPubRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id == opt::kXPubWelcomeMsg) {
    welcome_.assign(reinterpret_cast<const char*>(value.data()), value.size());
    has_welcome_ = !value.empty();
    return Err::kOk;
  }
  if ((id == opt::kSubscribe || id == opt::kUnsubscribe) && !is_pub_) {
    if (!manual_) return Err::kInvalid;
    // With no subscriber to apply it to (none read yet, or it left) this does nothing, as in
    // libzmq.
    if (last_subscriber_ != nullptr) apply(*last_subscriber_, id == opt::kSubscribe, value);
    return Err::kOk;
  }
  if (id == opt::kXPubManualLastValue) {
    // XPUB_MANUAL, and the next message goes to the subscriber last read only (send()).
    auto v = bool_option(value, BoolForm::kNonNegative);
    if (!v) return Err::kInvalid;
    manual_ = *v;
    send_to_last_ = *v;
    return Err::kOk;
  }
  if (id == opt::kXPubVerbose || id == opt::kXPubVerboser) {
    // As libzmq: VERBOSE sets verbose subscribes and clears verbose cancels; VERBOSER sets both.
    auto v = bool_option(value, BoolForm::kNonNegative);
    if (!v) return Err::kInvalid;
    verbose_subs_ = *v;
    verbose_unsubs_ = id == opt::kXPubVerboser && *v;
    return Err::kOk;
  }
  bool* field = nullptr;
  switch (id) {
    case opt::kXPubManual:
      field = &manual_;
      break;
    case opt::kXPubNoDrop:
      field = &nodrop_;
      break;
    default:
      return Err::kNotSupported;
  }
  auto v = bool_option(value, BoolForm::kNonNegative);
  if (!v) return Err::kInvalid;
  *field = *v;
  return Err::kOk;
}

// --- XSUB / SUB ---

XSubRouting::XSubRouting(SocketServices& services, bool is_sub)
    : Routing(services), is_sub_(is_sub) {}

// Subscriptions bypass the HWM: a subscriber whose upstream queue is full must still get its
// subscriptions through, or the publisher would never send it anything again.
void XSubRouting::resubscribe(Peer& peer) {
  // Each topic once: the publisher holds a topic once per peer, whatever its count here.
  std::string previous;
  bool first = true;
  subscriptions_.for_each([&](const std::string& t) {
    if (!first && t == previous) return;
    first = false;
    previous = t;
    std::span<const uint8_t> topic(reinterpret_cast<const uint8_t*>(t.data()), t.size());
    peer.out.write_control(subscription_message(true, topic));
  });
}

bool XSubRouting::attach(Peer& peer) {
  peer.attached = true;
  dist_.attach(&peer);
  fq_.attach(&peer);
  resubscribe(peer);
  return true;
}

void XSubRouting::detach(Peer& peer) {
  dist_.detach(&peer);
  fq_.detach(&peer);
}

void XSubRouting::reconnected(Peer& peer) {
  // The new connection's publisher knows nothing: tell it everything again. A SUB only ever
  // queues subscriptions, so what is still queued would be a duplicate.
  if (is_sub_) peer.out.clear();
  resubscribe(peer);
}

void XSubRouting::send_subscription(bool subscribe, std::span<const uint8_t> topic) {
  // Upstream hears of every subscribe (an XPUB filters repeats itself, and one with
  // XPUB_VERBOSE wants to see them all), and of a topic's last cancel only, as in libzmq.
  if (subscribe) {
    subscriptions_.add(topic);
  } else if (!subscriptions_.remove(topic)) {
    return;
  }
  Msg msg = subscription_message(subscribe, topic);
  for (Peer* p : dist_.peers()) {
    if (!p->out_dead) p->out.write_control(msg.share());
  }
}

Err XSubRouting::send(Msg& part) {
  if (is_sub_) return Err::kNotSupported;
  if (!more_out_ && is_subscription(part)) {
    send_subscription(part.data()[0] == 1, topic_of(part));
    part.reset();
    return Err::kOk;
  }
  if (!more_out_) dist_.match_all();
  more_out_ = part.more();
  dist_.send(part);
  return Err::kOk;
}

bool XSubRouting::fetch() {
  if (has_pending_ || more_in_) return true;
  Msg part;
  while (fq_.recv(&part) == Err::kOk) {
    // Only a SUB filters: an XSUB passes on whatever its publishers send it (libzmq's XSUB
    // has filtering off), which is what lets an XPUB in manual mode route by other topics.
    bool match = subscriptions_.matches(part.bytes());
    if (!is_sub_ || (options().invert_matching ? !match : match)) {
      pending_ = std::move(part);
      has_pending_ = true;
      return true;
    }
    while (part.more() && fq_.recv(&part) == Err::kOk) {
    }
  }
  return false;
}

Err XSubRouting::recv(Msg* part) {
  if (more_in_) {
    Err err = fq_.recv(part);
    if (err == Err::kOk) more_in_ = part->more();
    return err;
  }
  if (!fetch()) return Err::kAgain;
  *part = std::move(pending_);
  has_pending_ = false;
  more_in_ = part->more();
  return Err::kOk;
}

bool XSubRouting::has_in() { return fetch(); }

// ZMQ_INVERT_MATCHING is a generic option (every type keeps it, as libzmq): options().
Err XSubRouting::set_option(int id, std::span<const uint8_t> value) {
  if (!is_sub_ || (id != opt::kSubscribe && id != opt::kUnsubscribe)) return Err::kNotSupported;
  send_subscription(id == opt::kSubscribe, value);
  return Err::kOk;
}

}  // namespace zlab
