// GEMMs: the CPU reference on hand-computed block-scaled products, the FP8 error against
// unquantized inputs, the Linear's three pass shapes and argument checks (run everywhere),
// and cuBLASLt against the references (on a GPU).
// Tolerances, GPU vs CPU, per element, with M = sum_k |a_k b_k| (the reference's magnitude):
//   FP8, BF16 output:  |gpu - ref| <= 2^-8 |ref| + 2^-12 M   (BF16 rounding of the output;
//                      FP8 tensor-core accumulation, promoted to FP32 every 128 of k)
//   FP8, FP32 output:  |gpu - ref| <= 2^-12 M
//   BF16, BF16 output: |gpu - ref| <= 2^-8 |ref| + 2^-16 M  (FP32 accumulation)
// and the relative Frobenius error ||gpu - ref|| / ||ref|| <= 4e-3.
#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gemm_test_util.h"
#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_e4m3.h"
#include "kernels/fp8_layout.h"
#include "kernels/reference/gemm_reference.h"

namespace moesim::kernels {
namespace {

using reference::Fp8Tensor;
using test::TestRng;

TEST(GemmReference, AppliesEachBlocksScales) {
  // A: 4 x 256 all-ones codes, 1x128 scales: row 0 (1, 2), row 1 (0.5, 0.25), others 1.
  Fp8Tensor a{4, 256, Fp8Granularity::kTile1x128, std::vector<std::uint8_t>(4 * 256, 0x38),
              std::vector<float>(8, 1.0f)};
  a.scales[activation_scale_index(4, 0, 0)] = 1.0f;
  a.scales[activation_scale_index(4, 0, 128)] = 2.0f;
  a.scales[activation_scale_index(4, 1, 0)] = 0.5f;
  a.scales[activation_scale_index(4, 1, 128)] = 0.25f;
  // B: 8 x 256 all-ones codes, one 128x128 block row with scales (3, 5); code -1 in row 7.
  Fp8Tensor b{8, 256, Fp8Granularity::kBlock128x128, std::vector<std::uint8_t>(8 * 256, 0x38),
              std::vector<float>(static_cast<std::size_t>(weight_scale_count(8, 256)), 0.0f)};
  b.scales[weight_scale_index(256, 0, 0)] = 3.0f;
  b.scales[weight_scale_index(256, 0, 128)] = 5.0f;
  for (int kk = 0; kk < 256; ++kk) b.q[7 * 256 + kk] = 0xB8;
  const auto r = reference::fp8_gemm(a, b);
  EXPECT_EQ(r.d[0 * 8 + 0], 128 * 1 * 3 + 128 * 2 * 5);         // 1664
  EXPECT_EQ(r.d[1 * 8 + 3], 128 * 0.5f * 3 + 128 * 0.25f * 5);  // 352
  EXPECT_EQ(r.d[2 * 8 + 1], 128 * 3 + 128 * 5);
  EXPECT_EQ(r.d[0 * 8 + 7], -1664.0f);
  EXPECT_EQ(r.magnitude[0 * 8 + 7], 1664.0f);
  EXPECT_THROW(reference::fp8_gemm(a, Fp8Tensor{8, 128, Fp8Granularity::kBlock128x128, {}, {}}),
               std::invalid_argument);
}

TEST(GemmReference, Fp8ErrorAgainstUnquantizedInputsIsAFewPercent) {
  TestRng rng(61);
  const std::int64_t m = 64, n = 96, k = 512;
  std::vector<float> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(n * k));
  for (auto& v : x) v = static_cast<float>(rng.normal());
  for (auto& v : w) v = static_cast<float>(0.02 * rng.normal());
  const auto exact = reference::float_gemm(x, w, m, n, k);
  const auto fp8 = reference::fp8_gemm(reference::quantize_activations(x, m, k, false),
                                       reference::quantize_weights(w, n, k, false));
  double err = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < exact.d.size(); ++i) {
    err += std::pow(fp8.d[i] - exact.d[i], 2);
    norm += std::pow(exact.d[i], 2);
  }
  const double relative = std::sqrt(err / norm);
  // E4M3 keeps 4 significant bits: a relative rounding error of up to 1/16 per operand,
  // about 2.6% RMS; 3.75% for the product on these inputs (seeded, so deterministic).
  EXPECT_GT(relative, 1e-3);
  EXPECT_LT(relative, 0.05);
}

TEST(Gemm, LinearPassesMapToTnShapes) {
  using G = Fp8Granularity;
  EXPECT_EQ(linear_gemm_shape(LinearPass::kForward, 4096, 7168, 4096),
            (GemmShape{4096, 4096, 7168, G::kTile1x128, G::kBlock128x128}));
  EXPECT_EQ(linear_gemm_shape(LinearPass::kDataGrad, 4096, 7168, 4096),
            (GemmShape{4096, 7168, 4096, G::kTile1x128, G::kBlock128x128}));
  EXPECT_EQ(linear_gemm_shape(LinearPass::kWeightGrad, 4096, 7168, 4096),
            (GemmShape{4096, 7168, 4096, G::kTile1x128, G::kTile1x128}));
}

TEST(Gemm, CanImplementRejectsWhatTheRecipeCannotTile) {
  alignas(16) static std::uint8_t q[16];
  alignas(16) static float s[4];
  Fp8GemmParams p{q,
                  s,
                  Fp8Granularity::kTile1x128,
                  q,
                  s,
                  Fp8Granularity::kBlock128x128,
                  s,
                  GemmOutput::kBf16,
                  4096,
                  2112,
                  7168};
  EXPECT_TRUE(can_implement(p).ok()) << can_implement(p).reason;
  // The data gradient of V3's fused q_a + kv_a projection contracts over its 2112 outputs.
  const GemmShape dgrad = linear_gemm_shape(LinearPass::kDataGrad, 4096, 7168, 2112);
  p.m = dgrad.m, p.n = dgrad.n, p.k = dgrad.k;
  EXPECT_NE(can_implement(p).reason.find("k 2112 is not a multiple of 128"), std::string::npos)
      << can_implement(p).reason;
  p.k = 7168;
  p.m = 4098;  // 1x128 scale columns need 4 rows
  EXPECT_FALSE(can_implement(p).ok());
  p.m = 4096;
  p.n = 2116;
  EXPECT_FALSE(can_implement(p).ok());
  p.n = 2112;
  p.a = q + 1;
  EXPECT_FALSE(can_implement(p).ok());
  EXPECT_TRUE(can_implement(Bf16GemmParams{reinterpret_cast<const Bf16*>(q),
                                           reinterpret_cast<const Bf16*>(q), s,
                                           GemmOutput::kFloat32, 3, 8, 8})
                  .ok());
}

TEST(Gemm, CublasLtNeedsAGpu) {
  const DeviceInfo d = query_devices();
  if (d.device_count > 0) GTEST_SKIP() << "a GPU is present";
  EXPECT_THROW(CublasLt{}, CudaError);
}

using test::expect_gemm_close;
using test::to_floats;

struct DeviceFp8 {
  DeviceBuffer<std::uint8_t> q;
  DeviceBuffer<float> scales;
  explicit DeviceFp8(const Fp8Tensor& t) : q(t.q), scales(t.scales) {}
};

// One pass of a Linear with tokens x in -> out, quantized on the host by the reference.
void check_fp8_pass(LinearPass pass, std::int64_t tokens, std::int64_t in, std::int64_t out,
                    GemmOutput d_type, CublasLt& lt, TestRng& rng) {
  const GemmShape s = linear_gemm_shape(pass, tokens, in, out);
  // Operands in TN form: A [m][k] and B [n][k], drawn fresh for each pass.
  const auto a_values = test::random_bf16(static_cast<std::size_t>(s.m * s.k), rng, 1.0);
  const auto b_values = test::random_bf16(static_cast<std::size_t>(s.n * s.k), rng, 0.05);
  const auto quantize = [](const std::vector<Bf16>& v, std::int64_t rows, std::int64_t cols,
                           Fp8Granularity g) {
    return g == Fp8Granularity::kTile1x128 ? reference::quantize_activations(v, rows, cols, false)
                                           : reference::quantize_weights(v, rows, cols, false);
  };
  const Fp8Tensor a = quantize(a_values, s.m, s.k, s.a);
  const Fp8Tensor b = quantize(b_values, s.n, s.k, s.b);
  DeviceFp8 da(a), db(b);
  const bool bf16_out = d_type == GemmOutput::kBf16;
  DeviceBuffer<std::uint8_t> d(static_cast<std::size_t>(s.m * s.n) * (bf16_out ? 2 : 4));
  d.fill_bytes(0xFF);
  run(Fp8GemmParams{da.q.get(), da.scales.get(), s.a, db.q.get(), db.scales.get(), s.b, d.get(),
                    d_type, s.m, s.n, s.k},
      lt, nullptr);
  const std::vector<std::uint8_t> raw = d.download();
  if (pass == LinearPass::kForward && d_type == GemmOutput::kBf16) {  // run() checks too
    EXPECT_THROW(run(Fp8GemmParams{da.q.get(), da.scales.get(), s.a, db.q.get(), db.scales.get(),
                                   s.b, d.get(), d_type, s.m, s.n, s.k + 64},
                     lt, nullptr),
                 std::invalid_argument);
  }
  std::vector<float> got(static_cast<std::size_t>(s.m * s.n));
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (bf16_out) {
      Bf16 v;
      std::memcpy(&v, raw.data() + 2 * i, 2);
      got[i] = to_float(v);
    } else {
      std::memcpy(&got[i], raw.data() + 4 * i, 4);
    }
  }
  const std::string what = "pass " + std::to_string(static_cast<int>(pass)) +
                           " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
                           " k=" + std::to_string(s.k);
  expect_gemm_close(got, reference::fp8_gemm(a, b), bf16_out ? 0x1p-8 : 0.0, 0x1p-12, what);
}

TEST(Gemm, Fp8BlockScaledMatchesTheFp8RoundedReference) {
  MOESIM_SKIP_WITHOUT_GPU();
  CublasLt lt;
  TestRng rng(62);
  // 384 = 3 blocks of k (padded scale rows), 2112 rows = a partial 128x128 block row.
  for (LinearPass pass : {LinearPass::kForward, LinearPass::kDataGrad, LinearPass::kWeightGrad}) {
    check_fp8_pass(pass, 256, 384, 512, GemmOutput::kBf16, lt, rng);
    check_fp8_pass(pass, 256, 384, 512, GemmOutput::kFloat32, lt, rng);
  }
  check_fp8_pass(LinearPass::kForward, 128, 7168, 2112, GemmOutput::kBf16, lt, rng);
  check_fp8_pass(LinearPass::kForward, 256, 2048, 7168, GemmOutput::kBf16, lt, rng);  // expert down
}

TEST(Gemm, Bf16MatchesTheReference) {
  MOESIM_SKIP_WITHOUT_GPU();
  CublasLt lt;
  TestRng rng(63);
  const std::int64_t m = 200, n = 512, k = 1024;
  const auto a = test::random_bf16(static_cast<std::size_t>(m * k), rng, 1.0);
  const auto b = test::random_bf16(static_cast<std::size_t>(n * k), rng, 0.05);
  const auto want = reference::bf16_gemm(a, b, m, n, k);
  DeviceBuffer<Bf16> da(a), db(b), d(static_cast<std::size_t>(m * n));
  d.fill_bytes(0xFF);
  run(Bf16GemmParams{da.get(), db.get(), d.get(), GemmOutput::kBf16, m, n, k}, lt, nullptr);
  expect_gemm_close(to_floats(d.download()), want, 0x1p-8, 0x1p-16, "bf16");
  DeviceBuffer<float> d32(static_cast<std::size_t>(m * n));
  run(Bf16GemmParams{da.get(), db.get(), d32.get(), GemmOutput::kFloat32, m, n, k}, lt, nullptr);
  expect_gemm_close(d32.download(), want, 0.0, 0x1p-16, "bf16 -> fp32");
}

}  // namespace
}  // namespace moesim::kernels
