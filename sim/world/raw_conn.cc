#include "sim/world/raw_conn.h"

namespace zlab::sim {

Err RawConn::start_connect(HostId from, std::string_view host, uint16_t port) {
  Err err = net_.connect(from, host, port, this, {}, &end_);
  if (err != Err::kOk) {
    state_ = State::kFailed;
    err_ = err;
    return err;
  }
  state_ = State::kConnecting;
  return Err::kOk;
}

IoStatus RawConn::read(std::string* out, size_t max) {
  if (state_ != State::kOpen) return state_ == State::kFailed ? IoStatus::kError : IoStatus::kEof;
  std::string buf(max, '\0');
  size_t n = 0;
  Err err = Err::kOk;
  IoStatus st = net_.read(end_, {reinterpret_cast<uint8_t*>(buf.data()), buf.size()}, &n, &err);
  if (st == IoStatus::kOk) out->append(buf.data(), n);
  if (st == IoStatus::kError) err_ = err;
  return st;
}

IoStatus RawConn::write(std::string_view data, size_t* n) {
  *n = 0;
  if (state_ != State::kOpen) return IoStatus::kError;
  Slice s{reinterpret_cast<const uint8_t*>(data.data()), data.size()};
  Err err = Err::kOk;
  IoStatus st = net_.writev(end_, &s, 1, n, &err);
  if (st == IoStatus::kError) err_ = err;
  return st;
}

void RawConn::close() {
  if (state_ == State::kOpen || state_ == State::kConnecting) net_.close(end_);
  state_ = State::kClosed;
}

void RawConn::kill() { state_ = State::kClosed; }

uint32_t RawConn::ready_mask() {
  switch (state_) {
    case State::kIdle:
    case State::kConnecting:
      return 0;
    case State::kFailed:
    case State::kClosed:
      return kReadyErr;
    case State::kOpen:
      break;
  }
  uint32_t m = 0;
  if (net_.readable(end_)) m |= kReadyIn;
  if (net_.writable(end_)) m |= kReadyOut;
  return m;
}

void RawConn::on_connect_result(EndRef end, Err err) {
  (void)end;
  if (state_ != State::kConnecting) return;
  state_ = err == Err::kOk ? State::kOpen : State::kFailed;
  err_ = err;
  changed();
}

void RawConn::on_ready(EndRef end) {
  (void)end;
  changed();
}

Err RawListener::listen(HostId host, uint16_t port) {
  uint16_t bound = 0;
  Err err = net_.listen(host, port, this, &bound, &id_);
  open_ = err == Err::kOk;
  return err;
}

bool RawListener::take(EndRef* end) {
  if (pending_.empty()) return false;
  *end = pending_.front();
  pending_.pop_front();
  return true;
}

void RawListener::close() {
  if (open_) net_.unlisten(id_);
  open_ = false;
  for (EndRef e : pending_) net_.close(e);
  pending_.clear();
}

void RawListener::kill() {
  open_ = false;
  pending_.clear();
}

uint32_t RawListener::ready_mask() {
  if (!open_) return kReadyErr;
  return pending_.empty() ? 0 : kReadyIn;
}

EndOwner* RawListener::on_accept(ListenerId listener, EndRef end, const std::string& peer) {
  (void)listener;
  (void)peer;
  pending_.push_back(end);
  changed();
  return nullptr;  // the RawConn made from take() adopts it
}

}  // namespace zlab::sim
