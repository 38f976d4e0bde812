#include "engine/wire/ws_handshake.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include <algorithm>
#include <cctype>

namespace zlab::wire {
namespace {

// RFC 6455 §1.3: appended to the client's key before hashing.
constexpr std::string_view kWsGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(uint8_t(x)) == std::tolower(uint8_t(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The comma-separated items of every field called `name` (HTTP allows both a list and repeats).
std::vector<std::string> list_items(const std::vector<std::pair<std::string, std::string>>& fields,
                                    std::string_view name) {
  std::vector<std::string> items;
  for (const auto& [n, v] : fields) {
    if (!iequals(n, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty()) items.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return items;
}

bool has_token(const std::vector<std::pair<std::string, std::string>>& fields,
               std::string_view name, std::string_view token) {
  auto items = list_items(fields, name);
  return std::any_of(items.begin(), items.end(),
                     [&](const std::string& item) { return iequals(item, token); });
}

// The single value of a field; false when absent or given more than once.
bool single_value(const std::vector<std::pair<std::string, std::string>>& fields,
                  std::string_view name, std::string* value) {
  int count = 0;
  for (const auto& [n, v] : fields) {
    if (iequals(n, name)) {
      *value = v;
      ++count;
    }
  }
  return count == 1;
}

std::string base64(const uint8_t* data, size_t size) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(size), '\0');
  nettle_base64_encode_raw(out.data(), size, data);
  return out;
}

// RFC 6455 §4.2.1: the key is base64 of exactly 16 bytes.
bool valid_client_key(std::string_view key) {
  if (key.size() != 24) return false;
  base64_decode_ctx ctx;
  nettle_base64_decode_init(&ctx);
  uint8_t decoded[BASE64_DECODE_LENGTH(24)];
  size_t decoded_len = sizeof decoded;
  if (!nettle_base64_decode_update(&ctx, &decoded_len, decoded, key.size(), key.data())) {
    return false;
  }
  return nettle_base64_decode_final(&ctx) == 1 && decoded_len == 16;
}

}  // namespace

// --- HttpHeadReader ---

// The lexer of CRLF-terminated lines. Rows: kLine (inside a line), kCr (after CR).
// clang-format off
const HttpHeadReader::Step HttpHeadReader::kTable[2][size_t(Input::kCount)] = {
  //            CR                                LF                              other
  /* Line */ {{Lex::kCr, Action::kNone},         {Lex::kFailed, Action::kBareLf}, {Lex::kLine, Action::kAppend}},
  /* Cr   */ {{Lex::kFailed, Action::kStrayCr},  {Lex::kLine, Action::kEndLine},  {Lex::kFailed, Action::kStrayCr}},
};
// clang-format on

size_t HttpHeadReader::feed(std::span<const uint8_t> bytes) {
  size_t used = 0;
  while (used < bytes.size() && state_ == State::kNeedMore) {
    char c = char(bytes[used++]);
    if (++total_ > kMaxHeadBytes) {
      fail(State::kTooLarge, "HTTP head larger than 8192 bytes");
      break;
    }
    if (total_ <= expected_start_.size() && c != expected_start_[total_ - 1]) {
      fail(State::kMalformed, "not the expected start of an HTTP head");
      break;
    }
    Input input = c == '\r' ? Input::kCr : c == '\n' ? Input::kLf : Input::kOther;
    const Step& step = kTable[lex_ == Lex::kCr ? 1 : 0][size_t(input)];
    lex_ = step.next;
    switch (step.action) {
      case Action::kAppend:
        line_.push_back(c);
        break;
      case Action::kNone:
        break;
      case Action::kEndLine:
        end_line();
        break;
      case Action::kBareLf:
        fail(State::kMalformed, "HTTP line ended by LF without CR");
        break;
      case Action::kStrayCr:
        fail(State::kMalformed, "CR not followed by LF in HTTP head");
        break;
    }
  }
  return used;
}

void HttpHeadReader::end_line() {
  std::string line = std::move(line_);
  line_.clear();
  if (!have_start_line_) {
    if (line.empty()) return fail(State::kMalformed, "empty HTTP start line");
    start_line_ = std::move(line);
    have_start_line_ = true;
    return;
  }
  if (line.empty()) {
    lex_ = Lex::kDone;
    state_ = State::kComplete;
    return;
  }
  if (line[0] == ' ' || line[0] == '\t') return fail(State::kMalformed, "folded HTTP header line");
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(State::kMalformed, "HTTP header line without a name and ':'");
  }
  std::string_view name(line.data(), colon);
  if (name.find_first_of(" \t") != std::string_view::npos) {
    return fail(State::kMalformed, "blank inside an HTTP header name");
  }
  fields_.emplace_back(std::string(name),
                       std::string(trim(std::string_view(line).substr(colon + 1))));
}

void HttpHeadReader::fail(State state, std::string_view error) {
  lex_ = Lex::kFailed;
  state_ = state;
  error_ = error;
}

// --- keys ---

std::string ws_accept_key(std::string_view key) {
  sha1_ctx ctx;
  nettle_sha1_init(&ctx);
  nettle_sha1_update(&ctx, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  nettle_sha1_update(&ctx, kWsGuid.size(), reinterpret_cast<const uint8_t*>(kWsGuid.data()));
  uint8_t digest[SHA1_DIGEST_SIZE];
  nettle_sha1_digest(&ctx, SHA1_DIGEST_SIZE, digest);
  return base64(digest, sizeof digest);
}

std::string ws_client_key(const std::array<uint8_t, 16>& nonce) {
  return base64(nonce.data(), nonce.size());
}

// --- client ---

WsClientHandshake::WsClientHandshake(std::string host, std::string path,
                                     const std::array<uint8_t, 16>& nonce,
                                     std::vector<std::string> protocols)
    : protocols_(std::move(protocols)), key_(ws_client_key(nonce)), head_("HTTP/1.1 ") {
  if (path.empty()) path = "/";
  std::string offered;
  for (const auto& p : protocols_) offered += (offered.empty() ? "" : ",") + p;
  request_ = "GET " + path + " HTTP/1.1\r\nHost: " + host +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
             "\r\nSec-WebSocket-Protocol: " + offered + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

size_t WsClientHandshake::feed(std::span<const uint8_t> bytes) {
  if (state_ != State::kNeedMore) return 0;
  size_t used = head_.feed(bytes);
  switch (head_.state()) {
    case HttpHeadReader::State::kNeedMore:
      break;
    case HttpHeadReader::State::kComplete:
      check_reply();
      break;
    default:
      fail("bad WebSocket handshake reply: " + std::string(head_.error()));
      break;
  }
  return used;
}

void WsClientHandshake::check_reply() {
  const std::string& status = head_.start_line();
  // "HTTP/1.1 101 Switching Protocols"; the reason phrase is free text.
  if (status.rfind("HTTP/1.1 ", 0) != 0) return fail("not an HTTP/1.1 reply: " + status);
  if (status.compare(9, 4, "101 ") != 0 && status.substr(9) != "101") {
    return fail("server refused the WebSocket upgrade: " + status);
  }
  const auto& fields = head_.fields();
  if (!has_token(fields, "Upgrade", "websocket")) return fail("reply lacks Upgrade: websocket");
  if (!has_token(fields, "Connection", "Upgrade")) return fail("reply lacks Connection: Upgrade");
  std::string accept;
  if (!single_value(fields, "Sec-WebSocket-Accept", &accept)) {
    return fail("reply lacks a single Sec-WebSocket-Accept");
  }
  if (accept != ws_accept_key(key_)) return fail("wrong Sec-WebSocket-Accept: " + accept);
  std::string protocol;
  if (!single_value(fields, "Sec-WebSocket-Protocol", &protocol)) {
    return fail("reply lacks a single Sec-WebSocket-Protocol");
  }
  if (std::find(protocols_.begin(), protocols_.end(), protocol) == protocols_.end()) {
    return fail("server chose a subprotocol we did not offer: " + protocol);
  }
  protocol_ = protocol;
  state_ = State::kComplete;
}

void WsClientHandshake::fail(std::string error) {
  state_ = State::kFailed;
  error_ = std::move(error);
}

// --- server ---

WsServerHandshake::WsServerHandshake(std::vector<std::string> protocols)
    : protocols_(std::move(protocols)), head_("GET ") {}

size_t WsServerHandshake::feed(std::span<const uint8_t> bytes) {
  if (state_ != State::kNeedMore) return 0;
  size_t used = head_.feed(bytes);
  switch (head_.state()) {
    case HttpHeadReader::State::kNeedMore:
      break;
    case HttpHeadReader::State::kComplete:
      check_request();
      break;
    default:
      fail("bad WebSocket handshake request: " + std::string(head_.error()));
      break;
  }
  return used;
}

void WsServerHandshake::check_request() {
  // "GET <target> HTTP/1.1"
  const std::string& line = head_.start_line();
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string::npos || line.compare(0, sp1, "GET") != 0 || sp2 == sp1 + 1 ||
      line.compare(sp2 + 1, std::string::npos, "HTTP/1.1") != 0) {
    return fail("not a WebSocket request line (GET <path> HTTP/1.1): " + line);
  }
  path_ = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto& fields = head_.fields();
  if (!has_token(fields, "Upgrade", "websocket")) return fail("request lacks Upgrade: websocket");
  if (!has_token(fields, "Connection", "Upgrade")) {
    return fail("request lacks Connection: Upgrade");
  }
  std::string version;
  if (!single_value(fields, "Sec-WebSocket-Version", &version) || version != "13") {
    return fail("request lacks Sec-WebSocket-Version: 13");
  }
  std::string key;
  if (!single_value(fields, "Sec-WebSocket-Key", &key) || !valid_client_key(key)) {
    return fail("request lacks a valid Sec-WebSocket-Key (base64 of 16 bytes)");
  }
  // The first protocol the client offers that we speak (libzmq's choice, too).
  for (const std::string& offered : list_items(fields, "Sec-WebSocket-Protocol")) {
    if (std::find(protocols_.begin(), protocols_.end(), offered) != protocols_.end()) {
      protocol_ = offered;
      break;
    }
  }
  if (protocol_.empty()) {
    std::string ours = protocols_.empty() ? std::string("none") : protocols_.front();
    return fail("no common Sec-WebSocket-Protocol (this socket speaks " + ours + ")");
  }
  reply_ =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      ws_accept_key(key) + "\r\nSec-WebSocket-Protocol: " + protocol_ + "\r\n\r\n";
  state_ = State::kComplete;
}

void WsServerHandshake::fail(std::string error) {
  state_ = State::kFailed;
  error_ = std::move(error);
  // Tell the client why before closing (RFC 6455 §4.2.2 and RFC 7231 §6.5.1).
  reply_ =
      "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n"
      "Content-Type: text/plain\r\nContent-Length: " +
      std::to_string(error_.size() + 2) + "\r\n\r\n" + error_ + "\r\n";
}

}  // namespace zlab::wire
