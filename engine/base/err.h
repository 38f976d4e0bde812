// Errors the core reports. The C API maps them to libzmq's errno values.
#pragma once

#include <cstdint>
#include <string_view>

namespace zlab {

enum class Err : uint8_t {
  kOk = 0,
  kAgain,              // would block (EAGAIN)
  kFsm,                // operation not valid in the socket's current state (EFSM)
  kHostUnreachable,    // no such routing id (EHOSTUNREACH)
  kNotSupported,       // operation not supported by this socket type (ENOTSUP)
  kInvalid,            // bad argument (EINVAL)
  kNoCompatProto,      // transport not supported by this socket type (ENOCOMPATPROTO)
  kAddrInUse,          // EADDRINUSE
  kAddrNotAvailable,   // EADDRNOTAVAIL
  kNoDevice,           // ENODEV: unknown interface
  kConnRefused,        // ECONNREFUSED
  kTerminated,         // context terminated (ETERM)
  kMessageTooLong,     // EMSGSIZE
  kNoEntry,            // ENOENT: endpoint not bound/connected (unbind/disconnect)
  kProtocol,           // the peer broke ZMTP (EPROTO)
  kTimedOut,           // ETIMEDOUT
  kConnReset,          // ECONNRESET
  kNoMemory,           // ENOMEM
  kProtoNotSupported,  // EPROTONOSUPPORT: unknown transport
  kNotConnected,       // ENOTCONN
  kNoBufferSpace,      // ENOBUFS
  kAccessDenied,       // EACCES
  kNameTooLong,        // ENAMETOOLONG: an ipc path too long for sockaddr_un
  kTooManyFiles,       // EMFILE
  kInterrupted,        // EINTR
  kFault,              // EFAULT: libzmq's answer to zmq_connect_peer with ZMQ_IMMEDIATE
  kBrokenPipe,         // EPIPE: a write to a stream already reset or shut down (the simulator)
};

std::string_view err_name(Err err);

}  // namespace zlab
