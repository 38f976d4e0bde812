#include "engine/real/inproc.h"

#include <deque>
#include <utility>

#include "engine/real/socket.h"

namespace zlab::real {
namespace {

struct Pending {
  int depth = 0;  // open UnlockedScopes on this thread
  bool running = false;
  std::deque<std::function<void()>> tasks;
  std::deque<std::weak_ptr<Socket>> wakes;
};

thread_local Pending pending;

void run_pending() {
  if (pending.running) return;  // a task's own scopes end inside this loop
  pending.running = true;
  while (!pending.wakes.empty() || !pending.tasks.empty()) {
    // Joins (tasks) before wake-ups: a socket woken for a link should find it attached.
    if (!pending.tasks.empty()) {
      std::function<void()> task = std::move(pending.tasks.front());
      pending.tasks.pop_front();
      task();
      continue;
    }
    std::weak_ptr<Socket> weak = std::move(pending.wakes.front());
    pending.wakes.pop_front();
    if (std::shared_ptr<Socket> socket = weak.lock()) socket->wake_from_link();
  }
  pending.running = false;
}

}  // namespace

void run_unlocked(std::function<void()> task) {
  pending.tasks.push_back(std::move(task));
  if (pending.depth == 0) run_pending();
}

UnlockedScope::UnlockedScope() { ++pending.depth; }

UnlockedScope::~UnlockedScope() {
  if (--pending.depth == 0) run_pending();
}

bool UnlockedScope::flush_if_outermost() {
  if (pending.depth != 1 || pending.running) return false;
  if (pending.tasks.empty() && pending.wakes.empty()) return false;
  // Run as if outside the scope: the tasks open their own.
  pending.depth = 0;
  run_pending();
  pending.depth = 1;
  return true;
}

void SocketWaker::wake() {
  // Called under the waking socket's lock: only noted here. The same socket woken twice in a
  // row is woken once.
  if (!pending.wakes.empty() && !pending.wakes.back().owner_before(socket_) &&
      !socket_.owner_before(pending.wakes.back())) {
    return;
  }
  pending.wakes.push_back(socket_);
  if (pending.depth == 0) run_pending();
}

}  // namespace zlab::real
