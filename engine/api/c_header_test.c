/* zmq.h from C (built as strict C89 and as C99): the types, the macros and the implemented
 * calls are usable by a C program. Exits non-zero on the first failed check. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/api/zmq.h"

/* Compile-time checks that work in C89: a negative array size fails the build. */
#define C_STATIC_CHECK(name, cond) typedef char name[(cond) ? 1 : -1]

struct msg_in_struct {
  char c;
  zmq_msg_t msg;
};

C_STATIC_CHECK(msg_is_64_bytes, sizeof(zmq_msg_t) == 64);
C_STATIC_CHECK(msg_is_pointer_aligned, offsetof(struct msg_in_struct, msg) == sizeof(void*));
C_STATIC_CHECK(pollitem_socket_first, offsetof(zmq_pollitem_t, socket) == 0);
C_STATIC_CHECK(pollitem_fd_after_socket, offsetof(zmq_pollitem_t, fd) == sizeof(void*));
C_STATIC_CHECK(pollitem_events_after_fd,
               offsetof(zmq_pollitem_t, events) == sizeof(void*) + sizeof(zmq_fd_t));
C_STATIC_CHECK(pollitem_revents_last, offsetof(zmq_pollitem_t, revents) ==
                                          offsetof(zmq_pollitem_t, events) + sizeof(short));
C_STATIC_CHECK(version_macro, ZMQ_VERSION == 40304);
C_STATIC_CHECK(fd_is_int, sizeof(zmq_fd_t) == sizeof(int));

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

static void free_nothing(void* data, void* hint) {
  (void)data;
  (void)hint;
}

static void timer_nothing(int timer_id, void* arg) {
  (void)timer_id;
  (void)arg;
}

static void bump(void* arg) { ++*(int*)arg; }

#ifdef ZMQ_BUILD_DRAFT_API
/* The draft section from C: the poller and its event type, routing ids and groups. */
static int draft_calls(void) {
  void* poller = zmq_poller_new();
  zmq_poller_event_t event;
  zmq_msg_t msg;
  int rc = 0;
  if (poller == NULL || zmq_poller_size(poller) != 0) rc = -1;
  if (zmq_poller_wait(poller, &event, 0) != -1 || zmq_errno() != EAGAIN) rc = -1;
  if (zmq_poller_destroy(&poller) != 0 || poller != NULL) rc = -1;
  zmq_msg_init(&msg);
  if (zmq_msg_set_routing_id(&msg, 7) != 0 || zmq_msg_routing_id(&msg) != 7) rc = -1;
  if (zmq_msg_set_group(&msg, "TV") != 0 || strcmp(zmq_msg_group(&msg), "TV") != 0) rc = -1;
  zmq_msg_close(&msg);
  return rc;
}
#endif

int main(void) {
  int major = 0, minor = 0, patch = 0;
  char text[11];
  char pub[41], sec[41], derived[41];
  uint8_t bytes[8];
  static const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
  void* counter;
  void* thread;
  void* watch;
  int ran = 0;
  zmq_free_fn* ffn = &free_nothing;
  zmq_timer_fn* tfn = &timer_nothing;
  zmq_thread_fn* thfn = &bump;
  zmq_pollitem_t items[ZMQ_POLLITEMS_DFLT];
  zmq_msg_t msg;

  (void)ffn;
  (void)tfn;
  memset(items, 0, sizeof items);
  memset(&msg, 0, sizeof msg);
  items[0].events = ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI;
  check(items[0].revents == 0 && msg._[63] == 0, "pollitem and msg are plain data");

  zmq_version(&major, &minor, &patch);
  check(ZMQ_MAKE_VERSION(major, minor, patch) == ZMQ_VERSION, "zmq_version");

  check(zmq_z85_encode(text, hello, 8) == text && strcmp(text, "HelloWorld") == 0, "z85 encode");
  check(zmq_z85_decode(bytes, "HelloWorld") == bytes && memcmp(bytes, hello, 8) == 0, "z85 decode");
  check(zmq_z85_decode(bytes, "Hello") != NULL, "z85 decode one group");
  check(zmq_z85_decode(bytes, "Hell") == NULL && zmq_errno() == EINVAL, "z85 bad length");

  check(strlen(zmq_strerror(ETERM)) > 0, "zmq_strerror");
#ifdef ZMQ_BUILD_DRAFT_API
  check(zmq_has("ipc") == 1 && zmq_has("draft") == 1, "zmq_has (draft build)");
  check(draft_calls() == 0, "draft calls");
#else
  check(zmq_has("ipc") == 1 && zmq_has("draft") == 0, "zmq_has");
#endif
  check(zmq_has("curve") == 1 && zmq_curve_keypair(pub, sec) == 0 &&
            zmq_curve_public(derived, sec) == 0 && strcmp(derived, pub) == 0,
        "curve keys");

  counter = zmq_atomic_counter_new();
  check(zmq_atomic_counter_inc(counter) == 0 && zmq_atomic_counter_dec(counter) == 0,
        "atomic counter");
  zmq_atomic_counter_destroy(&counter);
  check(counter == NULL, "atomic counter destroy");

  watch = zmq_stopwatch_start();
  zmq_sleep(0);
  (void)zmq_stopwatch_stop(watch);

  thread = zmq_threadstart(thfn, &ran);
  zmq_threadclose(thread);
  check(ran == 1, "thread ran");

  return failures == 0 ? 0 : 1;
}
