// REQ, REP and DEALER rules: envelopes, alternation, routing to the requester (spec/rules.json).
//
// Envelopes are checked with a peer of another type on the other end: a ROUTER sees what a REQ
// really puts on the wire, a DEALER must write by hand what a REQ would. Alternation rules run
// a generated sequence of operations against a model of the state machine. Where lossy faults
// are allowed, a property asserts only what still holds: whatever arrives is exact, in order and
// never duplicated, and nothing goes to the wrong peer.
#include <rapidcheck/state.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "conformance/properties/common.h"
#include "engine/sockets/options.h"

namespace zlab::conform {
namespace {

// --- helpers (candidates for common.h) ---

// One frame: a short string, possibly empty.
std::string gen_frame(bool allow_empty) {
  std::string s =
      *rc::gen::resize(5, rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'e')));
  if (!allow_empty && s.empty()) s = "x";
  return s;
}

// Between lo and hi frames.
Parts gen_frames(int lo, int hi, bool allow_empty) {
  int n = *rc::gen::inRange(lo, hi + 1);
  Parts p;
  for (int i = 0; i < n; ++i) p.push_back(gen_frame(allow_empty));
  return p;
}

Parts cat(Parts a, const Parts& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Half the cases may draw lossy faults too (any mix of them, shrinking towards none), so that
// exact checks still run often; the other half only benign ones.
uint32_t gen_mixed_faults() {
  return gen_faults(
      *rc::gen::element(benign_fault_mask(), benign_fault_mask() | lossy_fault_mask()));
}

// How long to wait for something that must come: a little, or, while lossy faults may still
// act, until they are over plus enough for reconnection and retransmission.
int64_t patience_ms(const Lab& lab, int64_t base = 2000) {
  if (!drew_lossy_faults(lab)) return base;
  int64_t left_ms = (lab.faults().window_end_ns - lab.now_ns()) / 1'000'000;
  return std::max<int64_t>(0, left_ms) + base + 4000;
}

// A whole message from `s` within `ms`, or nothing.
std::optional<Parts> recv_within(Lab& lab, Sock* s, int64_t ms) {
  std::optional<Parts> got;
  lab.wait_for(
      [&] {
        got = lab.recv(s);
        return got.has_value();
      },
      ms);
  return got;
}

// The index of a socket in `socks` with a message to read, within `ms`; -1 if none.
int ready_among(Lab& lab, const std::vector<Sock*>& socks, int64_t ms) {
  int who = -1;
  lab.wait_for(
      [&] {
        for (size_t i = 0; i < socks.size(); ++i) {
          if (socks[i]->events() & kPollIn) {
            who = int(i);
            return true;
          }
        }
        return false;
      },
      ms);
  return who;
}

// Sends, retrying while the socket says EAGAIN (a peer not yet connected, a small HWM).
bool send_within(Lab& lab, Sock* s, const Parts& parts, int64_t ms) {
  return lab.wait_for([&] { return lab.send(s, parts); }, ms);
}

// An out-of-turn call: refused, and not with EAGAIN (which would mean "try again later").
void assert_refused(Err err) {
  RC_ASSERT(err != Err::kOk);
  RC_ASSERT(err != Err::kAgain);
  evidence().count(err == Err::kFsm ? "refused_efsm" : "refused_other_error");
}

// `got` is an in-order subsequence of `expected` (exactly `expected` unless `may_lose`).
void assert_subsequence(const std::vector<Parts>& got, const std::vector<Parts>& expected,
                        bool may_lose) {
  size_t at = 0;
  for (const Parts& g : got) {
    while (at < expected.size() && expected[at] != g) {
      // skipped: lost, which only a lossy fault may do
      EXPECT_RULE(may_lose, "no message skipped (only a lossy fault may lose one), message "
                                << at << " of " << expected.size() << " was");
      ++at;
    }
    RC_ASSERT(at < expected.size());  // unexpected, duplicated or out of order
    ++at;
  }
  if (!may_lose) RC_ASSERT(at == expected.size());
}

// Which clients in `order` were served in each round: every round must serve each client that
// still had messages waiting exactly once (a rotating fair queue over ready peers).
void assert_fair_rounds(const std::vector<int>& order, std::vector<int> backlog) {
  size_t at = 0;
  while (at < order.size()) {
    std::set<int> waiting;
    for (size_t i = 0; i < backlog.size(); ++i) {
      if (backlog[i] > 0) waiting.insert(int(i));
    }
    EXPECT_RULE(!waiting.empty(), "some peer with a backlog");
    RC_ASSERT(at + waiting.size() <= order.size());
    std::set<int> served(order.begin() + long(at), order.begin() + long(at + waiting.size()));
    RC_ASSERT(served == waiting);
    for (int c : waiting) --backlog[size_t(c)];
    at += waiting.size();
  }
  for (int b : backlog) RC_ASSERT(b == 0);
}

// A socket of `type` on `host` that connects to h0:5555.
Sock* client(Lab& lab, uint32_t host, SocketType type, const std::string& identity = "") {
  Sock* s = lab.socket(host, type);
  if (!identity.empty()) s->set_bytes(opt::kRoutingId, identity);
  RC_ASSERT(s->connect(lab.endpoint(0, 5555)) == Err::kOk);
  return s;
}

// --- REQ ---

// rule/REQ/envelope-delimiter: a ROUTER sees [id, "", request...]; a reply [id, "", body...]
// reaches the REQ application as exactly body; replies without the delimiter are never handed
// to the application.
void req_envelope_delimiter() {
  uint32_t mask = gen_mixed_faults();
  int rounds = *rc::gen::inRange(1, 6);
  Lab lab(gen_world_seed(), mask, 2);
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* router = lab.socket(0, SocketType::kRouter);
  RC_ASSERT(router->bind("tcp://*:5555") == Err::kOk);
  Sock* req = client(lab, 1, SocketType::kReq);
  int trips = 0;
  for (int r = 0; r < rounds; ++r) {
    Parts body = gen_frames(0, 3, true);
    body.push_back("q" + std::to_string(r));
    RC_ASSERT(lab.send(req, body));
    auto got = recv_within(lab, router, patience_ms(lab));
    if (!got) {  // lost with its connection: the REQ waits for that reply for ever
      RC_ASSERT(drew_lossy_faults(lab));
      evidence().count("request_lost");
      break;
    }
    RC_ASSERT(got->size() == body.size() + 2);
    RC_ASSERT((*got)[1].empty());  // the delimiter, right after the routing id
    RC_ASSERT(Parts(got->begin() + 2, got->end()) == body);
    const std::string id = (*got)[0];
    if (*rc::gen::arbitrary<bool>()) {
      // Replies without the delimiter first: the REQ expects one, so none of these is a reply.
      RC_ASSERT(lab.send(router, {id, "no-delimiter"}));
      RC_ASSERT(lab.send(router, {id, "x", "", "y"}));
      RC_ASSERT(lab.send(router, {id, ""}));
      evidence().count("malformed_replies", 3);
    }
    Parts reply = gen_frames(0, 3, true);
    reply.push_back("r" + std::to_string(r));
    RC_ASSERT(lab.send(router, cat({id, ""}, reply)));
    auto back = recv_within(lab, req, patience_ms(lab));
    if (!back) {
      RC_ASSERT(drew_lossy_faults(lab));
      evidence().count("reply_lost");
      break;
    }
    RC_ASSERT(*back == reply);
    ++trips;
  }
  evidence().count("round_trips", trips);
  if (trips > 0) evidence().exercised();
}

// rule/REQ/strict-alternation, as an rc::state machine: commands "the application sends",
// "the application takes a reply" and "the server answers", in any generated order (shrunk
// command by command). A send while a reply is awaited and a receive while none is are refused
// (not EAGAIN) and change nothing: the refused request never reaches the wire, the awaited
// reply still comes, exactly; in-turn calls succeed. Under lossy faults a request or reply may
// be lost: the REQ then waits for ever, still refusing sends.
namespace req_alternation {

// What the protocol says the REQ is doing, as long as no fault lost the exchange (the model
// cannot know that; the Sut records it, and from then on the REQ must wait for ever).
struct Model {
  bool awaiting = false;  // a request was accepted; its reply is not yet taken
  bool answered = false;  // the server has sent that reply
  int next = 0;           // number of the next accepted request
};

// The sockets, and what only the run can know: whether a fault lost the exchange.
struct Sut {
  Lab* lab;
  Sock* req;
  Sock* router;
  bool lost = false;
  Parts request;  // the accepted request's frames
  int refusals = 0;
  int trips_after_refusal = 0;
};

using Command = rc::state::Command<Model, Sut>;

struct AppSends : Command {
  Parts frames = gen_frames(0, 2, true);
  void apply(Model& m) const override {
    if (m.awaiting) return;  // refused: nothing changes
    m.awaiting = true;
    m.answered = false;
    ++m.next;
  }
  void run(const Model& m, Sut& sut) const override {
    Parts parts = cat(frames, {"q" + std::to_string(m.next)});
    Err err = Err::kOk;
    bool ok = sut.lab->send(sut.req, parts, &err);
    if (m.awaiting || sut.lost) {
      EXPECT_RULE(!ok, "the REQ to refuse a send while awaiting its reply");
      assert_refused(err);
      ++sut.refusals;
    } else {
      EXPECT_RULE(
          ok, "the REQ to take a request when not awaiting a reply (err " << err_name(err) << ")");
      sut.request = parts;
    }
  }
  void show(std::ostream& os) const override {
    os << "app sends " << frames.size() + 1 << " frames";
  }
};

struct AppTakesReply : Command {
  void apply(Model& m) const override {
    if (m.awaiting && m.answered) m.awaiting = false;
  }
  void run(const Model& m, Sut& sut) const override {
    Lab& lab = *sut.lab;
    Err err = Err::kOk;
    if (!m.awaiting && !sut.lost) {
      RC_ASSERT(!lab.recv(sut.req, &err).has_value());
      assert_refused(err);
      ++sut.refusals;
    } else if (!m.answered || sut.lost) {
      RC_ASSERT(!lab.recv(sut.req, &err).has_value());  // nothing answered: nothing to take
      RC_ASSERT(err == Err::kAgain);
    } else {
      auto got = recv_within(lab, sut.req, patience_ms(lab));
      if (!got) {
        RC_ASSERT(drew_lossy_faults(lab));
        sut.lost = true;
        evidence().count("reply_lost");
        return;
      }
      RC_ASSERT(*got == Parts{"r" + std::to_string(m.next - 1)});
      if (sut.refusals > 0) ++sut.trips_after_refusal;
    }
  }
  void show(std::ostream& os) const override { os << "app takes a reply"; }
};

struct ServerAnswers : Command {
  void apply(Model& m) const override {
    if (m.awaiting) m.answered = true;
  }
  void run(const Model& m, Sut& sut) const override {
    Lab& lab = *sut.lab;
    if (!m.awaiting || m.answered || sut.lost) {
      lab.advance_ms(20);
      RC_ASSERT(!lab.recv(sut.router).has_value());  // refused requests never went out
      return;
    }
    auto got = recv_within(lab, sut.router, patience_ms(lab));
    if (!got) {
      RC_ASSERT(drew_lossy_faults(lab));
      sut.lost = true;
      evidence().count("request_lost");
      return;
    }
    RC_ASSERT(got->size() == sut.request.size() + 2);
    RC_ASSERT((*got)[1].empty());
    RC_ASSERT(Parts(got->begin() + 2, got->end()) == sut.request);
    RC_ASSERT(lab.send(sut.router, {(*got)[0], "", "r" + std::to_string(m.next - 1)}));
  }
  void show(std::ostream& os) const override { os << "server answers"; }
};

}  // namespace req_alternation

void req_strict_alternation() {
  using namespace req_alternation;
  uint32_t mask = gen_mixed_faults();
  Lab lab(gen_world_seed(), mask, 2);
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* router = lab.socket(0, SocketType::kRouter);
  RC_ASSERT(router->bind("tcp://*:5555") == Err::kOk);
  Sock* req = client(lab, 1, SocketType::kReq);
  RC_ASSERT(connected(lab, router, {req}, 30'000));
  Sut sut{&lab, req, router, false, {}, 0, 0};
  const Model start;
  auto commands = *rc::state::gen::commands(
      start, rc::state::gen::execOneOfWithArgs<AppSends, AppTakesReply, ServerAnswers>());
  // A tail that always reaches the situation: ask, ask again (refused), answer, take the reply,
  // take again (refused).
  commands.push_back(std::make_shared<AppSends>());
  commands.push_back(std::make_shared<AppSends>());
  commands.push_back(std::make_shared<ServerAnswers>());
  commands.push_back(std::make_shared<AppTakesReply>());
  commands.push_back(std::make_shared<AppTakesReply>());
  rc::state::runAll(commands, start, sut);
  evidence().count("refusals", sut.refusals);
  evidence().count("round_trips_after_refusal", sut.trips_after_refusal);
  if (sut.refusals > 0 && sut.trips_after_refusal > 0) evidence().exercised();
}

// rule/REQ/round-robin: with k services connected (whichever side binds), request j goes to
// the service request j mod k went to, and the first k requests reach k different services.
void req_round_robin() {
  int k = *rc::gen::inRange(2, 6);
  int m = *rc::gen::inRange(k, 3 * k + 1);
  bool hub_binds = *rc::gen::arbitrary<bool>();
  auto fan = make_fan(SocketType::kReq, SocketType::kRep, k, hub_binds);
  Lab& lab = fan->lab;
  std::vector<int> went_to;
  for (int j = 0; j < m; ++j) {
    Parts body = gen_frames(0, 2, true);
    body.push_back("q" + std::to_string(j));
    RC_ASSERT(lab.send(fan->hub, body));
    int who = ready_among(lab, fan->spokes, 5000);
    RC_ASSERT(who >= 0);
    auto got = lab.recv(fan->spokes[size_t(who)]);
    EXPECT_RULE(got.has_value(), "the request " << j << " at the REP that polled ready");
    RC_ASSERT(*got == body);
    // Only that service got it.
    for (int i = 0; i < k; ++i) {
      if (i != who) RC_ASSERT((fan->spokes[size_t(i)]->events() & kPollIn) == 0u);
    }
    RC_ASSERT(lab.send(fan->spokes[size_t(who)], {"a" + std::to_string(j)}));
    auto reply = recv_within(lab, fan->hub, 5000);
    EXPECT_RULE(reply.has_value(), "the reply to request " << j << " at the hub within 5 s");
    RC_ASSERT(*reply == Parts{"a" + std::to_string(j)});
    went_to.push_back(who);
  }
  std::set<int> first(went_to.begin(), went_to.begin() + k);
  RC_ASSERT(first.size() == size_t(k));
  for (int j = k; j < m; ++j) RC_ASSERT(went_to[size_t(j)] == went_to[size_t(j - k)]);
  evidence().max("services", k);
  evidence().count(hub_binds ? "req_binds" : "req_connects");
  evidence().exercised();
}

// The fakes sent while a REQ waits for its answer, before the answer is sent: once one is in
// the REQ's pipes (it shows as POLLIN, as any readable data does on libzmq, JeroMQ and zlab),
// reading hands nothing to the application. Waiting for that, not for a time, makes a REQ that
// takes any peer's reply fail whatever its fair queue's turn (which pipe it reads next is its
// own state); a REQ that never shows POLLIN for them is read after the patience.
void expect_no_early_reply(Lab& lab, Sock* req) {
  if (lab.wait_for([&] { return (req->events() & kPollIn) != 0u; }, patience_ms(lab)))
    evidence().count("fake_pollin");
  auto early = lab.recv(req);
  std::string got = early ? early->back() : "";
  EXPECT_RULE(!early.has_value(),
              "nothing handed to the application before the answer was sent (got " << got << ")");
}

// rule/REQ/reply-from-last-peer: a REQ talks to k ROUTER services. While it waits for the
// reply to request j, other services send it reply-shaped messages (late answers to earlier
// requests, unsolicited ones); only the answer from the service request j went to is handed
// to the application. Fakes come only from services no later request will go to, so none can
// linger as a stale message in the pipe of a future target (see the report).
void req_reply_from_last_peer() {
  uint32_t mask = gen_mixed_faults();
  int k = *rc::gen::inRange(2, 5);
  int m = *rc::gen::inRange(1, k + 1);
  Lab lab(gen_world_seed(), mask, uint32_t(k + 1));
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* req = lab.socket(0, SocketType::kReq);
  req->set_bytes(opt::kRoutingId, "req");
  std::vector<Sock*> services;
  for (int i = 0; i < k; ++i) {
    Sock* s = lab.socket(uint32_t(i + 1), SocketType::kRouter);
    RC_ASSERT(s->bind("tcp://*:5555") == Err::kOk);
    services.push_back(s);
  }
  for (int i = 0; i < k; ++i) {
    RC_ASSERT(req->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
  }
  RC_ASSERT(connected(lab, req, services, 30'000));
  std::set<int> asked;
  int fakes = 0;
  int genuine = 0;
  for (int j = 0; j < m; ++j) {
    RC_ASSERT(lab.send(req, {"q" + std::to_string(j)}));
    int t = ready_among(lab, services, patience_ms(lab));
    if (t < 0) {
      RC_ASSERT(drew_lossy_faults(lab));
      break;
    }
    auto got = lab.recv(services[size_t(t)]);
    EXPECT_RULE(got.has_value(), "a request at service " << t << " that polled ready");
    RC_ASSERT(*got == (Parts{"req", "", "q" + std::to_string(j)}));
    if (asked.count(t) > 0) {  // only a reconnection can upset the rotation
      RC_ASSERT(drew_lossy_faults(lab));
      break;
    }
    bool last_round = j == m - 1;
    int fakes_now = 0;
    for (int i = 0; i < k; ++i) {
      if (i == t || (!last_round && asked.count(i) == 0)) continue;
      int copies = *rc::gen::inRange(1, 3);
      for (int c = 0; c < copies; ++c) {
        lab.send(services[size_t(i)], {"req", "", "fake-" + std::to_string(i)});
        ++fakes;
        ++fakes_now;
      }
    }
    asked.insert(t);
    if (fakes_now > 0) expect_no_early_reply(lab, req);
    Parts answer = {"real-" + std::to_string(j)};
    RC_ASSERT(lab.send(services[size_t(t)], cat({"req", ""}, answer)));
    auto reply = recv_within(lab, req, patience_ms(lab));
    if (!reply) {
      RC_ASSERT(drew_lossy_faults(lab));
      break;
    }
    RC_ASSERT(*reply == answer);
    ++genuine;
  }
  evidence().count("fakes_sent", fakes);
  evidence().count("genuine_replies", genuine);
  evidence().max("services", k);
  if (fakes > 0 && genuine == m && !drew_lossy_faults(lab)) evidence().exercised();
}

// rule/REQ/block-no-service: a REQ never discards a request. With ZMQ_IMMEDIATE and no
// service (none yet, or the one there was has gone), or with no endpoint at all, a send fails
// with EAGAIN (would block) for as long as that lasts and succeeds once a service is there;
// without ZMQ_IMMEDIATE a request to a service not yet listening is queued (the register,
// div/connect-before-peer-queues). Either way the request arrives exactly once.
void req_block_no_service() {
  enum Mode { kNoEndpoint, kImmediateNobody, kImmediateServiceGone, kQueued };
  Mode mode = *rc::gen::element(kNoEndpoint, kImmediateNobody, kImmediateServiceGone, kQueued);
  int waits = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* req = lab.socket(0, SocketType::kReq);
  if (mode != kQueued) req->set_int(opt::kImmediate, 1);
  std::string ep = lab.endpoint(1, 5555);
  Sock* rep = nullptr;
  auto serve = [&](const std::string& q) {
    auto got = recv_within(lab, rep, 10'000);
    EXPECT_RULE(got.has_value(), "request '" << q << "' at the REP within 10 s");
    RC_ASSERT(*got == Parts{q});
    RC_ASSERT(lab.send(rep, {"a:" + q}));
    auto reply = recv_within(lab, req, 10'000);
    EXPECT_RULE(reply.has_value(), "the reply to '" << q << "' at the REQ within 10 s");
    RC_ASSERT(*reply == Parts{"a:" + q});
    lab.advance_ms(100);
    RC_ASSERT(!lab.recv(rep).has_value());  // exactly once
  };
  auto blocked = [&] {
    for (int w = 0; w < waits; ++w) {
      Err err = Err::kOk;
      RC_ASSERT(!lab.send(req, {"blocked"}, &err));
      RC_ASSERT(err == Err::kAgain);
      RC_ASSERT((req->events() & kPollOut) == 0u);
      evidence().count("eagain");
      lab.advance_ms(*rc::gen::inRange(1, 300));
    }
  };
  auto bind_service = [&] {
    rep = lab.socket(1, SocketType::kRep);
    // A real port may take a moment to be free again after the previous service closed.
    RC_ASSERT(lab.wait_for([&] { return rep->bind("tcp://*:5555") == Err::kOk; }, 5000));
  };
  if (mode == kNoEndpoint) {
    blocked();
    bind_service();
    RC_ASSERT(req->connect(ep) == Err::kOk);
  } else if (mode == kImmediateNobody) {
    RC_ASSERT(req->connect(ep) == Err::kOk);
    blocked();
    bind_service();
  } else if (mode == kImmediateServiceGone) {
    bind_service();
    RC_ASSERT(req->connect(ep) == Err::kOk);
    RC_ASSERT(lab.wait_for([&] { return req->events() & kPollOut; }, 10'000));
    RC_ASSERT(lab.send(req, {"first"}));
    serve("first");
    rep->close();
    RC_ASSERT(lab.wait_for([&] { return (req->events() & kPollOut) == 0u; }, 10'000));
    blocked();
    bind_service();
  } else {
    RC_ASSERT(req->connect(ep) == Err::kOk);
    RC_ASSERT(lab.send(req, {"q"}));  // queued for the service to come
    evidence().count("queued");
    lab.advance_ms(*rc::gen::inRange(1, 500));
    bind_service();
    serve("q");
    evidence().exercised();
    return;
  }
  RC_ASSERT(lab.wait_for([&] { return req->events() & kPollOut; }, 10'000));
  RC_ASSERT(lab.send(req, {"q"}));
  serve("q");
  evidence().exercised();
}

// --- REP ---

// rule/REP/save-envelope: DEALER clients send [address frames..., "", body...] (several
// requests outstanding); the REP application gets exactly body, and each reply goes back as
// [the same address frames..., "", reply...] to the client that asked. Under lossy faults,
// what arrives is exact, in order and never duplicated.
void rep_save_envelope() {
  uint32_t mask = gen_mixed_faults();
  int d = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), mask, uint32_t(d + 1));
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> dealers;
  for (int i = 0; i < d; ++i) dealers.push_back(client(lab, uint32_t(i + 1), SocketType::kDealer));
  RC_ASSERT(connected(lab, rep, dealers, 30'000));
  struct Req {
    int dealer;
    Parts envelope;  // address frames, without the delimiter
    Parts body;
    Parts reply;
  };
  std::map<std::string, Req> by_tag;
  std::vector<std::vector<Parts>> expected(
      static_cast<size_t>(d));  // replies each dealer should get
  std::vector<std::vector<std::string>> sent_tags(static_cast<size_t>(d));
  int total = 0;
  for (int i = 0; i < d; ++i) {
    int n = *rc::gen::inRange(1, 5);
    for (int j = 0; j < n; ++j) {
      std::string tag = "d" + std::to_string(i) + "-" + std::to_string(j);
      Req r{i, gen_frames(i == 0 && j == 0 ? 1 : 0, 3, false), gen_frames(0, 2, true), {}};
      r.body.push_back(tag);
      r.reply = gen_frames(0, 2, true);
      r.reply.push_back("r" + tag);
      Parts wire = cat(cat(r.envelope, {""}), r.body);
      if (!send_within(lab, dealers[size_t(i)], wire, patience_ms(lab))) {
        RC_ASSERT(drew_lossy_faults(lab));
        continue;
      }
      expected[size_t(i)].push_back(cat(cat(r.envelope, {""}), r.reply));
      sent_tags[size_t(i)].push_back(tag);
      by_tag[tag] = r;
      ++total;
    }
  }
  // Serve until everything was answered, or (lossy) nothing more comes.
  std::vector<int> last_seen(size_t(d), -1);
  int served = 0;
  while (served < total) {
    auto got = recv_within(lab, rep, patience_ms(lab));
    if (!got) {
      RC_ASSERT(drew_lossy_faults(lab));
      break;
    }
    EXPECT_RULE(!got->empty(), "a request with parts");
    auto it = by_tag.find(got->back());
    RC_ASSERT(it != by_tag.end());
    const Req& r = it->second;
    RC_ASSERT(*got == r.body);  // no address frame, no delimiter
    auto& tags = sent_tags[size_t(r.dealer)];
    int index = int(std::find(tags.begin(), tags.end(), got->back()) - tags.begin());
    RC_ASSERT(index > last_seen[size_t(r.dealer)]);  // in order, never twice
    last_seen[size_t(r.dealer)] = index;
    RC_ASSERT(lab.send(rep, r.reply));
    ++served;
  }
  int with_envelope = 0;
  for (int i = 0; i < d; ++i) {
    std::vector<Parts> got = drain(lab, dealers[size_t(i)]);
    assert_subsequence(got, expected[size_t(i)], drew_lossy_faults(lab));
    for (const Parts& g : got) {
      if (g.size() > 0 && !g[0].empty()) ++with_envelope;
    }
  }
  evidence().count("served", served);
  evidence().count("replies_with_address_frames", with_envelope);
  if (with_envelope > 0) evidence().exercised();
}

// rule/REP/reply-to-requester: k REQ clients ask at once, round after round; the REP answers
// each request it reads, and every client gets the answer to its own request, never another's.
void rep_reply_to_requester() {
  uint32_t mask = gen_mixed_faults();
  int k = *rc::gen::inRange(2, 6);
  int rounds = *rc::gen::inRange(1, 4);
  Lab lab(gen_world_seed(), mask, uint32_t(k + 1));
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> clients;
  for (int i = 0; i < k; ++i) clients.push_back(client(lab, uint32_t(i + 1), SocketType::kReq));
  RC_ASSERT(connected(lab, rep, clients, 30'000));
  std::vector<bool> stuck(size_t(k), false);  // its request or reply was lost to a fault
  int best_round = 0;
  for (int r = 0; r < rounds; ++r) {
    int asking = 0;
    for (int i = 0; i < k; ++i) {
      if (stuck[size_t(i)]) continue;
      RC_ASSERT(lab.send(clients[size_t(i)], {"c" + std::to_string(i) + "r" + std::to_string(r)}));
      ++asking;
    }
    if (asking == 0) break;
    for (int s = 0; s < asking; ++s) {
      auto got = recv_within(lab, rep, patience_ms(lab));
      if (!got) {
        RC_ASSERT(drew_lossy_faults(lab));
        break;
      }
      RC_ASSERT(got->size() == 1u);
      RC_ASSERT(lab.send(rep, {"ans:" + (*got)[0]}));
    }
    int answered = 0;
    for (int i = 0; i < k; ++i) {
      if (stuck[size_t(i)]) continue;
      auto reply = recv_within(lab, clients[size_t(i)], drew_lossy_faults(lab) ? 1000 : 5000);
      if (!reply) {
        RC_ASSERT(drew_lossy_faults(lab));
        stuck[size_t(i)] = true;
        continue;
      }
      RC_ASSERT(*reply == Parts{"ans:c" + std::to_string(i) + "r" + std::to_string(r)});
      ++answered;
    }
    best_round = std::max(best_round, answered);
  }
  evidence().max("clients_answered_in_one_round", best_round);
  if (best_round >= 2) evidence().exercised();
}

// rule/REP/reply-discarded-if-requester-gone: client A asks, then goes (closes or
// disconnects) before the answer; once the REP has seen it go, the reply is accepted (send
// succeeds, the REP is ready for the next request) and reaches nobody: neither the other
// clients waiting for their own answers nor a new client connecting from A's host.
void rep_reply_discarded_if_requester_gone() {
  int others = *rc::gen::inRange(1, 4);
  bool by_close = *rc::gen::arbitrary<bool>();
  bool newcomer = *rc::gen::arbitrary<bool>();
  bool multipart = *rc::gen::arbitrary<bool>();
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), uint32_t(others + 2));
  Sock* rep = lab.socket(0, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  Sock* a = client(lab, 1, SocketType::kReq);
  std::vector<Sock*> bs;
  for (int i = 0; i < others; ++i) bs.push_back(client(lab, uint32_t(i + 2), SocketType::kReq));
  std::vector<Sock*> all = bs;
  all.push_back(a);
  RC_ASSERT(connected(lab, rep, all, 30'000));
  RC_ASSERT(lab.send(a, {"from-a"}));
  auto q = recv_within(lab, rep, 5000);
  EXPECT_RULE(q.has_value(), "a's request at the REP within 5 s");
  RC_ASSERT(*q == Parts{"from-a"});
  // The others ask too: their requests wait while A's is being answered.
  for (int i = 0; i < others; ++i)
    RC_ASSERT(lab.send(bs[size_t(i)], {"from-b" + std::to_string(i)}));
  uint64_t gone_before = rep->monitor_count(monitor::kDisconnected);
  if (by_close) {
    a->close();
  } else {
    RC_ASSERT(a->disconnect(lab.endpoint(0, 5555)) == Err::kOk);
  }
  RC_ASSERT(lab.wait_for([&] { return rep->monitor_count(monitor::kDisconnected) > gone_before; },
                         10'000));
  Sock* a2 = nullptr;
  if (newcomer) {
    a2 = client(lab, 1, SocketType::kReq);
    RC_ASSERT(lab.wait_for([&] { return lab.handshakes(a2) > 0; }, 10'000));
  }
  RC_ASSERT((rep->events() & kPollOut) != 0u);
  Parts stale = multipart ? Parts{"to-a", "", "more"} : Parts{"to-a"};
  Err err = Err::kOk;
  RC_ASSERT(lab.send(rep, stale, &err));  // silently discarded: no error
  evidence().count("discarded_replies");
  if (a2 != nullptr) RC_ASSERT(lab.send(a2, {"from-a2"}));
  // The REP goes on: every other request gets its own answer.
  int expect = others + (a2 != nullptr ? 1 : 0);
  for (int s = 0; s < expect; ++s) {
    auto got = recv_within(lab, rep, 5000);
    EXPECT_RULE(got.has_value(), "request " << s << " of " << expect << " at the REP within 5 s");
    RC_ASSERT(got->size() == 1u);
    RC_ASSERT(lab.send(rep, {"ans:" + (*got)[0]}));
  }
  for (int i = 0; i < others; ++i) {
    auto reply = recv_within(lab, bs[size_t(i)], 5000);
    EXPECT_RULE(reply.has_value(), "the reply to requester " << i << " within 5 s");
    RC_ASSERT(*reply == Parts{"ans:from-b" + std::to_string(i)});
  }
  if (a2 != nullptr) {
    auto reply = recv_within(lab, a2, 5000);
    EXPECT_RULE(reply.has_value(), "the reply to the second requester a2 within 5 s");
    RC_ASSERT(*reply == Parts{"ans:from-a2"});
  }
  evidence().count(by_close ? "requester_closed" : "requester_disconnected");
  if (newcomer) evidence().count("newcomer_from_same_host");
  evidence().exercised();
}

// rule/REP/strict-alternation: DEALER clients send requests whenever the generated sequence
// says so (so requests are often waiting while the REP must reply); a receive before the
// reply, or a send with no request taken, is refused (not EAGAIN) and changes nothing; every
// in-turn call succeeds, and each reply reaches the client whose request was taken, in order.
void rep_strict_alternation() {
  uint32_t mask = gen_mixed_faults();
  int d = *rc::gen::inRange(1, 4);
  int len = *rc::gen::inRange(0, 25);
  auto ops = *rc::gen::container<std::vector<int>>(size_t(len), rc::gen::inRange(0, 3));
  // A tail that always reaches the situation: a request waits, a reply out of turn (refused),
  // take it, take again with another waiting (refused), answer, answer again (refused).
  for (int op : {0, 0, 2, 1, 1, 2, 2}) ops.push_back(op);
  Lab lab(gen_world_seed(), mask, uint32_t(d + 1));
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> dealers;
  for (int i = 0; i < d; ++i) dealers.push_back(client(lab, uint32_t(i + 1), SocketType::kDealer));
  RC_ASSERT(connected(lab, rep, dealers, 30'000));
  std::vector<std::deque<std::string>> pending(
      static_cast<size_t>(d));  // sent, not yet taken by the REP
  std::vector<std::vector<Parts>> expected(
      static_cast<size_t>(d));  // replies each dealer should get
  bool must_reply = false;
  int current = -1;  // whose request was taken
  std::string current_tag;
  int n = 0;
  int refusals = 0;
  int refused_with_waiting = 0;
  int trips_after_refusal = 0;
  for (int op : ops) {
    if (op == 0) {  // a client asks
      int i = *rc::gen::inRange(0, d);
      std::string tag = "q" + std::to_string(n++) + "c" + std::to_string(i);
      if (!send_within(lab, dealers[size_t(i)], {"", tag}, patience_ms(lab))) {
        RC_ASSERT(drew_lossy_faults(lab));
        continue;
      }
      pending[size_t(i)].push_back(tag);
    } else if (op == 1) {  // the REP takes a request
      bool any_pending =
          std::any_of(pending.begin(), pending.end(), [](const auto& p) { return !p.empty(); });
      Err err = Err::kOk;
      if (must_reply) {
        if (any_pending) lab.advance_ms(50);  // give a waiting request time to be there
        RC_ASSERT(!lab.recv(rep, &err).has_value());
        assert_refused(err);
        ++refusals;
        if (any_pending) ++refused_with_waiting;
        continue;
      }
      std::optional<Parts> got;
      if (any_pending) {
        got = recv_within(lab, rep, patience_ms(lab));
        if (!got) {
          RC_ASSERT(drew_lossy_faults(lab));
          evidence().count("requests_lost");
          continue;
        }
      } else {
        lab.advance_ms(20);
        got = lab.recv(rep, &err);
        // nothing was asked
        EXPECT_RULE(!got.has_value(), "nothing at the REP when nothing was asked");
        RC_ASSERT(err == Err::kAgain);
        continue;
      }
      RC_ASSERT(got->size() == 1u);
      const std::string& tag = (*got)[0];
      int who = std::stoi(tag.substr(tag.find('c') + 1));
      RC_ASSERT(who >= 0 && who < d);
      auto& p = pending[size_t(who)];
      auto it = std::find(p.begin(), p.end(), tag);
      RC_ASSERT(it != p.end());                              // asked, and not taken before
      RC_ASSERT(it == p.begin() || drew_lossy_faults(lab));  // in order; gaps only when lost
      p.erase(p.begin(), it + 1);
      must_reply = true;
      current = who;
      current_tag = tag;
    } else {  // the REP answers
      Parts reply = gen_frames(0, 2, true);
      reply.push_back("a:" + current_tag);
      Err err = Err::kOk;
      bool ok = lab.send(rep, reply, &err);
      if (!must_reply) {
        EXPECT_RULE(!ok, "the REP to refuse a reply it owes nobody");
        assert_refused(err);
        ++refusals;
        continue;
      }
      // a REP never blocks on sending
      EXPECT_RULE(ok, "the REP to take the reply it owes (a REP never blocks on sending; err "
                          << err_name(err) << ")");
      expected[size_t(current)].push_back(cat({""}, reply));
      must_reply = false;
      if (refusals > 0) ++trips_after_refusal;
    }
  }
  for (int i = 0; i < d; ++i) {
    assert_subsequence(drain(lab, dealers[size_t(i)]), expected[size_t(i)], drew_lossy_faults(lab));
  }
  evidence().count("refusals", refusals);
  evidence().count("recv_refused_with_request_waiting", refused_with_waiting);
  if (refusals > 0 && trips_after_refusal > 0) evidence().exercised();
}

// rule/REP/fair-queue: k DEALER clients each with a backlog of requests (different sizes);
// the REP takes them in rounds, one from every client that still has one in each round. Under
// lossy faults: what arrives is in order without duplicates, and once the faults are over,
// every client that asks again is served.
void rep_fair_queue() {
  uint32_t mask = gen_mixed_faults();
  int k = *rc::gen::inRange(2, 5);
  auto backlog = *rc::gen::container<std::vector<int>>(size_t(k), rc::gen::inRange(1, 9));
  Lab lab(gen_world_seed(), mask, uint32_t(k + 1));
  bool lossy_case = drew_lossy_faults(lab);
  if (lossy_case) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  std::vector<Sock*> dealers;
  for (int i = 0; i < k; ++i) dealers.push_back(client(lab, uint32_t(i + 1), SocketType::kDealer));
  RC_ASSERT(connected(lab, rep, dealers, 30'000));
  if (!lossy_case) lab.wait_out_faults();
  int total = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < backlog[size_t(i)]; ++j) {
      bool ok = send_within(lab, dealers[size_t(i)],
                            {"", std::to_string(i) + ":" + std::to_string(j)}, patience_ms(lab));
      RC_ASSERT(ok || lossy_case);
      if (ok) ++total;
    }
  }
  lab.advance_ms(500);  // every backlog is at the REP
  std::vector<int> order;
  std::vector<int> last(size_t(k), -1);
  for (int s = 0; s < total; ++s) {
    auto got = recv_within(lab, rep, patience_ms(lab, 1000));
    if (!got) {
      EXPECT_RULE(lossy_case, "request " << s << " of " << total
                                         << " at the REP (only a lossy fault may lose one)");
      break;
    }
    RC_ASSERT(got->size() == 1u);
    size_t colon = (*got)[0].find(':');
    int i = std::stoi((*got)[0].substr(0, colon));
    int j = std::stoi((*got)[0].substr(colon + 1));
    RC_ASSERT(j > last[size_t(i)]);  // in order, never twice
    last[size_t(i)] = j;
    order.push_back(i);
    RC_ASSERT(lab.send(rep, {"ok"}));
  }
  if (!lossy_case) {
    assert_fair_rounds(order, backlog);
    evidence().max("clients", k);
    evidence().exercised();
    return;
  }
  // After the faults: everyone asks once more, and everyone is served.
  lab.wait_out_faults();
  while (recv_within(lab, rep, 1000)) RC_ASSERT(lab.send(rep, {"ok"}));  // late stragglers
  for (int i = 0; i < k; ++i) {
    RC_ASSERT(send_within(lab, dealers[size_t(i)], {"", "final" + std::to_string(i)}, 20'000));
  }
  std::set<int> finals;
  RC_ASSERT(lab.wait_for(
      [&] {
        while (auto got = lab.recv(rep)) {
          RC_ASSERT(lab.send(rep, {"ok"}));
          if ((*got)[0].rfind("final", 0) == 0) finals.insert(std::stoi((*got)[0].substr(5)));
        }
        return int(finals.size()) == k;
      },
      20'000));
  evidence().count("served_after_faults", k);
  evidence().exercised();
}

// rule/REP/never-blocks-on-send: a client that never reads its replies fills the path back to
// it (small HWMs and buffers, large replies); every reply the REP sends still succeeds at once,
// and the REP keeps serving a well-behaved client meanwhile. Whether the replies reach the
// slow client is not asserted (the register: div/REP/no-mute-row); that fewer reach it than
// were sent, read at the end, is what shows the path was full (the REP's own drop count, where
// it keeps one, says so at once).
void rep_never_blocks_on_send() {
  uint32_t mask = gen_mixed_faults();
  int hwm = *rc::gen::inRange(1, 20);
  bool polite = *rc::gen::arbitrary<bool>();
  Lab lab(gen_world_seed(), mask, 3);
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  rep->set_int(opt::kSndHwm, hwm);
  rep->set_int(opt::kSndBuf, 8192);
  rep->set_int(opt::kRcvBuf, 8192);
  RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  Sock* hog = lab.socket(1, SocketType::kDealer);
  hog->set_int(opt::kRcvHwm, hwm);
  hog->set_int(opt::kSndBuf, 8192);
  hog->set_int(opt::kRcvBuf, 8192);
  RC_ASSERT(hog->connect(lab.endpoint(0, 5555)) == Err::kOk);
  Sock* nice = polite ? client(lab, 2, SocketType::kReq) : nullptr;
  RC_ASSERT(connected(lab, rep, polite ? std::vector<Sock*>{hog, nice} : std::vector<Sock*>{hog},
                      30'000));
  std::string big(4000, 'r');
  // Without a drop count the path counts as full past this many replies to the hog: 2 HWMs
  // plus 1 MiB, far beyond its 8 KiB socket buffers and the engines' batches (zlab holds ~80).
  const int surely_full = 2 * hwm + (1 << 20) / int(big.size());
  int replies = 0;
  int hog_replies = 0;
  int polite_trips = 0;
  int polite_trips_while_full = 0;
  bool nice_waiting = false;
  int nice_n = 0;
  int batches_full = 0;
  auto full = [&] {
    std::optional<uint64_t> counted = rep->counted_drops();
    return counted ? *counted > 0 : hog_replies > surely_full;
  };
  for (int batch = 0; batch < 2500; ++batch) {              // at most 5 s: past any fault
    for (int j = 0; j < 20; ++j) lab.send(hog, {"", "h"});  // never reads the answers
    if (polite && !nice_waiting) {
      RC_ASSERT(lab.send(nice, {"p" + std::to_string(nice_n)}));
      nice_waiting = true;
    }
    lab.advance_ms(2);
    while (auto got = lab.recv(rep)) {
      RC_ASSERT((rep->events() & kPollOut) != 0u);
      bool from_polite = got->size() == 1 && (*got)[0].rfind("p", 0) == 0;
      Parts reply = from_polite ? Parts{"ans:" + (*got)[0]} : Parts{big};
      Err err = Err::kOk;
      RC_ASSERT(lab.send(rep, reply, &err));  // never EAGAIN, never blocks
      ++replies;
      if (!from_polite) ++hog_replies;
    }
    if (polite && nice_waiting) {
      if (auto ans = lab.recv(nice)) {
        RC_ASSERT(*ans == Parts{"ans:p" + std::to_string(nice_n)});
        nice_waiting = false;
        ++nice_n;
        ++polite_trips;
        if (full()) ++polite_trips_while_full;
      }
    }
    if (full()) {
      // Full: one more polite round trip shows the REP still serving (unless a fault lost it).
      if (!polite || polite_trips_while_full > 0 || ++batches_full > 50) break;
    }
  }
  std::optional<uint64_t> counted = rep->counted_drops();
  int hog_got = 0;
  for (const Parts& got : drain(lab, hog)) {
    RC_ASSERT(got == (Parts{"", big}));  // what reaches it is whole
    ++hog_got;
  }
  RC_ASSERT(hog_got <= hog_replies);
  bool dropped = counted ? *counted > 0 : hog_got < hog_replies;
  evidence().count("replies", replies);
  evidence().count("hog_replies", hog_replies);
  evidence().count("hog_received", hog_got);
  if (counted) evidence().count("replies_dropped_for_slow_client", int64_t(*counted));
  evidence().count("polite_round_trips", polite_trips);
  if (dropped) evidence().exercised();
}

// --- DEALER ---

// rule/DEALER/delimiter-to-rep: DEALERs talking to a REP send [""] + body (several requests
// outstanding); the REP application gets exactly body, and each DEALER receives ["", reply...]
// for its requests, in order. Either side may bind. Under lossy faults: an exact, in-order
// subsequence.
void dealer_delimiter_to_rep() {
  uint32_t mask = gen_mixed_faults();
  int d = *rc::gen::inRange(1, 3);
  bool rep_binds = *rc::gen::arbitrary<bool>();
  Lab lab(gen_world_seed(), mask, uint32_t(d + 1));
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* rep = lab.socket(0, SocketType::kRep);
  std::vector<Sock*> dealers;
  if (rep_binds) RC_ASSERT(rep->bind("tcp://*:5555") == Err::kOk);
  for (int i = 0; i < d; ++i) {
    Sock* s = lab.socket(uint32_t(i + 1), SocketType::kDealer);
    if (rep_binds) {
      RC_ASSERT(s->connect(lab.endpoint(0, 5555)) == Err::kOk);
    } else {
      RC_ASSERT(s->bind("tcp://*:5555") == Err::kOk);
      RC_ASSERT(rep->connect(lab.endpoint(uint32_t(i + 1), 5555)) == Err::kOk);
    }
    dealers.push_back(s);
  }
  RC_ASSERT(connected(lab, rep, dealers, 30'000));
  std::map<std::string, std::pair<int, Parts>> by_tag;  // tag -> dealer, body
  std::vector<std::vector<Parts>> expected(static_cast<size_t>(d));
  int total = 0;
  for (int i = 0; i < d; ++i) {
    int n = *rc::gen::inRange(1, 5);
    for (int j = 0; j < n; ++j) {
      std::string tag = std::to_string(i) + "-" + std::to_string(j);
      Parts body = gen_frames(0, 2, true);
      body.push_back(tag);
      if (!send_within(lab, dealers[size_t(i)], cat({""}, body), patience_ms(lab))) {
        RC_ASSERT(drew_lossy_faults(lab));
        continue;
      }
      by_tag[tag] = {i, body};
      ++total;
    }
  }
  int served = 0;
  while (served < total) {
    auto got = recv_within(lab, rep, patience_ms(lab));
    if (!got) {
      RC_ASSERT(drew_lossy_faults(lab));
      break;
    }
    auto it = by_tag.find(got->back());
    RC_ASSERT(it != by_tag.end());
    RC_ASSERT(*got == it->second.second);  // the delimiter is not part of the body
    Parts reply = gen_frames(0, 2, true);
    reply.push_back("r" + got->back());
    RC_ASSERT(lab.send(rep, reply));
    expected[size_t(it->second.first)].push_back(cat({""}, reply));
    by_tag.erase(it);  // never twice
    ++served;
  }
  int replies = 0;
  for (int i = 0; i < d; ++i) {
    std::vector<Parts> got = drain(lab, dealers[size_t(i)]);
    assert_subsequence(got, expected[size_t(i)], drew_lossy_faults(lab));
    replies += int(got.size());
  }
  evidence().count("replies_with_delimiter", replies);
  evidence().count(rep_binds ? "rep_binds" : "dealer_binds");
  if (replies > 0) evidence().exercised();
}

// rule/DEALER/envelope-oblivious: arbitrary multipart messages (empty frames anywhere, frames
// that look like envelopes) cross a DEALER both ways exactly as given: to and from a ROUTER
// (which adds/strips only its routing id) or another DEALER. Under lossy faults: an exact,
// in-order subsequence.
void dealer_envelope_oblivious() {
  uint32_t mask = gen_mixed_faults();
  SocketType peer_type = *rc::gen::element(SocketType::kRouter, SocketType::kDealer);
  int m = *rc::gen::inRange(1, 8);
  Lab lab(gen_world_seed(), mask, 2);
  if (drew_lossy_faults(lab)) evidence().count("lossy_case");
  Sock* peer = lab.socket(0, peer_type);
  RC_ASSERT(peer->bind("tcp://*:5555") == Err::kOk);
  Sock* dealer = client(lab, 1, SocketType::kDealer, "d");
  RC_ASSERT(connected(lab, peer, {dealer}, 30'000));
  bool router = peer_type == SocketType::kRouter;
  std::vector<Parts> up;    // dealer -> peer, as the peer application must see them
  std::vector<Parts> down;  // peer -> dealer, as the dealer application must see them
  int envelope_like = 0;
  for (int j = 0; j < m; ++j) {
    Parts a = gen_frames(0, 4, true);
    if (j == 0) a.insert(a.begin(), "");  // looks like a delimiter: still not the DEALER's
    a.push_back("u" + std::to_string(j));
    Parts b = gen_frames(0, 4, true);
    b.push_back("w" + std::to_string(j));
    if (a.size() > 1 || b.size() > 1) ++envelope_like;
    if (send_within(lab, dealer, a, patience_ms(lab))) {
      up.push_back(router ? cat({"d"}, a) : a);
    } else {
      RC_ASSERT(drew_lossy_faults(lab));
    }
    bool sent = router ? lab.send(peer, cat({"d"}, b))  // dropped if "d" is away: see below
                       : send_within(lab, peer, b, patience_ms(lab));
    if (sent) down.push_back(b);
    RC_ASSERT(sent || drew_lossy_faults(lab));
  }
  // What was taken is owed (all of it without lossy faults): waited for, then drained.
  std::vector<Parts> at_peer = drain_owed(lab, peer, up.size(), 30'000);
  std::vector<Parts> at_dealer = drain_owed(lab, dealer, down.size(), 30'000);
  // A ROUTER silently drops what it sends while the dealer is reconnecting: loss, as faults.
  bool may_lose = drew_lossy_faults(lab);
  assert_subsequence(at_peer, up, may_lose);
  assert_subsequence(at_dealer, down, may_lose);
  evidence().count(router ? "with_router" : "with_dealer");
  evidence().count("multipart_messages", envelope_like);
  if (envelope_like > 0 && !at_peer.empty() && !at_dealer.empty()) evidence().exercised();
}

// rule/DEALER/round-robin-fair-queue: to k peers (either side binding), message j goes where
// message j - k went and the first k go to k different peers; from k peers with backlogs of
// different sizes, the DEALER takes one message from each peer that still has one per round.
void dealer_round_robin_fair_queue() {
  int k = *rc::gen::inRange(2, 5);
  int m = *rc::gen::inRange(k, 3 * k + 1);
  bool hub_binds = *rc::gen::arbitrary<bool>();
  auto backlog = *rc::gen::container<std::vector<int>>(size_t(k), rc::gen::inRange(1, 9));
  auto fan = make_fan(SocketType::kDealer, SocketType::kRouter, k, hub_binds);
  Lab& lab = fan->lab;
  for (int j = 0; j < m; ++j) {
    Parts msg = gen_frames(0, 2, true);
    msg.push_back(std::to_string(j));
    RC_ASSERT(lab.send(fan->hub, msg));
  }
  lab.advance_ms(500);
  std::vector<int> went_to(size_t(m), -1);
  for (int i = 0; i < k; ++i) {
    while (auto got = lab.recv(fan->spokes[size_t(i)])) {
      RC_ASSERT(got->size() >= 2u);
      RC_ASSERT((*got)[0] == "hub");
      int j = std::stoi(got->back());
      RC_ASSERT(j >= 0 && j < m);
      RC_ASSERT(went_to[size_t(j)] == -1);  // once only
      went_to[size_t(j)] = i;
    }
  }
  std::set<int> first(went_to.begin(), went_to.begin() + k);
  RC_ASSERT(first.size() == size_t(k));
  RC_ASSERT(first.count(-1) == 0u);
  for (int j = k; j < m; ++j) RC_ASSERT(went_to[size_t(j)] == went_to[size_t(j - k)]);
  // Incoming.
  int total = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < backlog[size_t(i)]; ++j) {
      RC_ASSERT(
          lab.send(fan->spokes[size_t(i)], {"hub", std::to_string(i) + ":" + std::to_string(j)}));
      ++total;
    }
  }
  lab.advance_ms(500);
  std::vector<int> order;
  std::vector<int> last(size_t(k), -1);
  for (int s = 0; s < total; ++s) {
    auto got = lab.recv(fan->hub);
    EXPECT_RULE(got.has_value(), "message " << s << " of " << total << " at the hub");
    RC_ASSERT(got->size() == 1u);
    size_t colon = (*got)[0].find(':');
    int i = std::stoi((*got)[0].substr(0, colon));
    int j = std::stoi((*got)[0].substr(colon + 1));
    RC_ASSERT(j == last[size_t(i)] + 1);
    last[size_t(i)] = j;
    order.push_back(i);
  }
  RC_ASSERT(!lab.recv(fan->hub).has_value());
  assert_fair_rounds(order, backlog);
  evidence().max("peers", k);
  evidence().count(hub_binds ? "dealer_binds" : "dealer_connects");
  evidence().exercised();
}

// rule/DEALER/block-when-mute: send fails with EAGAIN (would block), and keeps failing while
// the state lasts, when every peer is at its HWM, or with ZMQ_IMMEDIATE and no peer, or with no
// endpoint; nothing is discarded: once the state ends, every accepted message arrives, in order
// per peer, exactly once, and sending succeeds again.
void dealer_block_when_mute() {
  enum Mode { kFull, kImmediateNobody, kNoEndpoint };
  Mode mode = *rc::gen::element(kFull, kImmediateNobody, kNoEndpoint);
  int waits = *rc::gen::inRange(1, 4);
  auto still_blocked = [&](Lab& lab, Sock* s) {
    for (int w = 0; w < waits; ++w) {
      Err err = Err::kOk;
      RC_ASSERT(!lab.send(s, {"blocked"}, &err));
      RC_ASSERT(err == Err::kAgain);
      RC_ASSERT((s->events() & kPollOut) == 0u);
      evidence().count("eagain");
      lab.advance_ms(*rc::gen::inRange(1, 200));
    }
  };
  if (mode == kFull) {
    int hwm = *rc::gen::inRange(1, 20);
    int k = *rc::gen::inRange(1, 4);
    FanOptions o;
    o.hub_sndhwm = hwm;
    o.spoke_rcvhwm = hwm;
    o.buffer_bytes = 16384;
    auto fan = make_fan(SocketType::kDealer, SocketType::kDealer, k, /*hub_binds=*/false, o);
    Lab& lab = fan->lab;
    std::string pad(2000, 'x');
    int sent = 0;
    Err err = Err::kOk;
    // Fill until the state is steady: EAGAIN, and no room comes back while time passes (the
    // pipes drain into the connections until every peer's queue and buffers are full too).
    // Real loopback TCP keeps opening its window by a few KB now and then, so there only the
    // EAGAIN itself is checked.
    bool steady = false;
    int rounds = lab.simulated() ? 12 : 1;
    for (int round = 0; round < rounds && !steady; ++round) {
      bool any = false;
      while (sent < 100000 && lab.send(fan->hub, {std::to_string(sent), pad}, &err)) {
        ++sent;
        any = true;
        if (sent % 16 == 0) lab.advance_ms(1);
      }
      RC_ASSERT(err == Err::kAgain);
      // On real sockets the I/O thread may make room between the two calls.
      if (lab.simulated()) RC_ASSERT((fan->hub->events() & kPollOut) == 0u);
      steady = !any && round > 0;
      if (!steady && lab.simulated()) lab.advance_ms(250);
    }
    if (lab.simulated()) {
      EXPECT_RULE(steady, "the simulated flow steady");
      still_blocked(lab, fan->hub);
    }
    std::vector<int> last(size_t(k), -1);
    std::set<int> seen;
    lab.wait_for([&] {
      for (size_t i = 0; i < fan->spokes.size(); ++i) {
        while (auto got = lab.recv(fan->spokes[i])) {
          RC_ASSERT(got->size() == 2u);
          int j = std::stoi((*got)[0]);
          RC_ASSERT(j > last[i]);  // in order per peer
          last[i] = j;
          RC_ASSERT(seen.insert(j).second);  // once
        }
      }
      return int(seen.size()) == sent;
    });
    RC_ASSERT(int(seen.size()) == sent);  // nothing discarded
    RC_ASSERT(lab.wait_for([&] { return fan->hub->events() & kPollOut; }, 5000));
    RC_ASSERT(lab.send(fan->hub, {"after", pad}));
    evidence().count("mute_by_hwm");
    evidence().count("accepted_before_mute", sent);
    evidence().exercised();
    return;
  }
  Lab lab(gen_world_seed(), gen_faults(benign_fault_mask()), 2);
  Sock* dealer = lab.socket(0, SocketType::kDealer);
  std::string ep = lab.endpoint(1, 5555);
  if (mode == kImmediateNobody) {
    dealer->set_int(opt::kImmediate, 1);
    RC_ASSERT(dealer->connect(ep) == Err::kOk);
  }
  still_blocked(lab, dealer);
  Sock* peer = lab.socket(1, SocketType::kDealer);
  RC_ASSERT(peer->bind("tcp://*:5555") == Err::kOk);
  if (mode == kNoEndpoint) RC_ASSERT(dealer->connect(ep) == Err::kOk);
  RC_ASSERT(lab.wait_for([&] { return dealer->events() & kPollOut; }, 10'000));
  int n = *rc::gen::inRange(1, 5);
  for (int j = 0; j < n; ++j) RC_ASSERT(lab.send(dealer, {std::to_string(j)}));
  for (int j = 0; j < n; ++j) {
    auto got = recv_within(lab, peer, 5000);
    EXPECT_RULE(got.has_value(), "message " << j << " of " << n << " at the peer within 5 s");
    RC_ASSERT(*got == Parts{std::to_string(j)});
  }
  lab.advance_ms(100);
  RC_ASSERT(!lab.recv(peer).has_value());  // the refused ones were never queued
  evidence().count(mode == kImmediateNobody ? "mute_immediate_no_peer" : "mute_no_endpoint");
  evidence().exercised();
}

}  // namespace

void add_req_rep_rule_properties(std::vector<Property>& out) {
  auto add = [&](const char* rule, const char* type, const char* kind, void (*body)()) {
    out.push_back({rule, type, kind, body});
  };
  add("rule/REQ/envelope-delimiter", "REQ", "envelope", req_envelope_delimiter);
  add("rule/REQ/strict-alternation", "REQ", "alternation", req_strict_alternation);
  add("rule/REQ/round-robin", "REQ", "routing", req_round_robin);
  add("rule/REQ/reply-from-last-peer", "REQ", "routing", req_reply_from_last_peer);
  add("rule/REQ/block-no-service", "REQ", "mute", req_block_no_service);
  add("rule/REP/save-envelope", "REP", "envelope", rep_save_envelope);
  add("rule/REP/reply-to-requester", "REP", "routing", rep_reply_to_requester);
  add("rule/REP/reply-discarded-if-requester-gone", "REP", "routing",
      rep_reply_discarded_if_requester_gone);
  add("rule/REP/strict-alternation", "REP", "alternation", rep_strict_alternation);
  add("rule/REP/fair-queue", "REP", "routing", rep_fair_queue);
  add("rule/REP/never-blocks-on-send", "REP", "mute", rep_never_blocks_on_send);
  add("rule/DEALER/delimiter-to-rep", "DEALER", "envelope", dealer_delimiter_to_rep);
  add("rule/DEALER/envelope-oblivious", "DEALER", "envelope", dealer_envelope_oblivious);
  add("rule/DEALER/round-robin-fair-queue", "DEALER", "routing", dealer_round_robin_fair_queue);
  add("rule/DEALER/block-when-mute", "DEALER", "mute", dealer_block_when_mute);
}

}  // namespace zlab::conform
