#pragma once
// Helpers for the kernel tests: skipping without a GPU, seeded inputs, BF16 tolerances.
// Inputs come from our own generator (SplitMix64, Box-Muller) so that every platform draws
// the same numbers (the standard library's distributions differ between implementations).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/device_info.h"

// Ends the test as skipped, with the reason, when CUDA sees no usable device.
#define MOESIM_SKIP_WITHOUT_GPU()                                                            \
  do {                                                                                       \
    const ::moesim::kernels::DeviceInfo moesim_device_ = ::moesim::kernels::query_devices(); \
    if (moesim_device_.device_count == 0) {                                                  \
      GTEST_SKIP() << "no GPU here (" << moesim_device_.error                                \
                   << "): the GPU-vs-CPU comparison runs on a GPU machine";                  \
    }                                                                                        \
  } while (0)

namespace moesim::kernels::test {

class TestRng {
 public:
  explicit TestRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

inline std::vector<Bf16> random_bf16(std::size_t n, TestRng& rng, double stddev = 1.0) {
  std::vector<Bf16> v(n);
  for (auto& x : v) x = to_bf16(static_cast<float>(rng.normal() * stddev));
  return v;
}

inline std::vector<float> random_floats(std::size_t n, TestRng& rng, double lo, double hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.uniform(lo, hi));
  return v;
}

// One unit in the last place of BF16 (8 significant bits) at magnitude |x|.
inline float bf16_ulp(float x) {
  const float a = std::fabs(x);
  if (a < 1e-30f) return 1e-30f;
  int e = 0;
  std::frexp(a, &e);
  return std::ldexp(1.0f, e - 8);
}

}  // namespace moesim::kernels::test
