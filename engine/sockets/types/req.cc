// REQ (rfc 28): DEALER plus the empty delimiter, strict alternation, and matching the reply
// to the peer (and, with ZMQ_REQ_CORRELATE, the request id) of the last request.
#include <cstring>

#include "engine/sockets/types/types.h"

namespace zlab {

void ReqRouting::detach(Peer& peer) {
  if (reply_peer_ == &peer) reply_peer_ = nullptr;  // that reply will never come
  DealerRouting::detach(peer);
}

Err ReqRouting::send_envelope(Msg& first) {
  // The request's first part decides the peer; its envelope goes there ahead of it.
  Peer* target = nullptr;
  if (correlate_) {
    Msg id = Msg::with_size(4);
    uint32_t v = ++request_id_;
    std::memcpy(id.mutable_data(), &v, 4);  // opaque to the peer: host order, as libzmq
    id.set_more(true);
    Err err = lb_.send(id, &target);
    if (err != Err::kOk) return err;
  }
  Msg delimiter;
  delimiter.set_more(true);
  Err err = lb_.send(delimiter, target == nullptr ? &target : nullptr);
  if (err != Err::kOk) return err;
  reply_peer_ = target;
  (void)first;
  return Err::kOk;
}

Err ReqRouting::send(Msg& part) {
  if (!sending_) {
    if (expecting_reply_ && !relaxed_) return Err::kFsm;
    if (!lb_.has_out()) return Err::kAgain;
    Err err = send_envelope(part);
    if (err != Err::kOk) return err;
    expecting_reply_ = false;
    reply_started_ = false;
    sending_ = true;
  }
  bool last = !part.more();
  Err err = lb_.send(part);
  if (err != Err::kOk) return err;  // not reached: a started message always has room
  if (last) {
    sending_ = false;
    expecting_reply_ = true;
  }
  return Err::kOk;
}

bool ReqRouting::discard_rest(Peer* from, Msg& part) {
  (void)from;
  while (part.more()) {
    if (fq_.recv(&part) != Err::kOk) break;
  }
  return false;
}

Err ReqRouting::recv(Msg* part) {
  if (!expecting_reply_) return Err::kFsm;
  for (;;) {
    Peer* from = nullptr;
    Err err = fq_.recv(part, &from);
    if (err != Err::kOk) return err;
    if (!reply_started_) {
      // A reply from any other peer, or without our envelope, is not ours: drop it whole.
      if (from != reply_peer_) {
        discard_rest(from, *part);
        continue;
      }
      if (correlate_) {
        uint32_t got = 0;
        if (part->size() == 4) std::memcpy(&got, part->data(), 4);
        if (part->size() != 4 || got != request_id_ || !part->more()) {
          discard_rest(from, *part);
          continue;
        }
        if (fq_.recv(part, &from) != Err::kOk) return Err::kAgain;
      }
      if (part->size() != 0 || !part->more()) {
        discard_rest(from, *part);
        continue;
      }
      if (fq_.recv(part, &from) != Err::kOk) return Err::kAgain;
      reply_started_ = true;
    }
    if (!part->more()) {
      expecting_reply_ = false;
      reply_started_ = false;
    }
    return Err::kOk;
  }
}

bool ReqRouting::has_in() { return expecting_reply_ && fq_.has_in(); }

bool ReqRouting::has_out() { return (sending_ || !expecting_reply_ || relaxed_) && lb_.has_out(); }

Err ReqRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id != opt::kReqCorrelate && id != opt::kReqRelaxed)
    return DealerRouting::set_option(id, value);
  auto v = bool_option(value, BoolForm::kNonNegative);
  if (!v) return Err::kInvalid;
  (id == opt::kReqCorrelate ? correlate_ : relaxed_) = *v;
  return Err::kOk;
}

}  // namespace zlab
