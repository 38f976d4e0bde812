#include "engine/proto/datagram_connection.h"

namespace zlab::proto {

DatagramConnection::DatagramConnection(wire::DatagramRole role, int64_t now_ns) : role_(role) {
  (void)now_ns;
  // One byte more than the largest datagram: a longer one shows as too long instead of being
  // cut to size by the read.
  // An addressed endpoint's buffer also holds the sender's address before the datagram.
  if (role_ == wire::DatagramRole::kReceive) buf_.resize(wire::kMaxUdpDatagram + 1);
  if (addressed()) buf_.resize(wire::kMaxDatagramHeader + wire::kMaxUdpDatagram + 1);
  meta_ = Metadata::create({});
  // No handshake: the endpoint is usable at once. libzmq's udp engine reports none either.
  ConnEvent ready{ConnEvent::Kind::kHandshakeSucceeded, CloseReason::kNone, {}};
  ready.reported = false;
  events_.push_back(std::move(ready));
}

DatagramConnection::~DatagramConnection() { meta_->unref(); }

std::span<uint8_t> DatagramConnection::read_buffer() {
  // One datagram at a time: the next is read once this one's parts are taken (backpressure
  // leaves the rest in the kernel, where udp drops what overflows).
  if (closed_ || role_ == wire::DatagramRole::kSend || !received_.empty()) return {};
  return buf_;
}

void DatagramConnection::handle_read(size_t n, int64_t now_ns) {
  (void)now_ns;
  if (closed_ || role_ == wire::DatagramRole::kSend) return;
  wire::DatagramView view;
  wire::DatagramError error = addressed() ? wire::parse_addressed({buf_.data(), n}, &view)
                                          : wire::parse_datagram({buf_.data(), n}, &view);
  if (error != wire::DatagramError::kNone) {
    ++malformed_;
    last_error_ = error;
    return;
  }
  if (addressed()) {
    // DGRAM: the sender's address, NUL-terminated as libzmq's udp engine gives it (a C string
    // for the application, and the address a reply goes back to), then the body.
    std::string address(view.group);
    address.push_back('\0');
    Msg from = Msg::copy_of(std::string_view(address));
    from.set_more(true);
    received_.push_back(std::move(from));
    received_.push_back(Msg::copy_of(view.body));
    return;
  }
  Msg group = Msg::copy_of(view.group);
  group.set_more(true);
  received_.push_back(std::move(group));
  Msg body = Msg::copy_of(view.body);
  body.set_group(view.group);  // at most 255 bytes: the length byte's limit is the group's
  received_.push_back(std::move(body));
}

bool DatagramConnection::poll_part(Msg* part, int64_t now_ns) {
  (void)now_ns;
  if (received_.empty()) return false;
  *part = std::move(received_.front());
  received_.pop_front();
  return true;
}

size_t DatagramConnection::poll_transmit(wire::IoSlice* out, size_t max) const {
  if (out_.empty() || max < 2) return 0;
  const Outgoing& d = out_.front();
  out[0] = wire::IoSlice{d.header.data(), d.header_size};
  if (d.body.empty()) return 1;
  out[1] = wire::IoSlice{d.body.data(), d.body.size()};
  return 2;
}

void DatagramConnection::handle_written(size_t n, int64_t now_ns) {
  (void)now_ns;
  // A datagram goes whole (or is lost whole): any write takes the front one.
  if (n == 0 || out_.empty()) return;
  pending_bytes_ -= out_.front().size();
  out_.pop_front();
}

bool DatagramConnection::can_send() const {
  // A receiver takes what its socket would send (a DISH's JOIN/LEAVE: over udp the joins are
  // the DISH's own filter) and drops it, so nothing piles up in the pipe.
  if (role_ == wire::DatagramRole::kReceive) return !closed_;
  return !closed_ && out_.size() < kMaxQueuedDatagrams;  // a sender's, or an addressed one's
}

void DatagramConnection::send_part(Msg part) {
  if (closed_ || role_ == wire::DatagramRole::kReceive) return;
  bool last = !part.more();
  if (skipping_) {
    skipping_ = !last;
    return;
  }
  if (!have_group_ && !last) {
    group_ = std::move(part);
    have_group_ = true;
    return;
  }
  // The body: after its group part, or a lone part carrying its group (Msg::group(), empty for
  // none).
  std::string_view group = have_group_ ? group_.view() : part.group();
  Outgoing d;
  wire::DatagramError error;
  if (addressed()) {
    // DGRAM: the first part is where to send the body. An address received here ends in the
    // NUL libzmq puts after it; the one an application writes need not.
    if (!group.empty() && group.back() == '\0') group.remove_suffix(1);
    error = wire::encode_addressed_header(group, part.size(), d.header, &d.header_size);
  } else {
    error = wire::encode_datagram_header(group, part.size(), d.header, &d.header_size);
  }
  have_group_ = false;
  group_.reset();
  skipping_ = !last;  // a datagram carries one body: any further parts are not sent
  if (error != wire::DatagramError::kNone) {
    ++unsendable_;
    return;
  }
  d.body = std::move(part);
  pending_bytes_ += d.size();
  out_.push_back(std::move(d));
}

bool DatagramConnection::poll_event(ConnEvent* event) {
  if (events_.empty()) return false;
  *event = std::move(events_.front());
  events_.pop_front();
  return true;
}

void DatagramConnection::close(CloseReason reason, std::string detail) {
  if (closed_) return;
  closed_ = true;
  received_.clear();
  events_.push_back(ConnEvent{ConnEvent::Kind::kClosed, reason, std::move(detail)});
}

}  // namespace zlab::proto
