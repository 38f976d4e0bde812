#include "conformance/harness/property.h"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace zlab::conform {
namespace {

Evidence* current = nullptr;
Evidence scratch;  // when no runner is around (a property called from a unit test)
CaseLog log_of_case;
CaseLimits limits;
uint64_t world_seed = 0;
std::string row;              // the property being run's matrix row
bool case_subject = false;    // the case made its socket under test
std::string case_peers_only;  // ... or else, the peer implementation that made its sockets
uint64_t fingerprint = 0xcbf29ce484222325ull;
std::atomic<int64_t> case_start_ns{0};
std::string capture_stem;  // set while a failure's replay is recorded
int capture_worlds = 0;    // worlds recorded under the stem so far
std::vector<std::string> artifacts;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Evidence::max(std::string_view name, int64_t n) {
  int64_t& v = counters_[std::string(name)];
  v = std::max(v, n);
}

Evidence& evidence() { return current != nullptr ? *current : scratch; }

void set_current_evidence(Evidence* e) { current = e; }

void CaseLog::note(std::string line) {
  std::lock_guard lock(mu_);
  if (head_.size() < kHead) {
    head_.push_back(std::move(line));
    return;
  }
  if (tail_.size() < kTail) {
    tail_.push_back(std::move(line));
    return;
  }
  ++skipped_;
  tail_[next_] = std::move(line);
  next_ = (next_ + 1) % kTail;
}

std::vector<std::string> CaseLog::lines() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out = head_;
  if (skipped_ > 0) out.push_back("... " + std::to_string(skipped_) + " more ...");
  for (size_t i = 0; i < tail_.size(); ++i) out.push_back(tail_[(next_ + i) % tail_.size()]);
  return out;
}

void CaseLog::clear() {
  std::lock_guard lock(mu_);
  head_.clear();
  tail_.clear();
  next_ = 0;
  skipped_ = 0;
}

CaseLog& case_log() { return log_of_case; }

void fold_into_fingerprint(uint64_t value) {
  for (int i = 0; i < 8; ++i) {  // FNV-1a 64 over the value's bytes
    fingerprint ^= (value >> (8 * i)) & 0xff;
    fingerprint *= 0x100000001b3ull;
  }
}
uint64_t run_fingerprint() { return fingerprint; }
void reset_run_fingerprint() { fingerprint = 0xcbf29ce484222325ull; }

void set_capture_stem(std::string stem) {
  capture_stem = std::move(stem);
  capture_worlds = 0;
}

std::string next_capture_path() {
  if (capture_stem.empty()) return "";
  ++capture_worlds;
  return capture_worlds == 1 ? capture_stem : capture_stem + "-w" + std::to_string(capture_worlds);
}

void note_artifact(std::string path) { artifacts.push_back(std::move(path)); }

std::vector<std::string> take_artifacts() {
  std::vector<std::string> out;
  out.swap(artifacts);
  return out;
}

void note_world_seed(uint64_t seed) { world_seed = seed; }
uint64_t case_world_seed() { return world_seed; }

const std::string& case_row() { return row; }
void set_case_row(std::string r) { row = std::move(r); }

CaseLimits case_limits() { return limits; }
void set_case_limits(CaseLimits l) { limits = l; }

void mark_case_start() {
  case_start_ns = steady_ns();
  case_subject = false;
  case_peers_only.clear();
}

void note_case_socket(bool under_test, const std::string& peer_impl_name) {
  if (under_test)
    case_subject = true;
  else if (case_peers_only.empty())
    case_peers_only = peer_impl_name;
}

std::string case_without_subject() {
  if (case_subject || case_peers_only.empty()) return "";
  return "no " + row + " socket was made: every socket of the case was the peer " +
         "implementation's (" + case_peers_only + "), so it tested only the peers";
}
int64_t case_wall_elapsed_ms() {
  int64_t start = case_start_ns.load();
  return start == 0 ? 0 : (steady_ns() - start) / 1'000'000;  // 0: no runner, no budget
}

}  // namespace zlab::conform
