#include "engine/sockets/shared_pipe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "engine/sockets/pipe.h"

namespace zlab {
namespace {

class CountingWaker final : public PipeWaker {
 public:
  void wake() override { wakes.fetch_add(1, std::memory_order_relaxed); }
  std::atomic<int> wakes{0};
};

Msg part(const std::string& text, bool more = false) {
  Msg m = Msg::copy_of(std::string_view(text));
  m.set_more(more);
  return m;
}

std::string read_text(SharedPipe& p) {
  Msg m;
  EXPECT_TRUE(p.read(&m));
  return std::string(m.view());
}

// The two-thread stress test is engine/real/shared_pipe_stress_test.cc (threads are the real
// driver's; the core and its tests have none).

// The many-peers goal: a wake-up names the pipe end that caused it (its token, a peer id), so
// the woken socket takes in that peer only. No token registered: the wake-up names nothing.
TEST(SharedPipeTest, AWakeUpNamesTheTokenOfTheEndItWakes) {
  SharedPipe p;
  CountingWaker writer_side;
  CountingWaker reader_side;
  p.set_wakers(&writer_side, &reader_side);
  p.set_reader_token(7);
  p.set_writer_token(3);
  EXPECT_FALSE(p.can_read());  // empty: the reader asks to be woken
  p.write(part("a"));
  EXPECT_EQ(reader_side.wakes.load(), 1);
  ASSERT_TRUE(reader_side.has_woken());
  std::vector<uint32_t> tokens;
  reader_side.take_woken(&tokens);
  EXPECT_EQ(tokens, std::vector<uint32_t>{7});
  EXPECT_FALSE(reader_side.has_woken());
  p.close_reader();  // the writer is told, with its own token
  writer_side.take_woken(&tokens);
  EXPECT_EQ(tokens, std::vector<uint32_t>{3});

  SharedPipe unnamed;
  unnamed.set_wakers(&writer_side, &reader_side);
  EXPECT_FALSE(unnamed.can_read());
  unnamed.write(part("b"));
  EXPECT_EQ(reader_side.wakes.load(), 2);  // still woken, but no token noted
  EXPECT_FALSE(reader_side.has_woken());
}

TEST(SharedPipeTest, PartsAreVisibleWhenTheMessageIsWhole) {
  SharedPipe p;
  p.write(part("a", true));
  EXPECT_FALSE(p.can_read());
  p.write(part("b"));
  ASSERT_TRUE(p.can_read());
  EXPECT_EQ(p.messages(), 1);
  EXPECT_EQ(read_text(p), "a");
  EXPECT_TRUE(p.reading());
  EXPECT_EQ(read_text(p), "b");
  EXPECT_FALSE(p.can_read());
}

TEST(SharedPipeTest, RollbackDropsAnUnfinishedMessageAcrossChunks) {
  SharedPipe p;
  p.write(part("whole"));
  for (size_t i = 0; i < SharedPipe::kChunkParts + 3; ++i) p.write(part("x", true));
  p.rollback();
  p.write(part("next"));
  EXPECT_EQ(read_text(p), "whole");
  EXPECT_EQ(read_text(p), "next");
  EXPECT_FALSE(p.can_read());
}

TEST(SharedPipeTest, CapacityIsWriterHwmPlusReaderHwm) {
  SharedPipe p;
  p.set_writer_hwm(2);
  EXPECT_EQ(p.capacity(), 2);  // the reader has not joined: its share is unknown
  p.set_reader_hwm(3);
  EXPECT_EQ(p.capacity(), 5);
  p.set_reader_hwm(0);
  EXPECT_EQ(p.capacity(), 0);  // 0 on either side: unlimited
}

TEST(SharedPipeTest, FullUntilTheReaderPassesTheLowWaterMark) {
  CountingWaker writer, reader;
  SharedPipe p;
  p.set_wakers(&writer, &reader);
  p.set_writer_hwm(2);
  p.set_reader_hwm(2);  // capacity 4, low-water mark 2
  int sent = 0;
  while (p.can_write()) {
    p.write(part(std::to_string(sent++)));
  }
  EXPECT_EQ(sent, 4);
  EXPECT_EQ(read_text(p), "0");
  EXPECT_FALSE(p.can_write());  // the writer has not heard of the read yet
  EXPECT_EQ(writer.wakes.load(), 0);
  EXPECT_EQ(read_text(p), "1");
  EXPECT_EQ(writer.wakes.load(), 1);  // at the mark, the waiting writer is woken
  EXPECT_TRUE(p.can_write());
}

TEST(SharedPipeTest, ReaderIsWokenWhenAMessageLandsInAPipeItFoundEmpty) {
  CountingWaker writer, reader;
  SharedPipe p;
  p.set_wakers(&writer, &reader);
  p.write(part("1"));
  EXPECT_EQ(reader.wakes.load(), 0);  // nobody looked: nobody waits
  EXPECT_EQ(read_text(p), "1");
  EXPECT_FALSE(p.can_read());
  p.write(part("2"));
  EXPECT_EQ(reader.wakes.load(), 1);
  p.write(part("3"));
  EXPECT_EQ(reader.wakes.load(), 1);  // once per empty-to-not-empty
}

TEST(SharedPipeTest, CloseWriterKeepsWhatWasWritten) {
  CountingWaker writer, reader;
  SharedPipe p;
  p.set_wakers(&writer, &reader);
  p.write(part("kept"));
  p.write(part("dropped", true));
  p.close_writer();
  EXPECT_TRUE(p.writer_closed());
  EXPECT_EQ(reader.wakes.load(), 1);
  EXPECT_EQ(read_text(p), "kept");
  EXPECT_TRUE(p.drained());
}

TEST(SharedPipeTest, ConflateKeepsTheNewest) {
  SharedPipe p;
  p.set_conflate(true);
  p.set_writer_hwm(1);
  p.set_reader_hwm(1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(p.can_write());
    p.write(part(std::to_string(i)));
  }
  EXPECT_EQ(read_text(p), "4");
  EXPECT_FALSE(p.can_read());
}

TEST(SharedPipeTest, ClearAndDropUnread) {
  SharedPipe p;
  p.write(part("a", true));
  p.write(part("b"));
  p.write(part("c"));
  EXPECT_EQ(read_text(p), "a");
  EXPECT_EQ(p.drop_unread(), 0);  // mid-message: the rest stays
  EXPECT_EQ(read_text(p), "b");
  EXPECT_EQ(p.clear(), 1);
  EXPECT_TRUE(p.drained());
}

// A reader that drains a full pipe (default HWMs: 2000 messages, 8 chunks) in one go hands
// every chunk back, and the writer refills the pipe from them: once warm (two fills: the
// reader keeps the chunk it stands in), a steady flow allocates no chunk (with one spare, 7 of
// the 8 chunks were allocated again on every fill).
TEST(SharedPipeTest, RefillingAFullPipeAllocatesNoChunk) {
  SharedPipe p;
  p.set_writer_hwm(1000);
  p.set_reader_hwm(1000);
  auto fill_and_drain = [&] {
    int written = 0;
    while (p.can_write()) {
      p.write(part("m"));
      ++written;
    }
    EXPECT_EQ(written, 2000);
    Msg m;
    for (int i = 0; i < written; ++i) ASSERT_TRUE(p.read(&m));
    EXPECT_FALSE(p.can_read());
  };
  fill_and_drain();
  fill_and_drain();
  uint64_t warm = p.chunks_allocated();
  EXPECT_LE(warm, 9u);  // 2000 parts span 8 chunks; the second fill starts mid-chunk
  for (int round = 0; round < 5; ++round) fill_and_drain();
  EXPECT_EQ(p.chunks_allocated(), warm);
}

TEST(SharedPipeTest, PipeEndsDelegate) {
  SharedPipe shared;
  Pipe out, in;
  out.write(part("queued before"));
  out.attach_shared(&shared, true);
  in.attach_shared(&shared, false);
  out.set_hwm(1);
  in.set_hwm(1);
  EXPECT_TRUE(out.empty());  // what it wrote is the reader's
  ASSERT_TRUE(out.can_write());
  out.write(part("then"));
  EXPECT_FALSE(out.can_write());
  Msg m;
  ASSERT_TRUE(in.read(&m));
  EXPECT_EQ(m.view(), "queued before");
  ASSERT_TRUE(in.read(&m));
  EXPECT_EQ(m.view(), "then");
  EXPECT_TRUE(in.empty());
}

}  // namespace
}  // namespace zlab
