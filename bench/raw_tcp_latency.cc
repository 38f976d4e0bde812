// One-way latency of a bare TCP ping-pong over loopback (two threads, one connection,
// TCP_NODELAY, SIZE-byte messages echoed back): the floor under any ZMTP library's latency, so
// a library's overhead is its latency minus this. No ZeroMQ here.
//   raw_tcp_latency [ROUND_TRIPS] [SIZE]   prints microseconds, one-way (half a round trip)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

void no_delay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("TCP_NODELAY");
}

// Reads exactly n bytes (TCP may hand them over in pieces).
void read_all(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t got = ::read(fd, buf, n);
    if (got <= 0) die("read");
    buf += got;
    n -= size_t(got);
  }
}

void write_all(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t put = ::write(fd, buf, n);
    if (put <= 0) die("write");
    buf += put;
    n -= size_t(put);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long round_trips = argc > 1 ? std::atol(argv[1]) : 20000;
  size_t size = argc > 2 ? size_t(std::atol(argv[2])) : 1;
  if (round_trips < 1 || size < 1) {
    std::fprintf(stderr, "usage: raw_tcp_latency [ROUND_TRIPS >= 1] [SIZE >= 1]\n");
    return 2;
  }
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0) die("bind");
  if (::listen(listener, 1) != 0) die("listen");
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) die("getsockname");
  std::thread echo([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) die("accept");
    no_delay(fd);
    std::vector<char> buf(size);
    for (long i = 0; i < round_trips; ++i) {
      read_all(fd, buf.data(), size);
      write_all(fd, buf.data(), size);
    }
    ::close(fd);
  });
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) die("connect");
  no_delay(fd);
  std::vector<char> buf(size, 'x');
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < round_trips; ++i) {
    write_all(fd, buf.data(), size);
    read_all(fd, buf.data(), size);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  echo.join();
  ::close(fd);
  ::close(listener);
  std::printf("%.2f\n", secs / double(round_trips) / 2 * 1e6);
  return 0;
}
