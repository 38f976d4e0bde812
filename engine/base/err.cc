#include "engine/base/err.h"

namespace zlab {

std::string_view err_name(Err err) {
  switch (err) {
    case Err::kOk:
      return "ok";
    case Err::kAgain:
      return "EAGAIN";
    case Err::kFsm:
      return "EFSM";
    case Err::kHostUnreachable:
      return "EHOSTUNREACH";
    case Err::kNotSupported:
      return "ENOTSUP";
    case Err::kInvalid:
      return "EINVAL";
    case Err::kNoCompatProto:
      return "ENOCOMPATPROTO";
    case Err::kAddrInUse:
      return "EADDRINUSE";
    case Err::kAddrNotAvailable:
      return "EADDRNOTAVAIL";
    case Err::kNoDevice:
      return "ENODEV";
    case Err::kConnRefused:
      return "ECONNREFUSED";
    case Err::kTerminated:
      return "ETERM";
    case Err::kMessageTooLong:
      return "EMSGSIZE";
    case Err::kNoEntry:
      return "ENOENT";
    case Err::kProtocol:
      return "EPROTO";
    case Err::kTimedOut:
      return "ETIMEDOUT";
    case Err::kConnReset:
      return "ECONNRESET";
    case Err::kNoMemory:
      return "ENOMEM";
    case Err::kProtoNotSupported:
      return "EPROTONOSUPPORT";
    case Err::kNotConnected:
      return "ENOTCONN";
    case Err::kNoBufferSpace:
      return "ENOBUFS";
    case Err::kAccessDenied:
      return "EACCES";
    case Err::kNameTooLong:
      return "ENAMETOOLONG";
    case Err::kTooManyFiles:
      return "EMFILE";
    case Err::kInterrupted:
      return "EINTR";
    case Err::kFault:
      return "EFAULT";
    case Err::kBrokenPipe:
      return "EPIPE";
  }
  return "unknown";
}

}  // namespace zlab
