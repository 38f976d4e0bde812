// The WebSocket opening handshake (RFC 6455 §4): an HTTP/1.1 GET with Upgrade on the client
// side, "101 Switching Protocols" on the server side, and the subprotocol libzmq speaks over it
// (ZWS2.0, https://rfc.zeromq.org/spec/45/). Sans-I/O: bytes in through feed(), the bytes to
// send as strings; the client's key nonce is given by the caller (the core has no randomness).
//
// Both sides read the peer's head with HttpHeadReader, a small table-driven lexer of CRLF lines,
// then check it as a whole. Anything the peer gets wrong is a clear error, never a crash:
// malformed lines, a head above kMaxHeadBytes, a wrong key, missing Upgrade/Connection, no
// subprotocol in common.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zlab::wire {

// An HTTP head (start line and header fields) bigger than this is refused: libzmq's limits are
// per field (256-byte names, 2048-byte values); one cap on the whole head is simpler and bounds
// the memory a peer can make us hold.
inline constexpr size_t kMaxHeadBytes = 8192;

// What zlab offers and accepts: ZMTP's NULL mechanism over WebSocket. (libzmq also offers the
// bare "ZWS2.0", which has no READY exchange and no socket-type check; zlab does not speak it.)
inline constexpr std::string_view kZws20Null = "ZWS2.0/NULL";
// With PLAIN or CURVE the subprotocol names that mechanism instead ("ZWS2.0/CURVE"), as
// libzmq's ws engine offers and accepts only its socket's own.
inline constexpr std::string_view kZws20Prefix = "ZWS2.0/";

class HttpHeadReader {
 public:
  enum class State : uint8_t { kNeedMore, kComplete, kMalformed, kTooLarge };

  // `expected_start`: what the start line must begin with ("GET ", "HTTP/1.1 "), checked byte
  // by byte, so that a peer speaking something else (a ZMTP greeting) is refused at once
  // rather than waited for until the handshake times out.
  explicit HttpHeadReader(std::string_view expected_start = {}) : expected_start_(expected_start) {}

  // Consumes bytes up to and including the blank line that ends the head; returns how many.
  size_t feed(std::span<const uint8_t> bytes);
  State state() const { return state_; }
  const std::string& start_line() const { return start_line_; }
  // Field names as sent; values with surrounding blanks removed. Repeated fields stay repeated.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  std::string_view error() const { return error_; }

 private:
  enum class Lex : uint8_t { kLine, kCr, kDone, kFailed };
  enum class Input : uint8_t { kCr, kLf, kOther, kCount };
  enum class Action : uint8_t { kAppend, kNone, kEndLine, kBareLf, kStrayCr };
  struct Step {
    Lex next;
    Action action;
  };
  static const Step kTable[2][size_t(Input::kCount)];

  void end_line();
  void fail(State state, std::string_view error);

  std::string_view expected_start_;
  Lex lex_ = Lex::kLine;
  State state_ = State::kNeedMore;
  size_t total_ = 0;
  std::string line_;
  bool have_start_line_ = false;
  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::string_view error_;
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455's GUID)).
std::string ws_accept_key(std::string_view key);
// The Sec-WebSocket-Key a client sends: base64 of a 16-byte nonce.
std::string ws_client_key(const std::array<uint8_t, 16>& nonce);

class WsClientHandshake {
 public:
  enum class State : uint8_t { kNeedMore, kComplete, kFailed };

  // `host` is sent as Host (host[:port]), `path` as the request target ("/" when empty).
  WsClientHandshake(std::string host, std::string path, const std::array<uint8_t, 16>& nonce,
                    std::vector<std::string> protocols = {std::string(kZws20Null)});

  const std::string& request() const { return request_; }
  // The server's reply; returns bytes consumed (never past the end of its head).
  size_t feed(std::span<const uint8_t> bytes);
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  const std::string& protocol() const { return protocol_; }  // the subprotocol the server chose

 private:
  void check_reply();
  void fail(std::string error);

  std::vector<std::string> protocols_;
  std::string key_;
  std::string request_;
  HttpHeadReader head_;
  State state_ = State::kNeedMore;
  std::string error_;
  std::string protocol_;
};

class WsServerHandshake {
 public:
  enum class State : uint8_t { kNeedMore, kComplete, kFailed };

  explicit WsServerHandshake(std::vector<std::string> protocols = {std::string(kZws20Null)});

  // The client's request; returns bytes consumed (never past the end of its head).
  size_t feed(std::span<const uint8_t> bytes);
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  const std::string& protocol() const { return protocol_; }  // the one chosen
  const std::string& path() const { return path_; }
  // kComplete: the 101 reply; kFailed: a 400 reply naming the problem (then close).
  const std::string& reply() const { return reply_; }

 private:
  void check_request();
  void fail(std::string error);

  std::vector<std::string> protocols_;
  HttpHeadReader head_;
  State state_ = State::kNeedMore;
  std::string error_;
  std::string protocol_;
  std::string path_;
  std::string reply_;
};

}  // namespace zlab::wire
