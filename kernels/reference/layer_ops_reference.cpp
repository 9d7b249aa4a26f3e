#include "kernels/reference/layer_ops_reference.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {
namespace {

void expect_size(const char* who, std::size_t got, std::int64_t want) {
  if (got != static_cast<std::size_t>(want)) {
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(got) +
                                " elements, expected " + std::to_string(want));
  }
}

}  // namespace

std::vector<Bf16> rmsnorm(const std::vector<Bf16>& x, const std::vector<Bf16>& weight,
                          std::int64_t rows, std::int64_t dim, float eps) {
  expect_size("rmsnorm x", x.size(), rows * dim);
  expect_size("rmsnorm weight", weight.size(), dim);
  std::vector<Bf16> y(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    const Bf16* xr = x.data() + r * dim;
    double sum = 0.0;
    for (std::int64_t i = 0; i < dim; ++i)
      sum += static_cast<double>(to_float(xr[i])) * to_float(xr[i]);
    const float mean = static_cast<float>(sum / static_cast<double>(dim));
    const float inv_rms = 1.0f / std::sqrt(mean + eps);
    for (std::int64_t i = 0; i < dim; ++i) {
      const float scaled = to_float(xr[i]) * inv_rms;
      y[static_cast<std::size_t>(r * dim + i)] =
          to_bf16(scaled * to_float(weight[static_cast<std::size_t>(i)]));
    }
  }
  return y;
}

std::vector<Bf16> swiglu(const std::vector<Bf16>& x, std::int64_t rows, std::int64_t inter) {
  expect_size("swiglu x", x.size(), rows * 2 * inter);
  std::vector<Bf16> y(static_cast<std::size_t>(rows * inter));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < inter; ++j) {
      const float g = to_float(x[static_cast<std::size_t>(r * 2 * inter + j)]);
      const float u = to_float(x[static_cast<std::size_t>(r * 2 * inter + inter + j)]);
      const float silu = g / (1.0f + std::exp(-g));
      y[static_cast<std::size_t>(r * inter + j)] = to_bf16(silu * u);
    }
  }
  return y;
}

void rope(std::vector<Bf16>& x, const RopeShape& s, const std::vector<std::int32_t>& positions,
          const RopeTables& tables) {
  expect_size("rope positions", positions.size(), s.tokens);
  if (tables.rope_dim != s.rope_dim)
    throw std::invalid_argument("rope: tables built for another rope_dim");
  const int half = s.rope_dim / 2;
  for (std::int64_t t = 0; t < s.tokens; ++t) {
    const std::int64_t pos = positions[static_cast<std::size_t>(t)];
    if (pos < 0 || pos >= tables.max_positions) {
      throw std::invalid_argument("rope: position " + std::to_string(pos) + " outside the tables");
    }
    for (std::int64_t h = 0; h < s.heads; ++h) {
      const std::int64_t base = t * s.token_stride + h * s.head_stride + s.rope_offset;
      if (base + s.rope_dim > static_cast<std::int64_t>(x.size())) {
        throw std::invalid_argument("rope: the layout runs past the end of x");
      }
      for (int i = 0; i < half; ++i) {
        const float c = tables.cos[static_cast<std::size_t>(pos * half + i)];
        const float sn = tables.sin[static_cast<std::size_t>(pos * half + i)];
        Bf16& xa = x[static_cast<std::size_t>(base + 2 * i)];
        Bf16& xb = x[static_cast<std::size_t>(base + 2 * i + 1)];
        const float a = to_float(xa);
        const float b = to_float(xb);
        const float ac = a * c;
        const float bs = b * sn;
        const float as = a * sn;
        const float bc = b * c;
        xa = to_bf16(ac - bs);
        xb = to_bf16(as + bc);
      }
    }
  }
}

}  // namespace moesim::kernels::reference
