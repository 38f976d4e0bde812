// zmq_threadstart / zmq_threadclose: run a function on a new thread, then join it.
//
// As libzmq does for its own threads, the new thread starts with every signal blocked (signals
// go to the application's threads) and is named "ZMQapp". It is created with all signals
// blocked in the caller, so there is no window in which it could take one.
// Failures return NULL with errno set (EINVAL for a NULL function, else what pthread_create
// reported); libzmq aborts instead. zmq_threadclose(NULL) does nothing.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "engine/api/zmq.h"

namespace {

struct Thread {
  pthread_t id;
  zmq_thread_fn* func;
  void* arg;
};

void* Run(void* raw) {
  Thread* thread = static_cast<Thread*>(raw);
  thread->func(thread->arg);
  return nullptr;
}

}  // namespace

extern "C" void* zmq_threadstart(zmq_thread_fn* func, void* arg) {
  if (func == nullptr) {
    errno = EINVAL;
    return nullptr;
  }
  // malloc, not new: a C function must not throw, and the handle is plain data.
  Thread* thread = static_cast<Thread*>(malloc(sizeof(Thread)));
  if (thread == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  thread->func = func;
  thread->arg = arg;

  sigset_t all, caller;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &caller);
  const int rc = pthread_create(&thread->id, nullptr, &Run, thread);
  pthread_sigmask(SIG_SETMASK, &caller, nullptr);
  if (rc != 0) {
    free(thread);
    errno = rc;
    return nullptr;
  }
  pthread_setname_np(thread->id, "ZMQapp");  // Cosmetic: a failure changes nothing.
  return thread;
}

extern "C" void zmq_threadclose(void* handle) {
  if (handle == nullptr) return;
  Thread* thread = static_cast<Thread*>(handle);
  pthread_join(thread->id, nullptr);
  free(thread);
}
