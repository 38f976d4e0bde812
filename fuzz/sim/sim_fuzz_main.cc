// The live fuzzer's cases against a zlab socket in the simulator: deterministic per seed, no
// real sockets or clocks. fuzz/live.py writes the cases (one a line) and judges what this
// prints with the same oracles as a live run (./zlab fuzz --sim).
//
// Arguments: SOCKET_TYPE PEER_TYPE SEED [FAULTS: latency,split_io,... or -] [MECHANISM: PLAIN]
// (PLAIN: the socket is a PLAIN server whose ZAP handler knows admin/secret, as target.py's)
// Input line:  NUMBER PREFIX PAUSE_MS:HEX [PAUSE_MS:HEX ...]   (PREFIX 1: greeting + READY first)
// Output line: NUMBER REACTION GOT_HEX DELIVERED   (DELIVERED: messages joined by ';', frames by
// ',')
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/socket_type.h"
#include "engine/wire/zmtp_bytes.h"
#include "sim/fault/faults.h"
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

// The ZAP handler of a PLAIN target: admin/secret is allowed (200), anyone else refused (400).
std::vector<Msg> plain_zap(const std::vector<Msg>& request) {
  // request: delimiter, version, request id, domain, address, identity, mechanism, user, pass
  bool ok = request.size() == 9 && request[7].view() == "admin" && request[8].view() == "secret";
  std::vector<std::string_view> parts = {"",
                                         "1.0",
                                         request.size() > 2 ? request[2].view() : "",
                                         ok ? "200" : "400",
                                         "",
                                         ok ? "admin" : "",
                                         ""};
  std::vector<Msg> reply;
  for (size_t i = 0; i < parts.size(); ++i) {
    reply.push_back(Msg::copy_of(parts[i]));
    reply.back().set_more(i + 1 < parts.size());
  }
  return reply;
}

class Run {
 public:
  Run(uint64_t seed, SocketType type, uint32_t fault_mask, bool plain) : world_(seed) {
    // ZLAB_SIM_FUZZ_TRACE=1: the world's trace on stderr (why a connection closed).
    if (std::getenv("ZLAB_SIM_FUZZ_TRACE") != nullptr) world_.trace().set_file(stderr);
    world_.add_host("h0");
    world_.add_host("h1");
    if (fault_mask != 0) {
      // Faults that keep connections up: a conforming reaction must not depend on them.
      sim::FaultTargets targets;
      targets.hosts = 2;
      targets.binders = {0};
      targets.small_hwm = false;
      sim::FaultChoice choice;
      choice.swarm = false;
      choice.only = fault_mask;
      sim::apply_faults(sim::draw_faults(world_.rng(), targets, choice), world_);
    }
    socket_ = world_.socket(sim::HostId(0), type);
    socket_->set_int(opt::kLinger, 0);
    if (plain) {
      socket_->set_int(opt::kPlainServer, 1);
      socket_->set_zap_handler(plain_zap);
    }
    socket_->bind("tcp://*:5555");
    if (type == SocketType::kSub) socket_->set_bytes(opt::kSubscribe, "");
    raw_ = world_.raw_conn(sim::HostId(1));
    // Connected before the case starts, however long the link's latency makes it take (a
    // refused attempt, the listener not up yet, is made again).
    for (int i = 0; i < 3000 && raw_->state() != sim::RawConn::State::kOpen; ++i) {
      if (raw_->state() == sim::RawConn::State::kIdle ||
          raw_->state() == sim::RawConn::State::kFailed ||
          raw_->state() == sim::RawConn::State::kClosed) {
        if (raw_->state() != sim::RawConn::State::kIdle) raw_ = world_.raw_conn(sim::HostId(1));
        raw_->start_connect(sim::HostId(1), "h0", 5555);
      }
      advance_ms(1);
    }
  }

  void advance_ms(int64_t ms) {
    int64_t target = world_.now_ns() + ms * 1'000'000;
    world_.run(target);
    if (world_.now_ns() < target) world_.queue().advance_to(target);
    pump();
  }

  // Reads what the socket sent; true once the connection ended.
  bool pump() {
    if (raw_->state() == sim::RawConn::State::kConnecting) return false;  // not yet
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
                 const std::vector<Segment>& segments, uint32_t fault_mask, bool plain) {
  Run run(seed, type, fault_mask, plain);
  if (prefix) {
    run.send(bytes::null_handshake(peer));
    for (int i = 0; i < 3000 && !run.ready_seen() && !run.eof(); ++i) run.advance_ms(1);
    if (!run.ready_seen()) return "no-handshake " + to_hex(run.got()) + " -";
  }
  for (const Segment& s : segments) {
    if (run.eof()) break;
    run.send(s.data);
    run.advance_ms(s.pause_ms);
  }
  // A reaction comes within this in virtual time, or not at all (faults add latency).
  run.advance_ms(fault_mask != 0 ? 3000 : 300);
  bool closed = run.eof();
  bool error = bytes::parse_stream(run.got()).has_command("ERROR");
  std::string reaction = closed ? (error ? "close+ERROR" : "close") : "open";
  std::string delivered = run.delivered();
  return reaction + " " + to_hex(run.got()) + " " + (delivered.empty() ? "-" : delivered);
}

int main_impl(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: sim_fuzz SOCKET_TYPE PEER_TYPE SEED [FAULTS|-] [PLAIN] < cases\n");
    return 2;
  }
  uint32_t fault_mask = 0;
  std::string bad;
  bool plain = argc == 6 && std::string_view(argv[5]) == "PLAIN";
  if (argc == 6 && !plain) {
    std::fprintf(stderr, "sim_fuzz: unknown mechanism %s (PLAIN)\n", argv[5]);
    return 2;
  }
  if (argc >= 5 && std::string_view(argv[4]) != "-" &&
      !sim::parse_fault_list(argv[4], &fault_mask, &bad)) {
    std::fprintf(stderr, "sim_fuzz: unknown fault %s\n", bad.c_str());
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
    std::string out =
        play(seed * 1'000'003 + number, *type, argv[2], prefix != 0, segments, fault_mask, plain);
    std::printf("%llu %s\n", static_cast<unsigned long long>(number), out.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace zlab::fuzz

int main(int argc, char** argv) { return zlab::fuzz::main_impl(argc, argv); }
