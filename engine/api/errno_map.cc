#include "engine/api/errno_map.h"

#include <errno.h>

#include "engine/api/zmq.h"

namespace zlab::api {

int errno_of(Err err) {
  switch (err) {
    case Err::kOk:
      return 0;
    case Err::kAgain:
      return EAGAIN;
    case Err::kFsm:
      return EFSM;
    case Err::kHostUnreachable:
      return EHOSTUNREACH;
    case Err::kNotSupported:
      return ENOTSUP;
    case Err::kInvalid:
      return EINVAL;
    case Err::kNoCompatProto:
      return ENOCOMPATPROTO;
    case Err::kAddrInUse:
      return EADDRINUSE;
    case Err::kAddrNotAvailable:
      return EADDRNOTAVAIL;
    case Err::kNoDevice:
      return ENODEV;
    case Err::kConnRefused:
      return ECONNREFUSED;
    case Err::kTerminated:
      return ETERM;
    case Err::kMessageTooLong:
      return EMSGSIZE;
    case Err::kNoEntry:
      return ENOENT;
    case Err::kProtocol:
      return EPROTO;
    case Err::kTimedOut:
      return ETIMEDOUT;
    case Err::kConnReset:
      return ECONNRESET;
    case Err::kNoMemory:
      return ENOMEM;
    case Err::kProtoNotSupported:
      return EPROTONOSUPPORT;
    case Err::kNotConnected:
      return ENOTCONN;
    case Err::kNoBufferSpace:
      return ENOBUFS;
    case Err::kAccessDenied:
      return EACCES;
    case Err::kNameTooLong:
      return ENAMETOOLONG;
    case Err::kTooManyFiles:
      return EMFILE;
    case Err::kInterrupted:
      return EINTR;
    case Err::kFault:
      return EFAULT;
    case Err::kBrokenPipe:
      return EPIPE;
  }
  return EINVAL;  // not reached: every Err is listed (the compiler checks with -Wswitch)
}

int fail(Err err) { return fail_with(errno_of(err)); }

int fail_with(int errno_value) {
  errno = errno_value;
  return -1;
}

}  // namespace zlab::api
