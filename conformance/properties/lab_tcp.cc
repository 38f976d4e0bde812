// The real-transport half of Lab: real sockets over loopback tcp (or ipc), from zlab's real
// driver in this process or from another implementation's agent (agent.h).
// Each simulated host becomes its own loopback address, 127.B.C.(host+1), where B.C come
// from the process id, so two runs at once (the sanitizer and default configs, shards) never
// share a listening address. Time is the wall clock and faults are never injected.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rapidcheck.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "conformance/harness/property.h"
#include "conformance/properties/agent.h"
#include "conformance/properties/lab_backend.h"
#include "engine/real/context.h"
#include "engine/real/socket.h"
#include "engine/sockets/options.h"
#include "engine/sockets/socket_core.h"

namespace zlab::conform {
namespace {

std::string host_address(uint32_t host) {
  uint32_t pid = uint32_t(::getpid());
  return "127." + std::to_string(1 + (pid >> 8) % 254) + "." + std::to_string(pid & 0xff) + "." +
         std::to_string(host + 1);
}

// Over ipc a host's port is a path in this process's own directory.
std::string ipc_dir() { return "/tmp/zlab-conform-" + std::to_string(::getpid()); }
std::string ipc_endpoint(uint32_t host, std::string_view port) {
  return "ipc://" + ipc_dir() + "/h" + std::to_string(host) + "-" + std::string(port);
}

// "tcp://*:PORT" in a bind means the socket's own host: its loopback address, or its ipc path;
// "udp://*:PORT" its loopback address (udp whatever the transport).
std::string local_endpoint(uint32_t host, std::string_view ep) {
  std::string text(ep);
  const std::string udp_any = "udp://*:";
  if (text.rfind(udp_any, 0) == 0) {
    return "udp://" + host_address(host) + ":" + text.substr(udp_any.size());
  }
  const std::string any = "tcp://*:";
  if (text.rfind(any, 0) != 0) return text;
  std::string port = text.substr(any.size());
  if (current_transport() == Transport::kIpc) return ipc_endpoint(host, port);
  return "tcp://" + host_address(host) + ":" + port;
}

class TcpSock final : public Sock {
 public:
  TcpSock(std::shared_ptr<real::Socket> s, SocketType type, uint32_t host)
      : s_(std::move(s)), type_(type), host_(host) {
    s_->set_monitor_enabled(true);
  }
  ~TcpSock() override { s_->close(); }
  SocketType type() const override { return type_; }
  uint32_t host() const override { return host_; }
  Err bind(std::string_view ep) override {
    note_op(*this, "bind", ep);
    return s_->bind(local(ep));
  }
  Err connect(std::string_view ep) override {
    note_op(*this, "connect", ep);
    // A PEER that connects learns whom it reaches (zmq_connect_peer), so that it can send.
    uint32_t id = 0;
    Err err = s_->connect_peer(std::string(ep), &id);
    if (err != Err::kNotSupported) {
      if (err == Err::kOk) reply_to = id;
      return err;
    }
    return s_->connect(std::string(ep));
  }
  Err connect_peer(std::string_view ep, uint32_t* routing_id) override {
    note_op(*this, "connect_peer", ep);
    return s_->connect_peer(std::string(ep), routing_id);
  }
  Err join(std::string_view group) override { return s_->join(group); }
  Err leave(std::string_view group) override { return s_->leave(group); }
  Err unbind(std::string_view ep) override {
    note_op(*this, "unbind", ep);
    return s_->unbind(local(ep));
  }
  Err disconnect(std::string_view ep) override {
    note_op(*this, "disconnect", ep);
    return s_->disconnect(std::string(ep));
  }
  Err set_int(int option, int value) override {
    return s_->set_option(option, {reinterpret_cast<const uint8_t*>(&value), sizeof value});
  }
  Err set_bytes(int option, std::string_view v) override {
    return s_->set_option(option, {reinterpret_cast<const uint8_t*>(v.data()), v.size()});
  }
  int get_int(int option) override {
    int v = 0;
    size_t size = sizeof v;
    if (s_->get_option(option, reinterpret_cast<uint8_t*>(&v), &size) != Err::kOk) return -1;
    return v;
  }
  Err send(Msg& part, int flags) override {
    return s_->send(part, real::kDontWait | ((flags & kSendMore) ? real::kSendMoreFlag : 0));
  }
  Err recv(Msg* part) override {
    Err e = s_->recv(part, real::kDontWait);
    if (e == Err::kOk) last_ = part->share();
    return e;
  }
  std::optional<std::string> property(std::string_view name) override {
    return property_of(last_, name);
  }
  bool rcvmore() override { return get_int(opt::kRcvMore) != 0; }
  uint32_t events() override { return s_->events(); }
  void close() override {
    note_op(*this, "close", "");
    s_->close();
  }
  uint64_t monitor_count(uint16_t event) override {
    MonitorEvent ev;
    while (s_->poll_monitor_event(&ev)) ++seen_[ev.event];
    return seen_[event];
  }
  uint64_t dropped_messages() override { return s_->dropped_messages(); }
  uint64_t unreported_handshakes() override { return s_->unreported_handshakes(); }

 private:
  std::string local(std::string_view ep) const { return local_endpoint(host_, ep); }

  std::shared_ptr<real::Socket> s_;
  SocketType type_;
  uint32_t host_;
  std::map<uint16_t, uint64_t> seen_;
  Msg last_;  // the last part received, for property()
};

// A raw peer over a real loopback tcp (or ipc) connection: a plain non-blocking socket.
class RealRawPeer final : public RawPeer {
 public:
  RealRawPeer(uint32_t to, int port) : to_(to), port_(port) {}
  // One that listens at `host`'s PORT (tcp or ipc) and takes the first connection made to it.
  static std::unique_ptr<RealRawPeer> listening(uint32_t host, int port) {
    auto peer = std::make_unique<RealRawPeer>(host, port);
    peer->listen();
    return peer;
  }
  ~RealRawPeer() override {
    drop();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (!listen_path_.empty()) ::unlink(listen_path_.c_str());
  }
  bool open() override {
    if (listen_fd_ >= 0) {
      if (fd_ < 0) fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      opened_ = fd_ >= 0;
      return opened_ && !eof_;
    }
    if (opened_ || eof_) return opened_ && !eof_;
    if (fd_ < 0) start();
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) return false;  // still connecting
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      drop();  // refused (nothing listens yet): try again on the next look
      return false;
    }
    opened_ = true;
    return true;
  }
  bool closed() const override { return eof_; }
  size_t write(std::string_view data) override {
    if (!opened_ || eof_ || data.empty()) return 0;
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n > 0 ? size_t(n) : 0;
  }
  void read(std::string* in) override {
    char buf[1 << 16];
    while (opened_ && !eof_) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        in->append(buf, size_t(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      eof_ = true;  // 0: closed by the other end; an error: reset
    }
  }

 private:
  void start() {
    if (current_transport() == Transport::kIpc) {
      std::string path = ipc_endpoint(to_, std::to_string(port_)).substr(6);  // past ipc://
      fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
      if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
        drop();
      return;
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;  // small pieces leave at once (a split greeting stays split)
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port_));
    ::inet_pton(AF_INET, host_address(to_).c_str(), &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
      drop();
  }
  void drop() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void listen() {
    if (current_transport() == Transport::kIpc) {
      ::mkdir(ipc_dir().c_str(), 0700);                                   // may exist already
      listen_path_ = ipc_endpoint(to_, std::to_string(port_)).substr(6);  // past ipc://
      listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, listen_path_.c_str(), sizeof a.sun_path - 1);
      ::unlink(listen_path_.c_str());
      RC_ASSERT(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    } else {
      listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int one = 1;
      ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(uint16_t(port_));
      ::inet_pton(AF_INET, host_address(to_).c_str(), &a.sin_addr);
      RC_ASSERT(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    RC_ASSERT(::listen(listen_fd_, 8) == 0);
  }

  uint32_t to_;
  int port_;
  int fd_ = -1;
  int listen_fd_ = -1;       // a listening one's
  std::string listen_path_;  // its ipc path
  bool opened_ = false;
  bool eof_ = false;
};

// A ZAP handler's socket (rfc 27) that the Lab answers by polling it while time passes: a REP
// at inproc://zeromq.zap.01 in zlab's context, or in an agent's.
class ZapPort {
 public:
  virtual ~ZapPort() = default;
  // The next request's frames after the envelope (version first), if one waits.
  virtual std::optional<std::vector<std::string>> poll() = 0;
  // The reply's frames after the envelope (the REP puts it back).
  virtual void reply(const std::vector<std::string>& frames) = 0;
};

class ZlabZapPort final : public ZapPort {
 public:
  explicit ZlabZapPort(std::shared_ptr<real::Socket> s) : s_(std::move(s)) {}
  ~ZlabZapPort() override { s_->close(); }
  std::optional<std::vector<std::string>> poll() override {
    std::vector<std::string> frames;
    Msg m;
    if (s_->recv(&m, real::kDontWait) != Err::kOk) return std::nullopt;
    frames.emplace_back(m.view());
    while (more()) {  // a message arrives whole: the rest is there
      RC_ASSERT(s_->recv(&m, real::kDontWait) == Err::kOk);
      frames.emplace_back(m.view());
    }
    return frames;
  }
  void reply(const std::vector<std::string>& frames) override {
    for (size_t i = 0; i < frames.size(); ++i) {
      Msg m = Msg::copy_of(std::string_view(frames[i]));
      s_->send(m, real::kDontWait | (i + 1 < frames.size() ? real::kSendMoreFlag : 0));
    }
  }

 private:
  bool more() {
    int v = 0;
    size_t size = sizeof v;
    return s_->get_option(opt::kRcvMore, reinterpret_cast<uint8_t*>(&v), &size) == Err::kOk &&
           v != 0;
  }
  std::shared_ptr<real::Socket> s_;
};

class AgentZapPort final : public ZapPort {
 public:
  explicit AgentZapPort(Impl impl) : impl_(std::move(impl)) {}
  std::optional<std::vector<std::string>> poll() override { return agent_zap_poll(impl_); }
  void reply(const std::vector<std::string>& frames) override { agent_zap_reply(impl_, frames); }

 private:
  Impl impl_;
};

class TcpBackend final : public Lab::Backend {
 public:
  explicit TcpBackend(uint32_t hosts) : hosts_(hosts), start_(std::chrono::steady_clock::now()) {
    if (current_transport() == Transport::kIpc) ::mkdir(ipc_dir().c_str(), 0700);
  }
  ~TcpBackend() override {
    socks_.clear();  // closes every socket (linger 0) before the context waits for them
    zap_ports_.clear();
    reset_agents();  // and every socket an agent made for this Lab
  }
  bool simulated() const override { return false; }
  sim::World* world() override { return nullptr; }
  const sim::FaultSchedule& faults() const override { return none_; }
  Sock* socket(uint32_t host, SocketType type) override {
    RC_ASSERT(host < hosts_);
    const Impl& impl = impl_for_socket(type, &row_taken_);
    if (!impl.in_process()) {
      socks_.push_back(make_agent_socket(impl, type, host, &local_endpoint));
      return socks_.back().get();
    }
    Err err = Err::kOk;
    std::shared_ptr<real::Socket> s = ctx_.create_socket(type, &err);
    RC_ASSERT(s != nullptr);
    socks_.push_back(std::make_unique<TcpSock>(std::move(s), type, host));
    return socks_.back().get();
  }
  std::string endpoint(uint32_t host, int port) const override {
    if (current_transport() == Transport::kIpc) return ipc_endpoint(host, std::to_string(port));
    return "tcp://" + host_address(host) + ":" + std::to_string(port);
  }
  std::string udp_endpoint(uint32_t host, int port) const override {
    return "udp://" + host_address(host) + ":" + std::to_string(port);
  }
  std::unique_ptr<RawPeer> raw_peer(uint32_t from, uint32_t to, int port) override {
    (void)from;  // the kernel picks the loopback source address
    return std::make_unique<RealRawPeer>(to, port);
  }
  std::unique_ptr<RawPeer> raw_listener(uint32_t host, int port) override {
    return RealRawPeer::listening(host, port);
  }
  int64_t now_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start_)
        .count();
  }
  void advance_ms(int64_t ms) override {
    if (zap_ports_.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return;
    }
    int64_t end = now_ns() + ms * 1'000'000;
    do {
      service_zap();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (now_ns() < end);
    service_zap();
  }
  void pause_briefly() override {
    service_zap();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  // One handler per process (rfc 27 "There SHALL be one handler in a process"): in zlab's
  // context and in each agent that runs a socket of this case, whichever holds the server.
  bool serve_zap(uint32_t host, sim::ZapAnswer answer) override {
    (void)host;
    std::vector<std::string> bound;
    for (const Impl* impl : {&impl_under_test(), &peer_impl()}) {
      if (std::find(bound.begin(), bound.end(), impl->name) != bound.end()) continue;
      bound.push_back(impl->name);
      if (!impl->in_process()) {
        if (!agent_zap_bind(*impl)) return false;
        zap_ports_.push_back(std::make_unique<AgentZapPort>(*impl));
        continue;
      }
      Err err = Err::kOk;
      std::shared_ptr<real::Socket> s = ctx_.create_socket(SocketType::kRep, &err);
      if (s == nullptr || s->bind("inproc://zeromq.zap.01") != Err::kOk) return false;
      zap_ports_.push_back(std::make_unique<ZlabZapPort>(std::move(s)));
    }
    zap_answer_ = std::move(answer);
    return true;
  }
  uint64_t zap_requests(uint32_t host) override {
    (void)host;
    service_zap();
    return zap_requests_;
  }

 private:
  real::Context ctx_;
  uint32_t hosts_;
  std::chrono::steady_clock::time_point start_;
  sim::FaultSchedule none_;
  bool row_taken_ = false;  // the socket under test exists (agent.h impl_for_socket)
  std::vector<std::unique_ptr<Sock>> socks_;
  std::vector<std::unique_ptr<ZapPort>> zap_ports_;
  sim::ZapAnswer zap_answer_;
  uint64_t zap_requests_ = 0;

  void service_zap() {
    for (auto& port : zap_ports_) {
      while (std::optional<std::vector<std::string>> req = port->poll()) {
        ++zap_requests_;
        req->insert(req->begin(), std::string());  // the delimiter, as the answer sees requests
        std::optional<sim::ZapFrames> rep = zap_answer_(*req);
        if (!rep) continue;
        std::vector<std::string> out = *rep;
        if (!out.empty() && out.front().empty()) out.erase(out.begin());
        port->reply(out);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Lab::Backend> make_tcp_backend(uint64_t seed, uint32_t hosts) {
  (void)seed;  // real time and real scheduling: nothing to seed
  return std::make_unique<TcpBackend>(hosts);
}

}  // namespace zlab::conform
