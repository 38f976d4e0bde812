// A REQ client that never gets stuck: each request waits ZMQ_RCVTIMEO for its reply (3 s,
// doubling with each attempt up to 24 s), then is sent again. (With no fault on that can lose
// a connection it waits forever: a lost request is then a stuck REQ, a liveness failure.) In "lazy
// pirate" style (zguide ch. 4) the REQ socket is closed and a new one made; in "relaxed" style
// ZMQ_REQ_RELAXED + ZMQ_REQ_CORRELATE let the same socket resend, and the engine must drop replies
// to earlier attempts (each attempt is numbered, so a stale reply is a violation).
//
// Request: ["attempt:K", test message...]; the reply must be ["re", "attempt:K", test
// message...], however the server side adds and strips envelopes.
#pragma once

#include <string>

#include "sim/scenario/scenario.h"

namespace zlab::sim {

struct ReqClientOptions {
  std::string endpoint;
  bool lazy_pirate = true;  // false: relaxed + correlate on one socket
  uint64_t count = 60;
  uint64_t quiet_count = 10;
};

Task<> req_client(Ctx& ctx, ScenarioEnv& env, ReqClientOptions o);

// The server side's reply to a request body (after the envelope): ["re", request...].
std::vector<std::string> reply_to(std::vector<std::string> request, size_t envelope);

}  // namespace zlab::sim
