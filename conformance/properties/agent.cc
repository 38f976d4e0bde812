#include "conformance/properties/agent.h"

#include <poll.h>
#include <rapidcheck.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "conformance/harness/property.h"
#include "conformance/properties/lab_backend.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

extern char** environ;

namespace zlab::conform {
namespace {

Impl g_under_test;
Impl g_peer;

// An agent answers at once, or after at most the receive timeout it was given: past this it
// is stuck, and the case fails saying so.
constexpr int kAnswerTimeoutMs = 60'000;

Err err_from_name(std::string_view name) {
  static const std::map<std::string_view, Err> kNames = {
      {"EAGAIN", Err::kAgain},
      {"EFSM", Err::kFsm},
      {"EHOSTUNREACH", Err::kHostUnreachable},
      {"ENOTSUP", Err::kNotSupported},
      {"EINVAL", Err::kInvalid},
      {"ENOCOMPATPROTO", Err::kNoCompatProto},
      {"EADDRINUSE", Err::kAddrInUse},
      {"EADDRNOTAVAIL", Err::kAddrNotAvailable},
      {"ENODEV", Err::kNoDevice},
      {"ECONNREFUSED", Err::kConnRefused},
      {"ETERM", Err::kTerminated},
      {"EMSGSIZE", Err::kMessageTooLong},
      {"ENOENT", Err::kNoEntry},
      {"EPROTO", Err::kProtocol},
      {"ETIMEDOUT", Err::kTimedOut},
      {"ECONNRESET", Err::kConnReset},
      {"ENOMEM", Err::kNoMemory},
      {"EPROTONOSUPPORT", Err::kProtoNotSupported},
      {"ENOTCONN", Err::kNotConnected},
      {"ENOBUFS", Err::kNoBufferSpace},
      {"EACCES", Err::kAccessDenied},
      {"ENAMETOOLONG", Err::kNameTooLong},
      {"EMFILE", Err::kTooManyFiles},
      {"EINTR", Err::kInterrupted},
  };
  auto it = kNames.find(name);
  return it == kNames.end() ? Err::kInvalid : it->second;
}

std::string hex(std::string_view bytes) {
  if (bytes.empty()) return "-";
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string unhex(std::string_view text) {
  if (text == "-") return {};
  auto value = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = char(value(text[2 * i]) * 16 + value(text[2 * i + 1]));
  return out;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// One agent process, started on first use and kept for the run.
class AgentProcess {
 public:
  explicit AgentProcess(Impl impl) : impl_(std::move(impl)) {}
  ~AgentProcess() { stop(); }

  // Sends one request line and returns the answer's words ("ok ..." or "err NAME ...").
  std::vector<std::string> request(const std::string& line) {
    if (pid_ <= 0) start();
    std::string out = line + "\n";
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(to_fd_, out.data() + done, out.size() - done);
      if (n <= 0) fail("could not write to the agent (it exited?)", line);
      done += size_t(n);
    }
    return words_of(read_line(line));
  }
  bool started() const { return pid_ > 0; }
  const Impl& impl() const { return impl_; }
  // Whether its hello said drafts=yes: it takes the draft requests (recvmsg, ...).
  bool drafts() {
    if (pid_ <= 0) start();
    return drafts_;
  }
  // Whether its hello said `word` (e.g. "zmtp=2.0", "handshake-events=yes").
  bool said(const std::string& word) {
    if (pid_ <= 0) start();
    return std::find(hello_.begin(), hello_.end(), word) != hello_.end();
  }

 private:
  void start() {
    int to[2], from[2];
    if (::pipe(to) != 0 || ::pipe(from) != 0) RC_FAIL("agent " + impl_.name + ": no pipe");
    // The agent must load its own implementation: never zlab's library through the loader path.
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view v(*e);
      if (v.rfind("LD_LIBRARY_PATH=", 0) == 0 || v.rfind("LD_PRELOAD=", 0) == 0) continue;
      env.emplace_back(v);
    }
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string shell_command = "exec " + impl_.command;
    const char* argv[] = {"/bin/sh", "-c", shell_command.c_str(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from[1], 1);
    posix_spawn_file_actions_addclose(&actions, to[1]);
    posix_spawn_file_actions_addclose(&actions, from[0]);
    int rc =
        posix_spawn(&pid_, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(to[0]);
    ::close(from[1]);
    if (rc != 0) RC_FAIL("agent " + impl_.name + ": cannot start " + impl_.command);
    to_fd_ = to[1];
    from_fd_ = from[0];
    ::signal(SIGPIPE, SIG_IGN);  // a dead agent is reported, not fatal
    std::vector<std::string> hello = request("hello");
    if (hello.empty() || hello[0] != "ok") fail("did not answer hello", "hello");
    std::string said;
    for (const std::string& w : hello) said += " " + w;
    drafts_ = std::find(hello.begin(), hello.end(), "drafts=yes") != hello.end();
    hello_ = hello;
    case_log().note("agent " + impl_.name + " started:" + said);
  }

  void stop() {
    if (pid_ <= 0) return;
    ::close(to_fd_);
    ::close(from_fd_);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    buffer_.clear();
  }

  std::string read_line(const std::string& request_line) {
    for (;;) {
      size_t eol = buffer_.find('\n');
      if (eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        return line;
      }
      pollfd p{from_fd_, POLLIN, 0};
      if (::poll(&p, 1, kAnswerTimeoutMs) <= 0) fail("gave no answer in 60 s", request_line);
      char chunk[65536];
      ssize_t n = ::read(from_fd_, chunk, sizeof chunk);
      if (n <= 0) fail("exited", request_line);
      buffer_.append(chunk, size_t(n));
    }
  }

  [[noreturn]] void fail(const std::string& what, const std::string& request_line) {
    stop();  // the next Lab starts a fresh one
    RC_FAIL("agent " + impl_.name + " " + what + " (request: " + request_line.substr(0, 120) + ")");
    std::abort();  // RC_FAIL throws
  }

  Impl impl_;
  bool drafts_ = false;
  std::vector<std::string> hello_;
  pid_t pid_ = -1;
  int to_fd_ = -1;
  int from_fd_ = -1;
  std::string buffer_;
};

std::map<std::string, std::unique_ptr<AgentProcess>>& agents() {
  static std::map<std::string, std::unique_ptr<AgentProcess>> all;
  return all;
}

AgentProcess& agent_of(const Impl& impl) {
  auto& slot = agents()[impl.name];
  if (!slot) slot = std::make_unique<AgentProcess>(impl);
  return *slot;
}

class AgentSock final : public Sock {
 public:
  AgentSock(AgentProcess* agent, SocketType type, uint32_t host,
            std::string (*local)(uint32_t, std::string_view))
      : agent_(agent), type_(type), host_(host), local_(local) {
    // A library built without the draft API (Debian's libzmq) has no draft socket: a case
    // that needs one (a draft type under test, or drawn as a peer) shows nothing about it.
    if (socket_type_info(type).draft && !agent_->drafts()) {
      throw Unobservable{agent_->impl().name + " is built without the draft API: no " +
                         std::string(socket_type_info(type).name) + " socket"};
    }
    std::vector<std::string> got =
        agent_->request("socket " + std::string(socket_type_info(type).name));
    RC_ASSERT(got.size() >= 2u);
    RC_ASSERT(got[0] == "ok");
    id_ = got[1];
    ok(agent_->request("monitor " + id_));
  }
  SocketType type() const override { return type_; }
  uint32_t host() const override { return host_; }
  Err bind(std::string_view ep) override {
    note_op(*this, "bind", ep);
    return ok(agent_->request("bind " + id_ + " " + local_(host_, ep)));
  }
  Err unbind(std::string_view ep) override {
    note_op(*this, "unbind", ep);
    return ok(agent_->request("unbind " + id_ + " " + local_(host_, ep)));
  }
  Err disconnect(std::string_view ep) override {
    note_op(*this, "disconnect", ep);
    return ok(agent_->request("disconnect " + id_ + " " + std::string(ep)));
  }
  Err set_int(int option, int value) override {
    return ok(agent_->request("setint " + id_ + " " + std::to_string(option) + " " +
                              std::to_string(value)));
  }
  Err set_bytes(int option, std::string_view v) override {
    return ok(agent_->request("setbytes " + id_ + " " + std::to_string(option) + " " + hex(v)));
  }
  int get_int(int option) override {
    std::vector<std::string> got = agent_->request("getint " + id_ + " " + std::to_string(option));
    if (got.size() < 2 || got[0] != "ok") return -1;
    return std::atoi(got[1].c_str());
  }
  // A draft type's part goes through the draft request sendmsg, with its routing id and group
  // (an agent without the draft API refuses it: EINVAL).
  Err send(Msg& part, int flags) override {
    std::string f = (flags & kSendMore) ? "dm" : "d";
    if (draft()) {  // one part with its routing id and group (agents/README.md, draft requests)
      std::string group = part.group().empty() ? "-" : hex(part.group());
      return ok(agent_->request("sendmsg " + id_ + " " + f + " " +
                                std::to_string(part.routing_id()) + " " + group + " " +
                                hex(part.view())));
    }
    return ok(agent_->request("send " + id_ + " " + f + " " + hex(part.view())));
  }
  // A draft type's part comes with its routing id and group (recvmsg).
  Err recv(Msg* part) override {
    if (draft()) {
      std::vector<std::string> got = agent_->request("recvmsg " + id_ + " 0");
      Err e = ok(got);
      if (e != Err::kOk) return e;
      RC_ASSERT(got.size() >= 5u);
      more_ = got[1] == "1";
      *part = Msg::copy_of(std::string_view(unhex(got[4])));
      part->set_routing_id(uint32_t(std::stoul(got[2])));
      if (got[3] != "-") RC_ASSERT(part->set_group(unhex(got[3])) == Err::kOk);
      return Err::kOk;
    }
    std::vector<std::string> got = agent_->request("recv " + id_ + " 0");
    Err e = ok(got);
    if (e != Err::kOk) return e;
    RC_ASSERT(got.size() >= 3u);
    more_ = got[1] == "1";
    *part = Msg::copy_of(std::string_view(unhex(got[2])));
    return Err::kOk;
  }
  bool rcvmore() override { return more_; }
  std::optional<std::string> property(std::string_view name) override {
    std::vector<std::string> got = agent_->request("gets " + id_ + " " + hex(name));
    if (got.size() >= 2 && got[0] == "ok") return unhex(got[1]);
    if (got.size() >= 2 && got[1] == "ENOTSUP") {
      throw Unobservable{agent_->impl().name + " shows no message properties"};
    }
    return std::nullopt;
  }
  uint32_t events() override { return uint32_t(get_int(opt::kEvents)); }
  void close() override {
    note_op(*this, "close", "");
    agent_->request("close " + id_);
  }
  bool handshakes_exact() override { return !agent_->said("handshake-events=approx"); }
  uint64_t monitor_count(uint16_t event) override {
    std::vector<std::string> got = agent_->request("events " + id_ + " " + std::to_string(event));
    if (got.size() < 2 || got[0] != "ok") return 0;
    return std::strtoull(got[1].c_str(), nullptr, 10);
  }
  uint64_t dropped_messages() override {
    std::vector<std::string> got = agent_->request("drops " + id_);
    if (got.size() >= 2 && got[0] == "ok") return std::strtoull(got[1].c_str(), nullptr, 10);
    throw Unobservable{agent_->impl().name + " does not count the messages it drops"};
  }
  std::optional<uint64_t> counted_drops() override {
    std::vector<std::string> got = agent_->request("drops " + id_);
    if (got.size() >= 2 && got[0] == "ok") return std::strtoull(got[1].c_str(), nullptr, 10);
    return std::nullopt;
  }

  Err join(std::string_view group) override {
    return ok(agent_->request("join " + id_ + " " + hex(group)));
  }
  Err leave(std::string_view group) override {
    return ok(agent_->request("leave " + id_ + " " + hex(group)));
  }
  Err connect_peer(std::string_view ep, uint32_t* routing_id) override {
    note_op(*this, "connect_peer", ep);
    std::vector<std::string> got = agent_->request("connectpeer " + id_ + " " + std::string(ep));
    Err e = ok(got);
    if (e == Err::kOk) {
      RC_ASSERT(got.size() >= 2u);
      *routing_id = uint32_t(std::stoul(got[1]));
    }
    return e;
  }
  Err connect(std::string_view ep) override {
    note_op(*this, "connect", ep);
    if (type_ == SocketType::kPeer) {  // learns whom it reaches, as the other backends do
      uint32_t id = 0;
      Err e = connect_peer(ep, &id);
      if (e == Err::kOk) reply_to = id;
      return e;
    }
    return ok(agent_->request("connect " + id_ + " " + std::string(ep)));
  }

 private:
  // The draft types go through the draft requests, which carry routing ids and groups.
  bool draft() const { return socket_type_info(type_).draft; }

  static Err ok(const std::vector<std::string>& got) {
    if (!got.empty() && got[0] == "ok") return Err::kOk;
    return err_from_name(got.size() >= 2 ? got[1] : "EINVAL");
  }

  AgentProcess* agent_;
  SocketType type_;
  uint32_t host_;
  std::string (*local_)(uint32_t, std::string_view);
  std::string id_;
  bool more_ = false;
};

}  // namespace

const Impl& impl_under_test() { return g_under_test; }
const Impl& peer_impl() { return g_peer; }
bool impl_builds(const Impl& impl, SocketType type) {
  if (impl.in_process() || !socket_type_info(type).draft) return true;
  return agent_of(impl).drafts();
}

std::vector<SocketType> built_by(const Impl& impl, const std::vector<SocketType>& types) {
  std::vector<SocketType> out;
  for (SocketType t : types) {
    if (impl_builds(impl, t)) out.push_back(t);
  }
  return out;
}

void set_impls(Impl under_test, Impl peer) {
  g_under_test = std::move(under_test);
  g_peer = std::move(peer);
}

const Impl& impl_for_socket(SocketType type, bool* row_taken) {
  // A rule whose row is no socket type (wire, general, hwm, security...) tests the Lab's first
  // socket: without this every socket of such a case came from --peer-impl.
  bool row_is_type = socket_type_from_name(case_row()).has_value();
  if (!*row_taken && (!row_is_type || socket_type_info(type).name == case_row())) {
    *row_taken = true;
    note_case_socket(/*under_test=*/true, g_peer.name);
    return g_under_test;
  }
  // Only a mixed run can leave a case without its socket under test.
  if (g_peer.name != g_under_test.name) note_case_socket(/*under_test=*/false, g_peer.name);
  return g_peer;
}

std::unique_ptr<Sock> make_agent_socket(const Impl& impl, SocketType type, uint32_t host,
                                        std::string (*local)(uint32_t, std::string_view)) {
  return std::make_unique<AgentSock>(&agent_of(impl), type, host, local);
}

bool agent_zap_bind(const Impl& impl) {
  std::vector<std::string> got = agent_of(impl).request("zap");
  return !got.empty() && got[0] == "ok";
}

std::optional<std::vector<std::string>> agent_zap_poll(const Impl& impl) {
  std::vector<std::string> got = agent_of(impl).request("zappoll");
  if (got.size() < 2 || got[0] != "ok" || got[1] == "0") return std::nullopt;
  std::vector<std::string> frames;
  for (size_t i = 2; i < got.size(); ++i) frames.push_back(unhex(got[i]));
  return frames;
}

void agent_zap_reply(const Impl& impl, const std::vector<std::string>& frames) {
  std::string line = "zapreply";
  for (const std::string& f : frames) line += " " + hex(f);
  agent_of(impl).request(line);
}

std::optional<std::string> unobservable_handshakes() {
  // zlab counts every handshake it completes (Sock::unreported_handshakes); an agent that says
  // handshake-events=yes (libzmq) has the monitor event only for ZMTP 3.x peers, none for a
  // peer whose agent says zmtp=2.0 (JeroMQ 0.3.6).
  const Impl& a = impl_under_test();
  const Impl& b = peer_impl();
  for (const auto& [socket_impl, other] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    if (socket_impl->in_process() || other->in_process()) continue;
    if (agent_of(*socket_impl).said("handshake-events=yes") && agent_of(*other).said("zmtp=2.0"))
      return socket_impl->name + " reports no handshake event for a ZMTP 2.0 peer (" + other->name +
             "), so its handshakes with it cannot be observed";
  }
  return std::nullopt;
}

void reset_agents() {
  for (auto& [name, agent] : agents()) {
    if (!agent->started()) continue;
    try {
      agent->request("reset");
    } catch (...) {  // a dead agent was stopped; the next Lab starts it again
    }
  }
}

}  // namespace zlab::conform
