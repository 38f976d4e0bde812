// Test-only: the libzmq peer (libzmq_peer.py under /usr/bin/python3) as a child process,
// spoken to line by line. Every read is bounded by a timeout.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace zlab::interop {

using Parts = std::vector<std::string>;

class PeerProcess {
 public:
  PeerProcess();
  ~PeerProcess();
  // One request line; the reply line, or "timeout".
  std::string request(const std::string& line, int timeout_ms = 10000);
  bool alive() const { return pid_ > 0; }

 private:
  int pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffered_;
};

std::string to_hex(const std::string& bytes);
std::string from_hex(const std::string& hex);
std::vector<std::string> split(const std::string& line);

}  // namespace zlab::interop
