#pragma once
// The project's random numbers: SplitMix64 (Steele, Lea, Flood 2014), our own so
// that results do not depend on a standard library's distributions. One
// generator is created from a seed and passed explicitly; fork() derives an
// independent stream for a component.

#include <cstdint>

namespace moesim {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform integer in [0, n), n > 0 (rejection sampling: no modulo bias).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = next();
    } while (x >= limit);
    return x % n;
  }
  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  Rng fork() { return Rng(next()); }

 private:
  uint64_t state_;
};

}  // namespace moesim
