// The same measurement as throughput_zlab.cc, on Debian's libzmq 4.3.4 (the reference).
#include <zmq.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const char* endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
  long count = argc > 2 ? std::atol(argv[2]) : 1000000;
  size_t size = argc > 3 ? size_t(std::atol(argv[3])) : 16;
  void* ctx = zmq_ctx_new();
  void* pull = zmq_socket(ctx, ZMQ_PULL);
  void* push = zmq_socket(ctx, ZMQ_PUSH);
  if (zmq_bind(pull, endpoint) != 0) return 1;
  char buf[256];
  size_t len = sizeof buf;
  zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, buf, &len);
  zmq_connect(push, buf);
  std::string body(size, 'x');
  auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (long i = 0; i < count; ++i) zmq_send(push, body.data(), body.size(), 0);
  });
  zmq_msg_t m;
  zmq_msg_init(&m);
  for (long i = 0; i < count; ++i) zmq_msg_recv(&m, pull, 0);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sender.join();
  zmq_msg_close(&m);
  std::printf("%.0f %.1f\n", count / secs, count * double(size) / secs / 1e6);
  int zero = 0;
  zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
  zmq_close(push);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return 0;
}
