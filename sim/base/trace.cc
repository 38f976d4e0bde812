#include "sim/base/trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace zlab::sim {

uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
  constexpr uint64_t kPrime = 0x100000001b3ull;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  // Eight bytes a turn, written out (the same byte-by-byte hash): the loop's own count and
  // branch were half the instructions of a trace line's hash.
  for (; n >= 8; p += 8, n -= 8) {
    hash = (hash ^ p[0]) * kPrime;
    hash = (hash ^ p[1]) * kPrime;
    hash = (hash ^ p[2]) * kPrime;
    hash = (hash ^ p[3]) * kPrime;
    hash = (hash ^ p[4]) * kPrime;
    hash = (hash ^ p[5]) * kPrime;
    hash = (hash ^ p[6]) * kPrime;
    hash = (hash ^ p[7]) * kPrime;
  }
  for (; n > 0; ++p, --n) hash = (hash ^ *p) * kPrime;
  return hash;
}

void append_json_string(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain = 0;  // a run of bytes that need no escape is appended at once
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool escape = c == '"' || c == '\\' || c < 0x20 || c >= 0x7f;
    if (!escape) continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(char(c));
    } else {
      // Non-ASCII bytes too: details may carry binary routing ids.
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->append(text.data() + plain, text.size() - plain);
  out->push_back('"');
}

namespace {

// The line is written through a raw pointer into a buffer sized for its worst case: a trace
// line per simulated segment makes std::string's per-append checks a visible cost.
char* put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

template <typename Int>
char* put_number(char* p, Int n) {
  if (n >= 0 && n < 10) {  // most connection ids and many byte counts
    *p = char('0' + n);
    return p + 1;
  }
  return std::to_chars(p, p + 24, n).ptr;
}

// Which bytes a JSON string escapes (as append_json_string does): one table look-up a byte.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x7f;
  return t;
}();

// `text` as a JSON string literal, as append_json_string writes it.
char* put_json_string(char* p, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *p++ = '"';
  for (unsigned char c : text) {
    if (!kEscaped[c]) {
      *p++ = char(c);
    } else if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      p = put(p, "\\u00");
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  return p;
}

}  // namespace

void Trace::record(int64_t t_ns, std::string_view host, uint64_t conn, std::string_view event,
                   int64_t bytes, std::string_view detail) {
  // Fixed text 60 bytes, three numbers of at most 20 characters, a string byte escapes to 6.
  size_t worst = 60 + 3 * 20 + 6 * (host.size() + event.size() + detail.size());
  std::string& buffer = line_buffer(worst);
  char* const start = buffer.data();
  char* p = put(start, "{\"t\":");
  // Lines come in bursts at one virtual instant: the time's digits are written once per instant.
  if (t_ns != last_t_ns_ || last_t_size_ == 0) {
    last_t_ns_ = t_ns;
    last_t_size_ = size_t(put_number(last_t_text_, t_ns) - last_t_text_);
  }
  p = put(p, std::string_view(last_t_text_, last_t_size_));
  p = put(p, ",\"host\":");
  p = put_json_string(p, host);
  p = put(p, ",\"conn\":");
  p = put_number(p, conn);
  p = put(p, ",\"ev\":");
  p = put_json_string(p, event);
  p = put(p, ",\"bytes\":");
  p = put_number(p, bytes);
  if (!detail.empty()) {
    p = put(p, ",\"detail\":");
    p = put_json_string(p, detail);
  }
  p = put(p, "}\n");
  std::string_view line(start, size_t(p - start));
  hash_ = fnv1a(hash_, line);
  ++lines_;
  if (file_ != nullptr) std::fwrite(line.data(), 1, line.size(), file_);
  if (keep_ > 0) {
    ring_size_[next_] = line.size() - 1;  // the line was written in its ring slot
    next_ = (next_ + 1) % keep_;
  }
}

std::string& Trace::line_buffer(size_t worst) {
  std::string* buffer = &line_;
  if (keep_ > 0) {
    // Kept lines are written straight into the ring (a ring of keep_ buffers, reused).
    if (ring_.size() < keep_) {
      ring_.emplace_back();
      ring_size_.push_back(0);
    }
    buffer = &ring_[next_];
  }
  if (buffer->size() < worst) buffer->resize(std::max(worst, size_t(256)));
  return *buffer;
}

std::vector<std::string> Trace::recent() const {
  std::vector<std::string> out;
  out.reserve(ring_.size());
  size_t start = ring_.size() < keep_ ? 0 : next_;
  for (size_t i = 0; i < ring_.size(); ++i) {
    size_t k = (start + i) % ring_.size();
    out.emplace_back(ring_[k].data(), ring_size_[k]);
  }
  return out;
}

}  // namespace zlab::sim
