#include <algorithm>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/rope.h"

namespace moesim::kernels {
namespace {

constexpr int kThreads = 256;

// One thread per rotated pair; kInverse rotates by minus the angle (the backward).
// __fmul_rn / __fsub_rn / __fadd_rn keep nvcc from fusing
// into FMAs, so the result matches the CPU reference's separately rounded steps.
template <bool kInverse>
__global__ void rope_kernel(__nv_bfloat16* x, RopeShape s,
                            const std::int32_t* __restrict__ positions,
                            const float* __restrict__ cos_table,
                            const float* __restrict__ sin_table) {
  const int half = s.rope_dim / 2;
  const std::int64_t n = s.tokens * s.heads * half;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const std::int64_t pair = i % half;
    const std::int64_t head = (i / half) % s.heads;
    const std::int64_t token = i / (static_cast<std::int64_t>(half) * s.heads);
    const std::int64_t pos = positions[token];
    const float c = cos_table[pos * half + pair];
    const float sn = sin_table[pos * half + pair];
    __nv_bfloat162* p = reinterpret_cast<__nv_bfloat162*>(
        x + token * s.token_stride + head * s.head_stride + s.rope_offset + 2 * pair);
    const float2 v = __bfloat1622float2(*p);
    const float a = kInverse ? __fadd_rn(__fmul_rn(v.x, c), __fmul_rn(v.y, sn))
                             : __fsub_rn(__fmul_rn(v.x, c), __fmul_rn(v.y, sn));
    const float b = kInverse ? __fsub_rn(__fmul_rn(v.y, c), __fmul_rn(v.x, sn))
                             : __fadd_rn(__fmul_rn(v.x, sn), __fmul_rn(v.y, c));
    *p = __floats2bfloat162_rn(a, b);
  }
}

}  // namespace

Support can_implement(const RopeParams& p) {
  const RopeShape& s = p.shape;
  if (s.tokens <= 0 || s.heads <= 0) return Support::no("rope: no tokens or heads");
  if (s.rope_dim <= 0 || s.rope_dim % 2 != 0) {
    return Support::no("rope: rope_dim " + std::to_string(s.rope_dim) +
                       " is not positive and even");
  }
  if (s.token_stride % 2 != 0 || s.head_stride % 2 != 0 || s.rope_offset % 2 != 0) {
    return Support::no("rope: strides and offset must be even (pairs are read as 4 bytes)");
  }
  if (s.rope_offset + s.rope_dim > (s.heads > 1 ? s.head_stride : s.token_stride)) {
    return Support::no("rope: the RoPE part runs past its head (offset + rope_dim > stride)");
  }
  if (p.max_positions <= 0) return Support::no("rope: empty position tables");
  if (p.x == nullptr || p.positions == nullptr || p.cos == nullptr || p.sin == nullptr) {
    return Support::no("rope: null pointer");
  }
  if (reinterpret_cast<std::uintptr_t>(p.x) % 4 != 0)
    return Support::no("rope: x must be 4-byte aligned");
  return Support::yes();
}

void run(const RopeParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t pairs = p.shape.tokens * p.shape.heads * (p.shape.rope_dim / 2);
  const unsigned blocks = detail::blocks_for(pairs, kThreads);
  rope_kernel<false><<<std::min(blocks, 65536u), kThreads, 0, stream>>>(
      detail::as_device(p.x), p.shape, p.positions, p.cos, p.sin);
  check_launch("rope");
}

Support can_implement(const RopeBackwardParams& p) {
  const Support s =
      can_implement(RopeParams{p.grad, p.shape, p.positions, p.cos, p.sin, p.max_positions});
  return s.ok() ? s : Support::no("rope backward: " + s.reason);
}

void run(const RopeBackwardParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t pairs = p.shape.tokens * p.shape.heads * (p.shape.rope_dim / 2);
  const unsigned blocks = detail::blocks_for(pairs, kThreads);
  rope_kernel<true><<<std::min(blocks, 65536u), kThreads, 0, stream>>>(
      detail::as_device(p.grad), p.shape, p.positions, p.cos, p.sin);
  check_launch("rope backward");
}

}  // namespace moesim::kernels
