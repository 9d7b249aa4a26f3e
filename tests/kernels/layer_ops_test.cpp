// RMSNorm, SwiGLU and RoPE: CPU references on hand-computed values (run everywhere) and
// kernels against the references (on a GPU).
// Tolerances, GPU vs CPU: one BF16 ulp of the reference value for RMSNorm (the sums of
// squares differ in order: float on the GPU, double on the CPU) and SwiGLU (CUDA's expf vs
// std::exp); RoPE takes identical FP32 steps and is expected bit-exact, checked to one ulp.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/reference/layer_ops_reference.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/swiglu.h"

namespace moesim::kernels {
namespace {

using test::bf16_ulp;
using test::TestRng;

std::vector<Bf16> bf16s(std::initializer_list<float> v) {
  std::vector<Bf16> out;
  for (float f : v) out.push_back(to_bf16(f));
  return out;
}

// Largest |got - want| in BF16 ulps of the larger magnitude.
double max_ulps(const std::vector<Bf16>& got, const std::vector<Bf16>& want) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const float g = to_float(got[i]);
    const float w = to_float(want[i]);
    if (std::isnan(g) || std::isnan(w)) return 1e9;
    const double d = std::fabs(g - w) / bf16_ulp(std::max(std::fabs(g), std::fabs(w)));
    worst = std::max(worst, d);
  }
  return worst;
}

TEST(RmsNormReference, NormalisesByTheRootMeanSquare) {
  // rms([3, 4]) = sqrt(12.5).
  const auto y = reference::rmsnorm(bf16s({3, 4}), bf16s({1, 2}), 1, 2, 0.0f);
  EXPECT_EQ(y[0], to_bf16(3.0f / std::sqrt(12.5f)));
  EXPECT_EQ(y[1], to_bf16(2 * 4.0f / std::sqrt(12.5f)));
  // A row of 2s has rms 2: y = w.
  const auto z = reference::rmsnorm(bf16s({2, -2, 2, -2}), bf16s({0.5f, 1, 1.5f, -3}), 1, 4, 0.0f);
  EXPECT_EQ(z, bf16s({0.5f, -1, 1.5f, 3}));
  // Scaling a row by a power of two changes nothing (eps = 0).
  TestRng rng(1);
  const auto x = test::random_bf16(3 * 64, rng);
  std::vector<Bf16> x8 = x;
  for (auto& v : x8) v = to_bf16(to_float(v) * 8);
  const auto w = test::random_bf16(64, rng);
  EXPECT_EQ(reference::rmsnorm(x, w, 3, 64, 0.0f), reference::rmsnorm(x8, w, 3, 64, 0.0f));
  EXPECT_THROW(reference::rmsnorm(x, w, 3, 65, 0.0f), std::invalid_argument);
}

TEST(SwigluReference, GatesTheUpProjectionWithSilu) {
  // rows of [gate g | up u], inter 3.
  const auto y = reference::swiglu(bf16s({0, 1, 20, /*up*/ 5, 2, 0.5f}), 1, 3);
  EXPECT_EQ(y[0], to_bf16(0.0f));
  EXPECT_EQ(y[1], to_bf16(2.0f / (1.0f + std::exp(-1.0f))));  // 2 * 0.7310586
  EXPECT_EQ(to_float(y[1]), 1.4609375f);
  EXPECT_EQ(y[2], to_bf16(10.0f));  // silu(20) = 20 - 4e-8
  const auto n = reference::swiglu(bf16s({-20, 7}), 1, 1);
  EXPECT_LT(std::fabs(to_float(n[0])), 1e-6f);
}

TEST(RopeReference, RotatesInterleavedPairsByPositionTimesFrequency) {
  const RopeTables t = make_rope_tables(8, 64);
  EXPECT_EQ(t.cos.size(), 8u * 32);
  EXPECT_EQ(t.cos[0], 1.0f);  // position 0
  EXPECT_EQ(t.sin[0], 0.0f);
  EXPECT_EQ(t.cos[32], static_cast<float>(std::cos(1.0)));  // position 1, pair 0: 1 rad
  EXPECT_EQ(t.sin[32 + 16], static_cast<float>(std::sin(std::pow(10000.0, -0.5))));

  // Two tokens, one head of 4 + 64 elements: the first 4 (the "nope" part) stay put.
  RopeShape s{2, 1, 68, 68, 4, 64};
  std::vector<Bf16> x(2 * 68, to_bf16(0.0f));
  x[4] = to_bf16(1.0f);       // token 0, pair 0 = (1, 0)
  x[68 + 4] = to_bf16(1.0f);  // token 1, pair 0 = (1, 0)
  x[68 + 6] = to_bf16(0.5f);  // token 1, pair 1 = (0.5, 0)
  x[68 + 0] = to_bf16(9.0f);  // nope part
  reference::rope(x, s, {0, 1}, t);
  EXPECT_EQ(to_float(x[4]), 1.0f);
  EXPECT_EQ(to_float(x[5]), 0.0f);
  EXPECT_EQ(x[68 + 4], to_bf16(static_cast<float>(std::cos(1.0))));
  EXPECT_EQ(x[68 + 5], to_bf16(static_cast<float>(std::sin(1.0))));
  const double f1 = std::pow(10000.0, -2.0 / 64);
  EXPECT_EQ(x[68 + 6], to_bf16(0.5f * static_cast<float>(std::cos(f1))));
  EXPECT_EQ(x[68 + 7], to_bf16(0.5f * static_cast<float>(std::sin(f1))));
  EXPECT_EQ(to_float(x[68]), 9.0f);
  EXPECT_THROW(reference::rope(x, s, {0, 8}, t), std::invalid_argument);
}

TEST(LayerOps, CanImplementRejectsWhatTheKernelsCannotDo) {
  alignas(16) static Bf16 buf[64];
  EXPECT_TRUE(can_implement(RmsNormParams{buf, buf, buf, 2, 16, 1e-6f}).ok());
  EXPECT_NE(can_implement(RmsNormParams{buf, buf, buf, 2, 12, 1e-6f}).reason.find("multiple of 8"),
            std::string::npos);
  EXPECT_FALSE(can_implement(RmsNormParams{buf + 1, buf, buf, 2, 16, 1e-6f}).ok());
  EXPECT_TRUE(can_implement(SwigluParams{buf, buf, 2, 8}).ok());
  EXPECT_FALSE(can_implement(SwigluParams{buf, buf, 2, 6}).ok());
  static std::int32_t pos[1];
  static float table[32];
  RopeParams r{buf, RopeShape{1, 1, 64, 64, 0, 64}, pos, table, table, 1};
  EXPECT_TRUE(can_implement(r).ok()) << can_implement(r).reason;
  r.shape.rope_offset = 2;
  EXPECT_NE(can_implement(r).reason.find("runs past"), std::string::npos);
  r.shape.rope_offset = 0;
  r.shape.rope_dim = 63;
  EXPECT_FALSE(can_implement(r).ok());
}

TEST(RmsNorm, MatchesTheReferenceToOneBf16Ulp) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(31);
  for (std::int64_t dim : {7168, 1536, 512}) {
    const std::int64_t rows = 96;
    const auto x = test::random_bf16(static_cast<std::size_t>(rows * dim), rng, 3.0);
    std::vector<Bf16> w(static_cast<std::size_t>(dim));
    for (auto& v : w) v = to_bf16(static_cast<float>(1.0 + 0.1 * rng.normal()));
    const auto want = reference::rmsnorm(x, w, rows, dim, 1e-6f);
    DeviceBuffer<Bf16> dx(x), dw(w), dy(x.size());
    dy.fill_bytes(0xFF);
    run(RmsNormParams{dx.get(), dw.get(), dy.get(), rows, dim, 1e-6f}, nullptr);
    EXPECT_LE(max_ulps(dy.download(), want), 1.0) << "dim " << dim;
    run(RmsNormParams{dx.get(), dw.get(), dx.get(), rows, dim, 1e-6f}, nullptr);  // in place
    EXPECT_LE(max_ulps(dx.download(), want), 1.0) << "in place, dim " << dim;
  }
}

TEST(Swiglu, MatchesTheReferenceToOneBf16Ulp) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(32);
  const std::int64_t rows = 200, inter = 2048;
  const auto x = test::random_bf16(static_cast<std::size_t>(rows * 2 * inter), rng, 3.0);
  DeviceBuffer<Bf16> dx(x), dy(static_cast<std::size_t>(rows * inter));
  dy.fill_bytes(0xFF);
  run(SwigluParams{dx.get(), dy.get(), rows, inter}, nullptr);
  EXPECT_LE(max_ulps(dy.download(), reference::swiglu(x, rows, inter)), 1.0);
}

TEST(Rope, MatchesTheReferenceOnV3QueryAndKeyLayouts) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(33);
  const RopeTables tables = make_rope_tables(4096, 64);
  DeviceBuffer<float> dcos(tables.cos), dsin(tables.sin);
  const std::int64_t tokens = 48;
  std::vector<std::int32_t> positions(static_cast<std::size_t>(tokens));
  for (auto& p : positions) p = rng.below(4096);
  DeviceBuffer<std::int32_t> dpos(positions);
  // q: 128 heads of [nope 128 | rope 64]; k: the kv_a output [kv_c 512 | k_pe 64].
  for (const RopeShape& s :
       {RopeShape{tokens, 128, 128 * 192, 192, 128, 64}, RopeShape{tokens, 1, 576, 0, 512, 64}}) {
    const auto x = test::random_bf16(static_cast<std::size_t>(tokens * s.token_stride), rng);
    std::vector<Bf16> want = x;
    reference::rope(want, s, positions, tables);
    DeviceBuffer<Bf16> dx(x);
    run(RopeParams{dx.get(), s, dpos.get(), dcos.get(), dsin.get(), tables.max_positions}, nullptr);
    const auto got = dx.download();
    EXPECT_LE(max_ulps(got, want), 1.0) << "heads " << s.heads;
    std::size_t exact = 0;
    for (std::size_t i = 0; i < got.size(); ++i) exact += got[i] == want[i];
    EXPECT_EQ(exact, got.size()) << "expected bit-exact (no FMA on either side)";
  }
}

}  // namespace
}  // namespace moesim::kernels
