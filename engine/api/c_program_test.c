/* A plain C99 program on libzmq.so.5 itself (linked against the shared library, as any libzmq
 * program is): request-reply, a pipeline with zmq_poll, message API, monitor events, options and
 * errors, then a clean zmq_ctx_term. Exits non-zero on the first failed check. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/zmq.h"

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "%s:%d: FAILED: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, \
              zmq_errno(), zmq_strerror(zmq_errno()));                                 \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

static void* timed_socket(void* ctx, int type) {
  int timeout = 5000;
  void* s = zmq_socket(ctx, type);
  CHECK(s != NULL);
  CHECK(zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
  CHECK(zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == 0);
  return s;
}

static void request_reply(void* ctx) {
  char endpoint[256];
  size_t size = sizeof endpoint;
  char buf[32];
  int i;
  void* rep = timed_socket(ctx, ZMQ_REP);
  void* req = timed_socket(ctx, ZMQ_REQ);
  CHECK(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
  CHECK(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
  CHECK(zmq_connect(req, endpoint) == 0);
  for (i = 0; i < 10; ++i) {
    CHECK(zmq_send(req, "Hello", 5, 0) == 5);
    CHECK(zmq_recv(rep, buf, sizeof buf, 0) == 5 && memcmp(buf, "Hello", 5) == 0);
    CHECK(zmq_send(rep, "World", 5, 0) == 5);
    CHECK(zmq_recv(req, buf, sizeof buf, 0) == 5 && memcmp(buf, "World", 5) == 0);
  }
  CHECK(zmq_send(req, "x", 1, 0) == 1);
  CHECK(zmq_send(req, "y", 1, 0) == -1 && zmq_errno() == EFSM);
  /* Take "x": with the default linger (-1), a message still unsent at close would keep
   * zmq_ctx_term waiting (as in libzmq). */
  CHECK(zmq_recv(rep, buf, sizeof buf, 0) == 1);
  CHECK(zmq_close(req) == 0);
  CHECK(zmq_close(rep) == 0);
}

static void pipeline_with_poll(void* ctx) {
  zmq_pollitem_t items[1];
  zmq_msg_t msg;
  int received = 0, more = 1;
  size_t more_size = sizeof more;
  void* pull = timed_socket(ctx, ZMQ_PULL);
  void* push = timed_socket(ctx, ZMQ_PUSH);
  CHECK(zmq_bind(pull, "ipc://*") == 0);
  {
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(push, endpoint) == 0);
  }
  CHECK(zmq_send(push, "head", 4, ZMQ_SNDMORE) == 4);
  CHECK(zmq_send_const(push, "tail", 4, 0) == 4);
  items[0].socket = pull;
  items[0].fd = 0;
  items[0].events = ZMQ_POLLIN;
  items[0].revents = 0;
  CHECK(zmq_poll(items, 1, 5000) == 1 && items[0].revents == ZMQ_POLLIN);
  CHECK(zmq_msg_init(&msg) == 0);
  while (more) {
    CHECK(zmq_msg_recv(&msg, pull, 0) == 4);
    CHECK(zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &more_size) == 0);
    CHECK(zmq_msg_more(&msg) == more);
    ++received;
  }
  CHECK(received == 2 && memcmp(zmq_msg_data(&msg), "tail", 4) == 0);
  CHECK(zmq_msg_close(&msg) == 0);
  CHECK(zmq_msg_close(&msg) == -1 && zmq_errno() == EFAULT);
  items[0].revents = 0;
  CHECK(zmq_poll(items, 1, 10) == 0);
  CHECK(zmq_close(push) == 0);
  CHECK(zmq_close(pull) == 0);
}

static void monitor_events(void* ctx) {
  zmq_msg_t frame;
  uint16_t event = 0;
  void* s = timed_socket(ctx, ZMQ_PULL);
  void* reader = timed_socket(ctx, ZMQ_PAIR);
  CHECK(zmq_socket_monitor(s, "inproc://c-monitor", ZMQ_EVENT_LISTENING) == 0);
  CHECK(zmq_connect(reader, "inproc://c-monitor") == 0);
  CHECK(zmq_bind(s, "tcp://127.0.0.1:*") == 0);
  CHECK(zmq_msg_init(&frame) == 0);
  CHECK(zmq_msg_recv(&frame, reader, 0) == 6 && zmq_msg_more(&frame) == 1);
  memcpy(&event, zmq_msg_data(&frame), sizeof event);
  CHECK(event == ZMQ_EVENT_LISTENING);
  CHECK(zmq_msg_recv(&frame, reader, 0) > 0 && zmq_msg_more(&frame) == 0);
  CHECK(memcmp(zmq_msg_data(&frame), "tcp://127.0.0.1:", 16) == 0);
  CHECK(zmq_msg_close(&frame) == 0);
  CHECK(zmq_close(s) == 0);
  CHECK(zmq_close(reader) == 0);
}

static void bad_input(void* ctx) {
  int v = 1;
  void* s = zmq_socket(ctx, ZMQ_DEALER);
  CHECK(zmq_setsockopt(s, 9999, &v, sizeof v) == -1 && zmq_errno() == EINVAL);
  CHECK(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "a", 1) == -1 && zmq_errno() == EINVAL);
  CHECK(zmq_bind(s, "nonsense://x") == -1 && zmq_errno() == EPROTONOSUPPORT);
  CHECK(zmq_socket(NULL, ZMQ_PAIR) == NULL && zmq_errno() == EFAULT);
  CHECK(zmq_close(s) == 0);
  CHECK(zmq_send(s, "x", 1, 0) == -1 && zmq_errno() == ENOTSOCK);
  CHECK(zmq_close(s) == -1 && zmq_errno() == ENOTSOCK);
}

int main(void) {
  int major = 0, minor = 0, patch = 0;
  void* ctx = zmq_ctx_new();
  CHECK(ctx != NULL);
  zmq_version(&major, &minor, &patch);
  CHECK(major == 4 && minor == 3 && patch == 4);
  request_reply(ctx);
  pipeline_with_poll(ctx);
  monitor_events(ctx);
  bad_input(ctx);
  CHECK(zmq_ctx_term(ctx) == 0);
  printf("c_program_test: all checks passed\n");
  return 0;
}
