// The client side of a SOCKS5 CONNECT (RFC 1928), with username/password authentication
// (RFC 1929), sans-I/O: what ZMQ_SOCKS_PROXY puts in front of a tcp connect. The driver
// connects to the proxy, then moves bytes: poll_transmit() out, read_buffer() in, until done()
// (the stream now leads to the target: ZMTP starts) or failed() (close it; the socket retries
// as after any failed connect).
//
// Like libzmq's client it goes in lockstep (greeting, method choice, [authentication], request,
// reply) and offers exactly one method: username/password when a username is set, else none.
// read_buffer() is exactly what the current reply still lacks, so the driver never reads past
// the proxy's last reply into what the far end sends next.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/err.h"

namespace zlab::proto {

// Where the proxy should connect, as a tcp:// endpoint's address names it: "host:port",
// "[ipv6]:port" or "ipv6:port" (the last ':' ends the host). The host may be a name: the proxy
// resolves it. The port must be a number 1..65535.
struct Socks5Target {
  std::string host;
  uint16_t port = 0;
};
std::optional<Socks5Target> parse_socks5_target(std::string_view address);

namespace socks5 {
inline constexpr uint8_t kVersion = 0x05;
inline constexpr uint8_t kAuthVersion = 0x01;  // RFC 1929's sub-negotiation version
inline constexpr uint8_t kMethodNone = 0x00;
inline constexpr uint8_t kMethodUserPass = 0x02;
inline constexpr uint8_t kNoAcceptableMethod = 0xff;
inline constexpr uint8_t kCmdConnect = 0x01;
inline constexpr uint8_t kAtypIpv4 = 0x01;
inline constexpr uint8_t kAtypDomain = 0x03;
inline constexpr uint8_t kAtypIpv6 = 0x04;
}  // namespace socks5

class Socks5Client {
 public:
  enum class State : uint8_t {
    kSendGreeting,
    kAwaitChoice,
    kSendAuth,
    kAwaitAuthReply,
    kSendRequest,
    kAwaitReply,
    kDone,
    kFailed,
  };

  // An empty username: no authentication. A host or credential over 255 bytes cannot be
  // encoded: the client starts failed.
  Socks5Client(Socks5Target target, std::string username, std::string password);

  // Bytes to write now; empty while the client waits for the proxy.
  std::span<const uint8_t> poll_transmit() const;
  void handle_written(size_t n);
  // Room for exactly the bytes the proxy's current reply still lacks; empty when none is due.
  std::span<uint8_t> read_buffer();
  // n bytes were read into read_buffer(). Each is checked as it arrives: a malformed or
  // refusing reply fails at its first wrong byte.
  void handle_read(size_t n);
  // The proxy closed the connection before the exchange ended.
  void handle_eof();

  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  // Why it failed: kConnRefused (the proxy said no: no method, bad credentials, a REP code),
  // kProtocol (not SOCKS5), kConnReset (closed early), kInvalid (a target it cannot encode).
  Err error() const { return error_; }
  const std::string& error_detail() const { return detail_; }
  // The proxy's REP code when it refused the CONNECT (RFC 1928 section 6), else 0.
  uint8_t reply_code() const { return reply_code_; }

 private:
  void send(std::vector<uint8_t> bytes, State next);
  void expect(size_t need, State state);
  void fail(Err err, std::string detail);
  bool check_byte(size_t pos);
  void send_request();

  Socks5Target target_;
  std::string username_;
  std::string password_;
  uint8_t method_;
  State state_ = State::kSendGreeting;
  State after_send_ = State::kAwaitChoice;
  std::vector<uint8_t> out_;
  size_t out_pos_ = 0;
  // A reply is at most 4 + 1 + 255 + 2 bytes (a domain name).
  std::array<uint8_t, 262> in_{};
  size_t in_len_ = 0;
  size_t in_need_ = 0;
  Err error_ = Err::kOk;
  std::string detail_;
  uint8_t reply_code_ = 0;
};

}  // namespace zlab::proto
