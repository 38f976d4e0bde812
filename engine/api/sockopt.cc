// Socket options: zmq_setsockopt and zmq_getsockopt.
//
// The engine owns almost every option (engine/sockets/options.h, with the numbers of zmq.h). The
// rest are answered here: options of transports and security mechanisms zlab does not have
// (kept at their "off" values, other values refused with EINVAL so nothing silently changes
// meaning), and a few that only need to be remembered (ZMQ_AFFINITY, ZMQ_RATE, ...).
#include <errno.h>

#include <cstring>
#include <span>
#include <string>

#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"

using zlab::Err;
using zlab::api::ApiOptions;
using zlab::api::fail;
using zlab::api::fail_with;
using zlab::api::socket_of;
using zlab::api::SocketHandle;

namespace {

// The engine answers these by number: the numbers must be zmq.h's.
static_assert(zlab::opt::kTcpAcceptFilter == ZMQ_TCP_ACCEPT_FILTER);
static_assert(zlab::opt::kIpcFilterPid == ZMQ_IPC_FILTER_PID);
static_assert(zlab::opt::kIpcFilterUid == ZMQ_IPC_FILTER_UID);
static_assert(zlab::opt::kIpcFilterGid == ZMQ_IPC_FILTER_GID);
static_assert(zlab::opt::kSocksProxy == ZMQ_SOCKS_PROXY);

// How an option this file answers itself behaves.
enum class Local {
  kEngine,        // not ours: the engine answers
  kAffinity,      // uint64_t, remembered
  kRate,          // int > 0, remembered (PGM only)
  kRecoveryIvl,   // int >= 0, remembered (PGM only)
  kZapDomain,     // string, remembered (zlab makes no ZAP requests)
  kIpv4Only,      // the inverse of ZMQ_IPV6
  kZeroInt,       // int option only 0 is accepted for; reads as that
  kEmptyString,   // string option only the empty string is accepted for; reads as ""
  kReadOnlyZero,  // read-only int reading 0 (ZMQ_MECHANISM: NULL, ZMQ_THREAD_SAFE: no)
  kUnknown,       // an option of a feature libzmq was built without: EINVAL both ways
};

Local local_kind(int option) {
  switch (option) {
    case ZMQ_AFFINITY:
      return Local::kAffinity;
    case ZMQ_RATE:
      return Local::kRate;
    case ZMQ_RECOVERY_IVL:
      return Local::kRecoveryIvl;
    case ZMQ_ZAP_DOMAIN:
      return Local::kZapDomain;
    case ZMQ_IPV4ONLY:
      return Local::kIpv4Only;
    case ZMQ_PLAIN_SERVER:
      return Local::kZeroInt;
    case ZMQ_PLAIN_USERNAME:
    case ZMQ_PLAIN_PASSWORD:
      return Local::kEmptyString;
    case ZMQ_MECHANISM:
    case ZMQ_THREAD_SAFE:
      return Local::kReadOnlyZero;
    // What libzmq built without CURVE, GSSAPI or VMCI answers.
    case ZMQ_CURVE_SERVER:
    case ZMQ_CURVE_PUBLICKEY:
    case ZMQ_CURVE_SECRETKEY:
    case ZMQ_CURVE_SERVERKEY:
    case ZMQ_GSSAPI_SERVER:
    case ZMQ_GSSAPI_PRINCIPAL:
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL:
    case ZMQ_GSSAPI_PLAINTEXT:
    case ZMQ_GSSAPI_PRINCIPAL_NAMETYPE:
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE:
    case ZMQ_VMCI_BUFFER_SIZE:
    case ZMQ_VMCI_BUFFER_MIN_SIZE:
    case ZMQ_VMCI_BUFFER_MAX_SIZE:
    case ZMQ_VMCI_CONNECT_TIMEOUT:
      return Local::kUnknown;
    default:
      return Local::kEngine;
  }
}

bool read_int(const void* optval, size_t optvallen, int* out) {
  if (optvallen != sizeof(int)) return false;
  std::memcpy(out, optval, sizeof(int));
  return true;
}

// Values written as libzmq's getsockopt writes them (put_exact / put_padded, options.h): a
// number wants a buffer of exactly its size, a string one at least as large (the rest zeroed).
int write_value(const void* value, size_t size, void* optval, size_t* optvallen) {
  Err err = zlab::put_exact(value, size, static_cast<uint8_t*>(optval), optvallen);
  return err == Err::kOk ? 0 : fail(err);
}

int write_int(int value, void* optval, size_t* optvallen) {
  return write_value(&value, sizeof value, optval, optvallen);
}

// A string option: the bytes and a terminating NUL, as libzmq reports them.
int write_string(const std::string& value, void* optval, size_t* optvallen) {
  Err err =
      zlab::put_padded(value.c_str(), value.size() + 1, static_cast<uint8_t*>(optval), optvallen);
  return err == Err::kOk ? 0 : fail(err);
}

int set_local(SocketHandle& h, Local kind, const void* optval, size_t optvallen) {
  ApiOptions& o = h.options;
  int v = 0;
  switch (kind) {
    case Local::kAffinity:
      if (optvallen != sizeof(uint64_t)) return fail_with(EINVAL);
      std::memcpy(&o.affinity, optval, sizeof(uint64_t));
      return 0;
    case Local::kRate:
      if (!read_int(optval, optvallen, &v) || v <= 0) return fail_with(EINVAL);
      o.rate = v;
      return 0;
    case Local::kRecoveryIvl:
      if (!read_int(optval, optvallen, &v) || v < 0) return fail_with(EINVAL);
      o.recovery_ivl_ms = v;
      return 0;
    case Local::kZapDomain:
      if (optvallen > 255) return fail_with(EINVAL);
      o.zap_domain.assign(static_cast<const char*>(optval), optvallen);
      return 0;
    case Local::kIpv4Only: {
      if (!read_int(optval, optvallen, &v) || v < 0 || v > 1) return fail_with(EINVAL);
      int ipv6 = v == 0 ? 1 : 0;
      Err err =
          h.socket->set_option(ZMQ_IPV6, {reinterpret_cast<const uint8_t*>(&ipv6), sizeof ipv6});
      return err == Err::kOk ? 0 : fail(err);
    }
    case Local::kZeroInt:
      if (!read_int(optval, optvallen, &v) || v != 0) return fail_with(EINVAL);
      return 0;
    case Local::kEmptyString:
      return optvallen == 0 ? 0 : fail_with(EINVAL);
    case Local::kReadOnlyZero:
    case Local::kUnknown:
    case Local::kEngine:
      break;
  }
  return fail_with(EINVAL);
}

int get_local(SocketHandle& h, Local kind, int option, void* optval, size_t* optvallen) {
  const ApiOptions& o = h.options;
  switch (kind) {
    case Local::kAffinity:
      return write_value(&o.affinity, sizeof o.affinity, optval, optvallen);
    case Local::kRate:
      return write_int(o.rate, optval, optvallen);
    case Local::kRecoveryIvl:
      return write_int(o.recovery_ivl_ms, optval, optvallen);
    case Local::kZapDomain:
      return write_string(o.zap_domain, optval, optvallen);
    case Local::kIpv4Only: {
      int ipv6 = 0;
      size_t size = sizeof ipv6;
      Err err = h.socket->get_option(ZMQ_IPV6, reinterpret_cast<uint8_t*>(&ipv6), &size);
      if (err != Err::kOk) return fail(err);
      return write_int(ipv6 ? 0 : 1, optval, optvallen);
    }
    case Local::kZeroInt:
      return write_int(0, optval, optvallen);
    case Local::kEmptyString:
      return write_string("", optval, optvallen);
    case Local::kReadOnlyZero: {
      // ZMQ_THREAD_SAFE is the socket's own value in libzmq (a larger buffer is zeroed);
      // ZMQ_MECHANISM an option of the table (exact size).
      int zero = 0;
      if (option != ZMQ_THREAD_SAFE) return write_int(zero, optval, optvallen);
      Err err = zlab::put_padded(&zero, sizeof zero, static_cast<uint8_t*>(optval), optvallen);
      return err == Err::kOk ? 0 : fail(err);
    }
    case Local::kUnknown:
    case Local::kEngine:
      break;
  }
  return fail_with(EINVAL);
}

}  // namespace

extern "C" int zmq_setsockopt(void* socket, int option, const void* optval, size_t optvallen) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (optval == nullptr && optvallen != 0) return fail_with(EINVAL);
  Local kind = local_kind(option);
  if (kind != Local::kEngine) return set_local(*h, kind, optval, optvallen);
  Err err = h->socket->set_option(
      option, std::span<const uint8_t>(static_cast<const uint8_t*>(optval), optvallen));
  return err == Err::kOk ? 0 : fail(err);
}

extern "C" int zmq_getsockopt(void* socket, int option, void* optval, size_t* optvallen) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (optvallen == nullptr || (optval == nullptr && *optvallen != 0)) return fail_with(EINVAL);
  Local kind = local_kind(option);
  if (kind != Local::kEngine) return get_local(*h, kind, option, optval, optvallen);
  Err err = h->socket->get_option(option, static_cast<uint8_t*>(optval), optvallen);
  return err == Err::kOk ? 0 : fail(err);
}
