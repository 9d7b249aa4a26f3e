#include "kernels/reference/fp8_quantize_reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/detail/fp8_scale.h"
#include "kernels/fp8_e4m3.h"
#include "kernels/fp8_layout.h"

namespace moesim::kernels::reference {
namespace {

void check_input(const char* who, std::size_t size, std::int64_t rows, std::int64_t cols) {
  require(check_fp8_tiling(who, rows, cols));
  if (size != static_cast<std::size_t>(rows * cols)) {
    throw std::invalid_argument(std::string(who) + ": input has " + std::to_string(size) +
                                " elements, expected " + std::to_string(rows * cols));
  }
}

float value(Bf16 v) { return to_float(v); }
float value(float v) { return v; }

template <typename T>
Fp8Tensor quantize_tiles(const std::vector<T>& x, std::int64_t rows, std::int64_t cols,
                         bool power_of_two_scales) {
  check_input("quantize_activations", x.size(), rows, cols);
  Fp8Tensor t{rows, cols, Fp8Granularity::kTile1x128, std::vector<std::uint8_t>(x.size()),
              std::vector<float>(static_cast<std::size_t>(activation_scale_count(rows, cols)))};
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c0 = 0; c0 < cols; c0 += kFp8TileSize) {
      const T* tile = x.data() + r * cols + c0;
      float amax = 0.0f;
      for (std::int64_t i = 0; i < kFp8TileSize; ++i)
        amax = std::max(amax, std::fabs(value(tile[i])));
      const detail::Fp8TileScale s = detail::fp8_tile_scale(amax, power_of_two_scales);
      for (std::int64_t i = 0; i < kFp8TileSize; ++i) {
        t.q[static_cast<std::size_t>(r * cols + c0 + i)] =
            e4m3_from_float(value(tile[i]) * s.inverse);
      }
      t.scales[static_cast<std::size_t>(activation_scale_index(rows, r, c0))] = s.scale;
    }
  }
  return t;
}

template <typename T>
Fp8Tensor quantize_blocks(const std::vector<T>& w, std::int64_t rows, std::int64_t cols,
                          bool power_of_two_scales) {
  check_input("quantize_weights", w.size(), rows, cols);
  Fp8Tensor t{rows, cols, Fp8Granularity::kBlock128x128, std::vector<std::uint8_t>(w.size()),
              std::vector<float>(static_cast<std::size_t>(weight_scale_count(rows, cols)), 0.0f)};
  for (std::int64_t r0 = 0; r0 < rows; r0 += kFp8TileSize) {
    const std::int64_t r1 = std::min(rows, r0 + kFp8TileSize);
    for (std::int64_t c0 = 0; c0 < cols; c0 += kFp8TileSize) {
      float amax = 0.0f;
      for (std::int64_t r = r0; r < r1; ++r) {
        for (std::int64_t c = c0; c < c0 + kFp8TileSize; ++c) {
          amax = std::max(amax, std::fabs(value(w[static_cast<std::size_t>(r * cols + c)])));
        }
      }
      const detail::Fp8TileScale s = detail::fp8_tile_scale(amax, power_of_two_scales);
      for (std::int64_t r = r0; r < r1; ++r) {
        for (std::int64_t c = c0; c < c0 + kFp8TileSize; ++c) {
          const auto i = static_cast<std::size_t>(r * cols + c);
          t.q[i] = e4m3_from_float(value(w[i]) * s.inverse);
        }
      }
      t.scales[static_cast<std::size_t>(weight_scale_index(cols, r0, c0))] = s.scale;
    }
  }
  return t;
}

}  // namespace

float Fp8Tensor::scale_at(std::int64_t row, std::int64_t col) const {
  const std::int64_t i = granularity == Fp8Granularity::kTile1x128
                             ? activation_scale_index(rows, row, col)
                             : weight_scale_index(cols, row, col);
  return scales[static_cast<std::size_t>(i)];
}

float Fp8Tensor::value_at(std::int64_t row, std::int64_t col) const {
  return e4m3_to_float(q[static_cast<std::size_t>(row * cols + col)]) * scale_at(row, col);
}

Fp8Tensor quantize_activations(const std::vector<Bf16>& x, std::int64_t rows, std::int64_t cols,
                               bool power_of_two_scales) {
  return quantize_tiles(x, rows, cols, power_of_two_scales);
}
Fp8Tensor quantize_activations(const std::vector<float>& x, std::int64_t rows, std::int64_t cols,
                               bool power_of_two_scales) {
  return quantize_tiles(x, rows, cols, power_of_two_scales);
}
Fp8Tensor quantize_weights(const std::vector<Bf16>& w, std::int64_t rows, std::int64_t cols,
                           bool power_of_two_scales) {
  return quantize_blocks(w, rows, cols, power_of_two_scales);
}
Fp8Tensor quantize_weights(const std::vector<float>& w, std::int64_t rows, std::int64_t cols,
                           bool power_of_two_scales) {
  return quantize_blocks(w, rows, cols, power_of_two_scales);
}

std::vector<float> dequantize(const Fp8Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.rows * t.cols));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    for (std::int64_t c = 0; c < t.cols; ++c)
      out[static_cast<std::size_t>(r * t.cols + c)] = t.value_at(r, c);
  }
  return out;
}

}  // namespace moesim::kernels::reference
