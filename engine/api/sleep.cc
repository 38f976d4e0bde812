// zmq_sleep: block the calling thread for whole seconds (zero or negative: return at once).
#include <chrono>
#include <thread>

#include "engine/api/zmq.h"

extern "C" void zmq_sleep(int seconds) {
  if (seconds <= 0) return;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
}
