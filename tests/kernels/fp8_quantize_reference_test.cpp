// CPU reference of the FP8 quantizers: hand-computed tiles, the scale layouts, the
// power-of-two option, idempotence and the error bound. Runs everywhere.
#include "kernels/reference/fp8_quantize_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernel_test_util.h"
#include "kernels/fp8_e4m3.h"
#include "kernels/fp8_layout.h"
#include "kernels/reference/gemm_reference.h"

namespace moesim::kernels::reference {
namespace {

using test::TestRng;

TEST(Fp8QuantizeReference, ScalesEachTileByItsMaxAbs) {
  // 2 rows x 256 cols = 4 tiles with max-abs 896, 448, 1, 0.
  std::vector<Bf16> x(2 * 256, to_bf16(0.0f));
  x[0] = to_bf16(896.0f);  // row 0, tile 0
  x[1] = to_bf16(1.0f);
  x[2] = to_bf16(-3.0f);
  x[128] = to_bf16(-448.0f);  // row 0, tile 1
  x[129] = to_bf16(1.0625f);
  x[256] = to_bf16(1.0f);  // row 1, tile 0
  const Fp8Tensor t = quantize_activations(x, 2, 256, false);
  ASSERT_EQ(t.scales.size(), 4u);
  // Layout: scale(row, col) = s[(col / 128) * rows + row].
  EXPECT_EQ(t.scales[0], 2.0f);            // row 0, tile 0
  EXPECT_EQ(t.scales[1], 1.0f / 448.0f);   // row 1, tile 0
  EXPECT_EQ(t.scales[2], 1.0f);            // row 0, tile 1
  EXPECT_EQ(t.scales[3], 1e-4f / 448.0f);  // row 1, tile 1: all zero, clamped max-abs
  EXPECT_EQ(t.q[0], 0x7E);                 // 896 / 2 = 448
  EXPECT_EQ(t.q[1], 0x30);                 // 0.5
  EXPECT_EQ(t.q[2], 0xBC);                 // -1.5
  EXPECT_EQ(t.q[128], 0xFE);               // -448
  EXPECT_EQ(t.q[129], 0x38);               // 1.0625 ties to 1.0
  EXPECT_EQ(t.q[256], 0x7E);               // 1 * 448
  EXPECT_EQ(t.q[384], 0x00);
  EXPECT_EQ(t.value_at(0, 2), -3.0f);
  EXPECT_EQ(t.value_at(1, 0), 1.0f);
}

TEST(Fp8QuantizeReference, PowerOfTwoScalesRoundUp) {
  std::vector<Bf16> x(3 * 128, to_bf16(0.0f));
  x[0] = to_bf16(100.0f);    // 100 / 448 = 0.223 -> 0.25
  x[128] = to_bf16(448.0f);  // exactly 1
  x[256] = to_bf16(450.0f);  // just over -> 2 (BF16 has no 449)
  const Fp8Tensor t = quantize_activations(x, 3, 128, true);
  EXPECT_EQ(t.scales[0], 0.25f);
  EXPECT_EQ(t.scales[1], 1.0f);
  EXPECT_EQ(t.scales[2], 2.0f);
  EXPECT_EQ(t.q[0], e4m3_from_float(400.0f));  // 100 / 0.25; E4M3 holds 384 and 416: ties to 384
  EXPECT_EQ(t.value_at(1, 0), 448.0f);
}

TEST(Fp8QuantizeReference, WeightBlocksCoverPartialRowsAndPadTheScaleRows) {
  // 200 x 256: block rows [0,128) and [128,200), two block columns; stride padded to 4.
  TestRng rng(7);
  std::vector<Bf16> w = test::random_bf16(200 * 256, rng, 0.02);
  w[199 * 256 + 255] = to_bf16(5.0f);  // the partial block's max
  w[0] = to_bf16(-1.0f);
  const Fp8Tensor t = quantize_weights(w, 200, 256, false);
  EXPECT_EQ(weight_scale_stride(256), 4);
  ASSERT_EQ(t.scales.size(), 8u);
  EXPECT_EQ(t.scales[0], 1.0f / 448.0f);
  EXPECT_EQ(t.scales[5], 5.0f / 448.0f);
  EXPECT_EQ(t.scales[2], 0.0f);  // padding
  EXPECT_EQ(t.scales[7], 0.0f);
  EXPECT_EQ(t.q[199 * 256 + 255], 0x7E);
  EXPECT_EQ(t.scale_at(150, 200), t.scales[5]);
}

// The data-gradient GEMM reads W^T: quantizing W^T gives W's codes and block scales,
// transposed, so one quantization of the weights serves both passes (V3TR §3.3.2).
TEST(Fp8QuantizeReference, WeightBlocksSurviveTransposition) {
  TestRng rng(9);
  const std::int64_t rows = 256, cols = 384;
  const std::vector<Bf16> w = test::random_bf16(static_cast<std::size_t>(rows * cols), rng, 0.1);
  const Fp8Tensor q = quantize_weights(w, rows, cols, false);
  const Fp8Tensor qt = quantize_weights(transpose(w, rows, cols), cols, rows, false);
  EXPECT_EQ(qt.q, transpose(q.q, rows, cols));
  for (std::int64_t r = 0; r < rows; r += 128) {
    for (std::int64_t c = 0; c < cols; c += 128) EXPECT_EQ(qt.scale_at(c, r), q.scale_at(r, c));
  }
}

TEST(Fp8QuantizeReference, RejectsShapesTheRecipeCannotTile) {
  const std::vector<Bf16> x(3 * 100);
  try {
    quantize_activations(x, 3, 100, false);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cols 100 is not a multiple of 128"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(quantize_weights(x, 3, 100, false), std::invalid_argument);
  EXPECT_THROW(quantize_activations(std::vector<Bf16>(10), 1, 128, false), std::invalid_argument);
  EXPECT_FALSE(check_fp8_tiling("k", 0, 128).ok());
  EXPECT_TRUE(check_fp8_tiling("k", 1, 7168).ok());
}

// Quantizing what dequantization returns gives back the same values. With max-abs / 448
// scales it gives back the same codes too (the tile's max maps to 448 again); with
// power-of-two scales a tile whose max rounded down to a power of two times 224 gets half
// the scale and twice the codes: the same values.
TEST(Fp8QuantizeReference, IsIdempotent) {
  TestRng rng(11);
  for (bool pow2 : {false, true}) {
    const std::vector<Bf16> x = test::random_bf16(64 * 512, rng, 3.0);
    const Fp8Tensor a = quantize_activations(x, 64, 512, pow2);
    const Fp8Tensor a2 = quantize_activations(dequantize(a), 64, 512, pow2);
    EXPECT_EQ(dequantize(a2), dequantize(a)) << "pow2 " << pow2;
    const Fp8Tensor w = quantize_weights(x, 64 * 2, 256, pow2);
    const Fp8Tensor w2 = quantize_weights(dequantize(w), 64 * 2, 256, pow2);
    EXPECT_EQ(dequantize(w2), dequantize(w)) << "pow2 " << pow2;
    if (!pow2) {
      EXPECT_EQ(a2.q, a.q);
      EXPECT_EQ(w2.q, w.q);
      for (std::size_t i = 0; i < a.scales.size(); ++i) {
        EXPECT_NEAR(a2.scales[i], a.scales[i], 1e-6f * a.scales[i]) << i;
      }
    }
  }
}

// |x - dequantize(quantize(x))| <= half an E4M3 spacing at |x| / scale, times the scale
// (plus the float rounding of x / scale when the scale is not a power of two).
TEST(Fp8QuantizeReference, ErrorIsAtMostHalfAnE4m3SpacingTimesTheScale) {
  TestRng rng(5);
  std::vector<Bf16> x(32 * 1024);
  for (auto& v : x) {
    // Spread over many binades so that tiles exercise subnormal and normal E4M3 codes.
    v = to_bf16(static_cast<float>(rng.normal() * std::exp(rng.uniform(-8.0, 8.0))));
  }
  for (bool pow2 : {false, true}) {
    for (bool weights : {false, true}) {
      const Fp8Tensor t =
          weights ? quantize_weights(x, 32, 1024, pow2) : quantize_activations(x, 32, 1024, pow2);
      double worst = 0.0;
      for (std::int64_t r = 0; r < 32; ++r) {
        for (std::int64_t c = 0; c < 1024; ++c) {
          const float v = to_float(x[static_cast<std::size_t>(r * 1024 + c)]);
          const float s = t.scale_at(r, c);
          const float bound = 0.5f * e4m3_spacing(std::fabs(v) / s) * s + std::fabs(v) * 0x1p-22f;
          const float err = std::fabs(t.value_at(r, c) - v);
          ASSERT_LE(err, bound) << "r " << r << " c " << c << " v " << v << " scale " << s;
          worst = std::max(worst, static_cast<double>(err / s));
        }
      }
      EXPECT_LE(worst, 16.0 * (1 + 1e-5))
          << "half the top spacing (32) of E4M3, in units of the scale";
    }
  }
}

}  // namespace
}  // namespace moesim::kernels::reference
