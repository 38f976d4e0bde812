// zmq_errno and zmq_strerror.
//
// zmq reports errors through the C library's errno (thread-local), so there is no error state of
// our own. zmq_strerror describes the four zmq-only error numbers in its own words, keeps
// libzmq's wording for EHOSTUNREACH (the error of an unroutable ROUTER message, which libzmq
// users see as "Host unreachable"), and asks the C library for every other number.
#include <errno.h>
#include <string.h>

#include "engine/api/zmq.h"

namespace {

constexpr int kBufferSize = 128;

// strerror_r comes in two flavours: GNU returns the text, POSIX fills the buffer and returns 0.
[[maybe_unused]] const char* StrerrorResult(const char* text, const char*) { return text; }
[[maybe_unused]] const char* StrerrorResult(int rc, const char* buffer) {
  return rc == 0 ? buffer : "Unknown error";
}

const char* ZmqOwnMessage(int errnum) {
  switch (errnum) {
    case EFSM:
      return "Operation not allowed in the socket's current state";
    case ENOCOMPATPROTO:
      return "Transport protocol not usable with this socket type";
    case ETERM:
      return "The context has been terminated";
    case EMTHREAD:
      return "No I/O thread available";
    case EHOSTUNREACH:
      return "Host unreachable";
    default:
      return nullptr;
  }
}

}  // namespace

extern "C" int zmq_errno(void) { return errno; }

extern "C" const char* zmq_strerror(int errnum) {
  if (const char* own = ZmqOwnMessage(errnum)) return own;
  // One buffer per thread: the text stays valid until this thread's next call, as with strerror.
  thread_local char buffer[kBufferSize];
  const int saved = errno;
  const char* text = StrerrorResult(strerror_r(errnum, buffer, sizeof buffer), buffer);
  errno = saved;
  return text;
}
