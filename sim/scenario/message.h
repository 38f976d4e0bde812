// Test messages that check themselves: every part names its flow, sequence number, part index
// and part count, and its padding is derived from them, so a receiver can tell a whole,
// uncorrupted message from a torn or mixed-up one without knowing what was sent.
//
//   part 0:  "<flow>|<seq>|0/<n>"
//   part i:  "<flow>|<seq>|i/<n>|" + padding
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/base/rng.h"

namespace zlab::sim {

// A message of 1..3 parts with bodies of 0..max_body bytes (now and then a large one).
std::vector<std::string> make_message(const std::string& flow, uint64_t seq, Rng& rng,
                                      size_t max_body = 300);
// Reads parts[first..]: false, with why, unless they are one whole, intact message.
bool read_message(const std::vector<std::string>& parts, size_t first, std::string* flow,
                  uint64_t* seq, std::string* why);

}  // namespace zlab::sim
