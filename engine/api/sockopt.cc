// Socket options: zmq_setsockopt and zmq_getsockopt.
//
// The engine owns almost every option (engine/sockets/options.h, with the numbers of zmq.h). The
// rest are answered here: options of transports and mechanisms zlab does not have (GSSAPI, VMCI:
// EINVAL as from a libzmq built without them), CURVE keys given or asked for as Z85 text (the
// engine keeps 32 binary bytes), and a few that only need to be
// remembered (ZMQ_AFFINITY, ZMQ_RATE, ...).
// The draft option numbers are zmq.h's, checked below; both builds compile this file, and
// draft_build_only() decides at run time (declaring the draft API defines no function).
#define ZMQ_BUILD_DRAFT_API
#include <errno.h>

#include <cstring>
#include <span>
#include <string>

#include "engine/api/build_flavour.h"
#include "engine/api/errno_map.h"
#include "engine/api/handles.h"
#include "engine/api/zmq.h"
#include "engine/sockets/options.h"
#include "engine/sockets/routing.h"

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
static_assert(zlab::opt::kMechanism == ZMQ_MECHANISM);
static_assert(zlab::opt::kPlainServer == ZMQ_PLAIN_SERVER);
static_assert(zlab::opt::kPlainUsername == ZMQ_PLAIN_USERNAME);
static_assert(zlab::opt::kPlainPassword == ZMQ_PLAIN_PASSWORD);
static_assert(zlab::opt::kCurveServer == ZMQ_CURVE_SERVER);
static_assert(zlab::opt::kCurvePublicKey == ZMQ_CURVE_PUBLICKEY);
static_assert(zlab::opt::kCurveSecretKey == ZMQ_CURVE_SECRETKEY);
static_assert(zlab::opt::kCurveServerKey == ZMQ_CURVE_SERVERKEY);
static_assert(zlab::opt::kZapDomain == ZMQ_ZAP_DOMAIN);
static_assert(zlab::opt::kMetadata == ZMQ_METADATA);
static_assert(zlab::opt::kRouterNotify == ZMQ_ROUTER_NOTIFY);
static_assert(zlab::opt::kXPubManualLastValue == ZMQ_XPUB_MANUAL_LAST_VALUE);
static_assert(zlab::opt::kReconnectStop == ZMQ_RECONNECT_STOP);
static_assert(zlab::opt::kHelloMsg == ZMQ_HELLO_MSG);
static_assert(zlab::opt::kDisconnectMsg == ZMQ_DISCONNECT_MSG);
static_assert(zlab::opt::kPriority == ZMQ_PRIORITY);
static_assert(zlab::kReconnectStopConnRefused == ZMQ_RECONNECT_STOP_CONN_REFUSED &&
              zlab::kReconnectStopHandshakeFailed == ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED);
static_assert(zlab::kMechanismNull == ZMQ_NULL && zlab::kMechanismPlain == ZMQ_PLAIN &&
              zlab::kMechanismCurve == ZMQ_CURVE);

// How an option this file answers itself behaves.
enum class Local {
  kEngine,       // not ours: the engine answers
  kAffinity,     // uint64_t, remembered
  kRate,         // int > 0, remembered (PGM only)
  kRecoveryIvl,  // int >= 0, remembered (PGM only)
  kIpv4Only,     // the inverse of ZMQ_IPV6
  kThreadSafe,   // read-only int: ZMQ_THREAD_SAFE, 1 for the thread-safe (draft) types
  kFd,           // ZMQ_FD: none for a thread-safe socket (as libzmq), else the engine's
  kUnknown,      // an option of a feature libzmq was built without: EINVAL both ways
};

Local local_kind(int option) {
  switch (option) {
    case ZMQ_AFFINITY:
      return Local::kAffinity;
    case ZMQ_RATE:
      return Local::kRate;
    case ZMQ_RECOVERY_IVL:
      return Local::kRecoveryIvl;
    case ZMQ_IPV4ONLY:
      return Local::kIpv4Only;
    case ZMQ_THREAD_SAFE:
      return Local::kThreadSafe;
    case ZMQ_FD:
      return Local::kFd;
    // What libzmq built without GSSAPI or VMCI answers.
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

// Options libzmq 4.3.4 knows only when built with drafts (its options.cpp and router.cpp keep
// them behind ZMQ_BUILD_DRAFT_API): the default build answers EINVAL, as Debian's libzmq.
// (ZMQ_METADATA, ZMQ_RECONNECT_STOP and ZMQ_XPUB_MANUAL_LAST_VALUE are draft in zmq.h too, yet
// every libzmq build takes them: so do both of zlab's.)
bool draft_build_only(int option) {
  return option == ZMQ_ROUTER_NOTIFY || option == ZMQ_HELLO_MSG || option == ZMQ_DISCONNECT_MSG ||
         option == ZMQ_PRIORITY;
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
    case Local::kIpv4Only: {
      if (!read_int(optval, optvallen, &v) || v < 0 || v > 1) return fail_with(EINVAL);
      int ipv6 = v == 0 ? 1 : 0;
      Err err =
          h.socket->set_option(ZMQ_IPV6, {reinterpret_cast<const uint8_t*>(&ipv6), sizeof ipv6});
      return err == Err::kOk ? 0 : fail(err);
    }
    case Local::kThreadSafe:
    case Local::kFd:
    case Local::kUnknown:
    case Local::kEngine:
      break;
  }
  return fail_with(EINVAL);
}

int get_local(SocketHandle& h, Local kind, void* optval, size_t* optvallen) {
  const ApiOptions& o = h.options;
  switch (kind) {
    case Local::kAffinity:
      return write_value(&o.affinity, sizeof o.affinity, optval, optvallen);
    case Local::kRate:
      return write_int(o.rate, optval, optvallen);
    case Local::kRecoveryIvl:
      return write_int(o.recovery_ivl_ms, optval, optvallen);
    case Local::kIpv4Only: {
      int ipv6 = 0;
      size_t size = sizeof ipv6;
      Err err = h.socket->get_option(ZMQ_IPV6, reinterpret_cast<uint8_t*>(&ipv6), &size);
      if (err != Err::kOk) return fail(err);
      return write_int(ipv6 ? 0 : 1, optval, optvallen);
    }
    case Local::kThreadSafe: {
      // The socket's own value, as libzmq (a larger buffer is zeroed).
      int safe = zlab::socket_traits(h.socket->type()).thread_safe ? 1 : 0;
      Err err = zlab::put_padded(&safe, sizeof safe, static_cast<uint8_t*>(optval), optvallen);
      return err == Err::kOk ? 0 : fail(err);
    }
    case Local::kFd: {
      // Several threads cannot share one edge-triggered fd: libzmq gives a thread-safe socket
      // none (EINVAL); zmq_poll and zmq_poller watch it through fds of their own.
      if (zlab::socket_traits(h.socket->type()).thread_safe) return fail_with(EINVAL);
      Err err = h.socket->get_option(ZMQ_FD, static_cast<uint8_t*>(optval), optvallen);
      return err == Err::kOk ? 0 : fail(err);
    }
    case Local::kUnknown:
    case Local::kEngine:
      break;
  }
  return fail_with(EINVAL);
}

bool is_curve_key(int option) {
  return option == ZMQ_CURVE_PUBLICKEY || option == ZMQ_CURVE_SECRETKEY ||
         option == ZMQ_CURVE_SERVERKEY;
}

constexpr size_t kKeySize = 32;
constexpr size_t kZ85KeySize = 40;

// A CURVE key as libzmq takes it: 32 bytes, or 40 characters of Z85 (41 with the NUL).
int set_curve_key(SocketHandle& h, int option, const void* optval, size_t optvallen) {
  if (optvallen != kZ85KeySize && optvallen != kZ85KeySize + 1) {
    Err err = h.socket->set_option(
        option, std::span<const uint8_t>(static_cast<const uint8_t*>(optval), optvallen));
    return err == Err::kOk ? 0 : fail(err);
  }
  const char* text = static_cast<const char*>(optval);
  if (optvallen == kZ85KeySize + 1 && text[kZ85KeySize] != '\0') return fail_with(EINVAL);
  char z85[kZ85KeySize + 1];
  std::memcpy(z85, text, kZ85KeySize);
  z85[kZ85KeySize] = '\0';
  uint8_t key[kKeySize];
  if (std::strlen(z85) != kZ85KeySize || zmq_z85_decode(key, z85) == nullptr) {
    return fail_with(EINVAL);
  }
  Err err = h.socket->set_option(option, {key, kKeySize});
  return err == Err::kOk ? 0 : fail(err);
}

// 32 bytes read the key, 41 its Z85 text and a NUL; anything else is EINVAL (as libzmq).
int get_curve_key(SocketHandle& h, int option, void* optval, size_t* optvallen) {
  if (*optvallen != kZ85KeySize + 1) {
    Err err = h.socket->get_option(option, static_cast<uint8_t*>(optval), optvallen);
    return err == Err::kOk ? 0 : fail(err);
  }
  uint8_t key[kKeySize];
  size_t size = kKeySize;
  Err err = h.socket->get_option(option, key, &size);
  if (err != Err::kOk) return fail(err);
  if (zmq_z85_encode(static_cast<char*>(optval), key, kKeySize) == nullptr) {
    return fail_with(EINVAL);
  }
  return 0;
}

}  // namespace

extern "C" int zmq_setsockopt(void* socket, int option, const void* optval, size_t optvallen) {
  SocketHandle* h = socket_of(socket);
  if (h == nullptr) return -1;
  if (optval == nullptr && optvallen != 0) return fail_with(EINVAL);
  if (draft_build_only(option) && !zlab::api::draft_api_built()) return fail_with(EINVAL);
  if (is_curve_key(option)) return set_curve_key(*h, option, optval, optvallen);
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
  if (draft_build_only(option) && !zlab::api::draft_api_built()) return fail_with(EINVAL);
  if (is_curve_key(option)) return get_curve_key(*h, option, optval, optvallen);
  Local kind = local_kind(option);
  if (kind != Local::kEngine) return get_local(*h, kind, optval, optvallen);
  Err err = h->socket->get_option(option, static_cast<uint8_t*>(optval), optvallen);
  return err == Err::kOk ? 0 : fail(err);
}
