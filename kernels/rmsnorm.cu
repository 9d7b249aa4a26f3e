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

// Backward, dx: one block per row. Two block-wide sums (x^2 and w dy x), then dx.
__global__ void rmsnorm_backward_dx_kernel(const __nv_bfloat16* __restrict__ x,
                                           const __nv_bfloat16* __restrict__ w,
                                           const __nv_bfloat16* __restrict__ dy,
                                           __nv_bfloat16* __restrict__ dx,
                                           float* __restrict__ inv_rms, std::int64_t dim,
                                           float eps) {
  const std::int64_t row = blockIdx.x;
  const __nv_bfloat16* xr = x + row * dim;
  const __nv_bfloat16* dyr = dy + row * dim;
  float squares = 0.0f, projection = 0.0f;
  for (std::int64_t c = threadIdx.x; c < dim; c += kThreads) {
    const float xv = __bfloat162float(xr[c]);
    squares += xv * xv;
    projection += __bfloat162float(w[c]) * __bfloat162float(dyr[c]) * xv;
  }
  __shared__ float partial[2][kThreads / 32];
  squares = detail::warp_sum(squares);
  projection = detail::warp_sum(projection);
  if (threadIdx.x % 32 == 0) {
    partial[0][threadIdx.x / 32] = squares;
    partial[1][threadIdx.x / 32] = projection;
  }
  __syncthreads();
  float total = 0.0f, dot = 0.0f;
#pragma unroll
  for (int i = 0; i < kThreads / 32; ++i) {
    total += partial[0][i];
    dot += partial[1][i];
  }
  const float r = 1.0f / sqrtf(total / static_cast<float>(dim) + eps);
  const float correction = r * r * r / static_cast<float>(dim) * dot;
  if (threadIdx.x == 0) inv_rms[row] = r;
  for (std::int64_t c = threadIdx.x; c < dim; c += kThreads) {
    const float xv = __bfloat162float(xr[c]);
    const float g = __bfloat162float(w[c]) * __bfloat162float(dyr[c]);
    dx[row * dim + c] = __float2bfloat16(r * g - correction * xv);
  }
}

// Backward, dweight: one thread per column, rows summed in order.
__global__ void rmsnorm_backward_dweight_kernel(const __nv_bfloat16* __restrict__ x,
                                                const __nv_bfloat16* __restrict__ dy,
                                                const float* __restrict__ inv_rms,
                                                float* __restrict__ dweight, std::int64_t rows,
                                                std::int64_t dim) {
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (c >= dim) return;
  float sum = 0.0f;
  for (std::int64_t r = 0; r < rows; ++r) {
    sum += __bfloat162float(dy[r * dim + c]) * __bfloat162float(x[r * dim + c]) * inv_rms[r];
  }
  dweight[c] = sum;
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

Support can_implement(const RmsNormBackwardParams& p) {
  const Support s = can_implement(RmsNormParams{p.x, p.weight, p.dx, p.rows, p.dim, p.eps});
  if (!s.ok()) return Support::no("rmsnorm backward: " + s.reason);
  if (p.dy == nullptr || p.dweight == nullptr || p.inv_rms == nullptr) {
    return Support::no("rmsnorm backward: null pointer");
  }
  if (!detail::aligned16(p.dy)) return Support::no("rmsnorm backward: dy must be 16-byte aligned");
  if (static_cast<const void*>(p.dx) == static_cast<const void*>(p.dy)) {
    return Support::no("rmsnorm backward: dx must not alias dy (dweight reads dy after dx)");
  }
  return Support::yes();
}

void run(const RmsNormBackwardParams& p, cudaStream_t stream) {
  require(can_implement(p));
  rmsnorm_backward_dx_kernel<<<static_cast<unsigned>(p.rows), kThreads, 0, stream>>>(
      detail::as_device(p.x), detail::as_device(p.weight), detail::as_device(p.dy),
      detail::as_device(p.dx), p.inv_rms, p.dim, p.eps);
  check_launch("rmsnorm backward (dx)");
  // After dx: it reads the inv_rms that the dx kernel writes.
  rmsnorm_backward_dweight_kernel<<<detail::blocks_for(p.dim, kThreads), kThreads, 0, stream>>>(
      detail::as_device(p.x), detail::as_device(p.dy), p.inv_rms, p.dweight, p.rows, p.dim);
  check_launch("rmsnorm backward (dweight)");
}

}  // namespace moesim::kernels
