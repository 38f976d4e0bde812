#include "engine/sockets/error_close.h"

#include <algorithm>

namespace zlab {
namespace {

constexpr size_t kScratchBytes = 16 * 1024;

}  // namespace

void ErrorCloses::start(StreamId stream, int64_t now_ns) {
  entries_[stream] = Entry{now_ns + kDrainMs * 1'000'000, kMaxDrainBytes};
}

std::span<uint8_t> ErrorCloses::discard_buffer(StreamId stream) {
  auto it = entries_.find(stream);
  if (it == entries_.end() || it->second.budget_bytes == 0) return {};
  if (scratch_.empty()) scratch_.resize(kScratchBytes);
  return std::span<uint8_t>(scratch_).first(std::min(scratch_.size(), it->second.budget_bytes));
}

bool ErrorCloses::handle_read(StreamId stream, size_t n) {
  auto it = entries_.find(stream);
  if (it == entries_.end()) return false;
  it->second.budget_bytes -= std::min(n, it->second.budget_bytes);
  return it->second.budget_bytes > 0;
}

int64_t ErrorCloses::next_deadline_ns() const {
  int64_t next = INT64_MAX;
  for (const auto& [stream, entry] : entries_) next = std::min(next, entry.deadline_ns);
  return next;
}

std::vector<StreamId> ErrorCloses::take_expired(int64_t now_ns) {
  std::vector<StreamId> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.deadline_ns <= now_ns) {
      out.push_back(it->first);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace zlab
