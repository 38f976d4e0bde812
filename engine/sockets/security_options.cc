#include "engine/sockets/security_options.h"

#include <cstring>
#include <string>

namespace zlab {
namespace {

bool read_int(std::span<const uint8_t> value, int* out) {
  if (value.size() != sizeof(int)) return false;
  std::memcpy(out, value.data(), sizeof(int));
  return true;
}

std::string text_of(std::span<const uint8_t> value) {
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}

// ZMQ_PLAIN_USERNAME / PASSWORD: NULL turns PLAIN off, 1..255 bytes make a PLAIN client.
Err set_plain_credential(SocketOptions& o, std::string* field, std::span<const uint8_t> value) {
  if (value.data() == nullptr && value.empty()) {
    o.mechanism = kMechanismNull;
    return Err::kOk;
  }
  if (value.data() == nullptr || value.empty() || value.size() > 255) return Err::kInvalid;
  *field = text_of(value);
  o.as_server = false;
  o.mechanism = kMechanismPlain;
  return Err::kOk;
}

// A CURVE key, 32 bytes (the C API turns Z85 text into these): it also picks CURVE.
Err set_curve_key(SocketOptions& o, std::string* field, std::span<const uint8_t> value) {
  if (value.size() != kCurveKeySize || value.data() == nullptr) return Err::kInvalid;
  *field = text_of(value);
  o.mechanism = kMechanismCurve;
  return Err::kOk;
}

Err put_key(const std::string& key, uint8_t* out, size_t* size) {
  std::string v = key.size() == kCurveKeySize ? key : std::string(kCurveKeySize, '\0');
  return put_exact(v.data(), v.size(), out, size);
}

// Strings read back with their terminating NUL, as libzmq's getsockopt writes them.
Err put_string(const std::string& v, uint8_t* out, size_t* size) {
  return put_padded(v.c_str(), v.size() + 1, out, size);
}

Err put_int(int v, uint8_t* out, size_t* size) { return put_exact(&v, sizeof v, out, size); }

}  // namespace

const char* mechanism_name(int mechanism) {
  switch (mechanism) {
    case kMechanismPlain:
      return "PLAIN";
    case kMechanismCurve:
      return "CURVE";
    default:
      return "NULL";
  }
}

Err set_security_option(SocketOptions& o, int id, std::span<const uint8_t> value) {
  int v = 0;
  switch (id) {
    case opt::kMechanism:
      return Err::kInvalid;  // read-only
    case opt::kPlainServer:
      if (!read_int(value, &v) || (v != 0 && v != 1)) return Err::kInvalid;
      o.as_server = v == 1;
      o.mechanism = v == 1 ? kMechanismPlain : kMechanismNull;
      return Err::kOk;
    case opt::kPlainUsername:
      return set_plain_credential(o, &o.plain_username, value);
    case opt::kPlainPassword:
      return set_plain_credential(o, &o.plain_password, value);
    case opt::kCurveServer:
      if (!read_int(value, &v) || (v != 0 && v != 1)) return Err::kInvalid;
      o.as_server = v == 1;
      o.mechanism = v == 1 ? kMechanismCurve : kMechanismNull;
      return Err::kOk;
    case opt::kCurvePublicKey:
      return set_curve_key(o, &o.curve_public_key, value);
    case opt::kCurveSecretKey:
      return set_curve_key(o, &o.curve_secret_key, value);
    case opt::kCurveServerKey: {
      Err err = set_curve_key(o, &o.curve_server_key, value);
      if (err == Err::kOk) o.as_server = false;  // a server key makes a client
      return err;
    }
    case opt::kZapDomain:
      if (value.size() > 255) return Err::kInvalid;
      o.zap_domain = value.empty() ? std::string() : text_of(value);
      return Err::kOk;
    case opt::kZapEnforceDomain:
      if (!read_int(value, &v)) return Err::kInvalid;
      o.zap_enforce_domain = v != 0;
      return Err::kOk;
    default:
      return Err::kNotSupported;
  }
}

Err get_security_option(const SocketOptions& o, int id, uint8_t* out, size_t* size) {
  switch (id) {
    case opt::kMechanism:
      return put_int(o.mechanism, out, size);
    case opt::kPlainServer:
      return put_int(o.as_server && o.mechanism == kMechanismPlain ? 1 : 0, out, size);
    case opt::kPlainUsername:
      return put_string(o.plain_username, out, size);
    case opt::kPlainPassword:
      return put_string(o.plain_password, out, size);
    case opt::kCurveServer:
      return put_int(o.as_server && o.mechanism == kMechanismCurve ? 1 : 0, out, size);
    case opt::kCurvePublicKey:
      return put_key(o.curve_public_key, out, size);
    case opt::kCurveSecretKey:
      return put_key(o.curve_secret_key, out, size);
    case opt::kCurveServerKey:
      return put_key(o.curve_server_key, out, size);
    case opt::kZapDomain:
      return put_string(o.zap_domain, out, size);
    case opt::kZapEnforceDomain:
      return put_int(o.zap_enforce_domain ? 1 : 0, out, size);
    default:
      return Err::kNotSupported;
  }
}

}  // namespace zlab
