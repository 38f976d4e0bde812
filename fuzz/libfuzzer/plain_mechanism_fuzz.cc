// The PLAIN mechanism (engine/proto/plain_mechanism.h), client and server: a tampered
// conversation between two zlab ends, or a hostile peer's raw bytes after a valid greeting.
// What is fuzzed and what must hold: mechanism_harness.h.
#include "fuzz/libfuzzer/mechanism_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zlab::fuzz::run_mechanism_input("PLAIN", data, size);
}
