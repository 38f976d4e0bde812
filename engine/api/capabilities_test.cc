#include <gtest/gtest.h>

#include "engine/api/zmq.h"

namespace {

TEST(Has, ProtocolsZlabProvides) { EXPECT_EQ(zmq_has("ipc"), 1); }

TEST(Has, FeaturesNotProvidedYet) {
  for (const char* name :
       {"pgm", "tipc", "norm", "vmci", "gssapi", "curve", "draft", "ws", "wss"}) {
    EXPECT_EQ(zmq_has(name), 0) << name;
  }
}

TEST(Has, UnknownOddAndNullNamesAreNo) {
  for (const char* name : {"", "tcp", "IPC", "ipc ", " ipc", "ip", "ipcx", "inproc"}) {
    EXPECT_EQ(zmq_has(name), 0) << '"' << name << '"';
  }
  EXPECT_EQ(zmq_has(nullptr), 0);
}

TEST(Has, CapabilityMacroIsAdvertised) { EXPECT_EQ(ZMQ_HAS_CAPABILITIES, 1); }

}  // namespace
