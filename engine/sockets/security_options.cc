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
    case opt::kZapDomain:
      return put_string(o.zap_domain, out, size);
    case opt::kZapEnforceDomain:
      return put_int(o.zap_enforce_domain ? 1 : 0, out, size);
    default:
      return Err::kNotSupported;
  }
}

}  // namespace zlab
