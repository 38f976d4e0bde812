// Carries one socket's ZAP requests (rfc 27) to the handler bound at inproc://zeromq.zap.01 in
// the same context, and its replies back, as a user of the context would: a DEALER socket of
// its own, connected there, on a thread of its own. The core decides what to ask and what a
// reply means (proto/zap.h); this only moves frames.
//
// Replies are matched to connections by their request id (the core makes one per connection);
// a reply naming no pending request goes to the oldest one (a handler answering in order with a
// wrong id), whose core then refuses it (ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/base/msg.h"
#include "engine/sockets/peer.h"

namespace zlab::real {

class Context;
class Socket;

class ZapAgent {
 public:
  // `deliver` hands a reply to the owning socket (called on the agent's thread, no lock held).
  using Deliver = std::function<void(StreamId, std::vector<Msg>)>;
  ZapAgent(Context& ctx, Deliver deliver);
  ~ZapAgent();
  ZapAgent(const ZapAgent&) = delete;
  ZapAgent& operator=(const ZapAgent&) = delete;

  // Whether a handler is bound at inproc://zeromq.zap.01 now (libzmq looks when it asks).
  static bool handler_bound(Context& ctx);
  // Queues a request; `frames[2]` is its request id.
  void submit(StreamId stream, std::vector<Msg> frames);
  // Stops the thread and closes the DEALER; pending requests get no reply.
  void stop();

 private:
  void run();
  void send_pending(Socket& dealer);
  void route(std::vector<Msg> reply);

  Context& ctx_;
  Deliver deliver_;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::deque<std::pair<StreamId, std::vector<Msg>>> queue_;  // guarded by mu_
  bool stopping_ = false;                                    // guarded by mu_
  // The agent thread's own: requests sent and not answered, by request id, oldest first.
  std::deque<std::pair<std::string, StreamId>> pending_;
  std::thread thread_;
};

}  // namespace zlab::real
