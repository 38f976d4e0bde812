#include "sim/base/trace.h"

#include <charconv>

namespace zlab::sim {

uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
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

void append_number(std::string* out, int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, size_t(end - buf));
}

}  // namespace

void Trace::record(int64_t t_ns, std::string_view host, uint64_t conn, std::string_view event,
                   int64_t bytes, std::string_view detail) {
  line_.clear();
  line_.append("{\"t\":");
  append_number(&line_, t_ns);
  line_.append(",\"host\":");
  append_json_string(&line_, host);
  line_.append(",\"conn\":");
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, conn);
  line_.append(buf, size_t(end - buf));
  line_.append(",\"ev\":");
  append_json_string(&line_, event);
  line_.append(",\"bytes\":");
  append_number(&line_, bytes);
  if (!detail.empty()) {
    line_.append(",\"detail\":");
    append_json_string(&line_, detail);
  }
  line_.append("}\n");
  hash_ = fnv1a(hash_, line_);
  ++lines_;
  if (file_ != nullptr) std::fwrite(line_.data(), 1, line_.size(), file_);
  if (keep_ > 0) keep(std::string_view(line_).substr(0, line_.size() - 1));
}

void Trace::keep(std::string_view line) {
  // A ring of keep_ strings, reused: no allocation per line once their capacity has grown.
  if (ring_.size() < keep_) {
    ring_.emplace_back(line);
  } else {
    ring_[next_].assign(line);
  }
  next_ = (next_ + 1) % keep_;
}

std::vector<std::string> Trace::recent() const {
  std::vector<std::string> out;
  out.reserve(ring_.size());
  size_t start = ring_.size() < keep_ ? 0 : next_;
  for (size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[(start + i) % ring_.size()]);
  return out;
}

}  // namespace zlab::sim
