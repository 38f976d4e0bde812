// Blocking sends and receives, the way libzmq blocks.
//
// The engine is asked without waiting; when it would block, the calling thread waits in
// poll(2) on the socket's ZMQ_FD (re-armed by reading ZMQ_EVENTS), for at most ZMQ_SNDTIMEO or
// ZMQ_RCVTIMEO. Waiting in poll(2) rather than on a condition variable is what lets a signal
// interrupt a blocked call with EINTR, as in libzmq (a Python program blocked in recv() gets
// its KeyboardInterrupt); the context's termination wakes it with ETERM.
#pragma once

#include "engine/base/err.h"
#include "engine/base/msg.h"
#include "engine/real/socket.h"

namespace zlab::api {

// `flags`: ZMQ_DONTWAIT and ZMQ_SNDMORE. On failure the part is untouched.
Err send_part(real::Socket& socket, Msg& part, int flags);
// `flags`: ZMQ_DONTWAIT. On failure *part is untouched.
Err recv_part(real::Socket& socket, Msg* part, int flags);

}  // namespace zlab::api
