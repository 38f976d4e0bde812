// How engine errors reach C callers: each Err becomes the errno value libzmq would set.
#pragma once

#include "engine/base/err.h"

namespace zlab::api {

// The errno libzmq reports for `err` (EAGAIN, EFSM, ETERM, ...); 0 for kOk.
int errno_of(Err err);

// Sets errno and returns -1: the failure path of every int-returning call.
int fail(Err err);
int fail_with(int errno_value);

// Sets errno and returns nullptr: the failure path of the pointer-returning calls.
template <typename T = void>
T* fail_null(int errno_value) {
  fail_with(errno_value);
  return nullptr;
}

}  // namespace zlab::api
