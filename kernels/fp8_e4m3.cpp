#include "kernels/fp8_e4m3.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace moesim::kernels {

std::uint8_t e4m3_from_float(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const auto sign = static_cast<std::uint8_t>((bits >> 24) & 0x80u);
  if (std::isnan(x)) return static_cast<std::uint8_t>(sign | 0x7Fu);
  const float a = std::fabs(x);
  if (!(a < kE4m3Max)) return static_cast<std::uint8_t>(sign | 0x7Eu);  // saturate, incl. inf
  if (a < kE4m3MinNormal) {
    // Subnormals: code = a / 2^-9 rounded to an integer in [0, 8]. Scaling by a power of two
    // is exact, nearbyint rounds ties to even; 8 lands on 0x08, the smallest normal. Right.
    const float m = std::nearbyint(a * 512.0f);
    return static_cast<std::uint8_t>(sign | static_cast<std::uint8_t>(m));
  }
  int e = 0;
  std::frexp(a, &e);     // a in [2^(e-1), 2^e)
  int exponent = e - 1;  // -6 .. 8
  // a / 2^exponent in [1, 2); times 8 and rounded: the significand with 3 fraction bits.
  int significand = static_cast<int>(std::nearbyint(std::ldexp(a, 3 - exponent)));  // 8 .. 16
  if (significand == 16) {
    significand = 8;
    ++exponent;
  }
  // a < 448 keeps (exponent, significand) at or below (8, 14): never the NaN pattern.
  const auto field = static_cast<std::uint8_t>(((exponent + 7) << 3) | (significand - 8));
  return static_cast<std::uint8_t>(sign | field);
}

float e4m3_to_float(std::uint8_t code) {
  const int exponent_field = (code >> 3) & 0xF;
  const int mantissa = code & 0x7;
  if (exponent_field == 0xF && mantissa == 0x7) return std::numeric_limits<float>::quiet_NaN();
  const float magnitude = exponent_field == 0
                              ? std::ldexp(static_cast<float>(mantissa), -9)
                              : std::ldexp(static_cast<float>(8 + mantissa), exponent_field - 10);
  return (code & 0x80) ? -magnitude : magnitude;
}

float e4m3_spacing(float magnitude) {
  const float a = std::fabs(magnitude);
  if (a < kE4m3MinNormal) return kE4m3MinSubnormal;
  int e = 0;
  std::frexp(a, &e);
  return std::ldexp(1.0f, e - 1 - 3);
}

}  // namespace moesim::kernels
