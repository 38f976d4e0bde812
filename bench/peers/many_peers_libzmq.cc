// Cost per message with many peers, through zmq.h: built against Debian's libzmq, run on zlab
// with LD_LIBRARY_PATH. One thread; the peers are idle but one, so a socket whose per-message
// work walks its peers shows it as a rate that falls with the peer count.
//
//   many_peers_libzmq router ENDPOINT PEERS COUNT
//     A ROUTER bound at ENDPOINT, PEERS DEALERs connected, each says hello (the ROUTER learns
//     its id). Then COUNT messages from the ROUTER to the last DEALER and COUNT from it back,
//     in batches of 100 (under the HWM). Prints messages/s over the 2*COUNT.
//   many_peers_libzmq pub ENDPOINT PEERS COUNT
//     A PUB bound at ENDPOINT, PEERS SUBs connected; the first subscribes to "A", the others
//     each to a topic of their own. Then COUNT messages on "A", batches of 100. Prints
//     messages/s.
//   many_peers_libzmq rss ENDPOINT PEERS 0
//     A ROUTER bound at ENDPOINT and PEERS DEALERs connected, each hello received (so every
//     connection is up, both ends in this process), then idle. Prints the resident memory
//     they added (VmRSS after - before, bytes) per connection.
// ENDPOINT: inproc://NAME or tcp://127.0.0.1:* (every tcp peer costs descriptors: keep PEERS
// under the open-files limit / 3).
#include <sys/resource.h>
#include <zmq.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kBatch = 100;

void die(const char* what) {
  std::fprintf(stderr, "many_peers: %s: %s\n", what, zmq_strerror(zmq_errno()));
  std::exit(1);
}

void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string bind_at(void* socket, const char* endpoint) {
  if (zmq_bind(socket, endpoint) != 0) die("bind");
  char buf[256];
  size_t len = sizeof buf;
  zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, buf, &len);
  return buf;
}

void set_int(void* socket, int option, int value) {
  if (zmq_setsockopt(socket, option, &value, sizeof value) != 0) die("setsockopt");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// PEERS DEALERs connected to `at`, each having sent "hi" (the ROUTER learns its id).
std::vector<void*> connect_dealers(void* ctx, const std::string& at, int peers,
                                   bool unlimited_rcvhwm) {
  std::vector<void*> dealers;
  for (int i = 0; i < peers; ++i) {
    void* dealer = zmq_socket(ctx, ZMQ_DEALER);
    if (dealer == nullptr) die("socket");
    set_int(dealer, ZMQ_LINGER, 0);
    if (unlimited_rcvhwm) set_int(dealer, ZMQ_RCVHWM, 0);
    if (zmq_connect(dealer, at.c_str()) != 0) die("connect");
    if (zmq_send(dealer, "hi", 2, 0) != 2) die("hello");
    dealers.push_back(dealer);
  }
  return dealers;
}

// The process's resident set (VmRSS), bytes.
long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) die("/proc/self/status");
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  }
  std::fclose(f);
  if (kib < 0) die("VmRSS");
  return kib * 1024;
}

// PEERS idle connections' resident memory, per connection.
double idle_rss(void* ctx, const char* endpoint, int peers) {
  long before = resident_bytes();
  void* router = zmq_socket(ctx, ZMQ_ROUTER);
  if (router == nullptr) die("socket");
  std::string at = bind_at(router, endpoint);
  std::vector<void*> dealers = connect_dealers(ctx, at, peers, /*unlimited_rcvhwm=*/false);
  char buf[256];
  for (int i = 0; i < peers; ++i) {
    if (zmq_recv(router, buf, sizeof buf, 0) < 0 || zmq_recv(router, buf, sizeof buf, 0) != 2)
      die("hello recv");
  }
  long after = resident_bytes();
  for (void* dealer : dealers) zmq_close(dealer);
  set_int(router, ZMQ_LINGER, 0);
  zmq_close(router);
  return double(after - before) / double(peers);
}

double router(void* ctx, const char* endpoint, int peers, long count) {
  void* router = zmq_socket(ctx, ZMQ_ROUTER);
  if (router == nullptr) die("socket");
  // A ROUTER drops what meets a full pipe, and libzmq's sender learns of the reader's progress
  // only when it processes commands, which a busy sender seldom does: no HWM on this path.
  set_int(router, ZMQ_SNDHWM, 0);
  std::string at = bind_at(router, endpoint);
  std::vector<void*> dealers = connect_dealers(ctx, at, peers, /*unlimited_rcvhwm=*/true);
  // Every hello: [id, "hi"]; the last DEALER's id is the one messages go to.
  char id[256];
  int id_size = 0;
  char body[64];
  for (int i = 0; i < peers; ++i) {
    int n = zmq_recv(router, id, sizeof id, 0);
    if (n < 0 || zmq_recv(router, body, sizeof body, 0) != 2) die("hello recv");
    if (i == peers - 1) id_size = n;
  }
  // The last hello received need not be the last DEALER's: find whose id it is by asking.
  void* target = nullptr;
  zmq_send(router, id, size_t(id_size), ZMQ_SNDMORE);
  zmq_send(router, "who", 3, 0);
  for (void* dealer : dealers) {
    if (zmq_recv(dealer, body, sizeof body, ZMQ_DONTWAIT) == 3) {
      target = dealer;
      break;
    }
    // inproc delivery is immediate; over tcp wait a little for the one that gets it
  }
  while (target == nullptr) {
    for (void* dealer : dealers) {
      if (zmq_recv(dealer, body, sizeof body, ZMQ_DONTWAIT) == 3) target = dealer;
    }
  }
  std::memset(body, 'x', sizeof body);
  auto start = std::chrono::steady_clock::now();
  for (long sent = 0; sent < count; sent += kBatch) {
    for (int k = 0; k < kBatch; ++k) {
      zmq_send(router, id, size_t(id_size), ZMQ_SNDMORE);
      zmq_send(router, body, sizeof body, 0);
    }
    for (int k = 0; k < kBatch; ++k) {
      if (zmq_recv(target, body, sizeof body, 0) < 0) die("recv");
    }
  }
  for (long sent = 0; sent < count; sent += kBatch) {
    for (int k = 0; k < kBatch; ++k) zmq_send(target, body, sizeof body, 0);
    for (int k = 0; k < kBatch; ++k) {
      if (zmq_recv(router, id, sizeof id, 0) < 0 || zmq_recv(router, body, sizeof body, 0) < 0)
        die("recv");
    }
  }
  double secs = seconds_since(start);
  for (void* dealer : dealers) zmq_close(dealer);
  set_int(router, ZMQ_LINGER, 0);
  zmq_close(router);
  return 2.0 * double(count) / secs;
}

double pub(void* ctx, const char* endpoint, int peers, long count) {
  void* pub = zmq_socket(ctx, ZMQ_PUB);
  if (pub == nullptr) die("socket");
  set_int(pub, ZMQ_SNDHWM, 0);  // as the ROUTER's: a PUB drops at the HWM
  set_int(pub, ZMQ_LINGER, 0);
  std::string at = bind_at(pub, endpoint);
  std::vector<void*> subs;
  for (int i = 0; i < peers; ++i) {
    void* sub = zmq_socket(ctx, ZMQ_SUB);
    if (sub == nullptr) die("socket");
    set_int(sub, ZMQ_RCVHWM, 0);
    std::string topic = i == 0 ? std::string("A") : "B" + std::to_string(i);
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic.data(), topic.size()) != 0) die("subscribe");
    if (zmq_connect(sub, at.c_str()) != 0) die("connect");
    subs.push_back(sub);
  }
  void* target = subs[0];
  char body[64];
  std::memset(body, 'x', sizeof body);
  body[0] = 'A';
  // Until the first subscription has arrived, what the PUB sends is lost: send until one comes.
  while (zmq_recv(target, body, sizeof body, ZMQ_DONTWAIT) < 0) {
    zmq_send(pub, body, sizeof body, 0);
    zmq_poll(nullptr, 0, 1);
  }
  while (zmq_recv(target, body, sizeof body, ZMQ_DONTWAIT) >= 0) {
  }
  body[0] = 'A';
  auto start = std::chrono::steady_clock::now();
  for (long sent = 0; sent < count; sent += kBatch) {
    for (int k = 0; k < kBatch; ++k) zmq_send(pub, body, sizeof body, 0);
    for (int k = 0; k < kBatch; ++k) {
      if (zmq_recv(target, body, sizeof body, 0) < 0) die("recv");
    }
  }
  double secs = seconds_since(start);
  for (void* sub : subs) zmq_close(sub);
  zmq_close(pub);
  return double(count) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: many_peers_libzmq router|pub|rss ENDPOINT PEERS COUNT\n");
    return 2;
  }
  std::string mode = argv[1];
  const char* endpoint = argv[2];
  int peers = std::atoi(argv[3]);
  long count = std::atol(argv[4]);
  if (peers < 1 || count < 0 || (mode != "router" && mode != "pub" && mode != "rss")) {
    std::fprintf(stderr, "many_peers: PEERS >= 1, COUNT >= 0, mode router, pub or rss\n");
    return 2;
  }
  raise_open_files_limit();
  void* ctx = zmq_ctx_new();
  zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, peers + 16);
  double figure = mode == "router" ? router(ctx, endpoint, peers, count)
                  : mode == "pub"  ? pub(ctx, endpoint, peers, count)
                                   : idle_rss(ctx, endpoint, peers);
  std::printf("%.0f\n", figure);
  zmq_ctx_term(ctx);
  return 0;
}
