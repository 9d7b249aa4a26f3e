#include <algorithm>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/detail/fp8_scale.h"
#include "kernels/fp8_layout.h"
#include "kernels/fp8_quantize.h"

namespace moesim::kernels {
namespace {

using detail::aligned16;
using detail::from_e4m3;
using detail::to_e4m3;

constexpr int kThreads = 256;

// One warp per 1x128 tile: each lane loads 4 BF16 (8 bytes), the warp agrees on the
// max-abs, each lane stores 4 codes (4 bytes) and lane 0 the scale.
__global__ void quantize_activations_kernel(const __nv_bfloat16* __restrict__ x, std::int64_t rows,
                                            std::int64_t cols, std::uint8_t* __restrict__ q,
                                            float* __restrict__ scales, bool power_of_two) {
  const std::int64_t tiles_per_row = cols / kFp8TileSize;
  const std::int64_t tile =
      static_cast<std::int64_t>(blockIdx.x) * (kThreads / 32) + threadIdx.x / 32;
  if (tile >= rows * tiles_per_row) return;
  const int lane = threadIdx.x % 32;
  const std::int64_t row = tile / tiles_per_row;
  const std::int64_t col = (tile % tiles_per_row) * kFp8TileSize + lane * 4;

  const uint2 raw = *reinterpret_cast<const uint2*>(x + row * cols + col);
  const __nv_bfloat162 lo = *reinterpret_cast<const __nv_bfloat162*>(&raw.x);
  const __nv_bfloat162 hi = *reinterpret_cast<const __nv_bfloat162*>(&raw.y);
  const float v[4] = {__low2float(lo), __high2float(lo), __low2float(hi), __high2float(hi)};
  float amax = fmaxf(fmaxf(fabsf(v[0]), fabsf(v[1])), fmaxf(fabsf(v[2]), fabsf(v[3])));
  amax = detail::warp_max(amax);

  const detail::Fp8TileScale s = detail::fp8_tile_scale(amax, power_of_two);
  std::uint32_t packed = 0;
#pragma unroll
  for (int i = 0; i < 4; ++i)
    packed |= std::uint32_t{to_e4m3(__fmul_rn(v[i], s.inverse))} << (8 * i);
  *reinterpret_cast<std::uint32_t*>(q + row * cols + col) = packed;
  if (lane == 0) scales[activation_scale_index(rows, row, col)] = s.scale;
}

// One block per 128x128 block: thread t owns 8 columns (16 bytes) of rows t/16 + 16*i.
__global__ void quantize_weights_kernel(const __nv_bfloat16* __restrict__ w, std::int64_t rows,
                                        std::int64_t cols, std::uint8_t* __restrict__ q,
                                        float* __restrict__ scales, bool power_of_two) {
  constexpr int kRowsPerPass = kThreads / 16;           // 16
  constexpr int kPasses = kFp8TileSize / kRowsPerPass;  // 8
  const std::int64_t block_row = blockIdx.y;
  const std::int64_t block_col = blockIdx.x;
  const std::int64_t col = block_col * kFp8TileSize + (threadIdx.x % 16) * 8;
  const std::int64_t row0 = block_row * kFp8TileSize + threadIdx.x / 16;

  float v[kPasses][8];
  float amax = 0.0f;
#pragma unroll
  for (int i = 0; i < kPasses; ++i) {
    const std::int64_t row = row0 + i * kRowsPerPass;
    if (row < rows) {
      const uint4 raw = *reinterpret_cast<const uint4*>(w + row * cols + col);
      const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        v[i][2 * j] = __low2float(pairs[j]);
        v[i][2 * j + 1] = __high2float(pairs[j]);
      }
    } else {
#pragma unroll
      for (int j = 0; j < 8; ++j) v[i][j] = 0.0f;
    }
#pragma unroll
    for (int j = 0; j < 8; ++j) amax = fmaxf(amax, fabsf(v[i][j]));
  }

  __shared__ float warp_amax[kThreads / 32];
  amax = detail::warp_max(amax);
  if (threadIdx.x % 32 == 0) warp_amax[threadIdx.x / 32] = amax;
  __syncthreads();
  amax = warp_amax[0];
#pragma unroll
  for (int i = 1; i < kThreads / 32; ++i) amax = fmaxf(amax, warp_amax[i]);

  const detail::Fp8TileScale s = detail::fp8_tile_scale(amax, power_of_two);
#pragma unroll
  for (int i = 0; i < kPasses; ++i) {
    const std::int64_t row = row0 + i * kRowsPerPass;
    if (row >= rows) continue;
    uint2 packed{0, 0};
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      packed.x |= std::uint32_t{to_e4m3(__fmul_rn(v[i][j], s.inverse))} << (8 * j);
      packed.y |= std::uint32_t{to_e4m3(__fmul_rn(v[i][j + 4], s.inverse))} << (8 * j);
    }
    *reinterpret_cast<uint2*>(q + row * cols + col) = packed;
  }
  if (threadIdx.x == 0) {
    const std::int64_t stride = weight_scale_stride(cols);
    scales[block_row * stride + block_col] = s.scale;
    if (block_col == static_cast<std::int64_t>(gridDim.x) - 1) {
      for (std::int64_t c = block_col + 1; c < stride; ++c) scales[block_row * stride + c] = 0.0f;
    }
  }
}

__global__ void dequantize_kernel(const std::uint8_t* __restrict__ q,
                                  const float* __restrict__ scales, bool blocks, std::int64_t rows,
                                  std::int64_t cols, float* __restrict__ out) {
  const std::int64_t n = rows * cols;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t row = i / cols;
    const std::int64_t col = i % cols;
    const float scale = blocks ? scales[weight_scale_index(cols, row, col)]
                               : scales[activation_scale_index(rows, row, col)];
    out[i] = __fmul_rn(from_e4m3(q[i]), scale);
  }
}

Support check_pointers(const char* who, const void* in, const void* q, const void* scales) {
  if (in == nullptr || q == nullptr || scales == nullptr) {
    return Support::no(std::string(who) + ": null pointer");
  }
  if (!aligned16(in) || !aligned16(q)) {
    return Support::no(std::string(who) + ": input and codes must be 16-byte aligned");
  }
  return Support::yes();
}

}  // namespace

Support can_implement(const QuantizeActivationsParams& p) {
  Support s = check_fp8_tiling("quantize_activations", p.rows, p.cols);
  return s.ok() ? check_pointers("quantize_activations", p.x, p.q, p.scales) : s;
}

void run(const QuantizeActivationsParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t tiles = activation_scale_count(p.rows, p.cols);
  quantize_activations_kernel<<<detail::blocks_for(tiles, kThreads / 32), kThreads, 0, stream>>>(
      detail::as_device(p.x), p.rows, p.cols, p.q, p.scales, p.power_of_two_scales);
  check_launch("quantize_activations");
}

Support can_implement(const QuantizeWeightsParams& p) {
  Support s = check_fp8_tiling("quantize_weights", p.rows, p.cols);
  if (s.ok() && ceil_div(p.rows, kFp8TileSize) > 65535) {
    s = Support::no("quantize_weights: more than 65535 block rows");
  }
  return s.ok() ? check_pointers("quantize_weights", p.w, p.q, p.scales) : s;
}

void run(const QuantizeWeightsParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const dim3 grid(static_cast<unsigned>(p.cols / kFp8TileSize),
                  static_cast<unsigned>(ceil_div(p.rows, kFp8TileSize)));
  quantize_weights_kernel<<<grid, kThreads, 0, stream>>>(detail::as_device(p.w), p.rows, p.cols,
                                                         p.q, p.scales, p.power_of_two_scales);
  check_launch("quantize_weights");
}

Support can_implement(const DequantizeParams& p) {
  Support s = check_fp8_tiling("dequantize", p.rows, p.cols);
  if (s.ok() && (p.q == nullptr || p.scales == nullptr || p.out == nullptr)) {
    s = Support::no("dequantize: null pointer");
  }
  return s;
}

void run(const DequantizeParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t n = p.rows * p.cols;
  const unsigned blocks = std::min(detail::blocks_for(n, kThreads), 65536u);
  dequantize_kernel<<<blocks, kThreads, 0, stream>>>(
      p.q, p.scales, p.granularity == Fp8Granularity::kBlock128x128, p.rows, p.cols, p.out);
  check_launch("dequantize");
}

}  // namespace moesim::kernels
