// moesim-real's layer as a Kineto trace: what `moesim calibrate --trace` reads,
// every kernel classified, and a rate put in comes back out of the calibration.
#include "real/layer_trace.h"

#include <gtest/gtest.h>

#include "sim/scenario/scenario_json.h"
#include "sim/trace/kernel_map.h"
#include "sim/trace/kineto_trace.h"
#include "sim/trace/trace_calibration.h"
#include "sim/trace/trace_summary.h"

namespace moesim::real {
namespace {

// V3's MoE layer at full width, 4096 tokens: GEMMs at 400 TFLOPS, everything else
// 20 us, so the calibration must find 400 TFLOPS for the expert GEMMs.
LayerRun measured_layer() {
  LayerRun run;
  run.dims = layer_dims(LayerKindOption::kMoe, 1.0, 4096);
  run.timing = TimingOptions{1, 3};
  run.method = "CUDA events";
  run.device.name = "NVIDIA H800";
  run.device.date = "2026-12-01T10:00:00Z";
  for (const LayerOp& op : plan_layer(run.dims)) {
    if (op.kernel == LayerKernel::kNone) continue;
    const bool gemm = op.kernel == LayerKernel::kFp8Gemm || op.kernel == LayerKernel::kGroupedFp8Gemm;
    const double s = gemm ? 2.0 * op.tokens * op.in * op.out / 400e12 : 20e-6;
    run.ops.push_back(LayerOpTiming{op, summarize_timings({s, s, s}), 0});
  }
  return run;
}

TEST(LayerTrace, CalibrateReadsItAndRecoversTheRateItWasGiven) {
  const LayerRun run = measured_layer();
  const nlohmann::json j = layer_kineto_trace(run);
  const KernelTrace t = parse_kineto_trace(j, "layer.json");
  EXPECT_EQ(t.device, "NVIDIA H800");
  EXPECT_EQ(t.date, "2026-12-01");
  EXPECT_EQ(t.kernels.size(), run.ops.size());
  for (const TraceKernel& k : t.kernels) EXPECT_FALSE(k.annotations.empty()) << k.name;
  const TraceSummary sum = summarize_trace(t, default_kernel_map());
  EXPECT_TRUE(sum.unknown.empty()) << sum.unknown.size() << " unknown kernels";

  const Scenario s =
      load_scenario(std::string(MOESIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xH800.json");
  const TraceCalibration c = calibrate_from_trace(sum, s, "layer.json");
  bool found = false;
  for (const CalibrationRow& r : c.rows) {
    if (r.block != "mlp" || r.pass != StagePass::kForward || r.cls != KernelClass::kGemm) continue;
    found = true;
    EXPECT_DOUBLE_EQ(r.sm_share, 1.0);  // one GPU, no communication kernels
    EXPECT_NEAR(r.achieved / 400e12, 1.0, 0.02) << r.achieved / 1e12 << " TFLOPS";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(c.notify_dispatch_s, 0.0);  // no DeepEP in a one-GPU layer
}

}  // namespace
}  // namespace moesim::real
