/* The libzmq agent: drives Debian's libzmq 4.3.4 for the conformance catalogue.
 *
 * Built with -DZMQ_BUILD_DRAFT_API against a draft-enabled libzmq (the `libzmq-draft`
 * implementation: engine/api/libzmq_suite/draft_libzmq.py builds Debian's source with
 * --enable-drafts), it also speaks the draft requests of the README: the draft socket types,
 * routing ids and groups on messages (sendmsg, recvmsg), join, leave and connectpeer.
 *
 * It speaks the agent protocol of conformance/agents/README.md on stdin/stdout: one request
 * line in, one answer line out. It is built by conformance/agents/impls.py with the system C
 * compiler against the system <zmq.h> and -lzmq, never against zlab's engine/api/zmq.h, and
 * run without LD_LIBRARY_PATH, so the library under test is the one Debian ships. `hello`
 * names the file the library was loaded from, so a run can show which one it drove. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_SOCKETS 4096
#define MAX_EVENT 0x10000

struct agent_socket {
  void* s;
  void* monitor;    /* the PAIR end of zmq_socket_monitor's inproc pair */
  uint64_t* events; /* counts by event bit position */
  zmq_msg_t last;   /* the last part recv or recvmsg returned, for "gets" */
  int has_last;
};

static void* ctx;
static void* zap; /* the ZAP handler's REP at inproc://zeromq.zap.01 ("zap"), or NULL */
static struct agent_socket socks[MAX_SOCKETS];
static int next_id = 1;
static char* part_buf;
static size_t part_cap;

/* Indexed by the zmq.h number of the type. */
static const char* type_names[] = {"PAIR",   "PUB",    "SUB",    "REQ",  "REP",    "DEALER",
                                   "ROUTER", "PULL",   "PUSH",   "XPUB", "XSUB",   "STREAM",
#ifdef ZMQ_BUILD_DRAFT_API
                                   "SERVER", "CLIENT", "RADIO",  "DISH", "GATHER", "SCATTER",
                                   "DGRAM",  "PEER",   "CHANNEL"
#endif
};

static const char* errno_name(int e) {
  switch (e) {
    case EAGAIN:
      return "EAGAIN";
    case EFSM:
      return "EFSM";
    case EHOSTUNREACH:
      return "EHOSTUNREACH";
    case ENOTSUP:
      return "ENOTSUP";
    case EINVAL:
      return "EINVAL";
    case ENOCOMPATPROTO:
      return "ENOCOMPATPROTO";
    case EADDRINUSE:
      return "EADDRINUSE";
    case EADDRNOTAVAIL:
      return "EADDRNOTAVAIL";
    case ENODEV:
      return "ENODEV";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case ETERM:
      return "ETERM";
    case EMSGSIZE:
      return "EMSGSIZE";
    case ENOENT:
      return "ENOENT";
    case EPROTO:
      return "EPROTO";
    case ETIMEDOUT:
      return "ETIMEDOUT";
    case ECONNRESET:
      return "ECONNRESET";
    case ENOMEM:
      return "ENOMEM";
    case EPROTONOSUPPORT:
      return "EPROTONOSUPPORT";
    case ENOTCONN:
      return "ENOTCONN";
    case ENOBUFS:
      return "ENOBUFS";
    case EACCES:
      return "EACCES";
    case ENAMETOOLONG:
      return "ENAMETOOLONG";
    case EMFILE:
      return "EMFILE";
    case EINTR:
      return "EINTR";
    case ENOTSOCK:
      return "ENOTSOCK";
    default:
      return "EUNKNOWN";
  }
}

static void reply_err(int e) { printf("err %s\n", errno_name(e)); }

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes HEX ("-" is empty) into part_buf; returns the length, or -1 when malformed. */
static long unhex(const char* hex) {
  if (strcmp(hex, "-") == 0) return 0;
  size_t n = strlen(hex);
  if (n % 2 != 0) return -1;
  if (n / 2 > part_cap) {
    part_cap = n / 2;
    part_buf = realloc(part_buf, part_cap);
  }
  for (size_t i = 0; i < n / 2; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    part_buf[i] = (char)(hi * 16 + lo);
  }
  return (long)(n / 2);
}

static void print_hex(const unsigned char* data, size_t n) {
  static const char digits[] = "0123456789abcdef";
  if (n == 0) {
    putchar('-');
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    putchar(digits[data[i] >> 4]);
    putchar(digits[data[i] & 15]);
  }
}

static struct agent_socket* lookup(const char* id_text) {
  long id = id_text ? strtol(id_text, NULL, 10) : 0;
  if (id <= 0 || id >= MAX_SOCKETS || socks[id].s == NULL) return NULL;
  return &socks[id];
}

/* Counts every monitor event waiting, for every socket: the monitor pair has a HWM, so it is
 * read on every request rather than only when counts are asked for. */
static void drain_monitors(void) {
  for (int i = 1; i < next_id; ++i) {
    if (socks[i].monitor == NULL) continue;
    for (;;) {
      zmq_msg_t m;
      zmq_msg_init(&m);
      if (zmq_msg_recv(&m, socks[i].monitor, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        break;
      }
      if (zmq_msg_size(&m) >= 2) {
        uint16_t event;
        memcpy(&event, zmq_msg_data(&m), 2);
        for (int bit = 0; bit < 16; ++bit)
          if (event & (1u << bit)) socks[i].events[bit]++;
      }
      int more = zmq_msg_more(&m);
      zmq_msg_close(&m);
      while (more) { /* the endpoint frame */
        zmq_msg_init(&m);
        zmq_msg_recv(&m, socks[i].monitor, 0);
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
      }
    }
  }
}

static void close_socket(struct agent_socket* a) {
  if (a->monitor != NULL) {
    zmq_socket_monitor(a->s, NULL, 0);
    int zero = 0;
    zmq_setsockopt(a->monitor, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(a->monitor);
    a->monitor = NULL;
  }
  int zero = 0;
  zmq_setsockopt(a->s, ZMQ_LINGER, &zero, sizeof zero);
  zmq_close(a->s);
  a->s = NULL;
  if (a->has_last) zmq_msg_close(&a->last);
  a->has_last = 0;
  free(a->events);
  a->events = NULL;
}

static void close_all(void) {
  if (zap != NULL) {
    int zero = 0;
    zmq_setsockopt(zap, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(zap);
    zap = NULL;
  }
  for (int i = 1; i < next_id; ++i)
    if (socks[i].s != NULL) close_socket(&socks[i]);
  next_id = 1;
}

static void cmd_socket(const char* type) {
  for (int t = 0; t < (int)(sizeof type_names / sizeof type_names[0]); ++t) {
    if (type == NULL || strcmp(type, type_names[t]) != 0) continue;
    if (next_id >= MAX_SOCKETS) {
      reply_err(EMFILE);
      return;
    }
    void* s = zmq_socket(ctx, t);
    if (s == NULL) {
      reply_err(zmq_errno());
      return;
    }
    int id = next_id++;
    socks[id].s = s;
    socks[id].events = calloc(16, sizeof(uint64_t));
    printf("ok %d\n", id);
    return;
  }
  reply_err(EINVAL);
}

static void cmd_monitor(struct agent_socket* a, int id) {
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "inproc://agent-monitor-%d", id);
  if (zmq_socket_monitor(a->s, endpoint, ZMQ_EVENT_ALL) != 0) {
    reply_err(zmq_errno());
    return;
  }
  a->monitor = zmq_socket(ctx, ZMQ_PAIR);
  if (zmq_connect(a->monitor, endpoint) != 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok\n");
}

static void cmd_send(struct agent_socket* a, const char* flags_text, char** parts, int n) {
  int flags = 0, more_last = 0;
  for (const char* f = flags_text; *f; ++f) {
    if (*f == 'd') flags |= ZMQ_DONTWAIT;
    if (*f == 'm') more_last = 1;
  }
  for (int i = 0; i < n; ++i) {
    long len = unhex(parts[i]);
    if (len < 0) {
      printf("err EINVAL %d\n", i);
      return;
    }
    int part_flags = flags | ((i + 1 < n || more_last) ? ZMQ_SNDMORE : 0);
    if (zmq_send(a->s, part_buf, (size_t)len, part_flags) < 0) {
      printf("err %s %d\n", errno_name(zmq_errno()), i);
      return;
    }
  }
  printf("ok %d\n", n);
}

/* The same message COUNT times with no answer in between: a burst faster than a request per
 * message, for races between the sender and its own I/O thread. */
enum { MAX_REPEAT = 1000000, MAX_REPEAT_PARTS = 64 };

static void cmd_sendn(struct agent_socket* a, const char* flags_text, const char* count_text,
                      char** parts, int n) {
  char* end = NULL;
  long count = count_text ? strtol(count_text, &end, 10) : -1;
  if (count_text == NULL || *end != '\0' || count < 0 || count > MAX_REPEAT || n < 1 ||
      n > MAX_REPEAT_PARTS) {
    printf("err EINVAL 0\n");
    return;
  }
  int flags = strchr(flags_text, 'd') ? ZMQ_DONTWAIT : 0;
  char* data[MAX_REPEAT_PARTS] = {0};
  size_t size[MAX_REPEAT_PARTS] = {0};
  int ok = 1;
  for (int i = 0; i < n && ok; ++i) {
    long len = unhex(parts[i]);
    if (len < 0) {
      printf("err EINVAL 0\n");
      ok = 0;
    } else if ((data[i] = malloc((size_t)len + 1)) == NULL) {
      printf("err ENOMEM 0\n");
      ok = 0;
    } else {
      if (len > 0) memcpy(data[i], part_buf, (size_t)len); /* part_buf is NULL until used */
      size[i] = (size_t)len;
    }
  }
  for (long k = 0; ok && k < count; ++k) {
    for (int i = 0; ok && i < n; ++i) {
      if (zmq_send(a->s, data[i], size[i], flags | (i + 1 < n ? ZMQ_SNDMORE : 0)) < 0) {
        printf("err %s %ld\n", errno_name(zmq_errno()), k);
        ok = 0;
      }
    }
  }
  if (ok) printf("ok %ld\n", count);
  for (int i = 0; i < n; ++i) free(data[i]);
}

/* Waits up to the timeout for a part and takes it into `a->last`, where it stays for its
 * properties ("gets"): kept, not copied, since zmq_msg_gets reads the connection's properties
 * from the message itself. Answers the error and returns -1 when no part came. */
static int take_part(struct agent_socket* a, const char* timeout_text) {
  int timeout_ms = timeout_text ? atoi(timeout_text) : 0;
  if (timeout_ms != 0) {
    zmq_pollitem_t item = {a->s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) < 0) {
      reply_err(zmq_errno());
      return -1;
    }
  }
  zmq_msg_t m;
  zmq_msg_init(&m);
  if (zmq_msg_recv(&m, a->s, ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&m);
    reply_err(zmq_errno());
    return -1;
  }
  if (a->has_last) zmq_msg_close(&a->last);
  zmq_msg_init(&a->last);
  zmq_msg_move(&a->last, &m);
  a->has_last = 1;
  zmq_msg_close(&m);
  return 0;
}

/* recv ID TIMEOUT_MS: one part as `ok MORE HEX`. */
static void cmd_recv(struct agent_socket* a, const char* timeout_text) {
  if (take_part(a, timeout_text) != 0) return;
  printf("ok %d ", zmq_msg_more(&a->last) ? 1 : 0);
  print_hex(zmq_msg_data(&a->last), zmq_msg_size(&a->last));
  putchar('\n');
}

/* A property of the last part received (zmq_msg_gets): "ok HEX", or the errno it gave. */
static void cmd_gets(struct agent_socket* a, const char* name_hex) {
  long len = name_hex ? unhex(name_hex) : -1;
  if (len <= 0 || !a->has_last) {
    reply_err(EINVAL);
    return;
  }
  char name[256];
  if ((size_t)len >= sizeof name) {
    reply_err(EINVAL);
    return;
  }
  memcpy(name, part_buf, (size_t)len);
  name[len] = '\0';
  const char* value = zmq_msg_gets(&a->last, name);
  if (value == NULL) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok ");
  print_hex((const unsigned char*)value, strlen(value));
  putchar('\n');
}

static void cmd_poll(struct agent_socket* a, const char* mask_text, const char* timeout_text) {
  zmq_pollitem_t item = {a->s, 0, (short)(mask_text ? atoi(mask_text) : 0), 0};
  if (zmq_poll(&item, 1, timeout_text ? atoi(timeout_text) : 0) < 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok %d\n", item.revents);
}

static void cmd_option(struct agent_socket* a, const char* verb, const char* opt_text,
                       const char* value) {
  int option = opt_text ? atoi(opt_text) : -1;
  if (strcmp(verb, "getint") == 0) {
    int v = 0;
    size_t size = sizeof v;
    if (zmq_getsockopt(a->s, option, &v, &size) != 0) {
      reply_err(zmq_errno());
      return;
    }
    printf("ok %d\n", v);
    return;
  }
  if (value == NULL) {
    reply_err(EINVAL);
    return;
  }
  int rc;
  if (strcmp(verb, "setint") == 0) {
    int v = atoi(value);
    rc = zmq_setsockopt(a->s, option, &v, sizeof v);
  } else {
    long len = unhex(value);
    if (len < 0) {
      reply_err(EINVAL);
      return;
    }
    rc = zmq_setsockopt(a->s, option, len ? part_buf : "", (size_t)len);
  }
  if (rc != 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok\n");
}

static void cmd_endpoint(struct agent_socket* a, const char* verb, const char* endpoint) {
  if (endpoint == NULL) {
    reply_err(EINVAL);
    return;
  }
  int rc = strcmp(verb, "bind") == 0      ? zmq_bind(a->s, endpoint)
           : strcmp(verb, "connect") == 0 ? zmq_connect(a->s, endpoint)
           : strcmp(verb, "unbind") == 0  ? zmq_unbind(a->s, endpoint)
                                          : zmq_disconnect(a->s, endpoint);
  if (rc != 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok\n");
}

/* ZAP (rfc 27): the runner is the handler. "zap" binds a REP at inproc://zeromq.zap.01 in
 * this context; "zappoll" answers "ok 0" or "ok N HEX..." with the next request's frames (the
 * REP has taken the envelope: version first); "zapreply HEX..." sends the reply's frames after
 * the envelope. */
static void cmd_zap(void) {
  if (zap == NULL) {
    zap = zmq_socket(ctx, ZMQ_REP);
    if (zmq_bind(zap, "inproc://zeromq.zap.01") != 0) {
      int e = zmq_errno();
      zmq_close(zap);
      zap = NULL;
      reply_err(e);
      return;
    }
  }
  printf("ok\n");
}

static void cmd_zappoll(void) {
  if (zap == NULL) {
    reply_err(ENOTSOCK);
    return;
  }
  zmq_msg_t m[64];
  int n = 0, more = 1;
  while (more && n < 64) {
    zmq_msg_init(&m[n]);
    if (zmq_msg_recv(&m[n], zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
      zmq_msg_close(&m[n]);
      if (n == 0) {
        printf("ok 0\n");
        return;
      }
      break;
    }
    more = zmq_msg_more(&m[n]);
    ++n;
  }
  printf("ok %d", n);
  for (int i = 0; i < n; ++i) {
    printf(" ");
    print_hex(zmq_msg_data(&m[i]), zmq_msg_size(&m[i]));
    zmq_msg_close(&m[i]);
  }
  printf("\n");
}

static void cmd_zapreply(char** parts, int n) {
  if (zap == NULL) {
    reply_err(ENOTSOCK);
    return;
  }
  for (int i = 0; i < n; ++i) {
    long len = unhex(parts[i]);
    if (len < 0 || zmq_send(zap, part_buf, (size_t)len, i + 1 < n ? ZMQ_SNDMORE : 0) < 0) {
      reply_err(len < 0 ? EINVAL : zmq_errno());
      return;
    }
  }
  printf("ok\n");
}

#ifdef ZMQ_BUILD_DRAFT_API
/* The draft requests (README "Draft requests"). A group travels as hex ("-": none); it is a C
 * string to libzmq, so one holding a zero byte is refused with EINVAL, as is a malformed one. */
static char* group_of(const char* hex) {
  long len = unhex(hex);
  if (len < 0 || memchr(part_buf, 0, (size_t)len) != NULL) return NULL;
  char* group = malloc((size_t)len + 1);
  memcpy(group, part_buf, (size_t)len);
  group[len] = '\0';
  return group;
}

/* sendmsg ID FLAGS ROUTING_ID GROUP HEX: one part, with a routing id (decimal, 0: none) and a
 * group (hex, "-": none) set on it before zmq_msg_send. */
static void cmd_sendmsg(struct agent_socket* a, char** words) {
  int flags = 0;
  for (const char* f = words[0]; *f; ++f) {
    if (*f == 'd') flags |= ZMQ_DONTWAIT;
    if (*f == 'm') flags |= ZMQ_SNDMORE;
  }
  char* end = NULL;
  unsigned long long routing_id = strtoull(words[1], &end, 10);
  char* group = group_of(words[2]);
  long len = unhex(words[3]);
  if (*end != '\0' || routing_id > UINT32_MAX || group == NULL || len < 0) {
    free(group);
    printf("err EINVAL 0\n");
    return;
  }
  zmq_msg_t m;
  zmq_msg_init_size(&m, (size_t)len);
  memcpy(zmq_msg_data(&m), part_buf, (size_t)len);
  int rc = 0;
  if (routing_id != 0) rc = zmq_msg_set_routing_id(&m, (uint32_t)routing_id);
  if (rc == 0 && strcmp(words[2], "-") != 0) rc = zmq_msg_set_group(&m, group);
  if (rc == 0) rc = zmq_msg_send(&m, a->s, flags) < 0 ? -1 : 0;
  free(group);
  if (rc != 0) {
    int e = zmq_errno();
    zmq_msg_close(&m);
    printf("err %s 0\n", errno_name(e));
    return;
  }
  printf("ok 1\n");
}

/* recvmsg ID TIMEOUT_MS: one part as `ok MORE ROUTING_ID GROUP HEX` (0 / "-" when unset). */
static void cmd_recvmsg(struct agent_socket* a, const char* timeout_text) {
  if (take_part(a, timeout_text) != 0) return;
  zmq_msg_t* m = &a->last;
  const char* group = zmq_msg_group(m);
  printf("ok %d %lu ", zmq_msg_more(m) ? 1 : 0, (unsigned long)zmq_msg_routing_id(m));
  print_hex((const unsigned char*)group, group ? strlen(group) : 0);
  putchar(' ');
  print_hex(zmq_msg_data(m), zmq_msg_size(m));
  putchar('\n');
}

/* join ID GROUP, leave ID GROUP (hex). */
static void cmd_group(struct agent_socket* a, const char* verb, const char* hex) {
  char* group = hex ? group_of(hex) : NULL;
  if (group == NULL) {
    reply_err(EINVAL);
    return;
  }
  int rc = strcmp(verb, "join") == 0 ? zmq_join(a->s, group) : zmq_leave(a->s, group);
  free(group);
  if (rc != 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok\n");
}

/* connectpeer ID EP: zmq_connect_peer; `ok ROUTING_ID` of the new peer. */
static void cmd_connectpeer(struct agent_socket* a, const char* endpoint) {
  uint32_t routing_id = endpoint ? zmq_connect_peer(a->s, endpoint) : 0;
  if (routing_id == 0) {
    reply_err(endpoint ? zmq_errno() : EINVAL);
    return;
  }
  printf("ok %lu\n", (unsigned long)routing_id);
}

/* peerstate ID HEX: zmq_socket_get_peer_state for the peer whose routing id is HEX (ROUTER). */
static void cmd_peerstate(struct agent_socket* a, const char* hex) {
  long len = hex ? unhex(hex) : -1;
  if (len < 0) {
    reply_err(EINVAL);
    return;
  }
  int state = zmq_socket_get_peer_state(a->s, part_buf, (size_t)len);
  if (state < 0) {
    reply_err(zmq_errno());
    return;
  }
  printf("ok %d\n", state);
}

/* Handles a draft request; returns 0 when `verb` is none of them. */
static int dispatch_draft(struct agent_socket* a, const char* verb, char** words, int n) {
  if (strcmp(verb, "sendmsg") == 0 && n == 6)
    cmd_sendmsg(a, words + 2);
  else if (strcmp(verb, "recvmsg") == 0)
    cmd_recvmsg(a, n > 2 ? words[2] : NULL);
  else if (strcmp(verb, "join") == 0 || strcmp(verb, "leave") == 0)
    cmd_group(a, verb, n > 2 ? words[2] : NULL);
  else if (strcmp(verb, "connectpeer") == 0)
    cmd_connectpeer(a, n > 2 ? words[2] : NULL);
  else if (strcmp(verb, "peerstate") == 0)
    cmd_peerstate(a, n > 2 ? words[2] : NULL);
  else
    return 0;
  return 1;
}
#endif

static void cmd_hello(void) {
  int major, minor, patch;
  zmq_version(&major, &minor, &patch);
  Dl_info info;
  const char* file = "?";
  if (dladdr((void*)zmq_version, &info) != 0 && info.dli_fname != NULL) file = info.dli_fname;
  /* libzmq counts no dropped messages; its monitor reports handshakes itself. */
  printf("ok libzmq %d.%d.%d zmtp=3.0 drops=no handshake-events=yes drafts=%s lib=%s\n", major,
         minor, patch, zmq_has("draft") ? "yes" : "no", file);
}

/* One request; returns 0 after `term`. */
static int dispatch(char* line) {
  char* words[4096];
  int n = 0;
  for (char* w = strtok(line, " \t\r\n"); w != NULL && n < 4096; w = strtok(NULL, " \t\r\n"))
    words[n++] = w;
  if (n == 0) return 1;
  drain_monitors();
  const char* verb = words[0];
  if (strcmp(verb, "hello") == 0) {
    cmd_hello();
    return 1;
  }
  if (strcmp(verb, "socket") == 0) {
    cmd_socket(n > 1 ? words[1] : NULL);
    return 1;
  }
  if (strcmp(verb, "reset") == 0 || strcmp(verb, "term") == 0) {
    close_all();
    zmq_ctx_term(ctx);
    ctx = zmq_ctx_new();
    printf("ok\n");
    return strcmp(verb, "reset") == 0;
  }
  if (strcmp(verb, "zap") == 0) {
    cmd_zap();
    return 1;
  }
  if (strcmp(verb, "zappoll") == 0) {
    cmd_zappoll();
    return 1;
  }
  if (strcmp(verb, "zapreply") == 0 && n > 1) {
    cmd_zapreply(words + 1, n - 1);
    return 1;
  }
  struct agent_socket* a = lookup(n > 1 ? words[1] : NULL);
  if (a == NULL) {
    reply_err(ENOTSOCK);
    return 1;
  }
  if (strcmp(verb, "close") == 0) {
    close_socket(a);
    printf("ok\n");
  } else if (strcmp(verb, "bind") == 0 || strcmp(verb, "connect") == 0 ||
             strcmp(verb, "unbind") == 0 || strcmp(verb, "disconnect") == 0) {
    cmd_endpoint(a, verb, n > 2 ? words[2] : NULL);
  } else if (strcmp(verb, "setint") == 0 || strcmp(verb, "setbytes") == 0 ||
             strcmp(verb, "getint") == 0) {
    cmd_option(a, verb, n > 2 ? words[2] : NULL, n > 3 ? words[3] : NULL);
  } else if (strcmp(verb, "send") == 0 && n >= 4) {
    cmd_send(a, words[2], words + 3, n - 3);
  } else if (strcmp(verb, "sendn") == 0 && n >= 3) {
    cmd_sendn(a, words[2], n > 3 ? words[3] : NULL, words + 4, n > 4 ? n - 4 : 0);
  } else if (strcmp(verb, "recv") == 0) {
    cmd_recv(a, n > 2 ? words[2] : NULL);
  } else if (strcmp(verb, "gets") == 0) {
    cmd_gets(a, n > 2 ? words[2] : NULL);
  } else if (strcmp(verb, "poll") == 0) {
    cmd_poll(a, n > 2 ? words[2] : NULL, n > 3 ? words[3] : NULL);
  } else if (strcmp(verb, "monitor") == 0) {
    cmd_monitor(a, atoi(words[1]));
  } else if (strcmp(verb, "events") == 0 && n > 2) {
    unsigned long event = strtoul(words[2], NULL, 0);
    uint64_t count = 0;
    for (int bit = 0; bit < 16; ++bit)
      if (event == (1ul << bit)) count = a->events[bit];
    printf("ok %llu\n", (unsigned long long)count);
  } else if (strcmp(verb, "drops") == 0) {
    reply_err(ENOTSUP);
#ifdef ZMQ_BUILD_DRAFT_API
  } else if (dispatch_draft(a, verb, words, n)) {
#endif
  } else {
    reply_err(EINVAL);
  }
  return 1;
}

int main(void) {
  ctx = zmq_ctx_new();
  char* line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    int go_on = dispatch(line);
    fflush(stdout);
    if (!go_on) break;
  }
  free(line);
  free(part_buf);
  return 0;
}
