// REQ/REP ping-pong through zmq.h: one-way latency (half the round trip), in microseconds.
// Built against Debian's libzmq; run with LD_LIBRARY_PATH on zlab's libzmq.so.5 to compare.
// usage: latency_libzmq [endpoint] [round_trips] [size]
#include <zmq.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const char* endpoint = argc > 1 ? argv[1] : "inproc://latency";
  long round_trips = argc > 2 ? std::atol(argv[2]) : 100000;
  size_t size = argc > 3 ? size_t(std::atol(argv[3])) : 1;
  void* ctx = zmq_ctx_new();
  void* rep = zmq_socket(ctx, ZMQ_REP);
  void* req = zmq_socket(ctx, ZMQ_REQ);
  if (zmq_bind(rep, endpoint) != 0) return 1;
  char buf[256];
  size_t len = sizeof buf;
  zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, buf, &len);
  if (zmq_connect(req, buf) != 0) return 1;
  std::thread echo([&] {
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (long i = 0; i <= round_trips; ++i) {  // one more: the warm-up
      zmq_msg_recv(&m, rep, 0);
      zmq_msg_send(&m, rep, 0);
    }
    zmq_msg_close(&m);
  });
  std::string body(size, 'x');
  std::string reply(size + 16, '\0');
  // A warm-up round trip first: the connection (tcp: connect and ZMTP handshake) is up before
  // the clock starts, so the figure is per-message latency, not set-up.
  zmq_send(req, body.data(), body.size(), 0);
  zmq_recv(req, reply.data(), reply.size(), 0);
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < round_trips; ++i) {
    zmq_send(req, body.data(), body.size(), 0);
    zmq_recv(req, reply.data(), reply.size(), 0);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  echo.join();
  std::printf("%.2f\n", secs / double(round_trips) / 2 * 1e6);
  zmq_close(req);
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return 0;
}
