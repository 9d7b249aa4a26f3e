#include "kernels/fp8_e4m3.h"

#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace moesim::kernels {
namespace {

// NVIDIA's own host implementation of cvt.rn.satfinite.e4m3 (cuda_fp8.hpp): an
// independent second opinion on our encoder.
std::uint8_t nvidia_e4m3(float x) {
  return static_cast<std::uint8_t>(__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3));
}

TEST(Fp8E4m3, EncodesHandComputedValues) {
  EXPECT_EQ(e4m3_from_float(0.0f), 0x00);
  EXPECT_EQ(e4m3_from_float(-0.0f), 0x80);
  EXPECT_EQ(e4m3_from_float(1.0f), 0x38);  // exponent field 7, mantissa 0
  EXPECT_EQ(e4m3_from_float(-2.0f), 0xC0);
  EXPECT_EQ(e4m3_from_float(240.0f), 0x77);        // 1.875 * 2^7
  EXPECT_EQ(e4m3_from_float(448.0f), 0x7E);        // the largest finite value
  EXPECT_EQ(e4m3_from_float(0.015625f), 0x08);     // 2^-6, smallest normal
  EXPECT_EQ(e4m3_from_float(0.001953125f), 0x01);  // 2^-9, smallest subnormal
  EXPECT_EQ(e4m3_from_float(0.1f), 0x1D);          // 1.6 * 2^-4 -> 1.625 * 2^-4 = 0.1015625
}

TEST(Fp8E4m3, RoundsTiesToEven) {
  EXPECT_EQ(e4m3_from_float(1.0625f), 0x38);                // halfway 1.0 | 1.125: even mantissa 0
  EXPECT_EQ(e4m3_from_float(1.1875f), 0x3A);                // halfway 1.125 | 1.25: even mantissa 2
  EXPECT_EQ(e4m3_from_float(17.0f), 0x58);                  // halfway 16 | 18 -> 16
  EXPECT_EQ(e4m3_from_float(std::ldexp(1.0f, -10)), 0x00);  // halfway 0 | 2^-9 -> 0
  EXPECT_EQ(e4m3_from_float(3 * std::ldexp(1.0f, -10)), 0x02);   // 1.5 * 2^-9 -> 2 * 2^-9
  EXPECT_EQ(e4m3_from_float(5 * std::ldexp(1.0f, -10)), 0x02);   // 2.5 * 2^-9 -> 2 * 2^-9
  EXPECT_EQ(e4m3_from_float(15 * std::ldexp(1.0f, -10)), 0x08);  // 7.5 * 2^-9 -> 2^-6
  // Just off the midpoint goes to the nearer value.
  EXPECT_EQ(e4m3_from_float(std::nextafter(1.0625f, 2.0f)), 0x39);
  EXPECT_EQ(e4m3_from_float(std::nextafter(1.1875f, 0.0f)), 0x39);
}

TEST(Fp8E4m3, SaturatesToTheLargestFiniteValue) {
  EXPECT_EQ(e4m3_from_float(464.0f), 0x7E);  // halfway to 480, which E4M3 spends on NaN
  EXPECT_EQ(e4m3_from_float(500.0f), 0x7E);
  EXPECT_EQ(e4m3_from_float(-1e30f), 0xFE);
  EXPECT_EQ(e4m3_from_float(std::numeric_limits<float>::infinity()), 0x7E);
  EXPECT_EQ(e4m3_from_float(-std::numeric_limits<float>::infinity()), 0xFE);
  EXPECT_EQ(e4m3_from_float(std::numeric_limits<float>::quiet_NaN()) & 0x7F, 0x7F);
}

TEST(Fp8E4m3, DecodesEveryCodeAndRoundTrips) {
  EXPECT_TRUE(std::isnan(e4m3_to_float(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3_to_float(0xFF)));
  EXPECT_EQ(e4m3_to_float(0x7E), 448.0f);
  EXPECT_EQ(e4m3_to_float(0xFE), -448.0f);
  EXPECT_EQ(e4m3_to_float(0x07), 7 * std::ldexp(1.0f, -9));
  EXPECT_EQ(e4m3_to_float(0x08), 0.015625f);
  float previous = -1.0f;
  for (int c = 0; c < 0x7F; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    const float v = e4m3_to_float(code);
    EXPECT_GT(v, previous) << "codes 0..0x7E increase";
    previous = v;
    EXPECT_EQ(e4m3_from_float(v), code);
    if (c != 0) {
      EXPECT_EQ(e4m3_from_float(-v), code | 0x80);
    }
  }
}

TEST(Fp8E4m3, SpacingIsTheGapBetweenNeighbours) {
  for (int c = 1; c < 0x7E; ++c) {
    const float v = e4m3_to_float(static_cast<std::uint8_t>(c));
    const float next = e4m3_to_float(static_cast<std::uint8_t>(c + 1));
    EXPECT_EQ(e4m3_spacing(v), next - v) << "code " << c;
  }
}

TEST(Fp8E4m3, MatchesNvidiaConversionBitForBit) {
  // Every E4M3 midpoint and its float neighbours (where rounding decides), then a sweep
  // over the float bit patterns.
  int checked = 0;
  for (int c = 0; c < 0x7E; ++c) {
    const float lo = e4m3_to_float(static_cast<std::uint8_t>(c));
    const float hi = e4m3_to_float(static_cast<std::uint8_t>(c + 1));
    const float mid = lo + (hi - lo) / 2;
    for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e9f)}) {
      ASSERT_EQ(e4m3_from_float(x), nvidia_e4m3(x)) << "x = " << x;
      ASSERT_EQ(e4m3_from_float(-x), nvidia_e4m3(-x)) << "x = " << -x;
      checked += 2;
    }
  }
  for (std::uint64_t bits = 0; bits <= 0xFFFFFFFFull; bits += 4093) {
    const auto b = static_cast<std::uint32_t>(bits);
    float x;
    std::memcpy(&x, &b, sizeof x);
    if (std::isnan(x)) continue;
    ASSERT_EQ(e4m3_from_float(x), nvidia_e4m3(x)) << "bits 0x" << std::hex << b;
    ++checked;
  }
  EXPECT_GT(checked, 1000000);
}

}  // namespace
}  // namespace moesim::kernels
