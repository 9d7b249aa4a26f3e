#pragma once
// The per-tile FP8 scale of DeepSeek-V3's recipe (V3TR §3.3.2; DeepGEMM's
// per_token_cast_to_fp8 / per_block_cast_to_fp8): scale = amax / 448 over a 1x128 tile or
// a 128x128 block, computed online from the tile's max-abs. A stored value is
// q = e4m3(x * inverse) and x ≈ e4m3_to_float(q) * scale.
//
// amax is clamped to kMinAmax (DeepGEMM's 1e-4) so that an all-zero tile gets a finite
// scale. With power-of-two scales (the recipe for FP8 dispatch and for cached activations,
// V3TR §3.3.3), the scale is rounded up to 2^ceil(log2(amax / 448)) so that the largest
// element still fits, and multiplying by the inverse is exact.
//
// Every step is an exact or correctly rounded IEEE float operation, so the host and the
// device produce the same bits (nvcc divides correctly unless built with fast math).

#include <cmath>

#include "kernels/detail/host_device.h"

namespace moesim::kernels::detail {

inline constexpr float kMinAmax = 1e-4f;

struct Fp8TileScale {
  float scale;    // what dequantization multiplies by (stored)
  float inverse;  // what quantization multiplies by
};

MOESIM_HD inline Fp8TileScale fp8_tile_scale(float amax, bool power_of_two) {
  const float a = amax > kMinAmax ? amax : kMinAmax;
  if (!power_of_two) return Fp8TileScale{a / 448.0f, 448.0f / a};
  int e = 0;
  const float m = frexpf(a / 448.0f, &e);  // a / 448 = m * 2^e, m in [0.5, 1)
  const int exponent = m == 0.5f ? e - 1 : e;
  return Fp8TileScale{ldexpf(1.0f, exponent), ldexpf(1.0f, -exponent)};
}

}  // namespace moesim::kernels::detail
