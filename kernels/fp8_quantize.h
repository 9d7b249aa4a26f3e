#pragma once
// FP8 E4M3 quantization and dequantization with DeepSeek-V3's granularity (V3TR §3.3.2):
// activations in 1x128 tiles (per token per 128 channels), weights in 128x128 blocks,
// scale = max-abs / 448 computed online (detail/fp8_scale.h), optionally rounded up to a
// power of two. Scale layouts: kernels/fp8_layout.h. CPU references:
// kernels/reference/fp8_quantize_reference.h (bit-exact with these kernels).
//
// All pointers are device memory; run() enqueues on `stream` and returns; it throws
// std::invalid_argument for arguments can_implement() rejects and CudaError on a CUDA
// failure. Inputs must be finite.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// x [rows][cols] BF16 -> q [rows][cols] E4M3 codes + scales (1x128 layout).
// REQUIRES: cols % 128 == 0; x, q 16-byte aligned.
struct QuantizeActivationsParams {
  const Bf16* x = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::uint8_t* q = nullptr;
  float* scales = nullptr;  // activation_scale_count(rows, cols) floats
  bool power_of_two_scales = false;
};
Support can_implement(const QuantizeActivationsParams& p);
void run(const QuantizeActivationsParams& p, cudaStream_t stream);

// w [rows][cols] BF16 -> q [rows][cols] E4M3 codes + scales (128x128 layout; the padding
// entries of each block row are written as 0).
// REQUIRES: cols % 128 == 0 (rows may be partial); w, q 16-byte aligned.
struct QuantizeWeightsParams {
  const Bf16* w = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::uint8_t* q = nullptr;
  float* scales = nullptr;  // weight_scale_count(rows, cols) floats
  bool power_of_two_scales = false;
};
Support can_implement(const QuantizeWeightsParams& p);
void run(const QuantizeWeightsParams& p, cudaStream_t stream);

// Which scale layout a dequantization reads.
enum class Fp8Granularity { kTile1x128, kBlock128x128 };

// q [rows][cols] E4M3 codes + scales -> out [rows][cols] float, exactly e4m3 * scale.
// REQUIRES: cols % 128 == 0.
struct DequantizeParams {
  const std::uint8_t* q = nullptr;
  const float* scales = nullptr;
  Fp8Granularity granularity = Fp8Granularity::kTile1x128;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  float* out = nullptr;
};
Support can_implement(const DequantizeParams& p);
void run(const DequantizeParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
