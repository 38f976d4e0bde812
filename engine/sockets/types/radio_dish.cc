// RADIO and DISH (rfc 48): groups instead of topics, exact match, single-part messages.
//
// Between the routing and the pipe a RADIO message is two parts, the group (MORE) and the body:
// what ZMTP carries (libzmq's radio and dish sessions split and join them the same way), so
// tcp, ipc and inproc need nothing of their own. JOIN/LEAVE travel as command parts
// (wire::make_join), which a ZMTP connection sends and delivers as the commands they are.
#include "engine/sockets/types/types.h"
#include "engine/wire/command.h"

namespace zlab {

bool RadioRouting::attach(Peer& peer) {
  peer.attached = true;
  dist_.attach(&peer);
  return true;
}

void RadioRouting::detach(Peer& peer) {
  for (auto it = groups_.begin(); it != groups_.end();) {
    it->second.erase(&peer);
    it = it->second.empty() ? groups_.erase(it) : std::next(it);
  }
  dist_.detach(&peer);
}

// A peer's JOIN/LEAVE (its connection checked the group's length); anything else from a
// DISH is not for a RADIO and is dropped.
bool RadioRouting::intercept(Peer& peer, Msg& part) {
  if (!part.command()) return true;
  auto command = wire::parse_command(part);
  if (!command.ok()) return true;
  auto group = wire::parse_group(command.value->data);
  if (!group.ok()) return true;
  if (command.value->name == wire::kJoin) {
    groups_[std::string(*group.value)].insert(&peer);
  } else if (command.value->name == wire::kLeave) {
    auto it = groups_.find(*group.value);
    if (it != groups_.end()) {
      it->second.erase(&peer);
      if (it->second.empty()) groups_.erase(it);
    }
  }
  return true;
}

Err RadioRouting::send(Msg& part) {
  if (part.more()) return Err::kInvalid;
  auto it = groups_.find(part.group());
  static const std::set<Peer*> kNobody;
  const std::set<Peer*>& joined = it == groups_.end() ? kNobody : it->second;
  if (nodrop_) {
    std::vector<Peer*> candidates(joined.begin(), joined.end());
    if (!dist_.all_writable(candidates)) return Err::kAgain;
  }
  dist_.match([&](const Peer& p) { return joined.count(const_cast<Peer*>(&p)) != 0; });
  Msg group = Msg::copy_of(part.group());
  group.set_more(true);
  dist_.send(group);
  part.set_more(false);
  dist_.send(part);
  return Err::kOk;
}

Err RadioRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id != opt::kXPubNoDrop) return Err::kNotSupported;
  auto v = bool_option(value, BoolForm::kNonNegative);
  if (!v) return Err::kInvalid;
  nodrop_ = *v;
  return Err::kOk;
}

bool DishRouting::attach(Peer& peer) {
  peer.attached = true;
  fq_.attach(&peer);
  peers_.push_back(&peer);
  send_joins(peer);
  return true;
}

void DishRouting::detach(Peer& peer) {
  fq_.detach(&peer);
  std::erase(peers_, &peer);
}

void DishRouting::reconnected(Peer& peer) {
  // The new connection's RADIO knows nothing: every group again. A DISH only ever queues
  // JOIN/LEAVE, so what is still queued would repeat or contradict them.
  peer.out.clear();
  send_joins(peer);
}

void DishRouting::send_joins(Peer& peer) {
  for (const std::string& group : groups_) peer.out.write_control(wire::make_join(group));
}

// JOIN/LEAVE must not be lost to the HWM (write_control): each stands for one group.
void DishRouting::tell_all(const Msg& command) {
  for (Peer* p : peers_) {
    if (!p->out_dead) p->out.write_control(command.share());
  }
}

Err DishRouting::join(std::string_view group) {
  if (group.size() > kGroupMaxLength) return Err::kInvalid;
  if (!groups_.emplace(group).second) return Err::kInvalid;  // joined already, as libzmq
  tell_all(wire::make_join(group));
  return Err::kOk;
}

Err DishRouting::leave(std::string_view group) {
  if (group.size() > kGroupMaxLength) return Err::kInvalid;
  auto it = groups_.find(group);
  if (it == groups_.end()) return Err::kInvalid;  // not joined, as libzmq
  groups_.erase(it);
  tell_all(wire::make_leave(group));
  return Err::kOk;
}

bool DishRouting::fetch() {
  if (has_pending_) return true;
  Msg group;
  Peer* from = nullptr;
  while (fq_.recv(&group, &from) == Err::kOk) {
    // rfc 48: a group part (MORE, at most 255 bytes), then one body part; the fair queue
    // offers whole messages, so the body is there.
    Msg body;
    bool well_formed = group.more() && group.size() <= kGroupMaxLength;
    if (group.more() && fq_.recv(&body) == Err::kOk) {
      while (body.more()) {  // more than two parts: read them all, drop the message
        well_formed = false;
        if (fq_.recv(&body) != Err::kOk) break;
      }
    }
    if (!well_formed) {
      services_.disconnect_peer(*from);  // as libzmq's dish session fails the connection
      continue;
    }
    if (groups_.count(group.view()) == 0) continue;  // left since it was sent
    body.set_group(group.view());
    pending_ = std::move(body);
    has_pending_ = true;
    return true;
  }
  return false;
}

Err DishRouting::recv(Msg* part) {
  if (!fetch()) return Err::kAgain;
  *part = std::move(pending_);
  has_pending_ = false;
  return Err::kOk;
}

}  // namespace zlab
