// The security options (ZMQ_MECHANISM, ZMQ_PLAIN_*, ZMQ_CURVE_*, ZMQ_ZAP_*) as libzmq 4.3.4 sets
// and reads them: each PLAIN or CURVE option also picks the mechanism and the side, so the last
// one set wins (ZMQ_PLAIN_USERNAME makes a PLAIN client, ZMQ_PLAIN_SERVER 1 a PLAIN server).
#pragma once

#include <cstdint>
#include <span>

#include "engine/base/err.h"
#include "engine/sockets/options.h"

namespace zlab {

// CURVE keys in the engine are 32 binary bytes.
inline constexpr size_t kCurveKeySize = 32;

// kNotSupported: not a security option.
Err set_security_option(SocketOptions& options, int id, std::span<const uint8_t> value);
Err get_security_option(const SocketOptions& options, int id, uint8_t* out, size_t* size);

// The greeting's name of options.mechanism: "NULL", "PLAIN", "CURVE".
const char* mechanism_name(int mechanism);

}  // namespace zlab
