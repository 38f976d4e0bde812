#include "engine/real/io_thread.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <climits>
#include <ctime>

namespace zlab::real {

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t coarse_monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

IoThread::IoThread() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  assert(epoll_fd_ >= 0 && wake_fd_ >= 0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;  // token 0: the wake fd
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

IoThread::~IoThread() {
  stop_ = true;
  wake();
  thread_.join();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

uint64_t IoThread::add(int fd, std::weak_ptr<IoOwner> owner, uint32_t id, bool listener,
                       uint32_t events) {
  uint64_t token;
  {
    std::lock_guard lock(mu_);
    token = next_token_++;
    registrations_[token] = Registration{std::move(owner), id, listener};
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  return token;
}

void IoThread::modify(uint64_t token, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void IoThread::remove(uint64_t token, int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  std::lock_guard lock(mu_);
  registrations_.erase(token);
}

void IoThread::attach_owner(std::shared_ptr<IoOwner> owner) {
  {
    std::lock_guard lock(mu_);
    IoOwner* raw = owner.get();
    owners_.emplace(raw, std::move(owner));
    timers_.add(raw);
    if (raw->finished()) finished_.push_back(raw);
  }
  wake();
}

void IoThread::deadline_moved_earlier(IoOwner* owner) {
  {
    std::lock_guard lock(mu_);
    timers_.moved_earlier(owner);
  }
  wake();
}

void IoThread::owner_finished(IoOwner* owner) {
  std::lock_guard lock(mu_);
  finished_.push_back(owner);
}

size_t IoThread::owners() const {
  std::lock_guard lock(mu_);
  return owners_.size();
}

void IoThread::post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  wake();
}

void IoThread::wake() {
  uint64_t one = 1;
  ssize_t rc = ::write(wake_fd_, &one, sizeof one);
  (void)rc;  // a full counter already means "wake up"
}

void IoThread::run_timers(int64_t now_ns) {
  std::vector<IoOwner*> due_raw;
  std::vector<std::shared_ptr<IoOwner>> due;
  {
    std::lock_guard lock(mu_);
    timers_.take_due(now_ns, &due_raw);
    for (IoOwner* owner : due_raw) due.push_back(owners_.at(owner));
  }
  for (auto& owner : due) owner->on_timer(now_ns);
  std::vector<std::shared_ptr<IoOwner>> forgotten;  // released outside the lock
  std::lock_guard lock(mu_);
  for (IoOwner* owner : due_raw) timers_.refile(owner);  // served: at its deadline now
  forgotten = forget_finished_locked();
}

std::vector<std::shared_ptr<IoOwner>> IoThread::forget_finished_locked() {
  std::vector<std::shared_ptr<IoOwner>> forgotten;
  for (IoOwner* owner : finished_) {
    auto it = owners_.find(owner);
    if (it == owners_.end()) continue;  // told twice
    timers_.remove(owner);
    forgotten.push_back(std::move(it->second));
    owners_.erase(it);
  }
  finished_.clear();
  return forgotten;
}

void IoThread::run() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (!stop_) {
    int64_t next;
    {
      std::lock_guard lock(mu_);
      next = timers_.next_ns();
    }
    int timeout_ms = -1;
    if (next != INT64_MAX) {
      int64_t wait_ns = std::max<int64_t>(0, next - monotonic_ns());
      timeout_ms = int(std::min<int64_t>((wait_ns + 999'999) / 1'000'000, INT_MAX));
    }
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      uint64_t token = events[i].data.u64;
      if (token == 0) {
        uint64_t count;
        ssize_t rc = ::read(wake_fd_, &count, sizeof count);
        (void)rc;
        continue;
      }
      std::shared_ptr<IoOwner> owner;
      Registration reg;
      {
        std::lock_guard lock(mu_);
        auto it = registrations_.find(token);
        if (it == registrations_.end()) continue;  // removed after the event was queued
        reg = it->second;
      }
      owner = reg.owner.lock();
      if (owner) owner->on_io(reg.id, reg.listener, events[i].events);
    }
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mu_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
    run_timers(monotonic_ns());
  }
}

}  // namespace zlab::real
