#pragma once
// CPU references for kernels/fp8_quantize.h: the same formulas on the host, bit-exact with
// the kernels (E4M3 via e4m3_from_float, scales via detail::fp8_tile_scale). The kernel
// tests compare against these; they are also the reference quantizer for the FP8 GEMM's.
//
// Throws std::invalid_argument for shapes the recipe cannot tile (same reasons as the
// kernels' can_implement) or for a size mismatch.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/fp8_quantize.h"

namespace moesim::kernels::reference {

// A quantized tensor on the host. scales follow kernels/fp8_layout.h for `granularity`.
struct Fp8Tensor {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Fp8Granularity granularity = Fp8Granularity::kTile1x128;
  std::vector<std::uint8_t> q;  // rows * cols E4M3 codes
  std::vector<float> scales;

  float scale_at(std::int64_t row, std::int64_t col) const;
  float value_at(std::int64_t row, std::int64_t col) const;  // e4m3 * scale
};

// The BF16 overloads mirror the kernels; the float ones serve re-quantization (of values
// that BF16 cannot hold) and GEMM references built from FP32 data.
Fp8Tensor quantize_activations(const std::vector<Bf16>& x, std::int64_t rows, std::int64_t cols,
                               bool power_of_two_scales);
Fp8Tensor quantize_activations(const std::vector<float>& x, std::int64_t rows, std::int64_t cols,
                               bool power_of_two_scales);
Fp8Tensor quantize_weights(const std::vector<Bf16>& w, std::int64_t rows, std::int64_t cols,
                           bool power_of_two_scales);
Fp8Tensor quantize_weights(const std::vector<float>& w, std::int64_t rows, std::int64_t cols,
                           bool power_of_two_scales);

// rows * cols floats, row-major.
std::vector<float> dequantize(const Fp8Tensor& t);

}  // namespace moesim::kernels::reference
