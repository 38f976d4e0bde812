#include "engine/proto/curve_mechanism.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace zlab::proto {
namespace {

static_assert(crypto_box_PUBLICKEYBYTES == kCurveKeySize);
static_assert(crypto_box_SECRETKEYBYTES == kCurveKeySize);
static_assert(crypto_box_NONCEBYTES == 24 && crypto_box_MACBYTES == 16);
static_assert(crypto_secretbox_KEYBYTES == 32 && crypto_secretbox_NONCEBYTES == 24);

constexpr size_t kMac = crypto_box_MACBYTES;
constexpr size_t kHelloSize = 200;    // name 6, version 2, padding 72, C' 32, nonce 8, box 80
constexpr size_t kWelcomeSize = 168;  // name 8, nonce 16, box 144
constexpr size_t kCookieSize = 96;    // nonce 16, box 80
constexpr size_t kInitiateMin = 257;  // name 9, cookie 96, nonce 8, box 144 (+ metadata)
constexpr size_t kReadyMin = 30;      // name 6, nonce 8, box 16 (+ metadata)
constexpr std::string_view kMessage = "\x07MESSAGE";
constexpr uint8_t kFlagMore = 1;     // libzmq's msg_t::more
constexpr uint8_t kFlagCommand = 2;  // libzmq's msg_t::command

using Nonce = std::array<uint8_t, crypto_box_NONCEBYTES>;

Nonce nonce_of(std::string_view prefix, const uint8_t* rest, size_t rest_size) {
  Nonce n{};
  std::memcpy(n.data(), prefix.data(), prefix.size());
  std::memcpy(n.data() + prefix.size(), rest, rest_size);
  return n;
}

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}

uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

bool all_zero(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

Nonce short_nonce(std::string_view prefix, uint64_t value) {
  uint8_t tail[8];
  put_u64(tail, value);
  return nonce_of(prefix, tail, 8);
}

// The command frame's bytes (name included) if it starts with `name` (name-size prefixed).
bool is_command(std::span<const uint8_t> cmd, std::string_view prefixed_name) {
  return cmd.size() >= prefixed_name.size() &&
         std::memcmp(cmd.data(), prefixed_name.data(), prefixed_name.size()) == 0;
}

std::span<const uint8_t> bytes_of(const Msg& m) { return {m.data(), m.size()}; }

const uint8_t* key_bytes(const std::string& key) {
  return reinterpret_cast<const uint8_t*>(key.data());
}

}  // namespace

bool valid_curve_key(std::string_view key) { return key.size() == kCurveKeySize; }

// --- shared ---

CurveMechanism::CurveMechanism(MechanismConfig config, bool server)
    : Mechanism(std::move(config)),
      send_prefix_(server ? "CurveZMQMESSAGES" : "CurveZMQMESSAGEC"),
      recv_prefix_(server ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES") {
  // A key never set is 32 zero bytes, as in libzmq's options.
  for (std::string* key :
       {&config_.curve_public_key, &config_.curve_secret_key, &config_.curve_server_key}) {
    if (key->size() != kCurveKeySize) key->assign(kCurveKeySize, '\0');
  }
}

std::vector<uint8_t> CurveMechanism::random_bytes(size_t n) {
  std::vector<uint8_t> out(n);
  config_.random(out);
  return out;
}

void CurveMechanism::make_transient_keys() {
  config_.random(transient_secret_);
  crypto_scalarmult_base(transient_public_.data(), transient_secret_.data());
}

bool CurveMechanism::accept_peer_nonce(uint64_t nonce) {
  if (nonce <= peer_nonce_) return false;
  peer_nonce_ = nonce;
  return true;
}

void CurveMechanism::fail_crypto(std::string detail) {
  fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpCryptographic,
                std::move(detail));
}

bool CurveMechanism::encode(Msg* frame) {
  std::vector<uint8_t> plain(1 + frame->size());
  plain[0] = uint8_t((frame->more() ? kFlagMore : 0) | (frame->command() ? kFlagCommand : 0));
  if (frame->size() > 0) std::memcpy(plain.data() + 1, frame->data(), frame->size());
  uint64_t n = next_nonce();
  Nonce nonce = short_nonce(send_prefix_, n);
  Msg out = Msg::with_size(kMessage.size() + 8 + kMac + plain.size());
  uint8_t* p = out.mutable_data();
  std::memcpy(p, kMessage.data(), kMessage.size());
  put_u64(p + kMessage.size(), n);
  crypto_box_easy_afternm(p + kMessage.size() + 8, plain.data(), plain.size(), nonce.data(),
                          precomputed_.data());
  *frame = std::move(out);  // a data frame, as libzmq sends MESSAGE
  return true;
}

bool CurveMechanism::decode(Msg* frame) {
  std::span<const uint8_t> m = bytes_of(*frame);
  if (!is_command(m, kMessage)) {
    fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                  "CURVE: frame is not a MESSAGE");
    return false;
  }
  size_t header = kMessage.size() + 8;
  if (m.size() < header + kMac + 1) {
    fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandMessage,
                  "CURVE: MESSAGE too short");
    return false;
  }
  uint64_t n = get_u64(m.data() + kMessage.size());
  if (!accept_peer_nonce(n)) {
    fail_protocol(CloseReason::kInvalidSequence, protocol_error::kZmtpInvalidSequence,
                  "CURVE: MESSAGE nonce did not grow (replayed or reordered)");
    return false;
  }
  Nonce nonce = short_nonce(recv_prefix_, n);
  std::vector<uint8_t> plain(m.size() - header - kMac);
  if (crypto_box_open_easy_afternm(plain.data(), m.data() + header, m.size() - header, nonce.data(),
                                   precomputed_.data()) != 0) {
    fail_crypto("CURVE: MESSAGE does not open");
    return false;
  }
  Msg out = Msg::copy_of(std::span<const uint8_t>(plain.data() + 1, plain.size() - 1));
  out.set_more(plain[0] & kFlagMore);
  out.set_command(plain[0] & kFlagCommand);
  *frame = std::move(out);
  return true;
}

// --- client ---

CurveClient::CurveClient(MechanismConfig config) : CurveMechanism(std::move(config), false) {}

void CurveClient::start() {
  make_transient_keys();
  uint64_t n = next_nonce();
  Nonce nonce = short_nonce("CurveZMQHELLO---", n);
  uint8_t zeros[64] = {};
  uint8_t box[64 + kMac];
  if (crypto_box_easy(box, zeros, sizeof zeros, nonce.data(), key_bytes(config_.curve_server_key),
                      transient_secret_.data()) != 0) {
    return fail_crypto("CURVE: the server key is unusable");
  }
  std::vector<uint8_t> body(kHelloSize - 6, 0);
  body[0] = 1;  // version 1.0
  body[1] = 0;
  std::memcpy(body.data() + 74, transient_public_.data(), 32);
  put_u64(body.data() + 106, n);
  std::memcpy(body.data() + 114, box, sizeof box);
  send(wire::make_command("HELLO", body));
}

void CurveClient::handle_command(const Msg& frame) {
  std::span<const uint8_t> cmd = bytes_of(frame);
  if (is_command(cmd, "\x07WELCOME") && state_ == State::kWaitWelcome) {
    handle_welcome(cmd);
  } else if (is_command(cmd, "\x05READY") && state_ == State::kWaitReady) {
    handle_ready(cmd);
  } else if (is_command(cmd,
                        "\x05"
                        "ERROR") &&
             state_ != State::kDone) {
    handle_peer_error(cmd.subspan(6));
  } else {
    fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                  "CURVE client: unexpected command");
  }
}

void CurveClient::handle_welcome(std::span<const uint8_t> cmd) {
  // libzmq reports every WELCOME it cannot use, a wrong size included, as CRYPTOGRAPHIC.
  if (cmd.size() != kWelcomeSize) return fail_crypto("CURVE: WELCOME is not 168 bytes");
  Nonce nonce = nonce_of("WELCOME-", cmd.data() + 8, 16);
  uint8_t plain[128];
  if (crypto_box_open_easy(plain, cmd.data() + 24, 144, nonce.data(),
                           key_bytes(config_.curve_server_key), transient_secret_.data()) != 0) {
    return fail_crypto("CURVE: WELCOME does not open (wrong server key?)");
  }
  CurveKey server_transient;
  std::memcpy(server_transient.data(), plain, 32);
  const uint8_t* cookie = plain + 32;
  if (crypto_box_beforenm(precomputed_.data(), server_transient.data(), transient_secret_.data()) !=
      0) {
    return fail_crypto("CURVE: the server's transient key is unusable");
  }
  // The vouch: our transient key and the server's long-term key, boxed with our long-term key.
  std::vector<uint8_t> vouch_tail = random_bytes(16);
  Nonce vouch_nonce = nonce_of("VOUCH---", vouch_tail.data(), 16);
  uint8_t vouch_plain[64];
  std::memcpy(vouch_plain, transient_public_.data(), 32);
  std::memcpy(vouch_plain + 32, config_.curve_server_key.data(), 32);
  uint8_t vouch[64 + kMac];
  if (crypto_box_easy(vouch, vouch_plain, sizeof vouch_plain, vouch_nonce.data(),
                      server_transient.data(), key_bytes(config_.curve_secret_key)) != 0) {
    return fail_crypto("CURVE: cannot vouch with this key");
  }
  std::vector<uint8_t> meta = wire::encode_properties(config_.own_properties);
  std::vector<uint8_t> plain_init(32 + 16 + sizeof vouch + meta.size());
  std::memcpy(plain_init.data(), config_.curve_public_key.data(), 32);
  std::memcpy(plain_init.data() + 32, vouch_tail.data(), 16);
  std::memcpy(plain_init.data() + 48, vouch, sizeof vouch);
  if (!meta.empty()) std::memcpy(plain_init.data() + 128, meta.data(), meta.size());
  uint64_t n = next_nonce();
  Nonce init_nonce = short_nonce("CurveZMQINITIATE", n);
  std::vector<uint8_t> body(kCookieSize + 8 + plain_init.size() + kMac);
  std::memcpy(body.data(), cookie, kCookieSize);
  put_u64(body.data() + kCookieSize, n);
  crypto_box_easy_afternm(body.data() + kCookieSize + 8, plain_init.data(), plain_init.size(),
                          init_nonce.data(), precomputed_.data());
  send(wire::make_command("INITIATE", body));
  state_ = State::kWaitReady;
}

void CurveClient::handle_ready(std::span<const uint8_t> cmd) {
  if (cmd.size() < kReadyMin) {
    return fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandReady,
                         "CURVE: READY too short");
  }
  uint64_t n = get_u64(cmd.data() + 6);
  Nonce nonce = short_nonce("CurveZMQREADY---", n);
  std::vector<uint8_t> plain(cmd.size() - 14 - kMac);
  set_peer_nonce(n);
  if (crypto_box_open_easy_afternm(plain.data(), cmd.data() + 14, cmd.size() - 14, nonce.data(),
                                   precomputed_.data()) != 0) {
    return fail_crypto("CURVE: READY does not open");
  }
  auto props = wire::parse_properties(plain);
  if (!props.ok()) {
    return fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpInvalidMetadata,
                         "CURVE READY: " + std::string(props.error));
  }
  state_ = State::kDone;
  ready(std::move(*props.value));
}

// --- server ---

CurveServer::CurveServer(MechanismConfig config) : CurveMechanism(std::move(config), true) {}

void CurveServer::start() { make_transient_keys(); }

void CurveServer::handle_command(const Msg& frame) {
  std::span<const uint8_t> cmd = bytes_of(frame);
  if (state_ == State::kWaitHello) {
    if (!is_command(cmd, "\x05HELLO")) {
      return fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                           "CURVE: expected HELLO");
    }
    return handle_hello(cmd);
  }
  if (state_ == State::kWaitInitiate) {
    if (!is_command(cmd, "\x08INITIATE")) {
      return fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnexpectedCommand,
                           "CURVE: expected INITIATE");
    }
    return handle_initiate(cmd);
  }
  fail_protocol(CloseReason::kUnexpectedCommand, protocol_error::kZmtpUnspecified,
                "CURVE server: unexpected command");
}

void CurveServer::handle_hello(std::span<const uint8_t> cmd) {
  auto malformed = [this](const char* why) {
    fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpMalformedCommandHello, why);
  };
  if (cmd.size() != kHelloSize) return malformed("CURVE: HELLO is not 200 bytes");
  if (cmd[6] != 1 || cmd[7] != 0) return malformed("CURVE: HELLO version is not 1.0");
  // rfc 26: the anti-amplification padding SHALL be all zero (libzmq 4.3.4 does not look:
  // div/curve/hello-fields-unchecked).
  if (!all_zero(cmd.subspan(8, 72))) return malformed("CURVE: HELLO padding is not zero");
  std::memcpy(client_transient_.data(), cmd.data() + 80, 32);
  uint64_t n = get_u64(cmd.data() + 112);
  Nonce nonce = short_nonce("CurveZMQHELLO---", n);
  uint8_t plain[64];
  set_peer_nonce(n);
  if (crypto_box_open_easy(plain, cmd.data() + 120, 80, nonce.data(), client_transient_.data(),
                           key_bytes(config_.curve_secret_key)) != 0) {
    return fail_crypto("CURVE: HELLO does not open (client has another server key?)");
  }
  // rfc 26: the signature box SHALL hold 64 zero octets (libzmq does not look either).
  if (!all_zero(plain)) return malformed("CURVE: HELLO signature is not 64 zero octets");
  // The cookie: the client's transient key and our transient secret, sealed with a key only
  // this connection knows, so INITIATE must bring them back unchanged.
  config_.random(cookie_key_);
  std::vector<uint8_t> cookie_tail = random_bytes(16);
  Nonce cookie_nonce = nonce_of("COOKIE--", cookie_tail.data(), 16);
  uint8_t cookie_plain[64];
  std::memcpy(cookie_plain, client_transient_.data(), 32);
  std::memcpy(cookie_plain + 32, transient_secret_.data(), 32);
  uint8_t welcome_plain[128];
  std::memcpy(welcome_plain, transient_public_.data(), 32);
  std::memcpy(welcome_plain + 32, cookie_tail.data(), 16);
  crypto_secretbox_easy(welcome_plain + 48, cookie_plain, sizeof cookie_plain, cookie_nonce.data(),
                        cookie_key_.data());
  sodium_memzero(cookie_plain, sizeof cookie_plain);
  std::vector<uint8_t> welcome_tail = random_bytes(16);
  Nonce welcome_nonce = nonce_of("WELCOME-", welcome_tail.data(), 16);
  std::vector<uint8_t> body(16 + 144);
  std::memcpy(body.data(), welcome_tail.data(), 16);
  if (crypto_box_easy(body.data() + 16, welcome_plain, sizeof welcome_plain, welcome_nonce.data(),
                      client_transient_.data(), key_bytes(config_.curve_secret_key)) != 0) {
    return fail_crypto("CURVE: the client's transient key is unusable");
  }
  send(wire::make_command("WELCOME", body));
  state_ = State::kWaitInitiate;
}

void CurveServer::handle_initiate(std::span<const uint8_t> cmd) {
  if (cmd.size() < kInitiateMin) {
    return fail_protocol(CloseReason::kMalformedCommand,
                         protocol_error::kZmtpMalformedCommandInitiate,
                         "CURVE: INITIATE too short");
  }
  uint8_t cookie_plain[64];
  Nonce cookie_nonce = nonce_of("COOKIE--", cmd.data() + 9, 16);
  if (crypto_secretbox_open_easy(cookie_plain, cmd.data() + 25, 80, cookie_nonce.data(),
                                 cookie_key_.data()) != 0 ||
      std::memcmp(cookie_plain, client_transient_.data(), 32) != 0 ||
      std::memcmp(cookie_plain + 32, transient_secret_.data(), 32) != 0) {
    return fail_crypto("CURVE: INITIATE brings a bad cookie");
  }
  uint64_t n = get_u64(cmd.data() + 105);
  Nonce nonce = short_nonce("CurveZMQINITIATE", n);
  if (crypto_box_beforenm(precomputed_.data(), client_transient_.data(),
                          transient_secret_.data()) != 0) {
    return fail_crypto("CURVE: the client's transient key is unusable");
  }
  std::vector<uint8_t> plain(cmd.size() - 113 - kMac);
  set_peer_nonce(n);
  if (crypto_box_open_easy_afternm(plain.data(), cmd.data() + 113, cmd.size() - 113, nonce.data(),
                                   precomputed_.data()) != 0) {
    return fail_crypto("CURVE: INITIATE does not open");
  }
  const uint8_t* client_key = plain.data();
  Nonce vouch_nonce = nonce_of("VOUCH---", plain.data() + 32, 16);
  uint8_t vouch_plain[64];
  if (crypto_box_open_easy(vouch_plain, plain.data() + 48, 80, vouch_nonce.data(), client_key,
                           transient_secret_.data()) != 0) {
    return fail_crypto("CURVE: the vouch does not open");
  }
  if (std::memcmp(vouch_plain, client_transient_.data(), 32) != 0) {
    return fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpKeyExchange,
                         "CURVE: the vouch names another transient key");
  }
  // rfc 26: the vouch is Box[C',S](C->S'), S so that a vouch made for one server cannot be
  // replayed to another; "the server SHALL validate all fields". (libzmq 4.3.4 checks C' only:
  // div/security/curve-vouch-server-key.)
  // Our public key from our secret one: a server needs only ZMQ_CURVE_SECRETKEY.
  uint8_t own_public[32];
  crypto_scalarmult_base(own_public, key_bytes(config_.curve_secret_key));
  if (std::memcmp(vouch_plain + 32, own_public, 32) != 0) {
    return fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpKeyExchange,
                         "CURVE: the vouch names another server key");
  }
  auto props = wire::parse_properties(std::span<const uint8_t>(plain).subspan(128));
  if (!props.ok()) {
    return fail_protocol(CloseReason::kMalformedCommand, protocol_error::kZmtpInvalidMetadata,
                         "CURVE INITIATE: " + std::string(props.error));
  }
  initiate_properties_ = std::move(*props.value);
  // As libzmq: ZAP is asked unless there is no domain and ZMQ_ZAP_ENFORCE_DOMAIN is set; no
  // handler lets the client in unless ZMQ_ZAP_ENFORCE_DOMAIN.
  if (!config_.zap_domain.empty() || !config_.zap_enforce_domain) {
    state_ = State::kWaitZap;
    std::string_view key(reinterpret_cast<const char*>(client_key), 32);
    request_zap("CURVE", {key});
    return;
  }
  send_ready();
}

void CurveServer::handle_zap_reply(std::span<const Msg> frames, bool no_handler) {
  if (state_ != State::kWaitZap) {
    Mechanism::handle_zap_reply(frames, no_handler);
    return;
  }
  if (take_zap_reply(frames, no_handler, !config_.zap_enforce_domain) != ZapOutcome::kAllowed) {
    return;
  }
  send_ready();
}

void CurveServer::send_ready() {
  std::vector<uint8_t> meta = wire::encode_properties(config_.own_properties);
  uint64_t n = next_nonce();
  Nonce nonce = short_nonce("CurveZMQREADY---", n);
  std::vector<uint8_t> body(8 + meta.size() + kMac);
  put_u64(body.data(), n);
  crypto_box_easy_afternm(body.data() + 8, meta.data(), meta.size(), nonce.data(),
                          precomputed_.data());
  send(wire::make_command("READY", body));
  state_ = State::kDone;
  std::vector<wire::Property> all = std::move(initiate_properties_);
  for (const auto& p : zap_properties()) all.push_back(p);
  ready(std::move(all));
}

}  // namespace zlab::proto
