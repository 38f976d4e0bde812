// REP (rfc 28): receives a request's envelope (routing id and frames up to the empty
// delimiter), hands the body to the application, and puts the envelope back on the reply.
#include "engine/sockets/types/types.h"

namespace zlab {

Err RepRouting::recv(Msg* part) {
  if (sending_reply_) return Err::kFsm;
  while (!receiving_body_) {
    Msg frame;
    Err err = RouterRouting::recv(&frame);
    if (err != Err::kOk) return err;
    bool more = frame.more();
    bool delimiter = frame.empty() && !envelope_.empty();
    envelope_.push_back(std::move(frame));
    if (!more) {
      envelope_.clear();  // no delimiter, or nothing after it: malformed, dropped whole
      continue;
    }
    if (delimiter) receiving_body_ = true;
  }
  Err err = RouterRouting::recv(part);
  if (err != Err::kOk) return err;
  if (!part->more()) {
    receiving_body_ = false;
    sending_reply_ = true;
  }
  return Err::kOk;
}

Err RepRouting::send(Msg& part) {
  if (!sending_reply_) return Err::kFsm;
  if (!in_reply_) {
    for (Msg& frame : envelope_) {
      frame.set_more(true);
      RouterRouting::send(frame);  // a vanished requester means a silently dropped reply
    }
    envelope_.clear();
    in_reply_ = true;
  }
  bool last = !part.more();
  Err err = RouterRouting::send(part);
  if (last) {
    sending_reply_ = false;
    in_reply_ = false;
  }
  return err;
}

bool RepRouting::has_in() { return !sending_reply_ && RouterRouting::has_in(); }

bool RepRouting::has_out() { return sending_reply_; }

// REP takes ZMQ_ROUTER_NOTIFY, as libzmq's REP (whose setsockopt is its ROUTER's); the notices
// then queued have no delimiter, so recv() drops them as malformed requests and the
// application never sees them, as in libzmq. The other ROUTER options stay refused.
Err RepRouting::set_option(int id, std::span<const uint8_t> value) {
  if (id != opt::kRouterNotify) return Err::kNotSupported;
  return RouterRouting::set_option(id, value);
}

}  // namespace zlab
