#include "engine/proto/socks5_client.h"

#include <utility>

#include "engine/base/ip_address.h"

namespace zlab::proto {
namespace {

using namespace socks5;

constexpr size_t kMaxField = 255;  // every variable field is prefixed by one length byte

// The request's address: IPv4 and IPv6 literals as such (the proxy need not parse text), any
// other host as a name for the proxy to resolve.
void append_address(const std::string& host, std::vector<uint8_t>* out) {
  if (auto v4 = parse_ipv4(host)) {
    out->push_back(kAtypIpv4);
    out->insert(out->end(), v4->bytes.begin(), v4->bytes.begin() + 4);
    return;
  }
  // A zone ("fe80::1%eth0") means nothing to the proxy.
  if (auto v6 = parse_ipv6(std::string_view(host).substr(0, host.find('%')))) {
    out->push_back(kAtypIpv6);
    out->insert(out->end(), v6->bytes.begin(), v6->bytes.end());
    return;
  }
  out->push_back(kAtypDomain);
  out->push_back(uint8_t(host.size()));
  out->insert(out->end(), host.begin(), host.end());
}

}  // namespace

std::optional<Socks5Target> parse_socks5_target(std::string_view address) {
  // "source;host:port": the source address is the local side's business, not the proxy's.
  if (size_t semi = address.find(';'); semi != std::string_view::npos) {
    address.remove_prefix(semi + 1);
  }
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  uint32_t port_num = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    port_num = port_num * 10 + uint32_t(c - '0');
  }
  if (port_num == 0 || port_num > 65535) return std::nullopt;
  return Socks5Target{std::string(host), uint16_t(port_num)};
}

Socks5Client::Socks5Client(Socks5Target target, std::string username, std::string password)
    : target_(std::move(target)),
      username_(std::move(username)),
      password_(std::move(password)),
      method_(username_.empty() ? kMethodNone : kMethodUserPass) {
  if (target_.host.empty() || target_.host.size() > kMaxField || username_.size() > kMaxField ||
      password_.size() > kMaxField) {
    fail(Err::kInvalid, "target host or credentials longer than SOCKS5 can carry");
    return;
  }
  send({kVersion, 1, method_}, State::kAwaitChoice);
}

std::span<const uint8_t> Socks5Client::poll_transmit() const {
  if (state_ != State::kSendGreeting && state_ != State::kSendAuth &&
      state_ != State::kSendRequest) {
    return {};
  }
  return std::span<const uint8_t>(out_).subspan(out_pos_);
}

void Socks5Client::handle_written(size_t n) {
  if (poll_transmit().size() < n) return;  // more than was offered: ignore, as a no-op
  out_pos_ += n;
  if (out_pos_ < out_.size()) return;
  out_.clear();
  out_pos_ = 0;
  // The choice and the authentication reply are two bytes; the CONNECT reply's length shows
  // from its fourth byte (the address type) on.
  expect(after_send_ == State::kAwaitReply ? 4 : 2, after_send_);
}

std::span<uint8_t> Socks5Client::read_buffer() {
  if (state_ != State::kAwaitChoice && state_ != State::kAwaitAuthReply &&
      state_ != State::kAwaitReply) {
    return {};
  }
  return std::span<uint8_t>(in_).subspan(in_len_, in_need_ - in_len_);
}

void Socks5Client::handle_read(size_t n) {
  if (read_buffer().size() < n) return;  // more than there was room for: ignore
  size_t end = in_len_ + n;
  while (in_len_ < end) {
    if (!check_byte(in_len_++)) return;
  }
  if (in_len_ < in_need_) return;
  switch (state_) {
    case State::kAwaitChoice:
      if (method_ == kMethodUserPass) {
        std::vector<uint8_t> auth{kAuthVersion, uint8_t(username_.size())};
        auth.insert(auth.end(), username_.begin(), username_.end());
        auth.push_back(uint8_t(password_.size()));
        auth.insert(auth.end(), password_.begin(), password_.end());
        send(std::move(auth), State::kAwaitAuthReply);
      } else {
        send_request();
      }
      break;
    case State::kAwaitAuthReply:
      send_request();
      break;
    case State::kAwaitReply:
      state_ = State::kDone;
      break;
    default:
      break;
  }
}

void Socks5Client::handle_eof() {
  if (state_ == State::kDone || state_ == State::kFailed) return;
  fail(Err::kConnReset, "the proxy closed the connection");
}

// Checks the byte just stored at pos against what the current reply allows there; learns the
// reply's full length from its address type (and a domain name's length byte).
bool Socks5Client::check_byte(size_t pos) {
  const uint8_t b = in_[pos];
  switch (state_) {
    case State::kAwaitChoice:
      if (pos == 0 && b != kVersion) {
        fail(Err::kProtocol, "the proxy does not speak SOCKS5");
        return false;
      }
      if (pos == 1 && b != method_) {
        fail(Err::kConnRefused, b == kNoAcceptableMethod
                                    ? "the proxy accepts none of the offered methods"
                                    : "the proxy chose a method that was not offered");
        return false;
      }
      return true;
    case State::kAwaitAuthReply:
      if (pos == 0 && b != kAuthVersion) {
        fail(Err::kProtocol, "bad username/password reply version");
        return false;
      }
      if (pos == 1 && b != 0) {
        fail(Err::kConnRefused, "the proxy refused the username/password");
        return false;
      }
      return true;
    case State::kAwaitReply:
      if (pos == 0 && b != kVersion) {
        fail(Err::kProtocol, "bad reply version");
        return false;
      }
      if (pos == 1 && b != 0) {
        reply_code_ = b;
        fail(Err::kConnRefused, "the proxy refused the CONNECT (REP " + std::to_string(b) + ")");
        return false;
      }
      if (pos == 2 && b != 0) {
        fail(Err::kProtocol, "reserved byte of the reply is not zero");
        return false;
      }
      if (pos == 3) {
        if (b == kAtypIpv4) {
          in_need_ = 4 + 4 + 2;
        } else if (b == kAtypIpv6) {
          in_need_ = 4 + 16 + 2;
        } else if (b == kAtypDomain) {
          in_need_ = 4 + 1;  // then the name's length byte says
        } else {
          fail(Err::kProtocol, "unknown address type in the reply");
          return false;
        }
      }
      if (pos == 4 && in_[3] == kAtypDomain) in_need_ = 4 + 1 + size_t(b) + 2;
      return true;
    default:
      return false;
  }
}

void Socks5Client::send_request() {
  std::vector<uint8_t> request{kVersion, kCmdConnect, 0x00};
  append_address(target_.host, &request);
  request.push_back(uint8_t(target_.port >> 8));
  request.push_back(uint8_t(target_.port));
  send(std::move(request), State::kAwaitReply);
}

void Socks5Client::send(std::vector<uint8_t> bytes, State next) {
  out_ = std::move(bytes);
  out_pos_ = 0;
  after_send_ = next;
  state_ = next == State::kAwaitChoice      ? State::kSendGreeting
           : next == State::kAwaitAuthReply ? State::kSendAuth
                                            : State::kSendRequest;
}

void Socks5Client::expect(size_t need, State state) {
  in_len_ = 0;
  in_need_ = need;
  state_ = state;
}

void Socks5Client::fail(Err err, std::string detail) {
  state_ = State::kFailed;
  error_ = err;
  detail_ = std::move(detail);
}

}  // namespace zlab::proto
