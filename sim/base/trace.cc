#include "sim/base/trace.h"

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
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(char(c));
    } else if (c < 0x20 || c >= 0x7f) {
      // Non-ASCII bytes too: details may carry binary routing ids.
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(char(c));
    }
  }
  out->push_back('"');
}

void Trace::record(int64_t t_ns, std::string_view host, uint64_t conn, std::string_view event,
                   int64_t bytes, std::string_view detail) {
  line_.clear();
  line_.append("{\"t\":").append(std::to_string(t_ns)).append(",\"host\":");
  append_json_string(&line_, host);
  line_.append(",\"conn\":").append(std::to_string(conn)).append(",\"ev\":");
  append_json_string(&line_, event);
  line_.append(",\"bytes\":").append(std::to_string(bytes));
  if (!detail.empty()) {
    line_.append(",\"detail\":");
    append_json_string(&line_, detail);
  }
  line_.append("}\n");
  hash_ = fnv1a(hash_, line_);
  ++lines_;
  if (file_ != nullptr) std::fwrite(line_.data(), 1, line_.size(), file_);
  if (keep_ > 0) {
    if (recent_.size() >= keep_) recent_.pop_front();
    recent_.push_back(line_.substr(0, line_.size() - 1));
  }
}

}  // namespace zlab::sim
