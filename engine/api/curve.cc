// zmq_curve_keypair / zmq_curve_public: Curve25519 keys (ZeroMQ rfc 26) in Z85, from libsodium
// (crypto_box_keypair, crypto_scalarmult_base), as libzmq built with libsodium does. A secret
// key that is not Z85 text of 32 bytes fails with EINVAL (zmq_z85_decode's errno).
#include <errno.h>
#include <sodium.h>
#include <stdint.h>

#include "engine/api/zmq.h"

extern "C" int zmq_curve_keypair(char* z85_public_key, char* z85_secret_key) {
  if (z85_public_key == nullptr || z85_secret_key == nullptr) {
    errno = EINVAL;
    return -1;
  }
  if (sodium_init() < 0) {
    errno = ENOTSUP;
    return -1;
  }
  uint8_t public_key[crypto_box_PUBLICKEYBYTES];
  uint8_t secret_key[crypto_box_SECRETKEYBYTES];
  int rc = crypto_box_keypair(public_key, secret_key);
  zmq_z85_encode(z85_public_key, public_key, sizeof public_key);
  zmq_z85_encode(z85_secret_key, secret_key, sizeof secret_key);
  sodium_memzero(secret_key, sizeof secret_key);
  return rc;
}

extern "C" int zmq_curve_public(char* z85_public_key, const char* z85_secret_key) {
  if (z85_public_key == nullptr || z85_secret_key == nullptr) {
    errno = EINVAL;
    return -1;
  }
  uint8_t secret_key[crypto_box_SECRETKEYBYTES];
  uint8_t public_key[crypto_box_PUBLICKEYBYTES];
  // zmq_z85_decode checks the length (a multiple of 5) but not that it makes 32 bytes.
  size_t length = 0;
  while (length <= 40 && z85_secret_key[length] != '\0') ++length;
  if (length != 40) {
    errno = EINVAL;
    return -1;
  }
  if (zmq_z85_decode(secret_key, z85_secret_key) == nullptr) return -1;
  if (crypto_scalarmult_base(public_key, secret_key) != 0) {
    errno = EINVAL;
    return -1;
  }
  sodium_memzero(secret_key, sizeof secret_key);
  zmq_z85_encode(z85_public_key, public_key, sizeof public_key);
  return 0;
}
