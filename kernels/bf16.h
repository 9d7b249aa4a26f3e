#pragma once
// BF16 as host code sees it: the bit pattern of __nv_bfloat16 (same size and layout,
// so device code reinterprets a `Bf16*` as `__nv_bfloat16*`), with round-to-nearest-even
// conversion that matches __float2bfloat16. Keeps CUDA's headers out of our public ones.

#include <cstdint>
#include <cstring>

namespace moesim::kernels {

struct Bf16 {
  std::uint16_t bits = 0;
  friend bool operator==(Bf16 a, Bf16 b) { return a.bits == b.bits; }
  friend bool operator!=(Bf16 a, Bf16 b) { return a.bits != b.bits; }
};
static_assert(sizeof(Bf16) == 2, "Bf16 must match __nv_bfloat16's layout");

inline float to_float(Bf16 b) {
  const std::uint32_t u = static_cast<std::uint32_t>(b.bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Round to nearest, ties to even; NaN stays a (quiet) NaN with its sign.
inline Bf16 to_bf16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    return Bf16{static_cast<std::uint16_t>((u >> 16) | 0x0040u)};
  }
  const std::uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return Bf16{static_cast<std::uint16_t>((u + rounding) >> 16)};
}

// Rounds a float to the nearest BF16 value and back: what a BF16 tensor can hold.
inline float round_to_bf16(float f) { return to_float(to_bf16(f)); }

}  // namespace moesim::kernels
