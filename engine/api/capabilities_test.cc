#include <gtest/gtest.h>

#include "engine/api/zmq.h"

namespace {

TEST(Has, ProtocolsZlabProvides) {
  EXPECT_EQ(zmq_has("ipc"), 1);
  EXPECT_EQ(zmq_has("ws"), 1);
  // libzmq 4.3.4's own spelling (it answers 0 to "ws", 1 to "WS"): both work on zlab.
  EXPECT_EQ(zmq_has("WS"), 1);
  EXPECT_EQ(zmq_has("curve"), 1);
}

TEST(Has, FeaturesNotProvidedYet) {
  for (const char* name :
       {"pgm", "tipc", "norm", "vmci", "gssapi", "draft", "wss", "WSS", "CURVE"}) {
    EXPECT_EQ(zmq_has(name), 0) << name;
  }
}

TEST(Has, UnknownOddAndNullNamesAreNo) {
  for (const char* name : {"", "tcp", "IPC", "ipc ", " ipc", "ip", "ipcx", "inproc", "Ws", "ws "}) {
    EXPECT_EQ(zmq_has(name), 0) << '"' << name << '"';
  }
  EXPECT_EQ(zmq_has(nullptr), 0);
}

TEST(Has, CapabilityMacroIsAdvertised) { EXPECT_EQ(ZMQ_HAS_CAPABILITIES, 1); }

}  // namespace
