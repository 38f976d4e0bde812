#include "engine/interop/peer_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace zlab::interop {
namespace {

std::string peer_script() {
  // Bazel runs tests from the runfiles root of the workspace.
  const char* dir = std::getenv("TEST_SRCDIR");
  std::string base = dir != nullptr ? std::string(dir) + "/zlab/" : std::string();
  return base + "engine/interop/libzmq_peer.py";
}

}  // namespace

PeerProcess::PeerProcess() {
  int in[2];
  int out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    std::string script = peer_script();
    execl("/usr/bin/python3", "python3", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  pid_ = pid;
  to_child_ = in[1];
  from_child_ = out[0];
  signal(SIGPIPE, SIG_IGN);
}

PeerProcess::~PeerProcess() {
  if (pid_ <= 0) return;
  request("quit", 2000);
  close(to_child_);
  close(from_child_);
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    usleep(10000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string PeerProcess::request(const std::string& line, int timeout_ms) {
  if (pid_ <= 0) return "dead";
  std::string out = line + "\n";
  if (write(to_child_, out.data(), out.size()) != ssize_t(out.size())) return "dead";
  for (;;) {
    size_t nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      std::string reply = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return reply;
    }
    pollfd p{from_child_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return "timeout";
    char buf[65536];
    ssize_t n = read(from_child_, buf, sizeof buf);
    if (n <= 0) return "dead";
    buffered_.append(buf, size_t(n));
  }
}

std::string to_hex(const std::string& bytes) {
  if (bytes.empty()) return "-";
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string from_hex(const std::string& hex) {
  if (hex == "-") return "";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

}  // namespace zlab::interop
