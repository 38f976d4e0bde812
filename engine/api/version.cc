// zmq_version: the libzmq API version zlab implements (the header's ZMQ_VERSION_*).
#include "engine/api/zmq.h"

extern "C" void zmq_version(int* major, int* minor, int* patch) {
  // libzmq writes through all three unconditionally; zlab tolerates a null out-parameter.
  if (major != nullptr) *major = ZMQ_VERSION_MAJOR;
  if (minor != nullptr) *minor = ZMQ_VERSION_MINOR;
  if (patch != nullptr) *patch = ZMQ_VERSION_PATCH;
}
