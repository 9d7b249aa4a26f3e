#include "sim/cost/compute_model.h"

#include <gtest/gtest.h>

#include "sim/model/detail/op_builders.h"

namespace moesim {

TEST(ComputeModel, ReproducesDeepGemmAtAMeasuredShape) {
  // DeepGEMM, H800: 4096 x 7168 x 16384 at 1426 TFLOPS = 674.7 us
  // (shared/reference §10.1, "implied us").
  ComputeModel cm(*find_gpu("H800"), published_h800_efficiency(), true, 0);
  Op op = detail::make_gemm("attn.o_proj", 4096, 7168, 16384, 1, true, true);
  EXPECT_NEAR(seconds(cm.time(op, Pass::kForward)) * 1e6, 674.7, 0.7);
}

TEST(ComputeModel, CommunicationSmsSlowComputeProportionally) {
  ComputeModel all(*find_gpu("H800"), published_h800_efficiency(), true, 0);
  ComputeModel shared(*find_gpu("H800"), published_h800_efficiency(), true, 20);
  Op op = detail::make_gemm("attn.o_proj", 4096, 7168, 16384, 1, true, true);
  EXPECT_NEAR(shared.time(op, Pass::kForward) / all.time(op, Pass::kForward), 132.0 / 112.0,
              1e-9);
}

TEST(ComputeModel, SmallMIsMemoryBound) {
  ComputeModel cm(*find_gpu("H800"), datasheet_efficiency(), true, 0);
  Op op = detail::make_gemm("x", 1, 7168, 16384, 1, true, true);
  // 117 MB of FP8 weights at 3.35 TB/s dominate 0.23 GFLOP.
  EXPECT_NEAR(seconds(cm.time(op, Pass::kForward)), bytes(op.fwd.bytes) / 3.35e12, 1e-9);
}

// The SM-bound part is the whole time where the compute term wins and none
// where HBM does: only it slows on the SMs communication leaves.
TEST(ComputeModel, PriceSaysWhetherTheTimeIsSmBound) {
  ComputeModel all(*find_gpu("H800"), published_h800_efficiency(), true, 0);
  ComputeModel shared(*find_gpu("H800"), published_h800_efficiency(), true, 20);
  const Op big = detail::make_gemm("attn.o_proj", 4096, 7168, 16384, 1, true, true);
  const ComputeModel::Priced p = all.price(big, Pass::kForward);
  EXPECT_EQ(p.sm_bound, p.time);
  const Op thin = detail::make_gemm("x", 1, 7168, 16384, 1, true, true);
  const ComputeModel::Priced q = shared.price(thin, Pass::kForward);
  EXPECT_EQ(q.sm_bound, Seconds());
  EXPECT_EQ(q.time, all.time(thin, Pass::kForward));  // bandwidth-bound: no slower on 112 SMs
}

TEST(ComputeModel, Fp8IsFasterThanBf16ForTheSameGemm) {
  ComputeModel f8(*find_gpu("H800"), published_h800_efficiency(), true, 0);
  ComputeModel b16(*find_gpu("H800"), published_h800_efficiency(), false, 0);
  Op a = detail::make_gemm("g", 4096, 4096, 7168, 1, true, true);
  Op b = detail::make_gemm("g", 4096, 4096, 7168, 1, true, false);
  EXPECT_NEAR(b16.time(b, Pass::kForward) / f8.time(a, Pass::kForward), 2.0, 0.01);
}

TEST(ComputeModel, EfficiencyInterpolatesBetweenMeasuredShapes) {
  const EfficiencyTable& t = published_h800_efficiency();
  const double lo = 751.0 / 1978.9, hi = 1426.0 / 1978.9;
  double e = t.gemm_efficiency(4096, 16384, 4096, true);
  EXPECT_GE(e, lo);
  EXPECT_LE(e, hi);
  EXPECT_DOUBLE_EQ(datasheet_efficiency().gemm_efficiency(10, 10, 10, true), 1.0);
}

}  // namespace moesim
