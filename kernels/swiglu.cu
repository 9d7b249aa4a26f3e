#include <algorithm>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/swiglu.h"

namespace moesim::kernels {
namespace {

constexpr int kThreads = 256;

__device__ inline float silu(float g) { return g / (1.0f + expf(-g)); }

// One thread per 8 outputs (16 bytes in from each half, 16 bytes out).
__global__ void swiglu_kernel(const __nv_bfloat16* __restrict__ x, __nv_bfloat16* __restrict__ y,
                              std::int64_t rows, std::int64_t inter) {
  const std::int64_t chunks_per_row = inter / 8;
  const std::int64_t n = rows * chunks_per_row;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const std::int64_t row = i / chunks_per_row;
    const std::int64_t col = (i % chunks_per_row) * 8;
    const uint4 graw = *reinterpret_cast<const uint4*>(x + row * 2 * inter + col);
    const uint4 uraw = *reinterpret_cast<const uint4*>(x + row * 2 * inter + inter + col);
    const __nv_bfloat162* g = reinterpret_cast<const __nv_bfloat162*>(&graw);
    const __nv_bfloat162* u = reinterpret_cast<const __nv_bfloat162*>(&uraw);
    uint4 out;
    __nv_bfloat162* o = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const float2 gf = __bfloat1622float2(g[j]);
      const float2 uf = __bfloat1622float2(u[j]);
      o[j] = __floats2bfloat162_rn(__fmul_rn(silu(gf.x), uf.x), __fmul_rn(silu(gf.y), uf.y));
    }
    *reinterpret_cast<uint4*>(y + row * inter + col) = out;
  }
}

// Backward: one thread per (row, j), writing d_gate and d_up.
__global__ void swiglu_backward_kernel(const __nv_bfloat16* __restrict__ x,
                                       const __nv_bfloat16* __restrict__ dy,
                                       __nv_bfloat16* __restrict__ dx, std::int64_t rows,
                                       std::int64_t inter) {
  const std::int64_t n = rows * inter;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const std::int64_t row = i / inter;
    const std::int64_t j = i % inter;
    const float g = __bfloat162float(x[row * 2 * inter + j]);
    const float u = __bfloat162float(x[row * 2 * inter + inter + j]);
    const float d = __bfloat162float(dy[i]);
    const float s = 1.0f / (1.0f + expf(-g));
    dx[row * 2 * inter + j] = __float2bfloat16(d * u * s * (1.0f + g * (1.0f - s)));
    dx[row * 2 * inter + inter + j] = __float2bfloat16(d * g * s);
  }
}

}  // namespace

Support can_implement(const SwigluParams& p) {
  if (p.rows <= 0 || p.inter <= 0) return Support::no("swiglu: empty tensor");
  if (p.inter % 8 != 0) {
    return Support::no("swiglu: inter " + std::to_string(p.inter) + " is not a multiple of 8");
  }
  if (p.x == nullptr || p.y == nullptr) return Support::no("swiglu: null pointer");
  if (!detail::aligned16(p.x) || !detail::aligned16(p.y)) {
    return Support::no("swiglu: x and y must be 16-byte aligned");
  }
  return Support::yes();
}

void run(const SwigluParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t chunks = p.rows * (p.inter / 8);
  const unsigned blocks = detail::blocks_for(chunks, kThreads);
  swiglu_kernel<<<std::min(blocks, 65536u), kThreads, 0, stream>>>(
      detail::as_device(p.x), detail::as_device(p.y), p.rows, p.inter);
  check_launch("swiglu");
}

Support can_implement(const SwigluBackwardParams& p) {
  const Support s = can_implement(SwigluParams{p.x, p.dx, p.rows, p.inter});
  if (!s.ok()) return Support::no("swiglu backward: " + s.reason);
  if (p.dy == nullptr) return Support::no("swiglu backward: null pointer");
  if (!detail::aligned16(p.dy)) return Support::no("swiglu backward: dy must be 16-byte aligned");
  return Support::yes();
}

void run(const SwigluBackwardParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const unsigned blocks = detail::blocks_for(p.rows * p.inter, kThreads);
  swiglu_backward_kernel<<<std::min(blocks, 65536u), kThreads, 0, stream>>>(
      detail::as_device(p.x), detail::as_device(p.dy), detail::as_device(p.dx), p.rows, p.inter);
  check_launch("swiglu backward");
}

}  // namespace moesim::kernels
