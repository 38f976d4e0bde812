// The libzmq-internal functions that test_security_curve calls, for a test binary built
// outside libzmq (run.py, INTERNAL_TESTS): the test drives a hand-made CURVE client through
// libzmq's header-only curve_client_tools.hpp, whose NaCl calls libsodium answers (as in
// Debian's libzmq build). Linked into that test binary only, never into zlab.
#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace zmq {

// libzmq opens its random source once per process; libsodium's is opened by sodium_init.
void random_open() {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "internal_shim: sodium_init failed\n");
    std::abort();
  }
}

void random_close() {}

// What libzmq's zmq_assert calls on a failed assertion.
void zmq_abort(const char* errmsg) {
  std::fprintf(stderr, "zmq_abort: %s\n", errmsg);
  std::abort();
}

}  // namespace zmq
