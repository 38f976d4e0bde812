// SharedPipe (engine/sockets/) as the real driver uses it: one thread writing, one reading.
// Here rather than beside the queue because the sans-I/O core and its tests start no thread.
// Run under --config=tsan too.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "engine/sockets/shared_pipe.h"

namespace zlab {
namespace {

Msg part(const std::string& text, bool more = false) {
  Msg m = Msg::copy_of(std::string_view(text));
  m.set_more(more);
  return m;
}

// Two threads, one writing, one reading, with a small capacity so both wait on each other
// often: every message arrives once, whole and in order, and no wake-up is lost (a side that
// found nothing to do spins only until woken). Run under --config=tsan too.
TEST(SharedPipeStressTest, TwoThreads) {
  struct FlagWaker final : PipeWaker {
    void wake() override { woken.store(true, std::memory_order_release); }
    bool take() { return woken.exchange(false, std::memory_order_acq_rel); }
    std::atomic<bool> woken{false};
  };
  FlagWaker writer_waker, reader_waker;
  SharedPipe p;
  p.set_wakers(&writer_waker, &reader_waker);
  p.set_writer_hwm(7);
  p.set_reader_hwm(9);
  constexpr int kMessages = 200000;
  std::thread writer([&] {
    for (int i = 0; i < kMessages; ++i) {
      while (!p.can_write()) {
        while (!writer_waker.take()) std::this_thread::yield();
      }
      bool two = i % 3 == 0;
      if (two) p.write(part("head", true));
      p.write(part(std::to_string(i)));
    }
    p.close_writer();
  });
  int next = 0;
  while (next < kMessages) {
    if (!p.can_read()) {
      while (!reader_waker.take()) std::this_thread::yield();
      continue;
    }
    Msg m;
    ASSERT_TRUE(p.read(&m));
    if (next % 3 == 0) {
      ASSERT_EQ(m.view(), "head");
      ASSERT_TRUE(m.more());
      ASSERT_TRUE(p.read(&m));
    }
    ASSERT_FALSE(m.more());
    ASSERT_EQ(m.view(), std::to_string(next));
    ++next;
  }
  writer.join();
  EXPECT_TRUE(p.writer_closed());
  EXPECT_TRUE(p.drained());
}

}  // namespace
}  // namespace zlab
