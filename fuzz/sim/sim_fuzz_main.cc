// The live fuzzer's cases against a zlab socket in the simulator: deterministic per seed, no
// real sockets or clocks. fuzz/live.py writes the cases and judges what this prints with the
// same oracles as a live run (./zlab fuzz --sim).
//
// Arguments: SOCKET_TYPE PEER_TYPE SEED [FAULTS: latency,split_io,... or -] [MECHANISM]
// MECHANISM: PLAIN (a PLAIN server whose ZAP handler knows admin/secret, as target.py's) or
// CURVE:SECRET_HEX (a CURVE server with that long-term secret whose ZAP handler lets any client
// key in, as target.py's).
// A case whose bytes are fixed, one input line:
//   NUMBER PREFIX PAUSE_MS:HEX [PAUSE_MS:HEX ...]   (PREFIX 1: greeting + READY first)
// A case played step by step, for bytes computed from what the socket sent (CURVE's boxes):
//   open NUMBER PREFIX        -> got GOT_HEX EOF     (EOF 1: the connection ended)
//   seg PAUSE_MS HEX          -> got GOT_HEX EOF     (HEX "-": nothing to send, only the pause)
//   close                     -> the output line below
// Output line: NUMBER REACTION GOT_HEX DELIVERED   (DELIVERED: messages joined by ';', frames by
// ',')
// A RADIO publishes "tick" to "g" and to "other" every 100 ms of virtual time (as target.py), and
// the peer JOINs "g" once the RADIO's READY is in (as live.run_case). ZLAB_SIM_FUZZ_PLANT=
// radio-all-groups plants a defect for the fuzzer's tests: the RADIO is also told the peer
// joined "other" (a JOIN the fuzzer never sent), so from the peer's side it publishes a group
// the peer never joined, as a RADIO without group matching would. ZLAB_SIM_FUZZ_PLANT=
// bad-marker-delivered plants one that depends on the case's bytes: once the peer's segments
// contain the marker "bad:" (what the fuzzer puts in malformed frames), the application is
// said to have received a malformed message, so a minimised finding must keep those 4 bytes.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
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

// The ZAP handler of a CURVE target: every client key is let in (200), as pyzmq's
// ThreadAuthenticator with CURVE_ALLOW_ANY.
std::vector<Msg> curve_zap(const std::vector<Msg>& request) {
  std::vector<std::string_view> parts = {
      "", "1.0", request.size() > 2 ? request[2].view() : "", "200", "", "", ""};
  std::vector<Msg> reply;
  for (size_t i = 0; i < parts.size(); ++i) {
    reply.push_back(Msg::copy_of(parts[i]));
    reply.back().set_more(i + 1 < parts.size());
  }
  return reply;
}

// The security the socket under test serves: NULL, PLAIN, or CURVE with `curve_secret`.
struct Mechanism {
  bool plain = false;
  std::string curve_secret;  // 32 bytes when CURVE
};

// Whether ZLAB_SIM_FUZZ_PLANT names `defect` (a defect planted for the fuzzer's tests).
bool planted(std::string_view defect) {
  const char* plant = std::getenv("ZLAB_SIM_FUZZ_PLANT");
  return plant != nullptr && std::string_view(plant) == defect;
}

constexpr int64_t kRadioTickNs = 100'000'000;
constexpr std::string_view kRadioGroups[] = {"g", "other"};  // the peer joins g (live.DISH_GROUP)

class Run {
 public:
  Run(uint64_t seed, SocketType type, uint32_t fault_mask, const Mechanism& mechanism)
      : world_(seed), radio_(type == SocketType::kRadio) {
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
    if (mechanism.plain) {
      socket_->set_int(opt::kPlainServer, 1);
      socket_->set_zap_handler(plain_zap);
    } else if (!mechanism.curve_secret.empty()) {
      socket_->set_int(opt::kCurveServer, 1);
      socket_->set_bytes(opt::kCurveSecretKey, mechanism.curve_secret);
      socket_->set_zap_handler(curve_zap);
    }
    socket_->bind("tcp://*:5555");
    if (type == SocketType::kSub) socket_->set_bytes(opt::kSubscribe, "");
    if (type == SocketType::kDish) socket_->join("g");  // live.DISH_GROUP
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

  // Runs the world `ms` on; a RADIO publishes at each tick on the way.
  void advance_ms(int64_t ms) {
    int64_t target = world_.now_ns() + ms * 1'000'000;
    while (radio_ && next_tick_ns_ <= target) {
      run_to(next_tick_ns_);
      publish_ticks();
      next_tick_ns_ += kRadioTickNs;
    }
    run_to(target);
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

  void join_after_ready() {
    send(bytes::join("g"));
    if (planted("radio-all-groups"))
      send(bytes::join("other"));  // the planted defect: not in the fuzzer's conversation
  }

  bool radio() const { return radio_; }

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
  void run_to(int64_t ns) {
    world_.run(ns);
    if (world_.now_ns() < ns) world_.queue().advance_to(ns);
  }

  // A RADIO drops what it cannot send now (rfc 48), so a refused send is no error here.
  void publish_ticks() {
    for (std::string_view group : kRadioGroups) {
      Msg tick = Msg::copy_of("tick");
      tick.set_group(group);
      socket_->send(tick, 0);  // the simulated application side never blocks
    }
  }

  sim::World world_;
  bool radio_ = false;
  int64_t next_tick_ns_ = kRadioTickNs;
  sim::SimSocket* socket_ = nullptr;
  sim::RawConn* raw_ = nullptr;
  std::string got_;
  bool eof_ = false;
};

// One case: the connection, the handshake prefix, the segments, then the reaction.
class CasePlay {
 public:
  CasePlay(uint64_t seed, SocketType type, uint32_t fault_mask, const Mechanism& mechanism)
      : run_(seed, type, fault_mask, mechanism), fault_mask_(fault_mask) {}

  // Sends the peer's NULL greeting and READY, then waits for the socket's READY.
  void prefix(const std::string& peer) {
    run_.send(bytes::null_handshake(peer));
    for (int i = 0; i < 3000 && !run_.ready_seen() && !run_.eof(); ++i) run_.advance_ms(1);
    no_handshake_ = !run_.ready_seen();
    // After its READY: libzmq closes at a command in READY's read (div/general/ping-with-ready).
    if (run_.radio() && !no_handshake_) run_.join_after_ready();
  }

  void segment(const Segment& s) {
    if (run_.eof() || no_handshake_) return;
    sent_ += s.data;
    run_.send(s.data);
    run_.advance_ms(s.pause_ms);
  }

  // "got HEX EOF": what the socket sent so far, for bytes that answer it.
  std::string progress() const {
    return "got " + (run_.got().empty() ? std::string("-") : to_hex(run_.got())) + " " +
           (run_.eof() || no_handshake_ ? "1" : "0");
  }

  std::string finish() {
    if (no_handshake_) return "no-handshake " + to_hex(run_.got()) + " -";
    // A reaction comes within this in virtual time, or not at all (faults add latency).
    run_.advance_ms(fault_mask_ != 0 ? 3000 : 300);
    bool closed = run_.eof();
    bool error = bytes::parse_stream(run_.got()).has_command("ERROR");
    std::string reaction = closed ? (error ? "close+ERROR" : "close") : "open";
    std::string delivered = run_.delivered();
    if (planted("bad-marker-delivered") && sent_.find("bad:") != std::string::npos)
      delivered += (delivered.empty() ? "" : ";") + to_hex("bad:planted");
    return reaction + " " + to_hex(run_.got()) + " " + (delivered.empty() ? "-" : delivered);
  }

 private:
  Run run_;
  uint32_t fault_mask_;
  bool no_handshake_ = false;
  std::string sent_;  // the segments' bytes (after the prefix), for a planted defect
};

struct Config {
  SocketType type;
  std::string peer;
  uint64_t seed = 0;
  uint32_t fault_mask = 0;
  Mechanism mechanism;
};

uint64_t case_seed(const Config& config, uint64_t number) {
  return config.seed * 1'000'003 + number;
}

void print_line(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// A whole case on one line: NUMBER PREFIX PAUSE_MS:HEX ...
void play_line(const Config& config, const std::string& line) {
  std::istringstream in(line);
  uint64_t number = 0;
  int prefix = 0;
  in >> number >> prefix;
  CasePlay play(case_seed(config, number), config.type, config.fault_mask, config.mechanism);
  if (prefix != 0) play.prefix(config.peer);
  std::string word;
  while (in >> word) {
    size_t colon = word.find(':');
    play.segment({std::stoll(word.substr(0, colon)), from_hex(word.substr(colon + 1))});
  }
  print_line(std::to_string(number) + " " + play.finish());
}

// A case step by step (open, seg..., close): false on a line that is none of these.
bool play_step(const Config& config, const std::string& line, std::unique_ptr<CasePlay>* play,
               uint64_t* number) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "open") {
    int prefix = 0;
    in >> *number >> prefix;
    *play = std::make_unique<CasePlay>(case_seed(config, *number), config.type, config.fault_mask,
                                       config.mechanism);
    if (prefix != 0) (*play)->prefix(config.peer);
  } else if (verb == "seg" && *play) {
    int64_t pause_ms = 0;
    std::string hex;
    in >> pause_ms >> hex;
    (*play)->segment({pause_ms, hex == "-" ? std::string() : from_hex(hex)});
  } else if (verb == "close" && *play) {
    print_line(std::to_string(*number) + " " + (*play)->finish());
    play->reset();
    return true;
  } else {
    return false;
  }
  print_line((*play)->progress());
  return true;
}

bool parse_mechanism(std::string_view arg, Mechanism* mechanism) {
  if (arg == "PLAIN") {
    mechanism->plain = true;
    return true;
  }
  if (arg.substr(0, 6) != "CURVE:" || arg.size() != 6 + 64) return false;
  mechanism->curve_secret = from_hex(std::string(arg.substr(6)));
  return true;
}

int main_impl(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr,
                 "usage: sim_fuzz SOCKET_TYPE PEER_TYPE SEED [FAULTS|-] [PLAIN|CURVE:SECRET_HEX] "
                 "< cases\n");
    return 2;
  }
  Config config;
  std::string bad;
  if (argc == 6 && !parse_mechanism(argv[5], &config.mechanism)) {
    std::fprintf(stderr, "sim_fuzz: unknown mechanism %s (PLAIN, CURVE:64 hex digits)\n", argv[5]);
    return 2;
  }
  if (argc >= 5 && std::string_view(argv[4]) != "-" &&
      !sim::parse_fault_list(argv[4], &config.fault_mask, &bad)) {
    std::fprintf(stderr, "sim_fuzz: unknown fault %s\n", bad.c_str());
    return 2;
  }
  std::optional<SocketType> type = socket_type_from_name(argv[1]);
  if (!type) {
    std::fprintf(stderr, "sim_fuzz: unknown socket type %s\n", argv[1]);
    return 2;
  }
  config.type = *type;
  config.peer = argv[2];
  config.seed = std::stoull(argv[3]);
  std::unique_ptr<CasePlay> play;
  uint64_t number = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    if (std::isdigit(static_cast<unsigned char>(line[0]))) {
      play_line(config, line);
    } else if (!play_step(config, line, &play, &number)) {
      std::fprintf(stderr, "sim_fuzz: cannot read the line '%s'\n", line.c_str());
      return 2;
    }
  }
  return 0;
}

}  // namespace
}  // namespace zlab::fuzz

int main(int argc, char** argv) { return zlab::fuzz::main_impl(argc, argv); }
