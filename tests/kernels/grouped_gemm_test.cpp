// The routed experts' grouped GEMM: where each expert's operands sit in the packed buffers,
// the reference on a hand-computed case and argument checks (run everywhere), and the
// per-expert cuBLASLt loop against the reference (on a GPU).
// Tolerances, GPU vs CPU: those of gemm_test.cpp for each expert's GEMM, per element with
// M = sum_k |a_k b_k|:
//   FP8, BF16 output:  |gpu - ref| <= 2^-8 |ref| + 2^-12 M
//   BF16, BF16 output: |gpu - ref| <= 2^-8 |ref| + 2^-16 M
// and a relative Frobenius error of at most 4e-3 over the packed output.
#include "kernels/grouped_gemm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gemm_test_util.h"
#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_layout.h"
#include "kernels/reference/grouped_gemm_reference.h"

namespace moesim::kernels {
namespace {

using reference::Fp8Tensor;
using test::TestRng;
using Ints = std::vector<std::int32_t>;

// Four local experts (V3: 256 routed experts over EP64), the second one without tokens;
// segments padded to 128 rows as a routing map with row_alignment 128 leaves them.
const Ints kOffsets{0, 128, 128, 384, 512};

TEST(GroupedGemm, OperandOffsetsFollowThePackedLayout) {
  const std::int64_t in = 256, out = 512;
  // Forward: x [rows][in], W [4][out][in], y [rows][out].
  const auto f = grouped_operand_offsets(LinearPass::kForward, kOffsets.data(), 2, in, out);
  EXPECT_EQ(f.a, 128 * in);
  EXPECT_EQ(f.b, 2 * out * in);
  EXPECT_EQ(f.d, 128 * out);
  EXPECT_EQ(f.a_scales, 128 * (in / 128));
  EXPECT_EQ(f.b_scales, 2 * weight_scale_count(out, in));  // 4 block rows x 4 (2 padded)
  const auto all = grouped_operand_offsets(LinearPass::kForward, kOffsets.data(), 4, in, out);
  EXPECT_EQ(all.a, 512 * in);
  EXPECT_EQ(all.b, 4 * out * in);
  // Data gradient: dy [rows][out], W^T [4][in][out], dx [rows][in].
  const auto g = grouped_operand_offsets(LinearPass::kDataGrad, kOffsets.data(), 3, in, out);
  EXPECT_EQ(g.a, 384 * out);
  EXPECT_EQ(g.b, 3 * in * out);
  EXPECT_EQ(g.d, 384 * in);
  // Weight gradient: dy_e^T [out][M_e], x_e^T [in][M_e], dW [4][out][in].
  const auto w = grouped_operand_offsets(LinearPass::kWeightGrad, kOffsets.data(), 3, in, out);
  EXPECT_EQ(w.a, out * 384);
  EXPECT_EQ(w.b, in * 384);
  EXPECT_EQ(w.d, 3 * out * in);
  EXPECT_EQ(w.a_scales, out * 3);  // 128 + 0 + 256 tokens = 3 tiles along tokens
  EXPECT_EQ(w.b_scales, in * 3);
}

std::vector<Bf16> filled(std::size_t n, float v) { return std::vector<Bf16>(n, to_bf16(v)); }

TEST(GroupedGemmReference, RunsEachExpertOnItsOwnRows) {
  // in 2, out 3; expert 0: 1 row of [1, 2] with W_0 = 1; expert 1: none; expert 2: 2 rows
  // of [1, -1] and [3, 3] with W_2 = 2.
  const std::vector<GemmShape> forward{linear_gemm_shape(LinearPass::kForward, 1, 2, 3),
                                       linear_gemm_shape(LinearPass::kForward, 0, 2, 3),
                                       linear_gemm_shape(LinearPass::kForward, 2, 2, 3)};
  const std::vector<std::vector<Bf16>> x{
      {to_bf16(1), to_bf16(2)}, {}, {to_bf16(1), to_bf16(-1), to_bf16(3), to_bf16(3)}};
  const std::vector<std::vector<Bf16>> w{filled(6, 1), filled(6, 5), filled(6, 2)};
  const auto y = reference::grouped_bf16_gemm(x, w, forward);
  EXPECT_EQ(y.m, 3);
  EXPECT_EQ(y.d, (std::vector<float>{3, 3, 3, 0, 0, 0, 12, 12, 12}));
  EXPECT_EQ(y.magnitude[3], 4.0f);
  // Weight gradient of the same experts: expert 1 has no tokens, so its dW is zero.
  const std::vector<GemmShape> wgrad{linear_gemm_shape(LinearPass::kWeightGrad, 1, 2, 3),
                                     linear_gemm_shape(LinearPass::kWeightGrad, 0, 2, 3),
                                     linear_gemm_shape(LinearPass::kWeightGrad, 2, 2, 3)};
  // dy^T [3][M_e] all ones; x^T [2][M_e].
  const std::vector<std::vector<Bf16>> dyt{filled(3, 1), {}, filled(6, 1)};
  const std::vector<std::vector<Bf16>> xt{
      {to_bf16(1), to_bf16(2)}, {}, {to_bf16(1), to_bf16(3), to_bf16(-1), to_bf16(3)}};
  const auto dw = reference::grouped_bf16_gemm(dyt, xt, wgrad);
  EXPECT_EQ(dw.m, 9);  // 3 experts x 3 outputs
  EXPECT_EQ(dw.d, (std::vector<float>{1, 2, 1, 2, 1, 2, 0, 0, 0, 0, 0, 0, 4, 2, 4, 2, 4, 2}));
  EXPECT_THROW(reference::grouped_bf16_gemm(x, w, {forward[0]}), std::invalid_argument);
}

// A stand-in for device memory: 16-byte aligned addresses that are never dereferenced.
template <typename T>
T* fake_device_pointer() {
  return reinterpret_cast<T*>(std::uintptr_t{1} << 20);
}

TEST(GroupedGemm, CanImplementRejectsWhatTheRecipeCannotTile) {
  // V3's experts: gate+up 7168 -> 2 x 2048 (4096), 4 local experts.
  GroupedFp8GemmParams p{LinearPass::kForward,
                         4,
                         kOffsets.data(),
                         7168,
                         4096,
                         fake_device_pointer<std::uint8_t>(),
                         fake_device_pointer<float>(),
                         fake_device_pointer<std::uint8_t>(),
                         fake_device_pointer<float>(),
                         fake_device_pointer<void>(),
                         GemmOutput::kBf16};
  for (LinearPass pass : {LinearPass::kForward, LinearPass::kDataGrad, LinearPass::kWeightGrad}) {
    p.pass = pass;
    EXPECT_TRUE(can_implement(p).ok()) << can_implement(p).reason;
  }
  // Unpadded segments (row_alignment 1): 130 rows cannot hold 1x128 scale columns, and the
  // weight gradient cannot cut 132 tokens into 1x128 tiles.
  const Ints unpadded{0, 130, 130, 262, 400};
  p.row_offsets = unpadded.data();
  p.pass = LinearPass::kForward;
  EXPECT_NE(can_implement(p).reason.find("expert 0 (130 rows)"), std::string::npos)
      << can_implement(p).reason;
  const Ints by_four{0, 132, 132, 264, 400};
  p.row_offsets = by_four.data();
  EXPECT_TRUE(can_implement(p).ok()) << can_implement(p).reason;
  p.pass = LinearPass::kWeightGrad;
  EXPECT_NE(can_implement(p).reason.find("multiples of 128 rows"), std::string::npos)
      << can_implement(p).reason;
  // The data gradient of a 2112-wide output contracts over 2112.
  p.row_offsets = kOffsets.data();
  p.pass = LinearPass::kDataGrad;
  p.out_features = 2112;
  EXPECT_NE(can_implement(p).reason.find("k 2112 is not a multiple of 128"), std::string::npos)
      << can_implement(p).reason;
  p.out_features = 4096;
  const Ints decreasing{0, 128, 0, 128, 256};
  p.row_offsets = decreasing.data();
  EXPECT_NE(can_implement(p).reason.find("decrease at expert 1"), std::string::npos);
  p.row_offsets = nullptr;
  EXPECT_FALSE(can_implement(p).ok());
  p.row_offsets = kOffsets.data();
  p.experts = 0;
  EXPECT_FALSE(can_implement(p).ok());

  GroupedBf16GemmParams b{LinearPass::kWeightGrad,
                          4,
                          by_four.data(),
                          7168,
                          4096,
                          fake_device_pointer<Bf16>(),
                          fake_device_pointer<Bf16>(),
                          fake_device_pointer<void>(),
                          GemmOutput::kFloat32};
  EXPECT_FALSE(can_implement(b).ok()) << "k = 132 tokens is not a multiple of 8";
  b.row_offsets = kOffsets.data();
  EXPECT_TRUE(can_implement(b).ok()) << can_implement(b).reason;
}

// The operands of one pass, per expert, and packed as the grouped GEMM reads them.
struct PassOperands {
  std::vector<GemmShape> shapes;
  std::vector<Fp8Tensor> a8, b8;
  std::vector<std::vector<Bf16>> a16, b16;
  std::vector<std::uint8_t> a_codes, b_codes;
  std::vector<float> a_scales, b_scales;
  std::vector<Bf16> a_packed, b_packed;
};

template <typename T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

PassOperands make_operands(LinearPass pass, const Ints& offsets, std::int64_t in, std::int64_t out,
                           TestRng& rng) {
  PassOperands o;
  for (std::size_t e = 0; e + 1 < offsets.size(); ++e) {
    const GemmShape s = linear_gemm_shape(pass, offsets[e + 1] - offsets[e], in, out);
    o.shapes.push_back(s);
    auto a = test::random_bf16(static_cast<std::size_t>(s.m * s.k), rng, 1.0);
    auto b = test::random_bf16(static_cast<std::size_t>(s.n * s.k), rng, 0.05);
    if (s.m > 0 && s.k > 0) {
      o.a8.push_back(reference::quantize_activations(a, s.m, s.k, false));
      o.b8.push_back(s.b == Fp8Granularity::kTile1x128
                         ? reference::quantize_activations(b, s.n, s.k, false)
                         : reference::quantize_weights(b, s.n, s.k, false));
    } else {  // an expert without tokens still has its weights
      o.a8.push_back(Fp8Tensor{s.m, s.k, s.a, {}, {}});
      o.b8.push_back(s.k > 0 ? reference::quantize_weights(b, s.n, s.k, false)
                             : Fp8Tensor{s.n, s.k, s.b, {}, {}});
    }
    append(o.a_codes, o.a8.back().q);
    append(o.a_scales, o.a8.back().scales);
    append(o.b_codes, o.b8.back().q);
    append(o.b_scales, o.b8.back().scales);
    append(o.a_packed, a);
    append(o.b_packed, b);
    o.a16.push_back(std::move(a));
    o.b16.push_back(std::move(b));
  }
  return o;
}

TEST(GroupedGemm, MatchesTheReferenceInEveryPass) {
  MOESIM_SKIP_WITHOUT_GPU();
  CublasLt lt;
  TestRng rng(71);
  const std::int64_t in = 256, out = 384;
  const int experts = static_cast<int>(kOffsets.size()) - 1;
  for (LinearPass pass : {LinearPass::kForward, LinearPass::kDataGrad, LinearPass::kWeightGrad}) {
    const std::string what = "pass " + std::to_string(static_cast<int>(pass));
    const PassOperands o = make_operands(pass, kOffsets, in, out, rng);
    const auto sizes = grouped_operand_offsets(pass, kOffsets.data(), experts, in, out);
    ASSERT_EQ(static_cast<std::int64_t>(o.a_codes.size()), sizes.a) << what;
    ASSERT_EQ(static_cast<std::int64_t>(o.b_scales.size()), sizes.b_scales) << what;
    DeviceBuffer<std::uint8_t> a(o.a_codes), b(o.b_codes);
    DeviceBuffer<float> sa(o.a_scales), sb(o.b_scales);
    DeviceBuffer<Bf16> d(static_cast<std::size_t>(sizes.d));
    d.fill_bytes(0xFF);  // an expert left unwritten shows up as NaN
    run(GroupedFp8GemmParams{pass, experts, kOffsets.data(), in, out, a.get(), sa.get(), b.get(),
                             sb.get(), d.get(), GemmOutput::kBf16},
        lt, nullptr);
    test::expect_gemm_close(test::to_floats(d.download()), reference::grouped_fp8_gemm(o.a8, o.b8),
                            0x1p-8, 0x1p-12, "fp8 " + what);

    DeviceBuffer<Bf16> a16(o.a_packed), b16(o.b_packed);
    d.fill_bytes(0xFF);
    run(GroupedBf16GemmParams{pass, experts, kOffsets.data(), in, out, a16.get(), b16.get(),
                              d.get(), GemmOutput::kBf16},
        lt, nullptr);
    test::expect_gemm_close(test::to_floats(d.download()),
                            reference::grouped_bf16_gemm(o.a16, o.b16, o.shapes), 0x1p-8, 0x1p-16,
                            "bf16 " + what);
  }
}

}  // namespace
}  // namespace moesim::kernels
