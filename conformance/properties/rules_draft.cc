// The draft types (RFC 41 CLIENT/SERVER, RFC 48 RADIO/DISH, RFC 49 SCATTER/GATHER, PEER and
// CHANNEL of the 4.3 page): the table cells no classic property covers (routing by routing id,
// EAGAIN when mute) and the rules of spec/rules.json about them. Every property is registered
// only while the spec data says its type is built (status "active"), so none runs before.
#include <algorithm>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/wire/zmtp_bytes.h"

namespace zlab::conform {
namespace {

// Group names the properties draw: at most 15 characters, which both the page (16 with the
// null) and RFC 48 (255) allow (div/DISH/group-length leaves the range between unresolved).
rc::Gen<std::string> gen_group() {
  return rc::gen::resize(
      15, rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange('a', 'd'))));
}

// A hub of `type` (SERVER or PEER) bound on h0 and k peers of `peer_type`, each of which says
// "hello" so the hub learns its routing id. Returns each spoke's routing id as the hub sees it.
std::vector<uint32_t> learn_routing_ids(Fan& fan) {
  Lab& lab = fan.lab;
  std::vector<uint32_t> ids;
  for (Sock* s : fan.spokes) {
    RC_ASSERT(lab.send_letter(s, {"hello", s->reply_to, ""}));
    std::optional<Letter> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv_letter(fan.hub)).has_value(); }));
    RC_ASSERT(got->body == "hello");
    ids.push_back(got->routing_id);
  }
  return ids;
}

// SERVER/PEER outgoing "see text": a message goes to the peer its routing id names and to no
// other; ids are non-zero and differ between peers; an id no peer has fails with EHOSTUNREACH
// and is delivered nowhere.
void routing_id_outgoing_property(SocketType type) {
  int k = *rc::gen::inRange(2, 5);
  auto dests = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, k)));
  auto fan = make_fan(type, partner(type), k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  std::vector<uint32_t> ids = learn_routing_ids(*fan);
  std::set<uint32_t> distinct(ids.begin(), ids.end());
  RC_ASSERT(distinct.size() == size_t(k));
  RC_ASSERT(distinct.count(0) == 0u);
  uint32_t unknown = *std::max_element(ids.begin(), ids.end()) + 1;
  Err err = Err::kOk;
  RC_ASSERT(!lab.send_letter(fan->hub, {"nobody", unknown, ""}, &err));
  RC_ASSERT(err == Err::kHostUnreachable);
  RC_ASSERT(!lab.send_letter(fan->hub, {"nobody", 0, ""}, &err));
  RC_ASSERT(err == Err::kHostUnreachable);
  for (size_t j = 0; j < dests.size(); ++j) {
    RC_ASSERT(lab.send_letter(fan->hub, {"m" + std::to_string(j), ids[size_t(dests[j])], ""}));
  }
  for (int i = 0; i < k; ++i) {
    std::vector<Parts> want;
    for (size_t j = 0; j < dests.size(); ++j) {
      if (dests[j] == i) want.push_back({"m" + std::to_string(j)});
    }
    // Waited for, then nothing more: not a fixed lull an agent's late I/O thread can outlast.
    std::vector<Parts> got = drain_owed(lab, fan->spokes[size_t(i)], want.size(), 30'000);
    RC_ASSERT(got == want);
  }
  evidence().max("peers", k);
  evidence().exercised();
}

// SERVER/PEER mute "Return EAGAIN" (and rule/SERVER/routing-id-required): sending to a peer
// whose pipe is full fails with EAGAIN at once and drops nothing; every message the socket
// took arrives, in order, and sending to that peer works again once it reads.
void mute_eagain_property(SocketType type) {
  int hwm = *rc::gen::inRange(1, 20);
  FanOptions o;
  o.hub_sndhwm = hwm;
  o.spoke_rcvhwm = hwm;
  o.buffer_bytes = 16384;
  auto fan = make_fan(type, partner(type), 1, /*hub_binds=*/true, o);
  Lab& lab = fan->lab;
  uint32_t id = learn_routing_ids(*fan).front();
  Sock* slow = fan->spokes.front();
  std::string pad(2000, 'x');
  int sent = 0;
  Err err = Err::kOk;
  while (sent < 200000) {
    if (!lab.send_letter(fan->hub, {std::to_string(sent) + ":" + pad, id, ""}, &err)) break;
    ++sent;
    if (sent % 16 == 0) lab.advance_ms(1);
  }
  RC_ASSERT(err == Err::kAgain);
  evidence().count("taken_before_eagain", sent);
  int received = 0;
  lab.wait_for([&] {
    while (auto got = lab.recv(slow)) {
      RC_ASSERT(std::stoi(got->front()) == received);  // in order, none lost, none twice
      ++received;
    }
    return received == sent;
  });
  RC_ASSERT(received == sent);
  RC_ASSERT(fan->hub->dropped_messages() == 0u);
  RC_ASSERT(lab.wait_for([&] { return lab.send_letter(fan->hub, {"again", id, ""}); }, 5000));
  evidence().exercised();
}

// rule/thread-safe/single-part: a send with ZMQ_SNDMORE is refused (EINVAL) and sends
// nothing; a single part goes through; nothing received ever has ZMQ_RCVMORE.
void single_part_property() {
  std::vector<SocketType> types;
  for (SocketType t : active_types()) {
    if (rule_applies("rule/thread-safe/single-part", t)) types.push_back(t);
  }
  RC_PRE(!types.empty());
  SocketType type = *rc::gen::elementOf(types);
  SocketType peer = partner(type);
  bool sends = spec_value(type_name(type), "pattern") != "receive-only";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [a, b] = connected_pair(lab, type, peer);
  Sock* sender = sends ? a : b;
  Sock* receiver = sends ? b : a;
  if (unaddressed(sender)) {  // a SERVER first hears from its client
    RC_ASSERT(lab.send(receiver, {"hello"}));
    RC_ASSERT(lab.wait_for([&] { return lab.recv(sender).has_value(); }));
  }
  if (spec_value(type_name(sender->type()), "outgoing") == "fan-out") {
    await_subscribers(lab, sender, {receiver});
  }
  int n = *rc::gen::inRange(1, 10);
  for (int j = 0; j < n; ++j) {
    Msg first = Msg::copy_of(std::string_view("first"));
    first.set_routing_id(sender->reply_to);
    RC_ASSERT(sender->send(first, kSendMore) == Err::kInvalid);
    evidence().count("sndmore_refused");
    RC_ASSERT(lab.send(sender, {"m" + std::to_string(j)}));
  }
  for (int j = 0; j < n; ++j) {
    std::optional<Letter> got;
    bool more = true;
    RC_ASSERT(lab.wait_for(
        [&] { return (got = lab.recv_letter(receiver, nullptr, &more)).has_value(); }));
    EXPECT_RULE(!more, "message " << j << " in one part (no more parts after it)");
    RC_ASSERT(got->body == "m" + std::to_string(j));  // never "first": nothing was sent
  }
  RC_ASSERT(!lab.recv(receiver).has_value());
  evidence().exercised();
}

// rule/CLIENT/client-starts: a SERVER cannot send before a client has spoken (no routing id
// names anyone: EHOSTUNREACH), and answers the client that did.
void client_starts_property() {
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [server, client] = connected_pair(lab, SocketType::kServer, SocketType::kClient);
  uint32_t guess = *rc::gen::inRange<uint32_t>(0, 10);
  Err err = Err::kOk;
  RC_ASSERT(!lab.send_letter(server, {"first", guess, ""}, &err));
  RC_ASSERT(err == Err::kHostUnreachable);
  RC_ASSERT(lab.send(client, {"ask"}));
  std::optional<Letter> ask;
  RC_ASSERT(lab.wait_for([&] { return (ask = lab.recv_letter(server)).has_value(); }));
  RC_ASSERT(ask->routing_id != 0u);
  RC_ASSERT(lab.send_letter(server, {"answer", ask->routing_id, ""}));
  RC_ASSERT(drain(lab, client) == std::vector<Parts>{{"answer"}});
  evidence().exercised();
}

// rule/SERVER/routing-id-on-receive: each client's messages carry one non-zero routing id,
// the same every time, different from every other client's; replies to it reach that client.
void routing_id_on_receive_property(SocketType type) {
  int k = *rc::gen::inRange(2, 5);
  auto order = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, k)));
  auto fan = make_fan(type, partner(type), k, /*hub_binds=*/true);
  Lab& lab = fan->lab;
  std::map<int, uint32_t> id_of;
  for (size_t j = 0; j < order.size(); ++j) {
    Sock* s = fan->spokes[size_t(order[j])];
    RC_ASSERT(lab.send_letter(s, {std::to_string(order[j]), s->reply_to, ""}));
    std::optional<Letter> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv_letter(fan->hub)).has_value(); }));
    int who = std::stoi(got->body);
    RC_ASSERT(who == order[j]);
    RC_ASSERT(got->routing_id != 0u);
    auto [it, fresh] = id_of.emplace(who, got->routing_id);
    RC_ASSERT(it->second == got->routing_id);  // stable per peer
    RC_ASSERT(lab.send_letter(fan->hub, {"to" + std::to_string(who), got->routing_id, ""}));
    std::optional<Parts> reply;
    RC_ASSERT(lab.wait_for([&] { return (reply = lab.recv(s)).has_value(); }));
    RC_ASSERT(*reply == Parts{"to" + std::to_string(who)});
  }
  std::set<uint32_t> distinct;
  for (auto& [who, id] : id_of) distinct.insert(id);
  RC_ASSERT(distinct.size() == id_of.size());
  for (Sock* s : fan->spokes) RC_ASSERT(!lab.recv(s).has_value());
  evidence().max("peers", int64_t(id_of.size()));
  if (id_of.size() >= 2) evidence().exercised();
}

// A RADIO on h0 and k DISHes on h1..hk; no DISH has joined anything yet.
std::unique_ptr<Fan> radio_fan(int k) {
  FanOptions o;
  auto fan = make_fan(SocketType::kRadio, SocketType::kDish, k, /*hub_binds=*/true, o);
  for (Sock* d : fan->spokes) RC_ASSERT(d->leave("g") == Err::kOk);  // prepare() joined "g"
  return fan;
}

// Lets joins and leaves reach the RADIO: a marker group every DISH joins is sent until each
// has one, then the markers still on their way are read.
void settle_groups(Lab& lab, Sock* radio, const std::vector<Sock*>& dishes) {
  for (Sock* d : dishes) RC_ASSERT(d->join("marker") == Err::kOk);
  std::vector<bool> heard(dishes.size(), false);
  RC_ASSERT(lab.wait_for([&] {
    lab.send_letter(radio, {"mark", 0, "marker"});
    lab.advance_ms(5);
    for (size_t i = 0; i < dishes.size(); ++i) {
      while (auto got = lab.recv_letter(dishes[i])) {
        RC_ASSERT(got->group == "marker");  // nothing else is sent yet
        heard[i] = true;
      }
    }
    return std::count(heard.begin(), heard.end(), false) == 0;
  }));
  for (Sock* d : dishes) {
    RC_ASSERT(d->leave("marker") == Err::kOk);
  }
  lab.advance_ms(200);
  for (Sock* d : dishes) {
    while (lab.recv(d)) {
    }
  }
}

// Everything `dish` gets, as letters: until `owed` have come (or 30 s), then until 1 s of
// quiet. Waiting for what is owed, not a fixed lull, keeps the verdict off the scheduler's.
std::vector<Letter> drain_letters(Lab& lab, Sock* dish, size_t owed) {
  std::vector<Letter> out;
  lab.wait_for(
      [&] {
        while (auto got = lab.recv_letter(dish)) out.push_back(*got);
        return out.size() >= owed;
      },
      30'000);
  int64_t quiet_since = lab.now_ns();
  while (lab.now_ns() - quiet_since < 1'000'000'000) {
    bool any = false;
    while (auto got = lab.recv_letter(dish)) {
      out.push_back(*got);
      any = true;
    }
    if (any) quiet_since = lab.now_ns();
    lab.advance_ms(5);
  }
  return out;
}

// rule/DISH/exact-group-match and rule/RADIO/group-members-only: each DISH joins a drawn set of
// groups (then leaves a drawn part of them); the RADIO sends messages in drawn groups, many of
// them prefixes or extensions of joined ones. Each DISH gets, in order and once, exactly the
// messages whose group equals one it still holds, each with its group attached.
void group_match_property(bool with_leaves) {
  int k = *rc::gen::inRange(1, 4);
  std::vector<std::set<std::string>> joined(static_cast<size_t>(k));
  std::vector<std::set<std::string>> left(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    for (const std::string& g : *rc::gen::container<std::vector<std::string>>(gen_group())) {
      joined[size_t(i)].insert(g);
    }
    if (with_leaves) {
      for (const std::string& g : joined[size_t(i)]) {
        if (*rc::gen::arbitrary<bool>()) left[size_t(i)].insert(g);
      }
    }
  }
  auto groups = *rc::gen::container<std::vector<std::string>>(gen_group());
  auto fan = radio_fan(k);
  Lab& lab = fan->lab;
  for (int i = 0; i < k; ++i) {
    for (const std::string& g : joined[size_t(i)])
      RC_ASSERT(fan->spokes[size_t(i)]->join(g) == Err::kOk);
    for (const std::string& g : left[size_t(i)])
      RC_ASSERT(fan->spokes[size_t(i)]->leave(g) == Err::kOk);
  }
  settle_groups(lab, fan->hub, fan->spokes);
  for (size_t j = 0; j < groups.size(); ++j) {
    RC_ASSERT(lab.send_letter(fan->hub, {"m" + std::to_string(j), 0, groups[j]}));  // never blocks
  }
  int delivered = 0;
  for (int i = 0; i < k; ++i) {
    std::vector<Letter> want;
    for (size_t j = 0; j < groups.size(); ++j) {
      if (joined[size_t(i)].count(groups[j]) && !left[size_t(i)].count(groups[j]))
        want.push_back({"m" + std::to_string(j), 0, groups[j]});
    }
    std::vector<Letter> got = drain_letters(lab, fan->spokes[size_t(i)], want.size());
    for (Letter& l : got) l.routing_id = 0;  // a DISH's messages name no peer
    RC_ASSERT(got == want);
    delivered += int(got.size());
  }
  evidence().count("delivered", delivered);
  evidence().count("filtered_out", int64_t(groups.size()) * k - delivered);
  if (delivered > 0 && delivered < int(groups.size()) * k) evidence().exercised();
}

// rule/DISH/exact-group-match, the DISH's own check: a RADIO sends a peer only the groups it
// JOINed, so a zlab RADIO never shows whether the DISH matches exactly; a peer that does not
// filter (a udp RADIO sends every group, another implementation may not filter) does. A raw
// RADIO (bytes from engine/wire/zmtp_bytes) sends messages in drawn groups (letters a-d, so
// many are prefixes or extensions of the joined ones, and each joined group's one-shorter
// prefix and one-longer extension are added) once the DISH's JOINs came; the DISH delivers,
// in order and once, exactly the messages whose group equals one it joined.
void dish_filters_raw_radio_property() {
  std::set<std::string> joined;
  for (const std::string& g :
       *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(gen_group())))
    joined.insert(g);
  auto groups = *rc::gen::container<std::vector<std::string>>(gen_group());
  auto put_anywhere = [&](const std::string& g) {
    size_t at = *rc::gen::inRange<size_t>(0, groups.size() + 1);
    groups.insert(groups.begin() + std::ptrdiff_t(at), g);
  };
  for (const std::string& g : joined) {
    put_anywhere(g + "a");
    if (g.size() > 1) put_anywhere(g.substr(0, g.size() - 1));
    put_anywhere(g);
  }
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* dish = lab.socket(0, SocketType::kDish);
  for (const std::string& g : joined) RC_ASSERT(dish->join(g) == Err::kOk);
  RC_ASSERT(dish->bind("tcp://*:5555") == Err::kOk);
  RawPeer* raw = lab.raw_peer(1, 0, 5555);
  RC_ASSERT(lab.wait_for([&] { return raw->open(); }, 20'000));
  std::string in;
  auto write_all = [&](std::string_view bytes) {
    size_t done = 0;
    RC_ASSERT(lab.wait_for(
        [&] {
          done += raw->write(bytes.substr(done));
          raw->read(&in);
          return done == bytes.size();
        },
        10'000));
  };
  write_all(wire::bytes::null_handshake(type_name(partner(SocketType::kDish))));
  RC_ASSERT(lab.wait_for(
      [&] {  // every JOIN came: the DISH is ready to take its groups
        // libzmq attaches a bound socket's new connection (and so sends its JOINs) only when
        // its application next calls it, as any application waiting on a socket does.
        dish->events();
        raw->read(&in);
        size_t joins = 0;
        for (const auto& f : wire::bytes::parse_stream(in).frames)
          joins += f.command_name() == "JOIN";
        return joins >= joined.size();
      },
      10'000));
  std::string messages;
  std::vector<Letter> want;
  for (size_t j = 0; j < groups.size(); ++j) {
    messages += wire::bytes::radio_message(groups[j], "m" + std::to_string(j));
    if (joined.count(groups[j])) want.push_back({"m" + std::to_string(j), 0, groups[j]});
  }
  write_all(messages);
  std::vector<Letter> got = drain_letters(lab, dish, want.size());
  for (Letter& l : got) l.routing_id = 0;  // a DISH's messages name no peer
  RC_ASSERT(got == want);
  evidence().count("delivered", int64_t(got.size()));
  evidence().count("filtered_out", int64_t(groups.size() - got.size()));
  evidence().exercised();
}

// rule/DISH/lone-frame-not-delivered: once the DISH's JOIN came, a raw RADIO sends messages in
// the joined group, then a lone frame (no MORE) where a group part is due (rfc 37's
// radio-dish-message is a group part with MORE, then the body), then more messages. The lone
// frame has no group and is never delivered; the DISH closes the connection (libzmq, zlab) or
// drops it and goes on (rfc 37 lets it do either), so what arrives is the messages before it,
// or all of them, whole and in order.
void dish_lone_frame_property() {
  const std::string group = *gen_group();
  const int before = *rc::gen::inRange(0, 4);
  const int after = *rc::gen::inRange(1, 4);
  const std::string lone = *rc::gen::element<std::string>("lone", "");  // empty: no group either
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* dish = lab.socket(0, SocketType::kDish);
  RC_ASSERT(dish->join(group) == Err::kOk);
  RC_ASSERT(dish->bind("tcp://*:5555") == Err::kOk);
  RawPeer* raw = lab.raw_peer(1, 0, 5555);
  EXPECT_RULE(lab.wait_for([&] { return raw->open(); }, 20'000), "the raw RADIO connected");
  std::string in;
  auto write_all = [&](std::string_view bytes) {  // true once all is taken or the DISH closed
    size_t done = 0;
    return lab.wait_for(
        [&] {
          if (!raw->closed()) done += raw->write(bytes.substr(done));
          raw->read(&in);
          return done == bytes.size() || raw->closed();
        },
        10'000);
  };
  RC_ASSERT(write_all(wire::bytes::null_handshake(type_name(partner(SocketType::kDish)))));
  EXPECT_RULE(lab.wait_for(
                  [&] {
                    dish->events();  // a bound socket attaches its connection when called
                    raw->read(&in);
                    return wire::bytes::parse_stream(in).has_command("JOIN");
                  },
                  10'000),
              "the DISH's JOIN " << group);
  std::string bytes;
  std::vector<Letter> want;
  for (int j = 0; j < before + after; ++j) {
    if (j == before) bytes += wire::bytes::frame(lone);  // where a group part is due
    bytes += wire::bytes::radio_message(group, "m" + std::to_string(j));
    want.push_back({"m" + std::to_string(j), 0, group});
  }
  RC_ASSERT(write_all(bytes));
  std::vector<Letter> got;
  lab.wait_for(
      [&] {
        while (auto l = lab.recv_letter(dish)) got.push_back(*l);
        raw->read(&in);
        return raw->closed() || got.size() >= want.size();
      },
      10'000);
  lab.advance_ms(200);  // anything more (a delivered lone frame comes before the rest)
  while (auto l = lab.recv_letter(dish)) got.push_back(*l);
  raw->read(&in);
  for (Letter& l : got) l.routing_id = 0;  // a DISH's messages name no peer
  RC_LOG() << "lone frame '" << lone << "' after " << before << " of " << want.size()
           << "; connection " << (raw->closed() ? "closed" : "open") << ", delivered " << got.size()
           << "\n";
  for (const Letter& l : got)
    EXPECT_RULE(l.body != lone, "the lone frame '"
                                    << lone << "' never delivered (it came in group '" << l.group
                                    << "')");
  // Closing at the lone frame may come after the DISH took messages that followed it (they are
  // well framed): what arrives is the first k sent, k at least `before`, all of them if open.
  std::string bodies;
  for (const Letter& l : got) bodies += " " + l.body;
  bool sent_prefix = got.size() >= size_t(before) && got.size() <= want.size() &&
                     std::equal(got.begin(), got.end(), want.begin());
  EXPECT_RULE(sent_prefix, "the " << before
                                  << " messages before the lone frame, whole and in order, then "
                                  << "maybe some after it (got" << bodies << ")");
  EXPECT_RULE(raw->closed() || got.size() == want.size(),
              "the DISH closing the connection, or dropping the lone frame and going on (got "
                  << got.size() << " of " << want.size() << ", connection open)");
  evidence().count(raw->closed() ? "closed" : "dropped", 1);
  evidence().exercised();
}

// rule/RADIO/group-members-only, the RADIO's own check: a zlab DISH drops a group it did not
// join, so through one a RADIO that sends a peer more than its JOINs passes. A raw DISH JOINs
// drawn groups (and LEAVEs a drawn part of them), then JOINs a fence group no draw makes; once
// a probe in the fence group arrives, every command before it has been taken (a connection's
// commands are taken in order; a probe in a held group could come back while a later LEAVE
// was still on its way, seen at seed 1). The RADIO then sends messages in drawn groups
// (prefixes and extensions of the held ones among them); on the wire the raw DISH reads, in
// order, exactly the messages of the groups it holds.
void radio_filters_raw_dish_property() {
  std::set<std::string> held, left;
  for (const std::string& g :
       *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(gen_group())))
    held.insert(g);
  for (const std::string& g : std::set<std::string>(held)) {
    if (held.size() > 1 && *rc::gen::arbitrary<bool>()) {
      held.erase(g);
      left.insert(g);
    }
  }
  auto groups = *rc::gen::container<std::vector<std::string>>(gen_group());
  for (const std::string& g : held) groups.push_back(g + "a");
  for (const std::string& g : left) groups.push_back(g);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* radio = lab.socket(0, SocketType::kRadio);
  RC_ASSERT(radio->bind("tcp://*:5555") == Err::kOk);
  RawPeer* raw = lab.raw_peer(1, 0, 5555);
  RC_ASSERT(lab.wait_for([&] { return raw->open(); }, 20'000));
  std::string in;
  auto write_all = [&](const std::string& bytes) {
    size_t done = 0;
    RC_ASSERT(lab.wait_for(
        [&] {
          done += raw->write(std::string_view(bytes).substr(done));
          raw->read(&in);
          return done == bytes.size();
        },
        10'000));
  };
  // The commands go once the RADIO's READY is in: libzmq closes a connection whose peer's
  // commands come before its own READY went out (as div/general/ping-with-ready).
  write_all(wire::bytes::null_handshake(type_name(partner(SocketType::kRadio))));
  RC_ASSERT(lab.wait_for([&] {
    raw->read(&in);
    for (const auto& f : wire::bytes::parse_stream(in).frames) {
      if (f.command_name() == "READY") return true;
    }
    return false;
  }));
  std::string commands;
  for (const std::string& g : held) commands += wire::bytes::join(g);
  for (const std::string& g : left) commands += wire::bytes::join(g) + wire::bytes::leave(g);
  const std::string fence = "fence";  // gen_group() draws from 'a'..'c' only
  commands += wire::bytes::join(fence);
  write_all(commands);
  // The RADIO's messages as (group, body), from the frames after the handshake.
  auto letters_read = [&] {
    raw->read(&in);
    std::vector<Letter> out;
    std::vector<std::string> parts;
    for (const auto& f : wire::bytes::parse_stream(in).frames) {
      if (f.command) continue;
      parts.push_back(f.body);
      if (parts.size() == 2) {
        out.push_back({parts[1], 0, parts[0]});
        parts.clear();
      }
    }
    return out;
  };
  RC_ASSERT(lab.wait_for([&] {  // the JOINs and LEAVEs were taken once a probe comes back
    lab.send_letter(radio, {"probe", 0, fence});
    lab.advance_ms(5);
    return !letters_read().empty();
  }));
  std::vector<Letter> want;
  for (size_t j = 0; j < groups.size(); ++j) {
    RC_ASSERT(lab.send_letter(radio, {"m" + std::to_string(j), 0, groups[j]}));
    if (held.count(groups[j])) want.push_back({"m" + std::to_string(j), 0, groups[j]});
  }
  std::vector<Letter> got;
  lab.wait_for(
      [&] {
        got.clear();
        for (Letter& l : letters_read()) {
          if (l.group != fence) got.push_back(l);
        }
        return got.size() > want.size();
      },
      1'000);  // a quiet second: whatever else the RADIO sends has come
  RC_ASSERT(got == want);
  evidence().count("delivered", int64_t(got.size()));
  evidence().count("filtered_out", int64_t(groups.size() - got.size()));
  evidence().exercised();
}

// rule/DISH/group-length: groups both sources allow (up to 15 characters) are taken by join
// and by a RADIO's send; one past RFC 48's 255 bytes is refused by both with EINVAL.
void group_length_property() {
  std::string ok = *gen_group();
  size_t over = *rc::gen::inRange<size_t>(256, 1000);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [radio, dish] = connected_pair(lab, SocketType::kRadio, SocketType::kDish);
  RC_ASSERT(dish->join(ok) == Err::kOk);
  RC_ASSERT(dish->join(std::string(over, 'g')) == Err::kInvalid);
  Err err = Err::kOk;
  RC_ASSERT(!lab.send_letter(radio, {"long", 0, std::string(over, 'g')}, &err));
  RC_ASSERT(err == Err::kInvalid);
  RC_ASSERT(lab.wait_for([&] {
    lab.send_letter(radio, {"short", 0, ok});
    lab.advance_ms(5);
    auto got = lab.recv_letter(dish);
    return got && got->group == ok;
  }));
  evidence().exercised();
}

// rule/DISH/rejoin-after-reconnect: a DISH joined to a group loses its connection (the RADIO
// it connected to goes away and a new one binds the same endpoint); it connects again by
// itself and, without joining anything again, gets the new RADIO's messages of that group.
void rejoin_property() {
  std::string group = *gen_group();
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  auto [radio, dish] = connected_pair(lab, SocketType::kRadio, SocketType::kDish);
  RC_ASSERT(dish->join(group) == Err::kOk);
  auto heard_from = [&](Sock* r) {
    return lab.wait_for(
        [&] {
          lab.send_letter(r, {"m", 0, group});
          lab.advance_ms(5);
          auto got = lab.recv_letter(dish);
          return got && got->group == group;
        },
        10'000);
  };
  RC_ASSERT(heard_from(radio));
  radio->close();
  lab.advance_ms(100);
  Sock* again = lab.socket(0, SocketType::kRadio);
  RC_ASSERT(lab.wait_for([&] { return again->bind("tcp://*:5555") == Err::kOk; }, 5000));
  RC_ASSERT(lab.wait_for([&] { return lab.handshakes(again) > 0; }));
  while (lab.recv(dish)) {
  }
  RC_ASSERT(heard_from(again));
  evidence().exercised();
}

// rule/PEER/connect-peer-routing-id: zmq_connect_peer gives an id; a message sent with it
// reaches the peer bound there, and the answer carries that id back.
void connect_peer_property() {
  int k = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(k + 1));
  Sock* me = lab.socket(0, SocketType::kPeer);
  std::vector<Sock*> others;
  std::vector<uint32_t> ids;
  for (int i = 0; i < k; ++i) {
    Sock* o = lab.socket(uint32_t(i + 1), SocketType::kPeer);
    RC_ASSERT(o->bind("tcp://*:5555") == Err::kOk);
    uint32_t id = 0;
    RC_ASSERT(me->connect_peer(lab.endpoint(uint32_t(i + 1), 5555), &id) == Err::kOk);
    RC_ASSERT(id != 0u);
    RC_ASSERT(std::count(ids.begin(), ids.end(), id) == 0);
    others.push_back(o);
    ids.push_back(id);
  }
  for (int i = 0; i < k; ++i) {
    // Queued before the connection is made: the peer's queue exists from connect on.
    RC_ASSERT(lab.wait_for([&] {
      return lab.send_letter(me, {"to" + std::to_string(i), ids[size_t(i)], ""});
    }));
  }
  for (int i = 0; i < k; ++i) {
    std::optional<Letter> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv_letter(others[size_t(i)])).has_value(); }));
    RC_ASSERT(got->body == "to" + std::to_string(i));
    RC_ASSERT(
        lab.send_letter(others[size_t(i)], {"from" + std::to_string(i), got->routing_id, ""}));
    std::optional<Letter> back;
    RC_ASSERT(lab.wait_for([&] { return (back = lab.recv_letter(me)).has_value(); }));
    RC_ASSERT(back->body == "from" + std::to_string(i));
    RC_ASSERT(back->routing_id == ids[size_t(i)]);
  }
  evidence().max("peers", k);
  evidence().exercised();
}

// rule/SCATTER/pipeline: every message reaches exactly one GATHER, whole, in the order it was
// sent to that GATHER; a GATHER's send is refused.
void pipeline_property() {
  int k = *rc::gen::inRange(1, 5);
  int m = *rc::gen::inRange(1, 60);
  auto fan = make_fan(SocketType::kScatter, SocketType::kGather, k,
                      /*hub_binds=*/*rc::gen::arbitrary<bool>());
  Lab& lab = fan->lab;
  for (int j = 0; j < m; ++j) RC_ASSERT(lab.send(fan->hub, {"m" + std::to_string(j)}));
  std::vector<int> seen(size_t(m), 0);
  for (Sock* g : fan->spokes) {
    Err err = Err::kOk;
    RC_ASSERT(!lab.send(g, {"back"}, &err));
    RC_ASSERT(err == Err::kNotSupported);
    int last = -1;
    for (const Parts& got : drain(lab, g)) {
      RC_ASSERT(got.size() == 1u);
      int j = std::stoi(got[0].substr(1));
      RC_ASSERT(j > last);
      last = j;
      ++seen[size_t(j)];
    }
  }
  RC_ASSERT(std::count(seen.begin(), seen.end(), 1) == m);
  evidence().max("gathers", k);
  evidence().exercised();
}

}  // namespace

void add_draft_table_properties(std::vector<Property>& out) {
  for (SocketType t : zmtp_types()) {
    // The types that route by a routing id on the message (ROUTER's is a frame: its own file).
    if (!rule_applies("rule/SERVER/routing-id-required", t)) continue;
    std::string name = type_name(t);
    if (spec_value(name, "outgoing") == "see-text")
      out.push_back({"socket/" + name + "/outgoing", name, "outgoing",
                     [t] { routing_id_outgoing_property(t); }});
    if (spec_value(name, "mute") == "eagain")
      out.push_back({"socket/" + name + "/mute", name, "mute", [t] { mute_eagain_property(t); }});
  }
}

void add_draft_rule_properties(std::vector<Property>& out) {
  auto add = [&](const std::string& id, SocketType t, std::string column,
                 std::function<void()> body) {
    if (!rule_active(id) || !spec_active(t)) return;  // the type is not built yet
    out.push_back({id, type_name(t), std::move(column), std::move(body)});
  };
  using T = SocketType;
  add("rule/thread-safe/single-part", T::kClient, "atomicity", single_part_property);
  add("rule/CLIENT/client-starts", T::kClient, "routing", client_starts_property);
  add("rule/CLIENT/block-never-drop", T::kClient, "mute",
      [] { mute_block_cell_property(T::kClient); });
  add("rule/CLIENT/round-robin-fair-queue", T::kClient, "routing", [] {
    if (*rc::gen::arbitrary<bool>()) {
      round_robin_cell_property(T::kClient);
    } else {
      fair_queue_cell_property(T::kClient);
    }
  });
  add("rule/SERVER/routing-id-required", T::kServer, "routing",
      [] { mute_eagain_property(*rc::gen::element(T::kServer, T::kPeer)); });
  add("rule/SERVER/routing-id-on-receive", T::kServer, "routing",
      [] { routing_id_on_receive_property(*rc::gen::element(T::kServer, T::kPeer)); });
  add("rule/RADIO/drop-never-block", T::kRadio, "mute", [] { mute_drop_cell_property(T::kRadio); });
  add("rule/RADIO/group-members-only", T::kRadio, "subscription", [] {
    if (*rc::gen::arbitrary<bool>()) {
      group_match_property(true);  // through DISHes: the two ends together
    } else {
      radio_filters_raw_dish_property();  // the RADIO alone
    }
  });
  add("rule/DISH/exact-group-match", T::kDish, "subscription", [] {
    if (*rc::gen::arbitrary<bool>()) {
      group_match_property(false);  // through a RADIO: the two ends together
    } else {
      dish_filters_raw_radio_property();  // the DISH alone
    }
  });
  add("rule/DISH/group-length", T::kDish, "subscription", group_length_property);
  add("rule/DISH/lone-frame-not-delivered", T::kDish, "framing", dish_lone_frame_property);
  add("rule/DISH/rejoin-after-reconnect", T::kDish, "subscription", rejoin_property);
  add("rule/SCATTER/block-when-mute", T::kScatter, "mute",
      [] { mute_block_cell_property(T::kScatter); });
  add("rule/SCATTER/pipeline", T::kScatter, "delivery", pipeline_property);
  add("rule/PEER/connect-peer-routing-id", T::kPeer, "routing", connect_peer_property);
  add("rule/CHANNEL/single-peer", T::kChannel, "connection",
      [] { single_peer_cell_property(T::kChannel); });
  add("rule/CHANNEL/second-peer-refused", T::kChannel, "connection",
      [] { single_peer_cell_property(T::kChannel); });
  add("rule/CHANNEL/block-when-mute", T::kChannel, "mute",
      [] { mute_block_cell_property(T::kChannel); });
}

}  // namespace zlab::conform
