// Security mechanisms under fuzzing (rfc 24 PLAIN, rfc 25/26 CURVE; engine/proto/mechanism.h),
// two ways, chosen by the input's first byte:
//  * conversation: a zlab client and a zlab server of the mechanism talk through a channel
//    that the input tampers with (flip a bit, truncate, extend, replace, drop or duplicate one
//    command or MESSAGE), so every state (HELLO, WELCOME, INITIATE, READY, MESSAGE) is
//    reached with valid credentials and crypto and then mutated;
//  * raw: a whole ZmtpConnection of either side, after a valid greeting for the mechanism,
//    is fed the input's bytes as a hostile peer would send them.
// Long-term keys, transient keys, cookies and nonces all come from a generator seeded by input
// bytes (MechanismConfig::random), so every run reproduces exactly.
//
// Invariants (beyond no crash, leak or UB): an untouched conversation with an allowing ZAP
// handler ends with both sides ready; a status never leaves kReady or kFailed; CURVE: a side
// that received a tampered command never becomes ready (HELLO's padding aside: it carries
// nothing), a MESSAGE that decodes is one the peer sent, unchanged, once, in order, and a raw
// peer without the keys never completes a handshake; no part reaches the application before
// the handshake.
#pragma once

#include <sodium.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/proto/mechanism.h"
#include "engine/proto/zmtp_connection.h"
#include "engine/wire/zmtp_bytes.h"
#include "fuzz/libfuzzer/fuzz_input.h"

namespace zlab::fuzz {

// splitmix64: cheap, deterministic, good enough to stand in for the driver's CSPRNG.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void fill(std::span<uint8_t> out) {
    for (uint8_t& b : out) {
      if (left_ == 0) {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        word_ = z ^ (z >> 31);
        left_ = 8;
      }
      b = uint8_t(word_);
      word_ >>= 8;
      --left_;
    }
  }

 private:
  uint64_t state_;
  uint64_t word_ = 0;
  int left_ = 0;
};

inline proto::RandomBytes random_source(uint64_t seed) {
  auto rng = std::make_shared<SeededRandom>(seed);
  return [rng](std::span<uint8_t> out) { rng->fill(out); };
}

struct KeyPair {
  std::string public_key;
  std::string secret_key;
};

inline KeyPair key_pair(SeededRandom& rng) {
  uint8_t secret[32];
  uint8_t pub[32];
  rng.fill(secret);
  crypto_scalarmult_base(pub, secret);
  return {std::string(reinterpret_cast<char*>(pub), 32),
          std::string(reinterpret_cast<char*>(secret), 32)};
}

// How the ZAP handler answers the server (the input's second byte).
enum class ZapMode : uint8_t { kAllow, kDeny, kNoHandler, kTryLater, kMalformed };

inline std::vector<Msg> zap_reply(ZapMode mode, std::string_view request_id) {
  std::string_view status = mode == ZapMode::kAllow  ? "200"
                            : mode == ZapMode::kDeny ? "400"
                                                     : "300";
  std::vector<std::string_view> parts = {"", "1.0", request_id, status, "", "user", ""};
  if (mode == ZapMode::kMalformed) parts[2] = "not-the-request-id";
  std::vector<Msg> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out.push_back(Msg::copy_of(parts[i]));
    out.back().set_more(i + 1 < parts.size());
  }
  return out;
}

struct Setup {
  std::string mechanism;  // "PLAIN" or "CURVE"
  ZapMode zap = ZapMode::kAllow;
  uint64_t seed = 0;
  proto::MechanismConfig client;
  proto::MechanismConfig server;
};

inline Setup make_setup(std::string_view mechanism, FuzzInput& in) {
  Setup s;
  s.mechanism = std::string(mechanism);
  s.zap = ZapMode(in.byte() % 5);
  for (int i = 0; i < 8; ++i) s.seed = s.seed << 8 | in.byte();
  SeededRandom keys(s.seed);
  s.client.name = s.server.name = s.mechanism;
  s.server.as_server = true;
  s.client.own_properties = {{"Socket-Type", "DEALER"}, {"Identity", "client"}};
  s.server.own_properties = {{"Socket-Type", "ROUTER"}};
  s.server.zap_domain = "fuzz";
  s.server.zap_request_id = "7";
  s.server.peer_address = "10.0.0.1";
  s.client.plain_username = "admin";
  s.client.plain_password = "secret";
  s.client.random = random_source(s.seed ^ 0xC1);
  s.server.random = random_source(s.seed ^ 0x5E);
  if (mechanism != "CURVE") return s;  // two scalar multiplications saved an input
  KeyPair server_keys = key_pair(keys);
  KeyPair client_keys = key_pair(keys);
  s.server.curve_public_key = server_keys.public_key;
  s.server.curve_secret_key = server_keys.secret_key;
  s.client.curve_public_key = client_keys.public_key;
  s.client.curve_secret_key = client_keys.secret_key;
  s.client.curve_server_key = server_keys.public_key;
  return s;
}

// Answers the server's ZAP requests as the setup says.
inline void serve_zap(proto::Mechanism& server, const Setup& s) {
  std::vector<Msg> request;
  while (server.poll_zap_request(&request)) {
    if (s.zap == ZapMode::kNoHandler) {
      server.handle_zap_reply({}, true);
    } else {
      server.handle_zap_reply(zap_reply(s.zap, s.server.zap_request_id), false);
    }
  }
}

// --- conversation ---

// One tampering: which frame of the conversation (in the order they travel), what, where.
struct Tamper {
  enum Kind : uint8_t { kFlip, kTruncate, kExtend, kReplace, kDrop, kDuplicate, kCount };
  uint8_t step;
  Kind kind;
  uint16_t at;
  std::string bytes;  // kExtend, kReplace
};

inline std::vector<Tamper> read_tampers(FuzzInput& in) {
  std::vector<Tamper> out;
  while (!in.empty() && out.size() < 8) {
    Tamper t;
    t.step = in.byte() % 16;
    t.kind = Tamper::Kind(in.byte() % Tamper::kCount);
    t.at = in.u16();
    if (t.kind == Tamper::kExtend || t.kind == Tamper::kReplace) {
      t.bytes = std::string(as_text(in.take(in.byte() % 64)));
    }
    out.push_back(std::move(t));
  }
  return out;
}

inline std::string bytes_of(const Msg& m) { return std::string(m.view()); }

// The frames that arrive for one sent: tampered or not.
inline std::vector<std::string> carry(const std::string& sent, const Tamper* t) {
  if (t == nullptr) return {sent};
  std::string b = sent;
  switch (t->kind) {
    case Tamper::kFlip:
      if (!b.empty()) b[t->at % b.size()] ^= char(1 << (t->at >> 13));
      return {b};
    case Tamper::kTruncate:
      return {b.substr(0, t->at % (b.size() + 1))};
    case Tamper::kExtend:
      return {b + t->bytes};
    case Tamper::kReplace:
      if (b.empty()) return {t->bytes};
      b.replace(t->at % b.size(), t->bytes.size(), t->bytes);
      return {b};
    case Tamper::kDrop:
      return {};
    case Tamper::kDuplicate:
    case Tamper::kCount:
      break;
  }
  return {b, b};
}

// Whether what arrived differs from what was sent in a way the receiver must notice. CURVE's
// HELLO padding (bytes 8..79 after the 6-byte name and the version) carries nothing.
inline bool tampered(const std::string& sent, const std::vector<std::string>& got,
                     bool curve_hello) {
  if (got.size() != 1) return true;
  if (!curve_hello) return got[0] != sent;
  const std::string& g = got[0];
  if (g.size() != sent.size()) return true;
  return g.compare(0, 8, sent, 0, 8) != 0 || g.compare(80, std::string::npos, sent, 80) != 0;
}

class Conversation {
 public:
  Conversation(Setup setup, std::vector<Tamper> tampers)
      : s_(std::move(setup)), tampers_(std::move(tampers)) {
    client_ = proto::make_mechanism(s_.client);
    server_ = proto::make_mechanism(s_.server);
    FUZZ_CHECK(client_ && server_);
  }

  void run() {
    client_->start();
    server_->start();
    serve_zap(*server_, s_);
    for (int round = 0; round < 8; ++round) {
      bool moved = move(*client_, *server_, &server_tampered_);
      moved |= move(*server_, *client_, &client_tampered_);
      check_statuses();
      if (!moved) break;
    }
    bool curve = s_.mechanism == "CURVE";
    if (curve) {
      FUZZ_CHECK(client_->status() != Status::kReady || !client_tampered_);
      FUZZ_CHECK(server_->status() != Status::kReady || !server_tampered_);
    }
    if (!any_tamper_ && s_.zap == ZapMode::kAllow) {
      FUZZ_CHECK(client_->status() == Status::kReady && server_->status() == Status::kReady);
    }
    if (client_->status() == Status::kReady && server_->status() == Status::kReady) {
      traffic(*client_, *server_, curve);
      traffic(*server_, *client_, curve);
    }
  }

 private:
  using Status = proto::Mechanism::Status;

  const Tamper* tamper_for(int step) {
    for (const Tamper& t : tampers_) {
      if (t.step == step) return &t;
    }
    return nullptr;
  }

  // Carries `from`'s queued commands to `to` (while `to` handshakes): true if any moved.
  bool move(proto::Mechanism& from, proto::Mechanism& to, bool* to_tampered) {
    bool moved = false;
    Msg command;
    while (from.poll_command(&command)) {
      moved = true;
      std::string sent = bytes_of(command);
      const Tamper* t = tamper_for(step_++);
      std::vector<std::string> got = carry(sent, t);
      if (t != nullptr) any_tamper_ = true;
      bool hello =
          s_.mechanism == "CURVE" && &to == server_.get() && sent.compare(0, 6, "\x05HELLO") == 0;
      std::vector<std::string> delivered;  // a copy after the handshake ended is not handed in
      for (const std::string& g : got) {
        if (to.status() != Status::kHandshaking) break;
        Msg frame = Msg::copy_of(std::string_view(g));
        frame.set_command(true);
        to.handle_command(frame);
        delivered.push_back(g);
        if (&to == server_.get()) serve_zap(*server_, s_);
      }
      if (tampered(sent, delivered, hello)) *to_tampered = true;
    }
    return moved;
  }

  // kReady and kFailed are final.
  static void check_status(const proto::Mechanism& m, Status* seen) {
    if (*seen != Status::kHandshaking) FUZZ_CHECK(m.status() == *seen);
    *seen = m.status();
  }
  void check_statuses() {
    check_status(*client_, &client_seen_);
    check_status(*server_, &server_seen_);
  }

  // Messages after the handshake, each through the tampering channel: what decodes must be
  // what was sent, once, in order (CURVE); PLAIN passes frames through.
  void traffic(proto::Mechanism& from, proto::Mechanism& to, bool curve) {
    std::vector<std::string> sent_bodies;
    size_t accepted_up_to = 0;  // index past the last body that decoded
    for (int i = 0; i < 4 && to.status() == Status::kReady; ++i) {
      std::string body = "message " + std::to_string(i);
      Msg frame = Msg::copy_of(std::string_view(body));
      frame.set_more(i % 2 == 0);
      FUZZ_CHECK(from.encode(&frame));
      sent_bodies.push_back(body);
      std::vector<std::string> got = carry(bytes_of(frame), tamper_for(step_++));
      for (const std::string& g : got) {
        Msg in = Msg::copy_of(std::string_view(g));
        if (!to.decode(&in)) {
          FUZZ_CHECK(to.status() == Status::kFailed);
          return;
        }
        if (!curve) continue;
        bool known = false;
        for (size_t k = accepted_up_to; k < sent_bodies.size() && !known; ++k) {
          if (bytes_of(in) == sent_bodies[k] && in.more() == (k % 2 == 0)) {
            known = true;
            accepted_up_to = k + 1;
          }
        }
        FUZZ_CHECK(known);
      }
    }
  }

  Setup s_;
  std::vector<Tamper> tampers_;
  std::unique_ptr<proto::Mechanism> client_;
  std::unique_ptr<proto::Mechanism> server_;
  int step_ = 0;
  bool any_tamper_ = false;
  bool client_tampered_ = false;
  bool server_tampered_ = false;
  Status client_seen_ = Status::kHandshaking;
  Status server_seen_ = Status::kHandshaking;
};

// --- raw bytes into one side's connection ---

inline void run_raw(Setup s, bool as_server, FuzzInput& in) {
  proto::ZmtpOptions options;
  options.socket_type = as_server ? SocketType::kRouter : SocketType::kDealer;
  options.profile.sends_identity = true;  // as both types' traits say (sockets/types/types.h)
  options.security = as_server ? s.server : s.client;
  options.security.own_properties.clear();  // the connection adds Socket-Type and Identity
  options.handshake_ivl_ns = 0;
  size_t chunk = 1 + in.byte() % 64;
  proto::ZmtpConnection c(options, 0);
  std::string peer = wire::bytes::greeting(s.mechanism, !as_server);
  std::string rest(as_text(in.rest()));
  std::string input = peer + rest;
  bool handshaken = false;
  std::span<const uint8_t> left(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  int64_t now_ns = 0;
  while (!c.closed()) {
    size_t n = left.empty() ? 0 : c.feed(left.subspan(0, std::min(chunk, left.size())), now_ns);
    left = left.subspan(n);
    std::vector<Msg> request;
    while (c.poll_zap_request(&request)) {
      if (s.zap == ZapMode::kNoHandler) {
        c.handle_zap_reply({}, true, now_ns);
      } else {
        c.handle_zap_reply(zap_reply(s.zap, options.security.zap_request_id), false, now_ns);
      }
    }
    proto::ConnEvent e;
    while (c.poll_event(&e)) {
      if (e.kind == proto::ConnEvent::Kind::kHandshakeSucceeded) handshaken = true;
    }
    Msg part;
    while (c.poll_part(&part, now_ns)) FUZZ_CHECK(handshaken);
    wire::IoSlice slices[8];
    while (size_t k = c.poll_transmit(slices, 8)) {
      size_t total = 0;
      for (size_t i = 0; i < k; ++i) total += slices[i].size;
      c.handle_written(total, now_ns);
    }
    now_ns += 1'000'000;
    if (n == 0) break;
  }
  // Without the other side's secret keys nobody completes a CURVE handshake.
  if (s.mechanism == "CURVE") FUZZ_CHECK(!handshaken);
}

inline int run_mechanism_input(std::string_view mechanism, const uint8_t* data, size_t size) {
  static const bool sodium_ready = sodium_init() >= 0;
  FUZZ_CHECK(sodium_ready);
  FuzzInput in(data, size);
  uint8_t mode = in.byte();
  Setup s = make_setup(mechanism, in);
  if (mode & 1) {
    run_raw(std::move(s), mode & 2, in);
  } else {
    Conversation(std::move(s), read_tampers(in)).run();
  }
  return 0;
}

}  // namespace zlab::fuzz
