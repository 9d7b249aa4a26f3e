#include "sim/cost/estimate.h"

#include <gtest/gtest.h>

#include "sim/cost/chunk_chains.h"
#include "sim/cost/schedule_model.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {

TEST(Estimate, HeadlineBreakdownAddsUpAndFits) {
  Estimate e = estimate(testing::headline());
  EXPECT_NEAR(seconds(e.breakdown.total()), seconds(e.step_time), 1e-9 * seconds(e.step_time));
  EXPECT_TRUE(e.fits) << gib(e.memory_per_gpu) << " GiB";
  EXPECT_EQ(e.num_gpus, 2048);
  EXPECT_EQ(e.phases.size(), 1u);
  EXPECT_EQ(e.phases[0].micro_batches, 120);  // 15360 / (128 x 1)
  EXPECT_NEAR(e.gpu_hours, hours(e.wall_time) * 2048, 1e-6 * e.gpu_hours);
  EXPECT_NEAR(e.cost_usd, 2.0 * e.gpu_hours, 1e-6 * e.cost_usd);
  EXPECT_GT(e.mfu, 0.0);
  EXPECT_LT(e.mfu, 2.0);  // FP8 may exceed the BF16 peak, never twice it
  // 61 layers in 16 stages, head and MTP on the last.
  int layers = 0;
  for (const auto& s : e.stages) layers += s.layers;
  EXPECT_EQ(layers, 61);
  EXPECT_TRUE(e.stages.back().mtp);
  EXPECT_TRUE(e.stages.front().embedding);
  // The ramp starts below DualPipe's minimum micro-batch count: said, not hidden.
  ASSERT_FALSE(e.warnings.empty());
  EXPECT_NE(e.warnings[0].find("24 micro-batches"), std::string::npos);
}

// A DualPipe F&B pair hides each chunk's EP calls behind the other chunk's
// compute; where the two chunks hold different layer counts, the extra
// layers' calls have nothing to hide behind. The analytic pair is a list
// schedule of the two chains, so it shows that: the same eight MoE layers cost
// more as 6 + 2 than as 4 + 4, by at least the extra layers' dispatches.
TEST(Estimate, DualPipePairExposesTheCallsOfUnpairedLayers) {
  Scenario s = testing::headline();
  s.plan.stage_layers = {4, 4, 4, 4, 4, 4, 4, 6, 2, 4, 4, 4, 4, 4, 4, 1};
  const StageCosts c = price_stages(s, 16, 4096, true);
  const ChainContext chains = chain_context(s, c);
  auto compute = [&](int f, int b) {
    return c.stages[f].total.fwd + c.stages[b].total.bwd_input + c.stages[b].total.bwd_weight;
  };
  // Stages 2 and 13: 4 MoE layers each; 7 (6 layers) and 8 (2 layers).
  const Seconds even = pair_span(chains, 2, 13) - compute(2, 13);
  const Seconds uneven = pair_span(chains, 7, 8) - compute(7, 8);
  EXPECT_GE(pair_span(chains, 2, 13), compute(2, 13));
  EXPECT_GT(uneven, even + c.units.moe.ep_dispatch * 4.0)
      << seconds(uneven) << " vs " << seconds(even);
  // And the analytic step of the uneven split is slower than of the even one.
  Scenario even_split = s;
  even_split.plan.stage_layers = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1};
  EXPECT_GT(estimate(s).step_time, estimate(even_split).step_time);
}

TEST(Estimate, DualPipeBeats1F1BAndZb1p) {
  Scenario s = testing::headline();
  const Seconds dualpipe = estimate(s).step_time;
  s.plan.schedule = ScheduleKind::k1F1B;
  const Estimate one = estimate(s);
  s.plan.schedule = ScheduleKind::kZb1p;
  const Estimate zb = estimate(s);
  EXPECT_LT(dualpipe, zb.step_time);
  EXPECT_LE(zb.step_time, one.step_time);
  EXPECT_GT(one.breakdown.exposed_comm, SecondsOf(0.0));
}

TEST(Estimate, Bf16IsSlowerAndHeavierThanFp8) {
  Scenario s = testing::headline();
  const Estimate fp8 = estimate(s);
  s.precision.kind = PrecisionKind::kBf16;
  s.precision.fp8_dispatch = false;
  const Estimate bf16 = estimate(s);
  EXPECT_GT(bf16.step_time, fp8.step_time);
  EXPECT_GT(bf16.memory_per_gpu, fp8.memory_per_gpu);
}

// FP8 dispatch feeds the experts' FP8 GEMMs (V3TR §3.3.3): a bf16 run
// dispatches BF16 whatever the switch says, and the report says no FP8
// dispatch. Under fp8 the switch halves the dispatch's bytes, so it shows.
TEST(Estimate, Fp8DispatchAppliesToFp8TrainingOnly) {
  Scenario s = testing::headline();
  s.precision.kind = PrecisionKind::kBf16;
  s.precision.fp8_dispatch = true;
  const Estimate on = estimate(s);
  s.precision.fp8_dispatch = false;
  EXPECT_EQ(on.step_time, estimate(s).step_time);
  s.precision.kind = PrecisionKind::kFp8;
  const Estimate fp8_off = estimate(s);
  s.precision.fp8_dispatch = true;
  EXPECT_LT(estimate(s).step_time, fp8_off.step_time);
}

TEST(Estimate, DatasheetRooflineIsAnUpperBoundOnSpeed) {
  Scenario s = testing::headline();
  const Estimate pub = estimate(s);
  s.cluster.efficiency_profile = "datasheet";
  EXPECT_LT(estimate(s).step_time, pub.step_time);
}

TEST(Estimate, APlanThatCannotHoldItsWeightsDoesNotFit) {
  Scenario s = testing::headline();
  s.plan.pp = 1;
  s.plan.dp = 2048;
  s.plan.schedule = ScheduleKind::k1F1B;
  s.training.phases[0].batch.ramp_from = 0;
  s.training.phases[0].batch.sequences = 4096;
  const Estimate e = estimate(s);
  EXPECT_FALSE(e.fits);
  bool said = false;
  for (const auto& w : e.warnings) said |= w.find("does not fit") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Estimate, MoreIbBandwidthNeverHurts) {
  Scenario s = testing::headline();
  s.plan.schedule = ScheduleKind::k1F1B;
  const Seconds slow = estimate(s).step_time;
  s.cluster.ib_achievable = s.cluster.ib_achievable * 2.0;
  EXPECT_LT(estimate(s).step_time, slow);
}

}  // namespace moesim

#include "sim/scenario/scenario_json.h"

namespace moesim {

TEST(Estimate, ANamedCalibrationProfileDrivesTheEstimate) {
  const Scenario cal = load_scenario("tests/data/scenarios/calibrated-headline.json");
  ASSERT_TRUE(cal.cluster.calibration);
  EXPECT_TRUE(cal.cluster.calibration->measured);
  const Estimate a = estimate(cal);
  const Estimate pub = estimate(testing::headline());
  EXPECT_GT(a.step_time, pub.step_time);  // the fixture's kernels are slower
  bool named = false;
  for (const auto& c : a.caveats)
    named |= c.find("measured H800") != std::string::npos &&
             c.find("h800-fixture-measured.json") != std::string::npos &&
             c.find("memory-bound ops at the roofline (not measured)") != std::string::npos;
  EXPECT_TRUE(named);
}

}  // namespace moesim
