// A run's trace: one JSON object per line, in the order things happened,
//
//   {"t":1200345,"host":"h1","conn":7,"ev":"deliver","bytes":1448}
//
// (virtual time in ns, the host, the connection or 0, what happened, how many bytes, and an
// optional "detail"), folded into a rolling 64-bit FNV-1a hash of the exact text. Two runs of
// the same seed and scenario must give the same hash; the lines go to a file only when asked,
// and the last few are kept for failure reports.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace zlab::sim {

class Trace {
 public:
  static constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;

  // Also write every line to `file` (not owned; null: no file).
  void set_file(std::FILE* file) { file_ = file; }
  // How many recent lines to keep for reports (the kept lines are dropped).
  void set_keep(size_t n) {
    keep_ = n;
    ring_.clear();
    ring_size_.clear();
    next_ = 0;
  }

  void record(int64_t t_ns, std::string_view host, uint64_t conn, std::string_view event,
              int64_t bytes, std::string_view detail = {});

  uint64_t hash() const { return hash_; }
  uint64_t lines() const { return lines_; }
  // The kept lines, oldest first.
  std::vector<std::string> recent() const;

 private:
  // Where the next line is written: its ring slot when lines are kept, else line_; at least
  // `worst` bytes.
  std::string& line_buffer(size_t worst);

  std::string line_;               // the line being written, sized for its worst case
  int64_t last_t_ns_ = INT64_MIN;  // the last line's time, and its digits
  char last_t_text_[24] = {};
  size_t last_t_size_ = 0;
  uint64_t hash_ = kFnvOffset;
  uint64_t lines_ = 0;
  std::FILE* file_ = nullptr;
  size_t keep_ = 40;
  std::vector<std::string> ring_;  // the last keep_ lines' buffers; the oldest at next_ once full
  std::vector<size_t> ring_size_;  // each kept line's length (its buffer is larger)
  size_t next_ = 0;
};

// FNV-1a 64 of `bytes`, continuing from `hash`.
uint64_t fnv1a(uint64_t hash, std::string_view bytes);
// `text` as a JSON string literal, quotes included.
void append_json_string(std::string* out, std::string_view text);

}  // namespace zlab::sim
