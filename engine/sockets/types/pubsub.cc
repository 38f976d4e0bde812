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

void XPubRouting::detach(Peer& peer) {
  // The peer's subscriptions go with it; a topic nobody wants any more is reported.
  std::vector<std::string> topics;
  peer.subscriptions.for_each([&](const std::string& t) { topics.push_back(t); });
  for (const std::string& t : topics) {
    std::span<const uint8_t> topic(reinterpret_cast<const uint8_t*>(t.data()), t.size());
    apply(peer, false, topic, !manual_);
  }
  if (last_subscriber_ == &peer) last_subscriber_ = nullptr;
  dist_.detach(&peer);
}

void XPubRouting::apply(Peer& peer, bool subscribe, std::span<const uint8_t> topic, bool report) {
  bool unique = false;
  if (subscribe) {
    unique = peer.subscriptions.add(topic) && all_.add(topic);
  } else {
    unique = peer.subscriptions.remove(topic) && all_.remove(topic);
  }
  bool pass = unique || (subscribe && (verbose_ || verboser_)) || (!subscribe && verboser_);
  if (report && pass && !is_pub_ && upstream_.size() < kMaxUpstream) {
    upstream_.push_back(subscription_message(subscribe, topic));
  }
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
      for (Msg& p : peer.partial_in) upstream_.push_back(std::move(p));
    }
    peer.partial_in.clear();
    return true;
  }
  if (is_subscription(part)) {
    bool subscribe = part.data()[0] == 1;
    if (manual_) {
      // The application decides: it sees every request and subscribes the peer itself.
      last_subscriber_ = &peer;
      if (!is_pub_ && upstream_.size() < kMaxUpstream) upstream_.push_back(std::move(part));
    } else {
      apply(peer, subscribe, topic_of(part), true);
    }
    return true;
  }
  // Other messages have no effect on subscriptions; XPUB passes them up as they are.
  if (!is_pub_ && upstream_.size() < kMaxUpstream) upstream_.push_back(std::move(part));
  return true;
}

Err XPubRouting::send(Msg& part) {
  if (!more_out_) {
    auto wants = [&](const Peer& p) {
      bool match = p.subscriptions.matches(part.bytes());
      return invert_ ? !match : match;
    };
    if (nodrop_) {
      // ZMQ_XPUB_NODROP: block (EAGAIN) instead of dropping for a subscriber at its HWM.
      for (Peer* p : dist_.peers()) {
        if (wants(*p) && !p->out_dead && !p->writable()) return Err::kAgain;
      }
    }
    dist_.match(wants);
  }
  more_out_ = part.more();
  dist_.send(part);
  return Err::kOk;
}

Err XPubRouting::recv(Msg* part) {
  if (is_pub_) return Err::kNotSupported;
  if (upstream_.empty()) return Err::kAgain;
  *part = std::move(upstream_.front());
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
    if (!manual_ || last_subscriber_ == nullptr) return Err::kInvalid;
    apply(*last_subscriber_, id == opt::kSubscribe, value, false);
    return Err::kOk;
  }
  bool* field = nullptr;
  switch (id) {
    case opt::kXPubVerbose:
      field = &verbose_;
      break;
    case opt::kXPubVerboser:
      field = &verboser_;
      break;
    case opt::kXPubManual:
      field = &manual_;
      break;
    case opt::kXPubNoDrop:
      field = &nodrop_;
      break;
    case opt::kInvertMatching:
      field = &invert_;
      break;
    default:
      return Err::kNotSupported;
  }
  auto v =
      bool_option(value, id == opt::kInvertMatching ? BoolForm::kAnyInt : BoolForm::kNonNegative);
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
  // Each topic once, as send_subscription tells upstream only a topic's first subscribe.
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
  // Upstream hears of a topic's first subscription and its last cancel only.
  bool changed = subscribe ? subscriptions_.add(topic) : subscriptions_.remove(topic);
  if (!changed) return;
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
    bool match = subscriptions_.matches(part.bytes());
    if (invert_ ? !match : match) {
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

Err XSubRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id == opt::kInvertMatching) {
    auto v = bool_option(value, BoolForm::kAnyInt);
    if (!v) return Err::kInvalid;
    invert_ = *v;
    return Err::kOk;
  }
  if (!is_sub_ || (id != opt::kSubscribe && id != opt::kUnsubscribe)) return Err::kNotSupported;
  send_subscription(id == opt::kSubscribe, value);
  return Err::kOk;
}

}  // namespace zlab
