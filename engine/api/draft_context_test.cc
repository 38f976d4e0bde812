// zmq_ctx_set_ext/zmq_ctx_get_ext (draft build) and the draft build's identity, through zmq.h.
#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engine/api/zmq.h"

namespace {

TEST(DraftBuild, SaysSo) { EXPECT_EQ(zmq_has("draft"), 1); }

TEST(DraftBuild, MakesTheDraftTypesThatLibzmqMakes) {
  void* ctx = zmq_ctx_new();
  for (int type : {ZMQ_SERVER, ZMQ_CLIENT, ZMQ_RADIO, ZMQ_DISH, ZMQ_GATHER, ZMQ_SCATTER, ZMQ_PEER,
                   ZMQ_CHANNEL, ZMQ_DGRAM}) {
    void* s = zmq_socket(ctx, type);
    ASSERT_NE(s, nullptr) << type << ": " << zmq_strerror(zmq_errno());
    int got = -1;
    size_t size = sizeof got;
    ASSERT_EQ(zmq_getsockopt(s, ZMQ_TYPE, &got, &size), 0);
    EXPECT_EQ(got, type);
    EXPECT_EQ(zmq_close(s), 0);
  }
  EXPECT_EQ(zmq_socket(ctx, 21), nullptr);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(CtxExt, IntOptionsAsZmqCtxSet) {
  void* ctx = zmq_ctx_new();
  int v = 3;
  ASSERT_EQ(zmq_ctx_set_ext(ctx, ZMQ_IO_THREADS, &v, sizeof v), 0);
  EXPECT_EQ(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 3);
  int out = 0;
  size_t size = sizeof out;
  ASSERT_EQ(zmq_ctx_get_ext(ctx, ZMQ_IO_THREADS, &out, &size), 0);
  EXPECT_EQ(out, 3);
  EXPECT_EQ(size, sizeof out);
  v = -1;
  EXPECT_EQ(zmq_ctx_set_ext(ctx, ZMQ_IO_THREADS, &v, sizeof v), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  // An int option wants an int's size.
  long wide = 2;
  EXPECT_EQ(zmq_ctx_set_ext(ctx, ZMQ_IO_THREADS, &wide, sizeof wide), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  size = sizeof wide;
  EXPECT_EQ(zmq_ctx_get_ext(ctx, ZMQ_IO_THREADS, &wide, &size), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(CtxExt, ThreadNamePrefixAsText) {
  void* ctx = zmq_ctx_new();
  const char prefix[] = "MyPrefix9012345";  // 16 bytes with the NUL: the most libzmq takes
  ASSERT_EQ(zmq_ctx_set_ext(ctx, ZMQ_THREAD_NAME_PREFIX, prefix, sizeof prefix), 0);
  char buf[16];
  size_t size = sizeof buf;
  ASSERT_EQ(zmq_ctx_get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, buf, &size), 0);
  EXPECT_STREQ(buf, prefix);
  EXPECT_EQ(size, sizeof prefix);
  char small[4 + 1];
  size = 5;
  EXPECT_EQ(zmq_ctx_get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, small, &size), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  const char too_long[] = "0123456789abcdefg";
  EXPECT_EQ(zmq_ctx_set_ext(ctx, ZMQ_THREAD_NAME_PREFIX, too_long, sizeof too_long), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  // The int form stays: a number in, the number out.
  ASSERT_EQ(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 1234), 0);
  EXPECT_EQ(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), 1234);
  size = sizeof buf;
  ASSERT_EQ(zmq_ctx_get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, buf, &size), 0);
  EXPECT_EQ(std::string(buf, size), "1234");
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(CtxExt, ZeroCopyRecvIsKeptAndReported) {
  void* ctx = zmq_ctx_new();
  EXPECT_EQ(zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV), 1);
  ASSERT_EQ(zmq_ctx_set(ctx, ZMQ_ZERO_COPY_RECV, 0), 0);
  EXPECT_EQ(zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV), 0);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

TEST(CtxExt, BadContextsAndBuffers) {
  int v = 1;
  size_t size = sizeof v;
  EXPECT_EQ(zmq_ctx_set_ext(nullptr, ZMQ_IPV6, &v, sizeof v), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_ctx_get_ext(nullptr, ZMQ_IPV6, &v, &size), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  void* ctx = zmq_ctx_new();
  EXPECT_EQ(zmq_ctx_set_ext(ctx, ZMQ_IPV6, nullptr, sizeof v), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_ctx_get_ext(ctx, ZMQ_IPV6, &v, nullptr), -1);
  EXPECT_EQ(zmq_errno(), EFAULT);
  EXPECT_EQ(zmq_ctx_set_ext(ctx, 9999, &v, sizeof v), -1);
  EXPECT_EQ(zmq_errno(), EINVAL);
  EXPECT_EQ(zmq_ctx_term(ctx), 0);
}

}  // namespace
