// make_rope_tables lives apart from rope.cu: plain host code, no nvcc needed.
#include <cmath>

#include "kernels/rope.h"

namespace moesim::kernels {

RopeTables make_rope_tables(std::int64_t max_positions, int rope_dim, double theta) {
  RopeTables t;
  t.max_positions = max_positions;
  t.rope_dim = rope_dim;
  const int half = rope_dim / 2;
  t.cos.resize(static_cast<std::size_t>(max_positions * half));
  t.sin.resize(t.cos.size());
  for (std::int64_t pos = 0; pos < max_positions; ++pos) {
    for (int i = 0; i < half; ++i) {
      const double angle =
          static_cast<double>(pos) * std::pow(theta, -2.0 * i / static_cast<double>(rope_dim));
      t.cos[static_cast<std::size_t>(pos * half + i)] = static_cast<float>(std::cos(angle));
      t.sin[static_cast<std::size_t>(pos * half + i)] = static_cast<float>(std::sin(angle));
    }
  }
  return t;
}

}  // namespace moesim::kernels
