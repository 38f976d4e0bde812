#include "sim/scenario/message.h"

#include <charconv>

namespace zlab::sim {
namespace {

std::string head(const std::string& flow, uint64_t seq, size_t i, size_t n) {
  return flow + "|" + std::to_string(seq) + "|" + std::to_string(i) + "/" + std::to_string(n);
}

char pad_char(uint64_t seq, size_t i) { return char('a' + (seq * 7 + i) % 26); }

}  // namespace

std::vector<std::string> make_message(const std::string& flow, uint64_t seq, Rng& rng,
                                      size_t max_body) {
  size_t n = 1 + size_t(rng.below(3));
  std::vector<std::string> parts;
  parts.reserve(n);
  parts.push_back(head(flow, seq, 0, n));
  for (size_t i = 1; i < n; ++i) {
    size_t len = size_t(rng.below(max_body + 1));
    if (rng.below(150) == 0) len = size_t(rng.range(10'000, 40'000));  // a large frame
    std::string p = head(flow, seq, i, n) + "|";
    p.append(len, pad_char(seq, i));
    parts.push_back(std::move(p));
  }
  return parts;
}

bool read_message(const std::vector<std::string>& parts, size_t first, std::string* flow,
                  uint64_t* seq, std::string* why) {
  if (parts.size() <= first) {
    *why = "no parts";
    return false;
  }
  const std::string& h = parts[first];
  size_t bar1 = h.find('|');
  size_t bar2 = bar1 == std::string::npos ? bar1 : h.find('|', bar1 + 1);
  size_t slash = bar2 == std::string::npos ? bar2 : h.find('/', bar2 + 1);
  if (slash == std::string::npos) {
    *why = "not a test message: \"" + h.substr(0, 60) + "\"";
    return false;
  }
  *flow = h.substr(0, bar1);
  uint64_t s = 0;
  size_t n = 0;
  std::from_chars(h.data() + bar1 + 1, h.data() + bar2, s);
  std::from_chars(h.data() + slash + 1, h.data() + h.size(), n);
  *seq = s;
  if (h != head(*flow, s, 0, n)) {
    *why = "bad first part \"" + h.substr(0, 60) + "\"";
    return false;
  }
  if (parts.size() - first != n) {
    *why = "torn message " + *flow + "#" + std::to_string(s) + ": " +
           std::to_string(parts.size() - first) + " parts of " + std::to_string(n);
    return false;
  }
  for (size_t i = 1; i < n; ++i) {
    const std::string& p = parts[first + i];
    std::string want = head(*flow, s, i, n) + "|";
    if (p.compare(0, want.size(), want) != 0 ||
        p.find_first_not_of(pad_char(s, i), want.size()) != std::string::npos) {
      *why =
          "corrupt or mixed part " + std::to_string(i) + " of " + *flow + "#" + std::to_string(s);
      return false;
    }
  }
  return true;
}

}  // namespace zlab::sim
