// zmq_curve_keypair / zmq_curve_public.
//
// CURVE (ZeroMQ RFC 26, Curve25519 keys in Z85) is not implemented in zlab yet: it is a later
// issue. Until then both calls behave as libzmq built without CURVE: they return -1 with errno
// ENOTSUP and leave the output buffers untouched, and zmq_has("curve") answers 0.
#include <errno.h>

#include "engine/api/zmq.h"

extern "C" int zmq_curve_keypair(char* z85_public_key, char* z85_secret_key) {
  (void)z85_public_key;
  (void)z85_secret_key;
  errno = ENOTSUP;
  return -1;
}

extern "C" int zmq_curve_public(char* z85_public_key, const char* z85_secret_key) {
  (void)z85_public_key;
  (void)z85_secret_key;
  errno = ENOTSUP;
  return -1;
}
