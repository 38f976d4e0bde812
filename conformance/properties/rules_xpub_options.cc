// Rules of the XPUB options that change which subscriptions the application sees and whether
// a mute publisher drops (zmq_setsockopt(3), spec/rules.json): ZMQ_XPUB_VERBOSE,
// ZMQ_XPUB_VERBOSER, ZMQ_XPUB_MANUAL, ZMQ_XPUB_MANUAL_LAST_VALUE, ZMQ_XPUB_NODROP.
//
// Subscriptions travel on each subscriber's own connection, so their order across subscribers
// is not the publisher's to promise. The properties below act one subscriber at a time and
// fence each step with a sentinel subscription on the same connection: once the sentinel has
// reached the XPUB's application, whatever the step sent has reached it too.
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"

namespace zlab::conform {
namespace {

constexpr int kRoomyHwm = 10'000;

std::string subscribe_msg(const std::string& topic) { return std::string(1, '\1') + topic; }
std::string unsubscribe_msg(const std::string& topic) { return std::string(1, '\0') + topic; }

// A word over a two-letter alphabet, so that topics and messages often share prefixes.
std::string gen_word(size_t lo, size_t hi) {
  return *rc::gen::container<std::string>(*rc::gen::inRange(lo, hi + 1),
                                          rc::gen::element('a', 'b'));
}

// Reads `xpub` until `last` arrives; returns what came before it (the sentinel not included).
std::vector<std::string> read_until(Lab& lab, Sock* xpub, const std::string& last) {
  std::vector<std::string> before;
  bool seen = false;
  bool ok = lab.wait_for([&] {
    while (auto got = lab.recv(xpub)) {
      RC_ASSERT(got->size() == 1u);  // subscription messages are single frames
      if (got->at(0) == last) {
        seen = true;
        return true;
      }
      before.push_back(got->at(0));
    }
    return false;
  });
  if (!ok) RC_LOG() << "sentinel never arrived: " << last.substr(1) << "\n";
  EXPECT_RULE(seen, "the sentinel subscription to arrive");
  return before;
}

// One subscriber's step, fenced: `step` runs on `sub`, then `sub` subscribes to a topic
// nobody else holds and unsubscribes it again. Returns what the XPUB's application got
// for the step itself.
std::vector<std::string> fenced(Lab& lab, Sock* xpub, Sock* sub, int* fence,
                                const std::function<void()>& step) {
  step();
  std::string sentinel = "~" + std::to_string((*fence)++);
  RC_ASSERT(sub->set_bytes(opt::kSubscribe, sentinel) == Err::kOk);
  std::vector<std::string> got = read_until(lab, xpub, subscribe_msg(sentinel));
  RC_ASSERT(sub->set_bytes(opt::kUnsubscribe, sentinel) == Err::kOk);
  // The sentinel's unsubscription is the last of its topic: passed in every mode.
  RC_ASSERT(read_until(lab, xpub, unsubscribe_msg(sentinel)).empty());
  return got;
}

// XPUB (on h0) bound, k SUBs connected from h1..hk, all through their handshake.
struct XPubNet {
  Lab lab;
  Sock* xpub = nullptr;
  std::vector<Sock*> subs;
};

std::unique_ptr<XPubNet> make_xpub_net(int k, const std::function<void(Sock*)>& set_options,
                                       SocketType sub_type) {
  auto net = std::make_unique<XPubNet>(XPubNet{
      Lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1)), nullptr, {}});
  Lab& lab = net->lab;
  net->xpub = lab.socket(0, SocketType::kXPub);
  set_options(net->xpub);
  RC_ASSERT(net->xpub->set_int(opt::kSndHwm, kRoomyHwm) == Err::kOk);
  RC_ASSERT(net->xpub->bind("tcp://*:5555") == Err::kOk);
  for (int i = 0; i < k; ++i) {
    Sock* s = lab.socket(uint32_t(i + 1), sub_type);
    RC_ASSERT(s->set_int(opt::kRcvHwm, kRoomyHwm) == Err::kOk);
    RC_ASSERT(s->connect(lab.endpoint(0, 5555)) == Err::kOk);
    net->subs.push_back(s);
  }
  RC_ASSERT(connected(lab, net->xpub, net->subs));
  return net;
}

// --- rule/XPUB/verbose and rule/XPUB/verboser ---------------------------------------------
// k SUBs (1..3) subscribe and unsubscribe topics in a random order. A SUB sends every
// subscribe, and an unsubscribe when it drops the last of its own holds on a topic (libzmq's
// xsub). The XPUB keeps, per topic, the set of subscribers holding it. Its application gets a
// subscribe when the topic had no holder before, or always with VERBOSE or VERBOSER; an
// unsubscribe when the last holder left, or always with VERBOSER.
enum class Verbosity { kDefault, kVerbose, kVerboser };

void verbosity_property(Verbosity on) {
  Verbosity mode = *rc::gen::element(Verbosity::kDefault, on);
  int k = *rc::gen::inRange(1, 4);
  auto net = make_xpub_net(
      k,
      [&](Sock* xpub) {
        if (mode == Verbosity::kVerbose) RC_ASSERT(xpub->set_int(opt::kXPubVerbose, 1) == Err::kOk);
        if (mode == Verbosity::kVerboser) {
          RC_ASSERT(xpub->set_int(opt::kXPubVerboser, 1) == Err::kOk);
        }
      },
      SocketType::kSub);
  Lab& lab = net->lab;
  const bool verbose_subs = mode != Verbosity::kDefault;
  const bool verbose_unsubs = mode == Verbosity::kVerboser;
  std::vector<std::map<std::string, int>> holds(static_cast<size_t>(k));  // each SUB's own counts
  std::map<std::string, std::set<int>> holders;                           // the XPUB's view
  int fence = 0, duplicates_passed = 0, duplicates_withheld = 0;
  int steps = *rc::gen::inRange(2, 13);
  for (int step = 0; step < steps; ++step) {
    int i = *rc::gen::inRange(0, k);
    auto& mine = holds[size_t(i)];
    std::vector<std::string> held;
    for (const auto& [t, n] : mine) held.push_back(t);
    bool unsubscribe = !held.empty() && *rc::gen::arbitrary<bool>();
    // Half the subscriptions take a topic somebody holds already: the duplicates are the point.
    std::vector<std::string> known;
    for (const auto& [t, who] : holders) known.push_back(t);
    bool reuse = !known.empty() && *rc::gen::arbitrary<bool>();
    std::string topic = unsubscribe ? *rc::gen::elementOf(held)
                        : reuse     ? *rc::gen::elementOf(known)
                                    : gen_word(0, 2);
    std::vector<std::string> want;
    if (unsubscribe) {
      if (--mine[topic] == 0) {  // the SUB tells the XPUB
        mine.erase(topic);
        holders[topic].erase(i);
        bool last = holders[topic].empty();
        if (last) holders.erase(topic);
        if (last || verbose_unsubs) want.push_back(unsubscribe_msg(topic));
        if (!last) (verbose_unsubs ? duplicates_passed : duplicates_withheld) += 1;
      }
    } else {
      ++mine[topic];
      bool first = holders[topic].empty();
      holders[topic].insert(i);
      if (first || verbose_subs) want.push_back(subscribe_msg(topic));
      if (!first) (verbose_subs ? duplicates_passed : duplicates_withheld) += 1;
    }
    Sock* sub = net->subs[size_t(i)];
    auto got = fenced(lab, net->xpub, sub, &fence, [&] {
      int option = unsubscribe ? opt::kUnsubscribe : opt::kSubscribe;
      RC_ASSERT(sub->set_bytes(option, topic) == Err::kOk);
    });
    RC_LOG() << "step " << step << ": SUB " << i
             << (unsubscribe ? " unsubscribes '" : " subscribes '") << topic << "'\n";
    RC_ASSERT(got == want);
  }
  evidence().count("duplicates_passed", duplicates_passed);
  evidence().count("duplicates_withheld", duplicates_withheld);
  if (duplicates_passed + duplicates_withheld > 0) evidence().exercised();
}

// --- rule/XPUB/manual ---------------------------------------------------------------------
// An XPUB with ZMQ_XPUB_MANUAL and k XSUBs (1..3; an XSUB does not filter what it gets). One
// at a time, each XSUB subscribes to a word; the XPUB's application reads that request and
// then subscribes, with ZMQ_SUBSCRIBE on the XPUB, 0..2 words of its own choosing (maybe the
// requested one). Then n messages are published: each XSUB gets, in order, exactly those that
// one of the application's words for its connection is a prefix of.
void manual_property() {
  int k = *rc::gen::inRange(1, 4);
  auto net = make_xpub_net(
      k, [](Sock* xpub) { RC_ASSERT(xpub->set_int(opt::kXPubManual, 1) == Err::kOk); },
      SocketType::kXSub);
  Lab& lab = net->lab;
  std::vector<std::set<std::string>> granted(static_cast<size_t>(k));
  int refused_requests = 0;
  for (int i = 0; i < k; ++i) {
    std::string asked = gen_word(0, 2);
    RC_ASSERT(lab.send(net->subs[size_t(i)], {subscribe_msg(asked)}));
    std::optional<Parts> request;
    RC_ASSERT(lab.wait_for([&] { return (request = lab.recv(net->xpub)).has_value(); }));
    RC_ASSERT(*request == Parts{subscribe_msg(asked)});  // passed on, whatever the mode
    int n = *rc::gen::inRange(0, 3);
    for (int g = 0; g < n; ++g) granted[size_t(i)].insert(gen_word(0, 2));
    for (const std::string& t : granted[size_t(i)]) {
      RC_ASSERT(net->xpub->set_bytes(opt::kSubscribe, t) == Err::kOk);
    }
    if (!granted[size_t(i)].count(asked)) ++refused_requests;
    RC_LOG() << "XSUB " << i << " asked '" << asked << "', granted " << granted[size_t(i)].size()
             << " words\n";
  }
  int n = *rc::gen::inRange(1, 16);
  std::vector<std::string> sent;
  for (int j = 0; j < n; ++j) {
    sent.push_back(gen_word(1, 3) + "#" + std::to_string(j));
    RC_ASSERT(lab.send(net->xpub, {sent.back()}));
  }
  int delivered = 0;
  for (int i = 0; i < k; ++i) {
    std::vector<Parts> want;
    for (const std::string& m : sent) {
      const auto& words = granted[size_t(i)];
      if (std::any_of(words.begin(), words.end(),
                      [&](const std::string& t) { return m.rfind(t, 0) == 0; })) {
        want.push_back({m});
      }
    }
    delivered += int(want.size());
    RC_ASSERT(drain(lab, net->subs[size_t(i)]) == want);
  }
  evidence().count("refused_requests", refused_requests);
  evidence().count("delivered", delivered);
  if (refused_requests > 0 || delivered > 0) evidence().exercised();
}

// --- rule/XPUB/manual-last-value ----------------------------------------------------------
// An XPUB with ZMQ_XPUB_MANUAL_LAST_VALUE and k XSUBs (1..3). One at a time, each XSUB
// subscribes to a word; the XPUB's application reads that request, subscribes 0..2 words for
// that connection, then publishes 0..2 messages. After the last request, n more messages. The
// first message published after reading a request goes to that requester alone (if one of its
// words is a prefix of it: its "last value"); every other message to each XSUB one of whose
// words is a prefix of it. Each XSUB gets exactly its messages, in order.
void manual_last_value_property() {
  int k = *rc::gen::inRange(1, 4);
  auto net = make_xpub_net(
      k, [](Sock* xpub) { RC_ASSERT(xpub->set_int(opt::kXPubManualLastValue, 1) == Err::kOk); },
      SocketType::kXSub);
  Lab& lab = net->lab;
  std::vector<std::set<std::string>> granted(static_cast<size_t>(k));
  std::vector<std::vector<Parts>> want(static_cast<size_t>(k));
  int last = -1;  // the requester whose request was read last, until a message is published
  int only_to_last = 0, message_id = 0;
  auto publish = [&] {
    std::string m = gen_word(1, 3) + "#" + std::to_string(message_id++);
    auto matches = [&](int i) {
      const auto& words = granted[size_t(i)];
      return std::any_of(words.begin(), words.end(),
                         [&](const std::string& t) { return m.rfind(t, 0) == 0; });
    };
    for (int i = 0; i < k; ++i) {
      if ((last < 0 || i == last) && matches(i)) want[size_t(i)].push_back({m});
    }
    if (last >= 0) ++only_to_last;
    last = -1;
    RC_ASSERT(lab.send(net->xpub, {m}));
  };
  for (int i = 0; i < k; ++i) {
    std::string asked = gen_word(0, 2);
    RC_ASSERT(lab.send(net->subs[size_t(i)], {subscribe_msg(asked)}));
    std::optional<Parts> request;
    RC_ASSERT(lab.wait_for([&] { return (request = lab.recv(net->xpub)).has_value(); }));
    RC_ASSERT(*request == Parts{subscribe_msg(asked)});
    last = i;
    int g = *rc::gen::inRange(0, 3);
    for (int j = 0; j < g; ++j) granted[size_t(i)].insert(gen_word(0, 2));
    for (const std::string& t : granted[size_t(i)]) {
      RC_ASSERT(net->xpub->set_bytes(opt::kSubscribe, t) == Err::kOk);
    }
    int p = *rc::gen::inRange(0, 3);
    for (int j = 0; j < p; ++j) publish();
  }
  int n = *rc::gen::inRange(1, 8);
  for (int j = 0; j < n; ++j) publish();
  int delivered = 0;
  for (int i = 0; i < k; ++i) {
    delivered += int(want[size_t(i)].size());
    RC_ASSERT(drain(lab, net->subs[size_t(i)]) == want[size_t(i)]);
  }
  RC_LOG() << k << " XSUBs, " << message_id << " messages, " << only_to_last
           << " for the last requester alone\n";
  evidence().count("only_to_last", only_to_last);
  evidence().count("delivered", delivered);
  if (only_to_last > 0 && k > 1) evidence().exercised();
}

// --- rule/XPUB/nodrop-eagain ----------------------------------------------------------------
// A PUB or XPUB with ZMQ_XPUB_NODROP, SNDHWM h, and two SUBs subscribed to everything: one
// reads as it goes, one never reads until the end. The publisher's DONTWAIT sends succeed
// until the slow one's path is full, then fail with EAGAIN (not a silent drop). Every message
// a send took reaches both subscribers, in order, none missing; once the slow one has read
// everything, sends succeed again and reach both.
void nodrop_property() {
  SocketType pub_type = *rc::gen::element(SocketType::kPub, SocketType::kXPub);
  int hwm = *rc::gen::inRange(1, 20);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Sock* pub = lab.socket(0, pub_type);
  RC_ASSERT(pub->set_int(opt::kXPubNoDrop, 1) == Err::kOk);
  RC_ASSERT(pub->set_int(opt::kSndHwm, hwm) == Err::kOk);
  RC_ASSERT(pub->set_int(opt::kSndBuf, 8192) == Err::kOk);
  RC_ASSERT(pub->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> subs;
  for (int i = 1; i <= 2; ++i) {
    Sock* s = lab.socket(uint32_t(i), SocketType::kSub);
    RC_ASSERT(s->set_int(opt::kRcvHwm, hwm) == Err::kOk);
    RC_ASSERT(s->set_int(opt::kRcvBuf, 8192) == Err::kOk);
    RC_ASSERT(s->set_bytes(opt::kSubscribe, "") == Err::kOk);
    RC_ASSERT(s->connect(lab.endpoint(0, 5555)) == Err::kOk);
    subs.push_back(s);
  }
  Sock* fast = subs[0];
  Sock* slow = subs[1];
  RC_ASSERT(connected(lab, pub, subs));
  await_subscribers(lab, pub, subs);
  const int cap = 5000 * lab.volume_factor();
  const std::string pad(1000, 'p');
  int sent = 0, fast_got = 0;
  auto read_fast = [&] {
    while (auto got = lab.recv(fast)) {
      RC_ASSERT(got->at(0) == std::to_string(fast_got));  // in order, none missing
      ++fast_got;
    }
  };
  Err refused = Err::kOk;
  while (sent < cap) {
    if (!lab.send(pub, {std::to_string(sent), pad}, &refused)) break;
    ++sent;
    if (sent % 4 == 0) {
      lab.advance_ms(1);
      read_fast();
    }
  }
  RC_LOG() << "sends taken before the first refusal: " << sent << " (hwm " << hwm << ")\n";
  RC_ASSERT(sent < cap);              // the slow subscriber's path filled: the send was refused...
  RC_ASSERT(refused == Err::kAgain);  // ... with EAGAIN
  std::vector<Parts> slow_got = drain(lab, slow);
  RC_ASSERT(slow_got.size() == size_t(sent));  // nothing the publisher took was dropped
  for (int j = 0; j < sent; ++j) RC_ASSERT(slow_got[size_t(j)].at(0) == std::to_string(j));
  RC_ASSERT(lab.wait_for([&] {
    read_fast();
    return fast_got == sent;
  }));
  // Drained: the publisher takes messages again, and both get them.
  RC_ASSERT(lab.wait_for([&] { return lab.send(pub, {"after", pad}); }));
  for (Sock* s : subs) {
    auto got = drain(lab, s);
    RC_ASSERT(got.size() == 1u);
    RC_ASSERT(got[0].at(0) == "after");
  }
  evidence().count("taken_before_eagain", sent);
  evidence().exercised();
}

}  // namespace

void add_xpub_option_rule_properties(std::vector<Property>& out) {
  out.push_back({"rule/XPUB/verbose", "XPUB", "subscription",
                 [] { verbosity_property(Verbosity::kVerbose); }});
  out.push_back({"rule/XPUB/verboser", "XPUB", "subscription",
                 [] { verbosity_property(Verbosity::kVerboser); }});
  out.push_back({"rule/XPUB/manual", "XPUB", "subscription", manual_property});
  out.push_back(
      {"rule/XPUB/manual-last-value", "XPUB", "subscription", manual_last_value_property});
  out.push_back({"rule/XPUB/nodrop-eagain", "XPUB", "mute", nodrop_property});
}

}  // namespace zlab::conform
