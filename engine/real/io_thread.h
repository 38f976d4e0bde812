// One I/O thread: an epoll loop, a task mailbox (eventfd), and the timers of its sockets.
//
// Application threads never do I/O syscalls on streams; they change epoll interest (epoll_ctl
// is thread-safe) and post tasks here. Each fd's events are handed to its owner with the
// owner's lock taken by the owner itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/real/timer_queue.h"

namespace zlab::real {

// Whoever owns fds on this thread (a socket).
class IoOwner {
 public:
  virtual ~IoOwner() = default;
  virtual void on_io(uint32_t id, bool listener, uint32_t epoll_events) = 0;
  virtual void on_timer(int64_t now_ns) = 0;
  // The earliest deadline of the owner (INT64_MAX: none); read without its lock.
  virtual int64_t deadline_ns() const = 0;
  // True once the owner is closed and done: the thread forgets it.
  virtual bool finished() const = 0;
};

int64_t monotonic_ns();
// The same clock at the kernel tick's resolution (a few ms), read without the TSC: for the
// send/receive fast path, where reading the precise clock costs as much as the rest.
int64_t coarse_monotonic_ns();

class IoThread {
 public:
  IoThread();
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  // Registers an fd; returns a token for modify/remove.
  uint64_t add(int fd, std::weak_ptr<IoOwner> owner, uint32_t id, bool listener, uint32_t events);
  void modify(uint64_t token, int fd, uint32_t events);
  void remove(uint64_t token, int fd);

  void attach_owner(std::shared_ptr<IoOwner> owner);
  // Runs `task` on this thread soon.
  void post(std::function<void()> task);
  void wake();
  // `owner`'s deadline moved earlier (or from none): file it again and re-plan the sleep.
  void deadline_moved_earlier(IoOwner* owner);
  // `owner` finished: forget it at the next wake-up (not woken for it).
  void owner_finished(IoOwner* owner);
  size_t owners() const;

 private:
  struct Registration {
    std::weak_ptr<IoOwner> owner;
    uint32_t id;
    bool listener;
  };
  void run();
  void run_timers(int64_t now_ns);
  std::vector<std::shared_ptr<IoOwner>> forget_finished_locked();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;  // guards everything below
  std::unordered_map<uint64_t, Registration> registrations_;
  std::unordered_map<IoOwner*, std::shared_ptr<IoOwner>> owners_;
  TimerQueue timers_;               // owners_ by deadline
  std::vector<IoOwner*> finished_;  // told finished, not yet forgotten
  std::vector<std::function<void()>> tasks_;
  uint64_t next_token_ = 1;
  std::thread thread_;
};

}  // namespace zlab::real
