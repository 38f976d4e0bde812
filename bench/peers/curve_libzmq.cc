// CURVE through zmq.h, built against Debian's libzmq 4.3.4 and run on zlab through
// LD_LIBRARY_PATH (bench/curve.sh), so both libraries run the same binary.
//
//   curve_libzmq throughput SIZE COUNT   PUSH -> PULL over tcp, CURVE, one process, two threads:
//                                        prints messages/s
//   curve_libzmq handshakes COUNT        a CURVE PULL server (no ZAP handler); COUNT times: a
//                                        new CURVE PUSH connects, its first message is received,
//                                        it is closed: prints connections/s
#include <zmq.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

struct Keys {
  char server_public[41], server_secret[41], client_public[41], client_secret[41];
};

bool make_keys(Keys* k) {
  return zmq_curve_keypair(k->server_public, k->server_secret) == 0 &&
         zmq_curve_keypair(k->client_public, k->client_secret) == 0;
}

void* curve_server(void* ctx, int type, const Keys& k, std::string* endpoint) {
  void* s = zmq_socket(ctx, type);
  int one = 1;
  zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
  zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k.server_secret, 40);
  if (zmq_bind(s, "tcp://127.0.0.1:*") != 0) return nullptr;
  char buf[256];
  size_t len = sizeof buf;
  zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len);
  *endpoint = buf;
  return s;
}

void* curve_client(void* ctx, int type, const Keys& k, const std::string& endpoint) {
  void* c = zmq_socket(ctx, type);
  zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, k.server_public, 40);
  zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, k.client_public, 40);
  zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, k.client_secret, 40);
  int zero = 0;
  zmq_setsockopt(c, ZMQ_LINGER, &zero, sizeof zero);
  zmq_connect(c, endpoint.c_str());
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int throughput(void* ctx, const Keys& k, size_t size, long count) {
  std::string endpoint;
  void* pull = curve_server(ctx, ZMQ_PULL, k, &endpoint);
  if (pull == nullptr) return 1;
  void* push = curve_client(ctx, ZMQ_PUSH, k, endpoint);
  std::string body(size, 'x');
  // One message first: the handshake is not part of the throughput.
  zmq_send(push, body.data(), body.size(), 0);
  zmq_msg_t m;
  zmq_msg_init(&m);
  zmq_msg_recv(&m, pull, 0);
  auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (long i = 0; i < count; ++i) zmq_send(push, body.data(), body.size(), 0);
  });
  long received = 0;
  for (; received < count; ++received) {
    if (zmq_msg_recv(&m, pull, 0) != int(size)) break;
  }
  double secs = seconds_since(start);
  sender.join();
  zmq_msg_close(&m);
  zmq_close(push);
  zmq_close(pull);
  if (received != count) return 1;
  std::printf("%.0f\n", count / secs);
  return 0;
}

int handshakes(void* ctx, const Keys& k, long count) {
  std::string endpoint;
  void* pull = curve_server(ctx, ZMQ_PULL, k, &endpoint);
  if (pull == nullptr) return 1;
  int timeout_ms = 5000;
  zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
  char byte = 'x';
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    void* push = curve_client(ctx, ZMQ_PUSH, k, endpoint);
    zmq_send(push, &byte, 1, 0);
    char got;
    if (zmq_recv(pull, &got, 1, 0) != 1) return 1;  // only after a completed handshake
    zmq_close(push);
  }
  double secs = seconds_since(start);
  zmq_close(pull);
  std::printf("%.0f\n", count / secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  Keys k;
  if (!make_keys(&k)) {
    std::fprintf(stderr, "curve_libzmq: zmq_curve_keypair failed (no CURVE?)\n");
    return 1;
  }
  void* ctx = zmq_ctx_new();
  int rc = 2;
  if (std::strcmp(mode, "throughput") == 0 && argc == 4) {
    rc = throughput(ctx, k, size_t(std::atol(argv[2])), std::atol(argv[3]));
  } else if (std::strcmp(mode, "handshakes") == 0 && argc == 3) {
    rc = handshakes(ctx, k, std::atol(argv[2]));
  } else {
    std::fprintf(stderr, "usage: curve_libzmq throughput SIZE COUNT | handshakes COUNT\n");
  }
  zmq_ctx_term(ctx);
  return rc;
}
