#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/rmsnorm.h"

namespace moesim::kernels {
namespace {

constexpr int kThreads = 256;

// One block per row; each thread takes 8 elements (16 bytes) at a time.
__global__ void rmsnorm_kernel(const __nv_bfloat16* x,  // may alias y: no __restrict__
                               const __nv_bfloat16* __restrict__ w, __nv_bfloat16* y,
                               std::int64_t dim, float eps) {
  const std::int64_t row = blockIdx.x;
  const __nv_bfloat16* xr = x + row * dim;
  float sum = 0.0f;
  for (std::int64_t c = threadIdx.x * 8; c < dim; c += kThreads * 8) {
    const uint4 raw = *reinterpret_cast<const uint4*>(xr + c);
    const __nv_bfloat162* v = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const float2 f = __bfloat1622float2(v[j]);
      sum += f.x * f.x + f.y * f.y;
    }
  }
  __shared__ float partial[kThreads / 32];
  sum = detail::warp_sum(sum);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
  __syncthreads();
  float total = 0.0f;
#pragma unroll
  for (int i = 0; i < kThreads / 32; ++i) total += partial[i];
  const float r = 1.0f / sqrtf(total / static_cast<float>(dim) + eps);

  for (std::int64_t c = threadIdx.x * 8; c < dim; c += kThreads * 8) {
    const uint4 raw = *reinterpret_cast<const uint4*>(xr + c);
    const uint4 wraw = *reinterpret_cast<const uint4*>(w + c);
    const __nv_bfloat162* v = reinterpret_cast<const __nv_bfloat162*>(&raw);
    const __nv_bfloat162* wv = reinterpret_cast<const __nv_bfloat162*>(&wraw);
    uint4 out;
    __nv_bfloat162* o = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const float2 f = __bfloat1622float2(v[j]);
      const float2 g = __bfloat1622float2(wv[j]);
      o[j] = __floats2bfloat162_rn(__fmul_rn(__fmul_rn(f.x, r), g.x),
                                   __fmul_rn(__fmul_rn(f.y, r), g.y));
    }
    *reinterpret_cast<uint4*>(y + row * dim + c) = out;
  }
}

}  // namespace

Support can_implement(const RmsNormParams& p) {
  if (p.rows <= 0 || p.dim <= 0) return Support::no("rmsnorm: empty tensor");
  if (p.dim % 8 != 0) {
    return Support::no("rmsnorm: dim " + std::to_string(p.dim) + " is not a multiple of 8");
  }
  if (p.rows > 0x7fffffff) return Support::no("rmsnorm: more than 2^31-1 rows");
  if (p.x == nullptr || p.weight == nullptr || p.y == nullptr)
    return Support::no("rmsnorm: null pointer");
  if (!detail::aligned16(p.x) || !detail::aligned16(p.weight) || !detail::aligned16(p.y)) {
    return Support::no("rmsnorm: x, weight and y must be 16-byte aligned");
  }
  return Support::yes();
}

void run(const RmsNormParams& p, cudaStream_t stream) {
  require(can_implement(p));
  rmsnorm_kernel<<<static_cast<unsigned>(p.rows), kThreads, 0, stream>>>(
      detail::as_device(p.x), detail::as_device(p.weight), detail::as_device(p.y), p.dim, p.eps);
  check_launch("rmsnorm");
}

}  // namespace moesim::kernels
