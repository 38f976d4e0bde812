#include "engine/proto/raw_connection.h"

namespace zlab::proto {

RawConnection::RawConnection(std::string peer_address, int64_t now_ns, int source_fd)
    : buf_(kReadChunk) {
  (void)now_ns;
  std::vector<Metadata::Property> props;
  add_transport_properties(&props, peer_address, source_fd);
  meta_ = Metadata::create(std::move(props));
  events_.push_back(ConnEvent{ConnEvent::Kind::kHandshakeSucceeded, CloseReason::kNone, {}});
}

RawConnection::~RawConnection() { meta_->unref(); }

std::span<uint8_t> RawConnection::read_buffer() {
  if (closed_ || eof_ || received_.size() >= kMaxQueuedChunks) return {};
  return buf_;
}

void RawConnection::handle_read(size_t n, int64_t now_ns) {
  (void)now_ns;
  if (n == 0 || closed_) return;
  Msg chunk = Msg::copy_of(std::span<const uint8_t>(buf_.data(), n));
  chunk.set_metadata(meta_);
  received_.push_back(std::move(chunk));
}

void RawConnection::handle_eof(int64_t now_ns) {
  (void)now_ns;
  eof_ = true;
  if (received_.empty()) close(CloseReason::kPeerClosed, "peer closed the connection");
}

void RawConnection::handle_written(size_t n, int64_t now_ns) {
  (void)now_ns;
  encoder_.consume(n);
}

bool RawConnection::poll_part(Msg* part, int64_t now_ns) {
  (void)now_ns;
  if (received_.empty()) {
    if (eof_) close(CloseReason::kPeerClosed, "peer closed the connection");
    return false;
  }
  *part = std::move(received_.front());
  received_.pop_front();
  return true;
}

bool RawConnection::can_send() const {
  return !closed_ && encoder_.pending_bytes() < wire::FrameEncoder::kBatchSize;
}

void RawConnection::send_part(Msg part) {
  if (closed_) return;
  encoder_.encode_raw(std::move(part));
}

bool RawConnection::poll_event(ConnEvent* event) {
  if (events_.empty()) return false;
  *event = std::move(events_.front());
  events_.pop_front();
  return true;
}

void RawConnection::close(CloseReason reason, std::string detail) {
  if (closed_) return;
  closed_ = true;
  events_.push_back(ConnEvent{ConnEvent::Kind::kClosed, reason, std::move(detail)});
}

}  // namespace zlab::proto
