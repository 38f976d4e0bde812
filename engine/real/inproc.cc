#include "engine/real/inproc.h"

#include <deque>
#include <utility>

#include "engine/real/socket.h"

namespace zlab::real {
namespace {

struct Lists {
  std::deque<std::function<void()>> tasks;
  std::deque<std::weak_ptr<Socket>> wakes;
};

// Per thread, plain data only: every send and receive opens a scope, and a thread_local with
// a constructor costs a call per access.
struct Pending {
  int depth;  // open UnlockedScopes on this thread
  bool running;
  bool any;  // lists holds work
  Lists* lists;
  Lists& get() {
    if (lists == nullptr) {  // once per thread that ever wakes a socket; freed when it ends
      static thread_local Lists storage;
      lists = &storage;
    }
    return *lists;
  }
};

thread_local Pending pending = {0, false, false, nullptr};

void run_pending() {
  if (pending.running || !pending.any) return;  // a task's own scopes end inside this loop
  pending.running = true;
  Lists& lists = pending.get();
  while (!lists.wakes.empty() || !lists.tasks.empty()) {
    // Joins (tasks) before wake-ups: a socket woken for a link should find it attached.
    if (!lists.tasks.empty()) {
      std::function<void()> task = std::move(lists.tasks.front());
      lists.tasks.pop_front();
      task();
      continue;
    }
    std::weak_ptr<Socket> weak = std::move(lists.wakes.front());
    lists.wakes.pop_front();
    if (std::shared_ptr<Socket> socket = weak.lock()) socket->wake_from_link();
  }
  pending.any = false;
  pending.running = false;
}

}  // namespace

void run_unlocked(std::function<void()> task) {
  pending.get().tasks.push_back(std::move(task));
  pending.any = true;
  if (pending.depth == 0) run_pending();
}

UnlockedScope::UnlockedScope() { ++pending.depth; }

UnlockedScope::~UnlockedScope() {
  Pending& p = pending;  // one look-up of this thread's state (a call in a shared library)
  if (--p.depth == 0 && p.any && !p.running) run_pending();
}

bool UnlockedScope::can_flush() { return pending.depth == 1 && !pending.running && pending.any; }

bool UnlockedScope::flush_if_outermost() {
  if (pending.depth != 1 || pending.running || !pending.any) return false;
  // Run as if outside the scope: the tasks open their own.
  pending.depth = 0;
  run_pending();
  pending.depth = 1;
  return true;
}

void SocketWaker::wake() {
  // Called under the waking socket's lock: only noted here. The same socket woken twice in a
  // row is woken once.
  std::deque<std::weak_ptr<Socket>>& wakes = pending.get().wakes;
  if (!wakes.empty() && !wakes.back().owner_before(socket_) &&
      !socket_.owner_before(wakes.back())) {
    return;
  }
  wakes.push_back(socket_);
  pending.any = true;
  if (pending.depth == 0) run_pending();
}

}  // namespace zlab::real
