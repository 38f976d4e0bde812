// The live fuzzer's cases against a zlab socket in the simulator: deterministic per seed, no
// real sockets or clocks. fuzz/live.py writes the cases (one a line) and judges what this
// prints with the same oracles as a live run (./zlab fuzz --sim).
//
// Input line:  NUMBER PREFIX PAUSE_MS:HEX [PAUSE_MS:HEX ...]   (PREFIX 1: greeting + READY first)
// Output line: NUMBER REACTION GOT_HEX DELIVERED   (DELIVERED: messages joined by ';', frames by
// ',')
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/socket_type.h"
#include "engine/wire/zmtp_bytes.h"
#include "sim/world/raw_conn.h"
#include "sim/world/sim_socket.h"
#include "sim/world/world.h"

namespace zlab::fuzz {
namespace {

namespace bytes = wire::bytes;

struct Segment {
  int64_t pause_ms = 0;
  std::string data;
};

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(std::string_view data) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : data) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

class Run {
 public:
  Run(uint64_t seed, SocketType type) : world_(seed) {
    world_.add_host("h0");
    world_.add_host("h1");
    socket_ = world_.socket(sim::HostId(0), type);
    socket_->set_int(opt::kLinger, 0);
    socket_->bind("tcp://*:5555");
    if (type == SocketType::kSub) socket_->set_bytes(opt::kSubscribe, "");
    raw_ = world_.raw_conn(sim::HostId(1));
    raw_->start_connect(sim::HostId(1), "h0", 5555);
    advance_ms(5);
  }

  void advance_ms(int64_t ms) {
    int64_t target = world_.now_ns() + ms * 1'000'000;
    world_.run(target);
    if (world_.now_ns() < target) world_.queue().advance_to(target);
    pump();
  }

  // Reads what the socket sent; true once the connection ended.
  bool pump() {
    for (;;) {
      sim::IoStatus st = raw_->read(&got_, 65536);
      if (st == sim::IoStatus::kOk) continue;
      if (st == sim::IoStatus::kEof || st == sim::IoStatus::kError) eof_ = true;
      return eof_;
    }
  }

  void send(std::string_view data) {
    size_t at = 0;
    for (int i = 0; i < 1000 && at < data.size() && !eof_; ++i) {
      size_t n = 0;
      raw_->write(data.substr(at), &n);
      at += n;
      if (at < data.size()) advance_ms(1);
    }
  }

  bool ready_seen() const { return bytes::parse_stream(got_).has_command("READY"); }

  // Everything the application can receive now.
  std::string delivered() {
    std::string out;
    Msg part;
    std::string message;
    while (socket_->recv(&part) == Err::kOk) {
      message += (message.empty() ? "" : ",") + to_hex(part.view());
      if (!part.more()) {
        out += (out.empty() ? "" : ";") + message;
        message.clear();
      }
    }
    return out;
  }

  const std::string& got() const { return got_; }
  bool eof() const { return eof_; }

 private:
  sim::World world_;
  sim::SimSocket* socket_ = nullptr;
  sim::RawConn* raw_ = nullptr;
  std::string got_;
  bool eof_ = false;
};

std::string play(uint64_t seed, SocketType type, const std::string& peer, bool prefix,
                 const std::vector<Segment>& segments) {
  Run run(seed, type);
  if (prefix) {
    run.send(bytes::null_handshake(peer));
    for (int i = 0; i < 300 && !run.ready_seen() && !run.eof(); ++i) run.advance_ms(1);
    if (!run.ready_seen()) return "no-handshake " + to_hex(run.got()) + " -";
  }
  for (const Segment& s : segments) {
    if (run.eof()) break;
    run.send(s.data);
    run.advance_ms(s.pause_ms);
  }
  run.advance_ms(300);  // a reaction comes within this in virtual time, or not at all
  bool closed = run.eof();
  bool error = bytes::parse_stream(run.got()).has_command("ERROR");
  std::string reaction = closed ? (error ? "close+ERROR" : "close") : "open";
  std::string delivered = run.delivered();
  return reaction + " " + to_hex(run.got()) + " " + (delivered.empty() ? "-" : delivered);
}

int main_impl(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sim_fuzz SOCKET_TYPE PEER_TYPE SEED < cases\n");
    return 2;
  }
  std::optional<SocketType> type = socket_type_from_name(argv[1]);
  if (!type) {
    std::fprintf(stderr, "sim_fuzz: unknown socket type %s\n", argv[1]);
    return 2;
  }
  uint64_t seed = std::stoull(argv[3]);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    uint64_t number = 0;
    int prefix = 0;
    in >> number >> prefix;
    std::vector<Segment> segments;
    std::string word;
    while (in >> word) {
      size_t colon = word.find(':');
      segments.push_back({std::stoll(word.substr(0, colon)), from_hex(word.substr(colon + 1))});
    }
    std::string out = play(seed * 1'000'003 + number, *type, argv[2], prefix != 0, segments);
    std::printf("%llu %s\n", static_cast<unsigned long long>(number), out.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace zlab::fuzz

int main(int argc, char** argv) { return zlab::fuzz::main_impl(argc, argv); }
