#pragma once
// Device-side helpers shared by the .cu files of kernels/. Include only from .cu files.

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cstdint>

#include "kernels/bf16.h"

namespace moesim::kernels::detail {

inline const __nv_bfloat16* as_device(const Bf16* p) {
  return reinterpret_cast<const __nv_bfloat16*>(p);
}
inline __nv_bfloat16* as_device(Bf16* p) { return reinterpret_cast<__nv_bfloat16*>(p); }

// cvt.rn.satfinite.e4m3x2.f32: nearest-even, saturating to ±448; e4m3_from_float on the host.
__device__ inline std::uint8_t to_e4m3(float v) {
  return static_cast<std::uint8_t>(__nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3));
}

// Exact: every E4M3 value is an FP16 value.
__device__ inline float from_e4m3(std::uint8_t code) {
  const __half_raw h = __nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(code), __NV_E4M3);
  return __half2float(__half(h));
}

__device__ inline float warp_max(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

__device__ inline float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

inline bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

// Blocks for a grid of `items` with `per_block` items each (at least 1).
inline unsigned blocks_for(std::int64_t items, std::int64_t per_block) {
  const std::int64_t b = (items + per_block - 1) / per_block;
  return static_cast<unsigned>(b > 0 ? b : 1);
}

}  // namespace moesim::kernels::detail
