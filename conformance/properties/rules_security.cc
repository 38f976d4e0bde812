// Rules of the security mechanisms and ZAP (spec/rules.json, kind "security"): RFC 24
// (ZMTP-PLAIN), RFC 25 (ZMTP-CURVE), RFC 26 (CurveZMQ), RFC 27 (ZAP) and RFC 37's mechanism
// and ERROR clauses (issue 14).
//
// A server socket on h0 and a client socket on h1; either may be the one that binds (ZMTP lets
// the client bind and the server connect). Credentials and keys are drawn per case (CURVE keys
// from a drawn secret, through libsodium). On the simulator a ZAP handler is an actor of the
// world (Lab::serve_zap, sim/world/zap_handler.h) whose faults are drawn with the others:
// zap_slow (it answers late), zap_silent (never), zap_absent (nothing bound). The handshake is
// split at every byte (Lab::read_bytewise) and reset mid-way (World::reset_at in its first
// milliseconds) on the properties about admitted clients; the refusals run under the benign
// faults and a slow handler. On real transports the handler is a REP at
// inproc://zeromq.zap.01 in zlab's context or in an agent's, answered by the Lab as time passes
// (lab_tcp.cc). Simulator only: rule/zap/reply-awaited (it needs the handler's faults) and
// rule/curve/nonce-replay (a man in the middle).
#include <sodium.h>

#include <cctype>
#include <memory>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"
#include "engine/wire/zmtp_bytes.h"
#include "sim/world/ctx.h"
#include "sim/world/world.h"
#include "sim/world/zap_handler.h"

namespace zlab::conform {
namespace {

using sim::ZapFrames;

constexpr int kPort = 5555;

enum class Mech : uint8_t { kNull, kPlain, kCurve };
const char* mech_name(Mech m) {
  return m == Mech::kNull ? "NULL" : m == Mech::kPlain ? "PLAIN" : "CURVE";
}

uint32_t fault_bit(sim::FaultKind k) { return 1u << int(k); }

struct Keys {
  std::string pub;
  std::string sec;
};

// A Curve25519 key pair from a secret, through libsodium.
Keys keys_from(std::string sec) {
  std::string pub(32, '\0');
  RC_ASSERT(crypto_scalarmult_base(reinterpret_cast<unsigned char*>(pub.data()),
                                   reinterpret_cast<const unsigned char*>(sec.data())) == 0);
  return {pub, sec};
}

// A key pair from a drawn secret: deterministic per case, shrinkable. Uniform bytes at every
// size: arbitrary<char> is all zeros in the first (size 0) cases, which made every generated
// key the same one (curve/wrong-server-key gave up on its RC_PRE).
Keys gen_keys() {
  return keys_from(*rc::gen::container<std::string>(
      32, rc::gen::map(rc::gen::inRange(0, 256), [](int b) { return char(b); })));
}

// Printable, non-empty: PLAIN's username and password are VCHAR strings (rfc 24).
std::string gen_word() {
  return *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange<char>(33, 127)));
}

// What each side is given.
struct Creds {
  Mech mech = Mech::kNull;
  std::string user, pass;  // PLAIN client
  Keys server, client;     // CURVE
  std::string server_key;  // the server key the CURVE client holds
  std::string domain;      // ZMQ_ZAP_DOMAIN on the server ("" for none)
};

Creds gen_creds(Mech mech) {
  Creds c;
  c.mech = mech;
  c.user = gen_word();
  c.pass = gen_word();
  c.server = gen_keys();
  c.client = gen_keys();
  c.server_key = c.server.pub;
  // NULL asks ZAP only with a domain; the others always do (libzmq's rule).
  c.domain = mech == Mech::kNull ? "d" + gen_word() : *rc::gen::element<std::string>("", "global");
  return c;
}

void make_server(Sock* s, const Creds& c) {
  if (c.mech == Mech::kPlain) RC_ASSERT(s->set_int(opt::kPlainServer, 1) == Err::kOk);
  if (c.mech == Mech::kCurve) {
    RC_ASSERT(s->set_int(opt::kCurveServer, 1) == Err::kOk);
    RC_ASSERT(s->set_bytes(opt::kCurveSecretKey, c.server.sec) == Err::kOk);
  }
  if (!c.domain.empty()) RC_ASSERT(s->set_bytes(opt::kZapDomain, c.domain) == Err::kOk);
}

void make_client(Sock* s, const Creds& c) {
  if (c.mech == Mech::kPlain) {
    RC_ASSERT(s->set_bytes(opt::kPlainUsername, c.user) == Err::kOk);
    RC_ASSERT(s->set_bytes(opt::kPlainPassword, c.pass) == Err::kOk);
  }
  if (c.mech == Mech::kCurve) {
    RC_ASSERT(s->set_bytes(opt::kCurveServerKey, c.server_key) == Err::kOk);
    RC_ASSERT(s->set_bytes(opt::kCurvePublicKey, c.client.pub) == Err::kOk);
    RC_ASSERT(s->set_bytes(opt::kCurveSecretKey, c.client.sec) == Err::kOk);
  }
}

// The client's credentials as ZAP carries them (rfc 27).
ZapFrames credentials_of(const Creds& c) {
  if (c.mech == Mech::kPlain) return {c.user, c.pass};
  if (c.mech == Mech::kCurve) return {c.client.pub};
  return {};
}

// What the handler saw, and when it answered (virtual time).
struct ZapLog {
  std::vector<ZapFrames> requests;
  std::vector<int64_t> answered_ns;
};

// How a reply can break rfc 27's format.
enum class Malform : uint8_t { kNone, kVersion, kRequestId, kStatus, kFewer, kExtra, kDelimiter };

ZapFrames reply_to(const ZapFrames& req, const std::string& status, Malform m) {
  std::string id = req.size() > 2 ? req[2] : "";
  ZapFrames r{"", "1.0", id, status, "", status == "200" ? "user" : "", ""};
  switch (m) {
    case Malform::kNone:
      break;
    case Malform::kVersion:
      r[1] = "2.0";
      break;
    case Malform::kRequestId:
      r[2] = id + "x";
      break;
    case Malform::kStatus:
      r[3] = "201";
      break;
    case Malform::kFewer:
      r.pop_back();
      break;
    case Malform::kExtra:
      r.push_back("");
      break;
    case Malform::kDelimiter:
      r[0] = "x";
      break;
  }
  return r;
}

// A handler on h0 answering every request with `status(request)` (malformed as `m`).
std::shared_ptr<ZapLog> serve(Lab& lab, std::function<std::string(const ZapFrames&)> status,
                              Malform m = Malform::kNone) {
  auto log = std::make_shared<ZapLog>();
  Lab* at = &lab;  // the handler lives no longer than the Lab
  bool bound = lab.serve_zap(0, [log, at, status, m](const ZapFrames& req) {
    log->requests.push_back(req);
    log->answered_ns.push_back(at->now_ns());
    return std::optional<ZapFrames>(reply_to(req, status(req), m));
  });
  if (!bound) throw Unobservable{"no ZAP handler can be bound in this implementation"};
  return log;
}

// 200 exactly for the client's own credentials, `refuse` for anything else.
std::function<std::string(const ZapFrames&)> admit_only(const Creds& c, std::string refuse) {
  ZapFrames want = credentials_of(c);
  return [want, refuse](const ZapFrames& req) {
    ZapFrames got(req.begin() + std::min<size_t>(7, req.size()), req.end());
    return got == want ? std::string("200") : refuse;
  };
}

struct Pair {
  Sock* server;
  Sock* client;
};

// The server on h0, the client on h1; `server_binds` picks who binds.
Pair make_pair(Lab& lab, SocketType server_type, SocketType client_type, const Creds& server_c,
               const Creds& client_c, bool server_binds) {
  Pair p{lab.socket(0, server_type), lab.socket(1, client_type)};
  make_server(p.server, server_c);
  make_client(p.client, client_c);
  Sock* binder = server_binds ? p.server : p.client;
  Sock* connecter = server_binds ? p.client : p.server;
  uint32_t host = server_binds ? 0 : 1;
  RC_ASSERT(binder->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
  RC_ASSERT(connecter->connect(lab.endpoint(host, kPort)) == Err::kOk);
  return p;
}

// Resets, in the first 10 ms, whatever connection is live then: mid-handshake (a slow handler
// stretches it to seconds). The simulator only.
int64_t reset_early(Lab& lab) {
  if (!lab.simulated()) return 0;
  int resets = *rc::gen::inRange(0, 3);
  int64_t last = 0;
  for (int i = 0; i < resets; ++i) {
    int64_t at = *rc::gen::inRange<int64_t>(1'000'000, 10'000'000);
    lab.world().reset_at(*rc::gen::inRange<uint64_t>(0, 4), at);
    last = std::max(last, at);
  }
  evidence().count("early_resets", resets);
  return last;
}

void maybe_bytewise(Lab& lab) {
  if (*rc::gen::arbitrary<bool>() && lab.read_bytewise()) evidence().count("bytewise");
}

std::vector<std::string> bodies(const std::vector<Parts>& got) {
  std::vector<std::string> out;
  for (const Parts& p : got) out.push_back(p.empty() ? "<empty>" : p.back());
  return out;
}

// Both DEALERs, once each can send, send n messages; each side gets the other's, exactly once,
// in order.
void assert_exchange(Lab& lab, Pair p, int n) {
  for (Sock* s : {p.server, p.client}) {
    RC_ASSERT(lab.wait_for([&] { return (s->events() & kPollOut) != 0; }, 60'000));
  }
  std::vector<std::string> from_client, from_server;
  for (int i = 0; i < n; ++i) {
    from_client.push_back("c" + std::to_string(i));
    from_server.push_back("s" + std::to_string(i));
    RC_ASSERT(lab.send(p.client, {from_client.back()}));
    RC_ASSERT(lab.send(p.server, {from_server.back()}));
  }
  RC_ASSERT(bodies(drain(lab, p.server)) == from_client);
  RC_ASSERT(bodies(drain(lab, p.client)) == from_server);
}

// The client sends n messages and the server tries to; for `ms` nothing may arrive either way
// and neither side may report a completed handshake. With `asks_zap`, the window starts when
// the handler has the first request (a late bind and a slow handler can take longer than it).
void assert_nothing_crosses(Lab& lab, Pair p, int n, int64_t ms, bool asks_zap = false) {
  if (asks_zap) {
    RC_ASSERT(lab.wait_for([&] { return lab.zap_requests(0) > 0; }, 20'000));
    RC_ASSERT(!lab.recv(p.server).has_value());
  }
  for (int i = 0; i < n; ++i) {
    lab.send(p.client, {"c" + std::to_string(i)});
    lab.send(p.server, {"s" + std::to_string(i)});
  }
  int64_t end = lab.now_ns() + ms * 1'000'000;
  while (lab.now_ns() < end) {
    RC_ASSERT(!lab.recv(p.server).has_value());
    RC_ASSERT(!lab.recv(p.client).has_value());
    lab.advance_ms(10);
  }
  RC_ASSERT(lab.handshakes(p.server) == 0u);
  RC_ASSERT(lab.handshakes(p.client) == 0u);
}

Mech gen_mech() { return *rc::gen::element(Mech::kNull, Mech::kPlain, Mech::kCurve); }

// --- rule/plain/admits-valid-client, rule/curve/admits-valid-client --------------------------
// A client with good credentials (PLAIN: the ones the handler admits; CURVE: the server's
// real public key, admitted by the handler when there is one) gets through a handshake whose
// bytes arrive one at a time or cut anywhere, late, or reset in its first milliseconds; after
// it both DEALERs' messages arrive exactly once, in order.
void admits_valid_client(Mech mech) {
  int n = *rc::gen::inRange(1, 20);
  bool server_binds = *rc::gen::arbitrary<bool>();
  Creds c = gen_creds(mech);
  uint32_t mask = benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow);
  Lab lab(gen_world_seed(), gen_faults(mask), 2);
  // PLAIN needs a handler (without one libzmq refuses everyone); CURVE admits without one.
  bool handler = mech == Mech::kPlain || *rc::gen::arbitrary<bool>();
  std::shared_ptr<ZapLog> log;
  if (handler) log = serve(lab, admit_only(c, "400"));
  maybe_bytewise(lab);
  int64_t last_reset = reset_early(lab);
  Pair p = make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, server_binds);
  // Past the resets and past any news of them (latency spikes reach 200 ms): what is sent from
  // now on meets no fault that loses it.
  if (last_reset > 0) lab.advance_ms((last_reset - lab.now_ns()) / 1'000'000 + 1'000);
  assert_exchange(lab, p, n);
  RC_ASSERT(lab.handshakes(p.server) >= 1u);
  if (log) {
    EXPECT_RULE(!log->requests.empty(), "a ZAP request for the handshake");
    evidence().count("zap_requests", int64_t(log->requests.size()));
  }
  evidence().exercised();
}

// --- rule/plain/refuses-invalid-client -----------------------------------------------------
// The handler admits one username/password; the client presents another (the username, the
// password or both changed). Nothing crosses in either direction, neither side completes a
// handshake.
void plain_refuses_invalid_client() {
  int n = *rc::gen::inRange(1, 6);
  Creds good = gen_creds(Mech::kPlain);
  Creds bad = good;
  int which = *rc::gen::inRange(0, 3);
  if (which != 1) bad.user += "x";
  if (which != 0) bad.pass += "x";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::string refuse = *rc::gen::element<std::string>("400", "500");
  std::shared_ptr<ZapLog> log = serve(lab, admit_only(good, refuse));
  Pair p = make_pair(lab, SocketType::kDealer, SocketType::kDealer, good, bad,
                     *rc::gen::arbitrary<bool>());
  assert_nothing_crosses(lab, p, n, 3'000, true);
  // the refusal was the handler's, not a missing handler
  EXPECT_RULE(!log->requests.empty(),
              "the refusal to be the ZAP handler's (a request logged), not a missing handler's");
  evidence().exercised();
}

// --- rule/curve/wrong-server-key -----------------------------------------------------------
// The client holds some other valid public key for the server: its HELLO's box cannot be
// opened. Nothing crosses; the server reports a protocol failure (libzmq:
// HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC).
void curve_wrong_server_key() {
  int n = *rc::gen::inRange(1, 6);
  Creds c = gen_creds(Mech::kCurve);
  Creds client = c;
  // Another server's key: the real secret with one byte changed (drawn keys may be equal);
  // a middle byte, as Curve25519 clamps bits of the first and the last.
  std::string other = c.server.sec;
  other[*rc::gen::inRange<size_t>(1, 31)] ^= char(*rc::gen::inRange(1, 256));
  client.server_key = keys_from(other).pub;
  RC_ASSERT(client.server_key != c.server.pub);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  maybe_bytewise(lab);
  Pair p =
      make_pair(lab, SocketType::kPull, SocketType::kPush, c, client, *rc::gen::arbitrary<bool>());
  for (int i = 0; i < n; ++i) lab.send(p.client, {"c" + std::to_string(i)});
  RC_ASSERT(lab.wait_for([&] { return lab.protocol_failures(p.server) > 0; }, 10'000));
  int64_t end = lab.now_ns() + 1'000'000'000;
  while (lab.now_ns() < end) {
    RC_ASSERT(!lab.recv(p.server).has_value());
    lab.advance_ms(10);
  }
  RC_ASSERT(lab.handshakes(p.server) == 0u);
  RC_ASSERT(lab.handshakes(p.client) == 0u);
  evidence().exercised();
}

// --- rule/curve/refusal-is-error -----------------------------------------------------------
// The handler refuses the client's permanent key with 400 or 500: the server sends ERROR, so
// the client reports HANDSHAKE_FAILED_AUTH; nothing reaches the server.
void curve_refusal_is_error() {
  int n = *rc::gen::inRange(1, 6);
  Creds c = gen_creds(Mech::kCurve);
  std::string status = *rc::gen::element<std::string>("400", "500");
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::shared_ptr<ZapLog> log = serve(lab, [status](const ZapFrames&) { return status; });
  Pair p = make_pair(lab, SocketType::kPull, SocketType::kPush, c, c, true);
  for (int i = 0; i < n; ++i) lab.send(p.client, {"c" + std::to_string(i)});
  RC_ASSERT(lab.wait_for([&] { return p.client->monitor_count(monitor::kHandshakeFailedAuth) > 0; },
                         10'000));
  RC_ASSERT(!lab.recv(p.server).has_value());
  RC_ASSERT(lab.handshakes(p.server) == 0u);
  RC_ASSERT(lab.handshakes(p.client) == 0u);
  evidence().exercised();
}

// --- rule/zap/plain-credentials, rule/zap/curve-credentials --------------------------------
// What the handler is asked: the mechanism's name and exactly the client's credentials.
void zap_credentials(Mech mech) {
  Creds c = gen_creds(mech);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  std::shared_ptr<ZapLog> log = serve(lab, [](const ZapFrames&) { return std::string("200"); });
  maybe_bytewise(lab);
  Pair p =
      make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, *rc::gen::arbitrary<bool>());
  RC_ASSERT(lab.wait_for([&] { return !log->requests.empty(); }, 10'000));
  const ZapFrames& req = log->requests.front();
  RC_ASSERT(req.size() >= 7u);
  RC_ASSERT(req[6] == std::string(mech_name(mech)));
  ZapFrames creds(req.begin() + 7, req.end());
  RC_ASSERT(creds == credentials_of(c));
  (void)p;
  evidence().exercised();
}

// --- rule/zap/request-format ---------------------------------------------------------------
// Under any mechanism: delimiter, "1.0", a request id, the server's domain, an address, an
// identity of at most 255 bytes, then the mechanism; NULL has no credentials; with the benign
// faults (no resets) the handler is asked exactly once per handshake the server completes.
void zap_request_format() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  if (c.domain.empty()) c.domain = "global";
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::shared_ptr<ZapLog> log = serve(lab, [](const ZapFrames&) { return std::string("200"); });
  Pair p{lab.socket(0, SocketType::kDealer), lab.socket(1, SocketType::kDealer)};
  make_server(p.server, c);
  make_client(p.client, c);
  RC_ASSERT(p.server->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
  RC_ASSERT(p.client->connect(lab.endpoint(0, kPort)) == Err::kOk);
  assert_exchange(lab, p, 1);
  EXPECT_RULE(!log->requests.empty(), "a ZAP request for the handshake");
  std::set<std::string> ids;
  for (const ZapFrames& req : log->requests) {
    RC_ASSERT(req.size() >= 7u);
    RC_ASSERT(req[0].empty());
    RC_ASSERT(req[1] == "1.0");
    ids.insert(req[2]);
    RC_ASSERT(req[3] == c.domain);
    RC_ASSERT(!req[4].empty());        // the address (a host name here; see the rule's note)
    RC_ASSERT(req[5].size() <= 255u);  // whose identity: libzmq sends the server's own
    RC_ASSERT(req[6] == std::string(mech_name(mech)));
    if (mech == Mech::kNull) RC_ASSERT(req.size() == 7u);
  }
  RC_ASSERT(log->requests.size() == lab.handshakes(p.server));
  evidence().exercised();
}

// --- rule/zap/status-codes -----------------------------------------------------------------
// The handler answers one of the four codes, under any mechanism: 200 admits (messages flow),
// 300/400/500 refuse (nothing crosses).
void zap_status_codes() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  std::string status = *rc::gen::element<std::string>("200", "300", "400", "500");
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::shared_ptr<ZapLog> log = serve(lab, [status](const ZapFrames&) { return status; });
  Pair p =
      make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, *rc::gen::arbitrary<bool>());
  if (status == "200") {
    assert_exchange(lab, p, *rc::gen::inRange(1, 6));
  } else {
    assert_nothing_crosses(lab, p, *rc::gen::inRange(1, 6), 3'000, true);
    EXPECT_RULE(!log->requests.empty(), "the refusal to be the ZAP handler's (a request logged)");
  }
  evidence().count("status_" + status);
  evidence().exercised();
}

// --- rule/zap/malformed-reply --------------------------------------------------------------
// The handler means 200 but breaks the reply's format one way: nobody is admitted and the
// server reports a protocol failure (libzmq: HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZAP_*).
void zap_malformed_reply() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  Malform m = *rc::gen::element(Malform::kVersion, Malform::kRequestId, Malform::kStatus,
                                Malform::kFewer, Malform::kExtra, Malform::kDelimiter);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::shared_ptr<ZapLog> log = serve(
      lab, [](const ZapFrames&) { return std::string("200"); }, m);
  Pair p =
      make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, *rc::gen::arbitrary<bool>());
  assert_nothing_crosses(lab, p, *rc::gen::inRange(1, 6), 3'000, true);
  EXPECT_RULE(!log->requests.empty(), "the refusal to be the ZAP handler's (a request logged)");
  RC_ASSERT(lab.protocol_failures(p.server) > 0u);
  evidence().count("malform_" + std::to_string(int(m)));
  evidence().exercised();
}

// --- rule/zap/reply-awaited ----------------------------------------------------------------
// The handler admits everyone but may be slow (zap_slow) or silent (zap_silent), as drawn. A
// silent one admits nobody (nothing crosses for 5 s); otherwise the first message reaches the
// server only after the handler's first answer.
void zap_reply_awaited() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  uint32_t mask = benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow) |
                  fault_bit(sim::FaultKind::kZapSilent);
  Lab lab(gen_world_seed(), gen_faults(mask), 2);
  std::shared_ptr<ZapLog> log = serve(lab, [](const ZapFrames&) { return std::string("200"); });
  Pair p =
      make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, *rc::gen::arbitrary<bool>());
  if (lab.faults().has(sim::FaultKind::kZapSilent)) {
    assert_nothing_crosses(lab, p, *rc::gen::inRange(1, 6), 5'000);
    RC_ASSERT(lab.zap_requests(0) > 0u);
    evidence().count("silent");
  } else {
    // A bound client DEALER takes messages only once it has its peer: after the handshake.
    RC_ASSERT(lab.wait_for([&] { return (p.client->events() & kPollOut) != 0; }, 20'000));
    RC_ASSERT(lab.send(p.client, {"first"}));
    std::optional<Parts> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv(p.server)).has_value(); }, 20'000));
    EXPECT_RULE(!log->answered_ns.empty(),
                "the ZAP handler to have answered before the first message");
    RC_ASSERT(lab.now_ns() >= log->answered_ns.front());
    if (lab.faults().has(sim::FaultKind::kZapSlow)) evidence().count("slow");
  }
  evidence().exercised();
}

// --- rule/security/mechanism-mismatch ------------------------------------------------------
// The two sides are set up for different mechanisms (NULL, PLAIN, CURVE). Nothing crosses, no
// handshake completes. (With NULL the server has no ZAP domain, so ZAP plays no part.)
void mechanism_mismatch() {
  Mech server_mech = gen_mech();
  Mech client_mech = *rc::gen::suchThat(rc::gen::element(Mech::kNull, Mech::kPlain, Mech::kCurve),
                                        [&](Mech m) { return m != server_mech; });
  Creds sc = gen_creds(server_mech);
  Creds cc = gen_creds(client_mech);
  sc.domain.clear();
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  maybe_bytewise(lab);
  Pair p =
      make_pair(lab, SocketType::kPull, SocketType::kPush, sc, cc, *rc::gen::arbitrary<bool>());
  for (int i = 0; i < 3; ++i) lab.send(p.client, {"c" + std::to_string(i)});
  int64_t end = lab.now_ns() + 2'000'000'000;
  while (lab.now_ns() < end) {
    RC_ASSERT(!lab.recv(p.server).has_value());
    lab.advance_ms(10);
  }
  RC_ASSERT(lab.handshakes(p.server) == 0u);
  RC_ASSERT(lab.handshakes(p.client) == 0u);
  evidence().count(std::string(mech_name(server_mech)) + "_vs_" + mech_name(client_mech));
  evidence().exercised();
}

// --- rule/security/error-is-fatal ----------------------------------------------------------
// A client refused with ERROR (ZAP 400 or 500, under any mechanism), reconnecting every 20 ms
// otherwise: in 3 s it is refused once, and the handler is asked once.
void error_is_fatal() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  std::string status = *rc::gen::element<std::string>("400", "500");
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  std::shared_ptr<ZapLog> log = serve(lab, [status](const ZapFrames&) { return status; });
  Pair p = make_pair(lab, SocketType::kPull, SocketType::kPush, c, c, true);
  lab.send(p.client, {"c"});
  RC_ASSERT(lab.wait_for([&] { return p.client->monitor_count(monitor::kHandshakeFailedAuth) > 0; },
                         10'000));
  lab.advance_ms(3'000);
  RC_ASSERT(p.client->monitor_count(monitor::kHandshakeFailedAuth) == 1u);
  RC_ASSERT(log->requests.size() == 1u);
  RC_ASSERT(!lab.recv(p.server).has_value());
  evidence().exercised();
}

// --- rule/zap/user-id-and-metadata --------------------------------------------------------
// The handler admits the client with a drawn user id and drawn metadata (ZMTP 3.0 format,
// names made of rfc 27's name-chars): every message the server then receives from that client
// carries the user id as "User-Id" and each metadata property under its name, as
// zmq_msg_gets(3) reads them, next to the client's own "Socket-Type".
std::string gen_property_name() {
  static const std::string kNameChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+";
  std::string tail =
      *rc::gen::container<std::string>(*rc::gen::inRange(1, 20), rc::gen::elementOf(kNameChars));
  return "X-" + tail;  // application metadata is X- prefixed (zmq_msg_gets(3))
}

void zap_user_id_and_metadata() {
  Mech mech = gen_mech();
  Creds c = gen_creds(mech);
  std::string user = gen_word();
  std::vector<wire::Property> meta;
  std::set<std::string> names;
  int count = *rc::gen::inRange(0, 4);
  for (int i = 0; i < count; ++i) {
    std::string name = gen_property_name();
    // Names differ without regard to case (ZMTP property names are case-insensitive).
    std::string lower = name;
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (!names.insert(lower).second || lower == "user-id" || lower == "socket-type") continue;
    meta.emplace_back(name, gen_word());
  }
  std::string metadata = wire::bytes::properties(meta);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask() | fault_bit(sim::FaultKind::kZapSlow)),
          2);
  maybe_bytewise(lab);
  bool bound = lab.serve_zap(0, [user, metadata](const ZapFrames& req) {
    std::string id = req.size() > 2 ? req[2] : "";
    return std::optional<ZapFrames>(ZapFrames{"", "1.0", id, "200", "OK", user, metadata});
  });
  if (!bound) throw Unobservable{"no ZAP handler can be bound in this implementation"};
  Pair p =
      make_pair(lab, SocketType::kDealer, SocketType::kDealer, c, c, *rc::gen::arbitrary<bool>());
  RC_ASSERT(lab.wait_for([&] { return (p.client->events() & kPollOut) != 0; }, 60'000));
  int n = *rc::gen::inRange(1, 4);
  for (int i = 0; i < n; ++i) RC_ASSERT(lab.send(p.client, {"c" + std::to_string(i)}));
  for (int i = 0; i < n; ++i) {
    std::optional<Parts> got;
    RC_ASSERT(lab.wait_for([&] { return (got = lab.recv(p.server)).has_value(); }, 10'000));
    RC_ASSERT(got->back() == "c" + std::to_string(i));
    RC_ASSERT(p.server->property("User-Id") == std::optional<std::string>(user));
    RC_ASSERT(p.server->property("Socket-Type") == std::optional<std::string>("DEALER"));
    for (const wire::Property& m : meta) {
      RC_ASSERT(p.server->property(m.first) == std::optional<std::string>(m.second));
    }
  }
  evidence().count(std::string(mech_name(mech)) + "_metadata_" + std::to_string(meta.size()));
  evidence().exercised();
}

// --- the man in the middle ----------------------------------------------------------------
// An actor on h2 that the client connects to instead of the server (h0:kPort): it carries
// each connection byte for byte, the greeting as it comes and then whole frames through
// `edit`, which may forward a frame, change it, hold it back or repeat it. What the client
// sent on the first connection is kept for a later replay.
struct Mitm {
  using Edit = std::function<void(int conn, bool to_server, std::string frame, std::string* out)>;
  Edit edit;
  // Whether to close connection `conn` now (checked after each write): a cut link.
  std::function<bool(int conn)> cut = [](int) { return false; };
  int connections = 0;
  bool tampered = false;        // the edit changed something
  std::string first_to_server;  // every byte the client sent on connection 0
};

constexpr uint16_t kMitmPort = 6000;

// A frame's size from its header, once `buf` holds the header; nullopt before.
std::optional<size_t> frame_length(const std::string& buf) {
  if (buf.size() < 2) return std::nullopt;
  uint8_t flags = uint8_t(buf[0]);
  size_t head = (flags & 0x02) ? 9 : 2;
  if (buf.size() < head) return std::nullopt;
  uint64_t size = 0;
  if (flags & 0x02) {
    for (size_t i = 1; i < 9; ++i) size = (size << 8) | uint8_t(buf[i]);
  } else {
    size = uint8_t(buf[1]);
  }
  return head + size;
}

// A frame's body (past its header).
std::string frame_body(const std::string& frame) {
  size_t head = (uint8_t(frame[0]) & 0x02) ? 9 : 2;
  return frame.substr(head);
}

// Whether a frame is the command `name`.
bool is_command(const std::string& frame, std::string_view name) {
  std::string body = frame_body(frame);
  return !body.empty() && uint8_t(body[0]) == name.size() &&
         body.compare(1, name.size(), name) == 0;
}

sim::Task<> mitm_pipe(sim::Ctx& ctx, sim::RawConn* from, sim::RawConn* to, std::shared_ptr<Mitm> m,
                      int conn, bool to_server) {
  std::string buf;
  size_t greeting_left = 64;
  for (;;) {
    size_t had = buf.size();
    if (co_await ctx.raw_read(from, &buf) != Err::kOk) break;
    if (to_server && conn == 0) m->first_to_server += buf.substr(had);
    std::string out;
    if (greeting_left > 0) {
      size_t n = std::min(greeting_left, buf.size());
      out += buf.substr(0, n);
      buf.erase(0, n);
      greeting_left -= n;
    }
    while (greeting_left == 0) {
      std::optional<size_t> len = frame_length(buf);
      if (!len || buf.size() < *len) break;
      std::string frame = buf.substr(0, *len);
      buf.erase(0, *len);
      m->edit(conn, to_server, std::move(frame), &out);
    }
    if (!out.empty() && co_await ctx.raw_write(to, out) != Err::kOk) break;
    if (m->cut(conn)) break;
  }
  from->close();
  to->close();
}

void start_mitm(Lab& lab, std::shared_ptr<Mitm> m) {
  sim::World& w = lab.world();
  w.spawn(
      2, "mitm",
      [&w, m](sim::Ctx& ctx) -> sim::Task<> {
        Err err = Err::kOk;
        sim::RawListener* l = ctx.raw_listen(kMitmPort, &err);
        if (l == nullptr) co_return;
        for (;;) {
          sim::RawConn* client = nullptr;
          if (co_await ctx.raw_accept(l, &client) != Err::kOk) co_return;
          sim::RawConn* server = nullptr;
          if (co_await ctx.raw_connect("h0", uint16_t(kPort), &server) != Err::kOk) {
            client->close();
            continue;
          }
          int conn = m->connections++;
          w.spawn(
              2, "mitm-c2s",
              [client, server, m, conn](sim::Ctx& c) {
                return mitm_pipe(c, client, server, m, conn, true);
              },
              true);
          w.spawn(
              2, "mitm-s2c",
              [client, server, m, conn](sim::Ctx& c) {
                return mitm_pipe(c, server, client, m, conn, false);
              },
              true);
        }
      },
      /*daemon=*/true);
}

// A CURVE PULL server on h0 and PUSH client on h1 that reaches it through the man in the middle.
// With `server_sends`, the server is the PUSH and the client the PULL.
Pair curve_pair_through(Lab& lab, const Creds& c, std::shared_ptr<Mitm> m,
                        bool server_sends = false) {
  start_mitm(lab, std::move(m));
  SocketType sender = SocketType::kPush, receiver = SocketType::kPull;
  Pair p{lab.socket(0, server_sends ? sender : receiver),
         lab.socket(1, server_sends ? receiver : sender)};
  make_server(p.server, c);
  make_client(p.client, c);
  RC_ASSERT(p.server->bind("tcp://*:" + std::to_string(kPort)) == Err::kOk);
  RC_ASSERT(p.client->connect(lab.endpoint(2, kMitmPort)) == Err::kOk);
  return p;
}

// Indices received, each at most once and in order (each greater than the one before).
std::vector<int> assert_at_most_once_in_order(const std::vector<Parts>& got) {
  std::vector<int> out;
  for (const Parts& p : got) out.push_back(std::stoi(p.back()));
  for (size_t i = 1; i < out.size(); ++i) RC_ASSERT(out[i] > out[i - 1]);
  return out;
}

// --- rule/curve/nonce-replay ------------------------------------------------------------
// On the first connection the man in the middle replays the sender's k-th MESSAGE command
// (sends it twice), or holds it back and sends it after the next one; the sender is the client
// or the server, as drawn. The receiver must refuse the short nonce that does not grow and
// drop that connection: whatever it delivers, it delivers at most once and in the order sent,
// and it reports the protocol failure.
void curve_nonce_replay() {
  auto m = std::make_shared<Mitm>();
  int victim = *rc::gen::inRange(0, 4);
  bool reorder = *rc::gen::arbitrary<bool>();
  bool server_sends = *rc::gen::arbitrary<bool>();
  auto messages = std::make_shared<int>(0);
  auto held = std::make_shared<std::string>();
  Mitm* mp = m.get();
  m->edit = [=](int conn, bool to_server, std::string frame, std::string* out) {
    if (conn != 0 || to_server == server_sends || !is_command(frame, "MESSAGE")) {
      *out += frame;
      return;
    }
    int k = (*messages)++;
    if (k == victim && !reorder) {
      *out += frame + frame;  // the replay
      mp->tampered = true;
    } else if (k == victim) {
      *held = frame;  // sent after the next one
    } else if (k == victim + 1 && !held->empty()) {
      *out += frame + *held;
      held->clear();
      mp->tampered = true;
    } else {
      *out += frame;
    }
  };
  int n = victim + *rc::gen::inRange(2, 8);
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m, server_sends);
  Sock* sender = server_sends ? p.server : p.client;
  Sock* receiver = server_sends ? p.client : p.server;
  RC_ASSERT(lab.wait_for([&] { return (sender->events() & kPollOut) != 0; }, 10'000));
  for (int i = 0; i < n; ++i) lab.send(sender, {std::to_string(i)});
  assert_at_most_once_in_order(drain(lab, receiver));
  if (!m->tampered) return;  // the connection died before the victim went through
  RC_ASSERT(lab.protocol_failures(receiver) > 0u);
  evidence().count(std::string(reorder ? "reordered" : "replayed") +
                   (server_sends ? "_by_server" : "_by_client"));
  evidence().exercised();
}

// --- rule/curve/transient-key-per-connection ----------------------------------------------
// The man in the middle cuts the client's first 1..3 connections once the server's READY has
// passed; the client reconnects each time. Every HELLO it sends carries another transient
// public key C': a key pair is made for each connection and never used again.
void curve_transient_key_per_connection() {
  int cuts = *rc::gen::inRange(1, 4);
  auto m = std::make_shared<Mitm>();
  auto keys = std::make_shared<std::vector<std::string>>();
  auto ready = std::make_shared<std::set<int>>();
  m->edit = [=](int conn, bool to_server, std::string frame, std::string* out) {
    if (to_server && is_command(frame, "HELLO")) {
      keys->push_back(frame_body(frame).substr(1 + 5 + 2 + 72, 32));
    }
    if (!to_server && is_command(frame, "READY")) ready->insert(conn);
    *out += frame;
  };
  m->cut = [=](int conn) { return conn < cuts && ready->count(conn) > 0; };
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m);
  RC_ASSERT(lab.wait_for([&] { return ready->count(cuts) > 0; }, 30'000));
  RC_ASSERT(keys->size() >= size_t(cuts) + 1);
  std::set<std::string> distinct(keys->begin(), keys->end());
  RC_ASSERT(distinct.size() == keys->size());
  (void)p;
  evidence().count("connections", int64_t(keys->size()));
  evidence().exercised();
}

// --- rule/curve/hello-fields-validated ----------------------------------------------------
// On the first connection the man in the middle sets one or more of the client's HELLO padding
// octets (72 of them, after the name and the version) to a non-zero value. The server must
// refuse it: a protocol failure, no WELCOME back on that connection, and nothing crosses twice.
void curve_hello_fields_validated() {
  std::vector<int> at =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 72)));
  uint8_t value = uint8_t(*rc::gen::inRange(1, 256));
  auto m = std::make_shared<Mitm>();
  Mitm* mp = m.get();
  auto welcomed = std::make_shared<bool>(false);
  m->edit = [=](int conn, bool to_server, std::string frame, std::string* out) {
    if (conn == 0 && !to_server && is_command(frame, "WELCOME")) *welcomed = true;
    if (conn != 0 || !to_server || !is_command(frame, "HELLO")) {
      *out += frame;
      return;
    }
    std::string body = frame_body(frame);
    for (int i : at) body[1 + 5 + 2 + size_t(i)] = char(value);
    *out += wire::bytes::frame(body, /*more=*/false, /*command=*/true);
    mp->tampered = true;
  };
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m);
  int n = *rc::gen::inRange(1, 4);
  for (int i = 0; i < n; ++i) lab.send(p.client, {std::to_string(i)});
  RC_ASSERT(lab.wait_for([&] { return lab.protocol_failures(p.server) > 0; }, 10'000));
  lab.advance_ms(500);
  EXPECT_RULE(m->tampered, "the man in the middle to have tampered with a MESSAGE");
  RC_ASSERT(!*welcomed);
  assert_at_most_once_in_order(drain(lab, p.server));
  evidence().count("padding_octets_set", int64_t(at.size()));
  evidence().exercised();
}

// --- rule/curve/client-validates-welcome-and-ready -------------------------------------------
// On the first connection the man in the middle breaks the server's WELCOME or READY: one
// byte of its box flipped, or its last byte cut (the frame re-sized). The client must refuse
// it: it reports a protocol failure and that connection never counts as a handshake (the
// client's handshakes stay below the connections made), nothing crosses twice, and the client
// sends no ERROR: in RFC 26's grammar only the server does.
void curve_client_validates() {
  bool welcome = *rc::gen::arbitrary<bool>();
  bool cut = *rc::gen::arbitrary<bool>();
  std::string_view name = welcome ? "WELCOME" : "READY";
  // The box starts past the name and the nonce (16 octets for WELCOME, 8 for READY).
  size_t box_at = 1 + name.size() + (welcome ? 16 : 8);
  int flip_at = *rc::gen::inRange(0, 16);  // within the box's first 16 bytes (its MAC)
  uint8_t flip_mask = uint8_t(*rc::gen::inRange(1, 256));
  auto m = std::make_shared<Mitm>();
  Mitm* mp = m.get();
  auto client_error = std::make_shared<bool>(false);
  m->edit = [=](int conn, bool to_server, std::string frame, std::string* out) {
    if (to_server && is_command(frame, "ERROR")) *client_error = true;
    if (conn != 0 || to_server || !is_command(frame, name)) {
      *out += frame;
      return;
    }
    std::string body = frame_body(frame);
    if (cut) {
      body.pop_back();
    } else {
      body[box_at + size_t(flip_at)] = char(uint8_t(body[box_at + size_t(flip_at)]) ^ flip_mask);
    }
    *out += wire::bytes::frame(body, /*more=*/false, /*command=*/true);
    mp->tampered = true;
  };
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m);
  int n = *rc::gen::inRange(1, 5);
  for (int i = 0; i < n; ++i) lab.send(p.client, {std::to_string(i)});
  RC_ASSERT(lab.wait_for([&] { return lab.protocol_failures(p.client) > 0; }, 10'000));
  lab.advance_ms(1'000);
  EXPECT_RULE(m->tampered, "the man in the middle to have tampered with a MESSAGE");
  RC_ASSERT(lab.handshakes(p.client) < uint64_t(m->connections));
  assert_at_most_once_in_order(drain(lab, p.server));
  RC_ASSERT(!*client_error);  // only a server sends ERROR (the grammar: S:error)
  evidence().count(std::string(name) + (cut ? "_cut" : "_flipped"));
  evidence().exercised();
}

// --- rule/curve/invalid-message-no-error ----------------------------------------------------
// On the first connection the man in the middle flips one byte of the box of the client's k-th
// MESSAGE. The server must drop the connection (a protocol failure) and send nothing back in
// answer: no ERROR, and, since a PULL server has nothing else to say (no heartbeats), no frame
// at all after the broken MESSAGE reached it. Nothing crosses twice.
void curve_invalid_message_no_error() {
  int victim = *rc::gen::inRange(0, 3);
  int flip_at = *rc::gen::inRange(0, 16);
  uint8_t flip_mask = uint8_t(*rc::gen::inRange(1, 256));
  auto m = std::make_shared<Mitm>();
  Mitm* mp = m.get();
  auto messages = std::make_shared<int>(0);
  auto after = std::make_shared<int>(0);  // server frames on connection 0 after the flip
  m->edit = [=](int conn, bool to_server, std::string frame, std::string* out) {
    if (conn == 0 && !to_server && mp->tampered) ++*after;
    if (conn != 0 || !to_server || !is_command(frame, "MESSAGE") || (*messages)++ != victim) {
      *out += frame;
      return;
    }
    std::string body = frame_body(frame);
    size_t box_at = 1 + 7 + 8;  // past the name and the short nonce
    body[box_at + size_t(flip_at)] = char(uint8_t(body[box_at + size_t(flip_at)]) ^ flip_mask);
    *out += wire::bytes::frame(body, /*more=*/false, /*command=*/true);
    mp->tampered = true;
  };
  int n = victim + *rc::gen::inRange(1, 4);
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m);
  for (int i = 0; i < n; ++i) lab.send(p.client, {std::to_string(i)});
  RC_ASSERT(lab.wait_for([&] { return m->tampered; }, 10'000));
  RC_ASSERT(lab.wait_for([&] { return lab.protocol_failures(p.server) > 0; }, 10'000));
  std::vector<int> got = assert_at_most_once_in_order(drain(lab, p.server));
  for (int i : got) RC_ASSERT(i != victim);  // the broken one is never delivered
  RC_ASSERT(*after == 0);
  evidence().exercised();
}

// --- rule/curve/handshake-replay-refused -----------------------------------------------------
// Once the client's messages have arrived, the man in the middle opens a connection of its own
// to the server and replays, byte for byte, everything the client sent on the first one:
// greeting, HELLO, INITIATE (holding the first WELCOME's cookie) and the MESSAGEs. The server
// answers the replayed HELLO with a new cookie, so the old one in the replayed INITIATE must
// not open: the server refuses that connection (a protocol failure) and delivers nothing twice.
sim::Task<> replay_to_server(sim::Ctx& ctx, std::string bytes) {
  sim::RawConn* conn = nullptr;
  if (co_await ctx.raw_connect("h0", uint16_t(kPort), &conn) != Err::kOk) co_return;
  if (co_await ctx.raw_write(conn, std::move(bytes)) != Err::kOk) co_return;
  std::string ignored;
  while (co_await ctx.raw_read(conn, &ignored) == Err::kOk) ignored.clear();
  conn->close();
}

void curve_handshake_replay() {
  auto m = std::make_shared<Mitm>();
  m->edit = [](int, bool, std::string frame, std::string* out) { *out += frame; };
  Creds c = gen_creds(Mech::kCurve);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 3);
  Pair p = curve_pair_through(lab, c, m);
  int n = *rc::gen::inRange(1, 5);
  for (int i = 0; i < n; ++i) lab.send(p.client, {std::to_string(i)});
  std::vector<int> got;
  RC_ASSERT(lab.wait_for(
      [&] {
        while (auto part = lab.recv(p.server)) got.push_back(std::stoi(part->back()));
        return got.size() >= size_t(n);
      },
      10'000));
  std::vector<int> sent;
  for (int i = 0; i < n; ++i) sent.push_back(i);
  RC_ASSERT(got == sent);
  RC_PRE(m->connections == 1);  // one connection carried it all: its bytes are the whole story
  uint64_t failures = lab.protocol_failures(p.server);
  std::string bytes = m->first_to_server;
  lab.world().spawn(
      2, "replayer", [bytes](sim::Ctx& ctx) { return replay_to_server(ctx, bytes); }, true);
  RC_ASSERT(lab.wait_for([&] { return lab.protocol_failures(p.server) > failures; }, 10'000));
  lab.advance_ms(500);
  RC_ASSERT(drain(lab, p.server).empty());
  evidence().count("replayed_bytes", int64_t(bytes.size()));
  evidence().exercised();
}

}  // namespace

void add_security_rule_properties(std::vector<Property>& out) {
  out.push_back({"rule/plain/admits-valid-client", "DEALER", "security",
                 [] { admits_valid_client(Mech::kPlain); }});
  out.push_back(
      {"rule/plain/refuses-invalid-client", "DEALER", "security", plain_refuses_invalid_client});
  out.push_back({"rule/curve/admits-valid-client", "DEALER", "security",
                 [] { admits_valid_client(Mech::kCurve); }});
  out.push_back({"rule/curve/wrong-server-key", "PUSH", "security", curve_wrong_server_key});
  out.push_back({"rule/curve/nonce-replay", "PULL", "security", curve_nonce_replay, true});
  out.push_back({"rule/curve/transient-key-per-connection", "PUSH", "security",
                 curve_transient_key_per_connection, true});
  out.push_back({"rule/curve/hello-fields-validated", "PULL", "security",
                 curve_hello_fields_validated, true});
  out.push_back({"rule/curve/client-validates-welcome-and-ready", "PUSH", "security",
                 curve_client_validates, true});
  out.push_back(
      {"rule/curve/handshake-replay-refused", "PULL", "security", curve_handshake_replay, true});
  out.push_back({"rule/curve/invalid-message-no-error", "PULL", "security",
                 curve_invalid_message_no_error, true});
  out.push_back({"rule/curve/refusal-is-error", "PUSH", "security", curve_refusal_is_error});
  out.push_back(
      {"rule/zap/plain-credentials", "DEALER", "security", [] { zap_credentials(Mech::kPlain); }});
  out.push_back(
      {"rule/zap/curve-credentials", "DEALER", "security", [] { zap_credentials(Mech::kCurve); }});
  out.push_back({"rule/zap/request-format", "DEALER", "security", zap_request_format});
  out.push_back({"rule/zap/status-codes", "DEALER", "security", zap_status_codes});
  out.push_back({"rule/zap/malformed-reply", "DEALER", "security", zap_malformed_reply});
  out.push_back({"rule/zap/user-id-and-metadata", "DEALER", "security", zap_user_id_and_metadata});
  out.push_back({"rule/zap/reply-awaited", "DEALER", "security", zap_reply_awaited, true});
  out.push_back({"rule/security/mechanism-mismatch", "PUSH", "security", mechanism_mismatch});
  out.push_back({"rule/security/error-is-fatal", "PUSH", "security", error_is_fatal});
}

}  // namespace zlab::conform
