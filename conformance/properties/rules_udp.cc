// RADIO/DISH over udp:// (RFC 48; zmq_udp(7) of libzmq 4.3): the rules of spec/rules.json about
// datagrams. A DISH binds udp, a RADIO connects; no JOIN travels, so the RADIO sends every
// message and the DISH filters. On the simulator the network may lose, duplicate and reorder
// datagrams (sim::DatagramNet's faults), never cut them; on real transports it is loopback udp.
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/wire/udp_datagram.h"

namespace zlab::conform {
namespace {

constexpr int kPort = 5556;

rc::Gen<std::string> gen_udp_group() {
  return rc::gen::resize(
      15, rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange('a', 'd'))));
}

// A body of `size` bytes (at least its head) that names message j, so a cut or mixed-up body
// shows.
std::string udp_body(size_t j, size_t size) {
  std::string body = "m" + std::to_string(j) + "|";
  if (size > body.size()) body.append(size - body.size(), char('a' + j % 26));
  return body;
}

// Sizes around what one datagram holds (length byte, group, body: 8192 bytes) and small ones;
// none far past it (libzmq copies a larger message past its 8192-byte buffer: a peer that is
// libzmq must not be made to overrun memory beyond the next buffer).
rc::Gen<size_t> gen_body_size(size_t group_size) {
  size_t fits = wire::kMaxUdpDatagram - 1 - group_size;
  return rc::gen::weightedOneOf<size_t>(
      {{6, rc::gen::inRange<size_t>(0, 200)},
       {2, rc::gen::inRange<size_t>(fits - 2, fits + 3)},
       {1, rc::gen::inRange<size_t>(fits + 1, wire::kMaxUdpDatagram + 3000)}});
}

struct Sent {
  std::string group;
  std::string body;
  bool fits = false;  // one datagram holds it
};

// A RADIO on h0 connected over udp to a DISH on h1 that joined `joined`; sends `sent` and
// returns what the DISH got (quiet for a second).
std::vector<Letter> run_udp(Lab& lab, const std::set<std::string>& joined,
                            const std::vector<Sent>& sent) {
  Sock* dish = lab.socket(1, SocketType::kDish);
  Sock* radio = lab.socket(0, SocketType::kRadio);
  RC_ASSERT(dish->bind("udp://*:" + std::to_string(kPort)) == Err::kOk);
  for (const std::string& g : joined) RC_ASSERT(dish->join(g) == Err::kOk);
  RC_ASSERT(radio->connect(lab.udp_endpoint(1, kPort)) == Err::kOk);
  lab.advance_ms(100);  // the RADIO's udp socket opens (no handshake to wait for)
  for (const Sent& s : sent) {
    Err err = Err::kOk;
    RC_ASSERT(lab.send_letter(radio, {s.body, 0, s.group}, &err));  // a RADIO never blocks
    lab.advance_ms(2);  // paced: loopback udp drops nothing at this rate
  }
  std::vector<Letter> got;
  int64_t quiet_since = lab.now_ns();
  while (lab.now_ns() - quiet_since < 1'000'000'000) {
    bool any = false;
    while (auto l = lab.recv_letter(dish)) {
      got.push_back(*l);
      any = true;
    }
    if (any) quiet_since = lab.now_ns();
    lab.advance_ms(5);
  }
  return got;
}

// rule/RADIO/udp-whole-or-lost and rule/DISH/udp-joined-groups-only: a RADIO sends messages in
// drawn groups (joined by the DISH or not) with bodies around the datagram limit. The DISH gets
// only messages of groups it joined, each whole and unchanged, none too large for a datagram;
// twice only if the network duplicated it, out of order only if it reordered datagrams, and
// every one that fits unless the network lost datagrams. `whole`: also check each body is whole
// and none too large arrived (rule/RADIO/udp-whole-or-lost); the DISH's rule checks only the
// groups, so libzmq's cut datagrams (div/udp/*) do not show there.
void udp_datagram_property(bool whole) {
  std::set<std::string> joined;
  for (const std::string& g :
       *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(gen_udp_group()))) {
    joined.insert(g);
  }
  auto groups = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(gen_udp_group()));
  if (groups.size() > 30) groups.resize(30);
  std::vector<Sent> sent;
  for (size_t j = 0; j < groups.size(); ++j) {
    std::string body = udp_body(j, *gen_body_size(groups[j].size()));
    sent.push_back({groups[j], body, 1 + groups[j].size() + body.size() <= wire::kMaxUdpDatagram});
  }
  Lab lab(gen_world_seed(), gen_faults(datagram_fault_mask()), 2);
  const sim::FaultSchedule& f = lab.faults();
  const bool may_lose = f.has(sim::FaultKind::kDgramLoss);
  const bool may_duplicate = f.has(sim::FaultKind::kDgramDup);
  const bool may_reorder = f.has(sim::FaultKind::kDgramReorder);
  std::vector<Letter> got = run_udp(lab, joined, sent);

  std::map<size_t, int> times;
  size_t last = 0;
  bool first = true;
  int filtered = 0, too_large = 0;
  for (const Letter& l : got) {
    RC_ASSERT(joined.count(l.group) != 0u);  // rule/DISH/udp-joined-groups-only
    // Whole and unchanged: it is exactly one message that was sent, in its group.
    size_t bar = l.body.find('|');
    RC_ASSERT(l.body.size() > 1 && l.body[0] == 'm' && bar != std::string::npos);
    size_t j = std::stoul(l.body.substr(1, bar - 1));
    RC_ASSERT(j < sent.size());
    RC_ASSERT(l.group == sent[j].group);
    if (whole) {
      RC_ASSERT(l.body == sent[j].body);
      RC_ASSERT(sent[j].fits);  // one too large for a datagram never arrives, cut or not
    }
    if (++times[j] > 1) {
      EXPECT_RULE(may_duplicate,
                  "datagram " << j << " once (only a duplicating fault may repeat one), got it "
                              << times[j] << " times");
      continue;  // a copy may come any time later
    }
    if (!first && j < last)
      EXPECT_RULE(may_reorder,
                  "datagram " << j << " in order (only a reordering fault may move one)");
    if (j > last || first) last = j;
    first = false;
  }
  for (size_t j = 0; j < sent.size(); ++j) {
    bool owed = joined.count(sent[j].group) != 0 && sent[j].fits;
    if (!joined.count(sent[j].group)) ++filtered;
    if (!sent[j].fits) ++too_large;
    if (owed && !may_lose) RC_ASSERT(times[j] >= 1);
  }
  evidence().count("delivered", int64_t(got.size()));
  evidence().count("filtered_out", filtered);
  evidence().count("too_large", too_large);
  if (!got.empty() && (filtered > 0 || too_large > 0)) evidence().exercised();
}

}  // namespace

void add_udp_rule_properties(std::vector<Property>& out) {
  for (const char* id : {"rule/RADIO/udp-whole-or-lost", "rule/DISH/udp-joined-groups-only"}) {
    std::string rule = id;
    std::string type = rule.find("/RADIO/") != std::string::npos ? "RADIO" : "DISH";
    if (!rule_active(rule) ||
        !spec_active(type == "RADIO" ? SocketType::kRadio : SocketType::kDish))
      continue;
    bool whole = rule.find("whole") != std::string::npos;
    out.push_back({rule, type, whole ? "delivery" : "subscription",
                   [whole] { udp_datagram_property(whole); }});
  }
}

}  // namespace zlab::conform
