#include "engine/real/zap_agent.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine/proto/zap.h"
#include "engine/real/context.h"
#include "engine/real/socket.h"
#include "engine/sockets/endpoint.h"

namespace zlab::real {
namespace {

constexpr int kOptLinger = 17;       // ZMQ_LINGER
constexpr int kOptSndHwm = 23;       // ZMQ_SNDHWM
constexpr int kOptRcvHwm = 24;       // ZMQ_RCVHWM
constexpr int kPollIntervalMs = 50;  // a stop() is seen at least this often

}  // namespace

bool ZapAgent::handler_bound(Context& ctx) {
  // The context's registry knows inproc endpoints by their address (what follows inproc://).
  static const std::string name = parse_endpoint(proto::kZapEndpoint).endpoint->address;
  return ctx.inproc_is_bound(name);
}

ZapAgent::ZapAgent(Context& ctx, Deliver deliver) : ctx_(ctx), deliver_(std::move(deliver)) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

ZapAgent::~ZapAgent() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ZapAgent::submit(StreamId stream, std::vector<Msg> frames) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(stream, std::move(frames));
  }
  uint64_t one = 1;
  ssize_t rc = ::write(wake_fd_, &one, sizeof one);
  (void)rc;
}

void ZapAgent::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  uint64_t one = 1;
  ssize_t rc = ::write(wake_fd_, &one, sizeof one);
  (void)rc;
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // the owner went away on our own thread: nothing else to wait for
    } else {
      thread_.join();
    }
  }
}

void ZapAgent::run() {
  Err err = Err::kOk;
  std::shared_ptr<Socket> dealer = ctx_.create_socket(SocketType::kDealer, &err);
  if (dealer) {
    // As libzmq's ZAP pipe: no HWM (a request is never dropped), nothing kept at close.
    int zero = 0;
    std::span<const uint8_t> zero_value(reinterpret_cast<const uint8_t*>(&zero), sizeof zero);
    for (int id : {kOptLinger, kOptSndHwm, kOptRcvHwm}) dealer->set_option(id, zero_value);
    if (dealer->connect(std::string(proto::kZapEndpoint)) != Err::kOk) dealer.reset();
  }
  std::vector<Msg> reply;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (dealer) {
      send_pending(*dealer);
      Msg part;
      while (dealer->recv(&part, kDontWait) == Err::kOk) {
        bool more = part.more();
        reply.push_back(std::move(part));
        if (!more) route(std::move(reply)), reply.clear();
      }
      // Re-arms ZMQ_FD (edge-triggered): only a ZMQ_EVENTS read drains it. Socket::events()
      // does not, so with it the fd stayed readable from the connect on and this loop spun.
      int events = 0;
      size_t size = sizeof events;
      dealer->get_option(opt::kEvents, reinterpret_cast<uint8_t*>(&events), &size);
    }
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {dealer ? dealer->signal_fd() : -1, POLLIN, 0}};
    ::poll(fds, dealer ? 2 : 1, kPollIntervalMs);
    uint64_t drained = 0;
    ssize_t rc = ::read(wake_fd_, &drained, sizeof drained);
    (void)rc;
  }
  if (dealer) dealer->close();
}

void ZapAgent::send_pending(Socket& dealer) {
  std::deque<std::pair<StreamId, std::vector<Msg>>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
  }
  for (auto& [stream, frames] : batch) {
    if (frames.size() > 2) pending_.emplace_back(std::string(frames[2].view()), stream);
    for (Msg& f : frames) {
      int flags = kDontWait | (f.more() ? kSendMoreFlag : 0);
      f.set_more(false);
      if (dealer.send(f, flags) != Err::kOk) break;  // the handler went away: no reply
    }
  }
}

void ZapAgent::route(std::vector<Msg> reply) {
  if (pending_.empty()) return;  // nobody asked: ignore it
  auto it = pending_.begin();
  if (reply.size() > 2) {
    for (auto p = pending_.begin(); p != pending_.end(); ++p) {
      if (p->first == reply[2].view()) {
        it = p;
        break;
      }
    }
  }
  StreamId stream = it->second;
  pending_.erase(it);
  deliver_(stream, std::move(reply));
}

}  // namespace zlab::real
