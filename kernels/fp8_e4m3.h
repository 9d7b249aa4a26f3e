#pragma once
// FP8 E4M3 ("e4m3fn", OCP FP8) on the host: the format DeepSeek-V3 uses for every FP8
// tensor (V3TR §3.3.2). 1 sign, 4 exponent bits (bias 7), 3 mantissa bits; no infinities;
// S.1111.111 is NaN; largest finite value 448 = 1.75 * 2^8; smallest normal 2^-6;
// subnormals are multiples of 2^-9.
//
// e4m3_from_float() is the bit-exact reference for the device conversion
// cvt.rn.satfinite.e4m3x2.f32 (__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3)):
// round to nearest, ties to even; finite values beyond ±448 and ±infinity saturate to ±448.
//
// Thread safety: pure functions. They assume the default floating-point rounding mode
// (FE_TONEAREST), which nothing in moesim changes.

#include <cstdint>

namespace moesim::kernels {

inline constexpr float kE4m3Max = 448.0f;
inline constexpr float kE4m3MinNormal = 0.015625f;        // 2^-6
inline constexpr float kE4m3MinSubnormal = 0.001953125f;  // 2^-9

std::uint8_t e4m3_from_float(float x);
float e4m3_to_float(std::uint8_t code);

// Distance between adjacent E4M3 values around a magnitude m in [0, 448]:
// 2^-9 below 2^-6, else 2^(floor(log2 m) - 3). Rounding to E4M3 errs by at most half of it.
float e4m3_spacing(float magnitude);

}  // namespace moesim::kernels
