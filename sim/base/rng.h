// The simulator's one source of randomness: xoshiro256** (Blackman and Vigna, 2018), its 256
// bits of state filled from the run's seed by splitmix64. Everything random in a run (link
// latencies, split points, which faults fire, the seeds of the socket cores) is drawn from one
// Rng in a fixed order, so a seed names a run exactly.
//
// Integer arithmetic only (no floating point, no libm), so a seed gives the same numbers on
// every machine and compiler.
#pragma once

#include <cstdint>

namespace zlab::sim {

// splitmix64 (Steele, Lea and Flood): one step; used to expand seeds.
uint64_t splitmix64(uint64_t* state);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next();
  // Uniform in [0, n); n > 0. Unbiased (Lemire's multiply-and-reject).
  uint64_t below(uint64_t n);
  // Uniform in [lo, hi], both included; lo <= hi.
  int64_t range(int64_t lo, int64_t hi);
  // True with probability ppm / 1'000'000.
  bool chance_ppm(uint32_t ppm) { return below(1'000'000) < ppm; }
  bool coin() { return (next() >> 63) != 0; }
  // A seed for something that keeps its own generator (a socket core's splitmix64).
  uint64_t fork_seed() { return next(); }

 private:
  uint64_t s_[4];
};

}  // namespace zlab::sim
