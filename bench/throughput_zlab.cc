// PUSH -> PULL throughput on zlab's real driver: N messages of S bytes over one transport,
// sender and receiver in two threads of one process. Prints "msgs_per_sec MB_per_sec".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "engine/real/context.h"
#include "engine/real/socket.h"

int main(int argc, char** argv) {
  using namespace zlab;
  const char* endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
  long count = argc > 2 ? std::atol(argv[2]) : 1000000;
  size_t size = argc > 3 ? size_t(std::atol(argv[3])) : 16;
  real::Context ctx;
  Err err;
  auto pull = ctx.create_socket(SocketType::kPull, &err);
  auto push = ctx.create_socket(SocketType::kPush, &err);
  if (pull->bind(endpoint) != Err::kOk) return 1;
  char buf[256];
  size_t len = sizeof buf;
  pull->get_option(opt::kLastEndpoint, reinterpret_cast<uint8_t*>(buf), &len);
  push->connect(std::string(buf, len - 1));
  std::string body(size, 'x');
  auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (long i = 0; i < count; ++i) {
      Msg m = Msg::copy_of(std::string_view(body));
      push->send(m, 0);
    }
  });
  for (long i = 0; i < count; ++i) {
    Msg m;
    pull->recv(&m, 0);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sender.join();
  std::printf("%.0f %.1f\n", count / secs, count * double(size) / secs / 1e6);
  push->close();
  pull->close();
  return 0;
}
