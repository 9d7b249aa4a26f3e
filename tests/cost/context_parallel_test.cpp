// Context parallelism and per-phase plans in the cost model (issue 16): the
// K/V exchange against hand computations, the per-GPU work and activations
// falling as 1/cp, and each phase priced on its own plan.
#include <gtest/gtest.h>

#include "sim/cost/comm_model.h"
#include "sim/cost/estimate.h"
#include "sim/cost/stage_cost.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {
namespace {

TEST(ContextParallel, AllGatherExchangeByHand) {
  // 1 GB of K/V over 4 ranks at 100 GB/s, no latency: the ring all-gather
  // moves 3/4 of it through each link, 7.5 ms; backward gathers again and
  // reduce-scatters the gradients, 15 ms.
  const CpExchange x = cp_exchange(CpKind::kAllGather, 4, GB(1), GBPerSecond(100), Seconds(),
                                   SecondsOf(1.0), SecondsOf(2.0));
  EXPECT_NEAR(seconds(x.fwd), 7.5e-3, 1e-12);
  EXPECT_NEAR(seconds(x.bwd), 15e-3, 1e-12);
  // With 2 us latency: 3 ring steps of it more.
  const CpExchange l = cp_exchange(CpKind::kAllGather, 4, GB(1), GBPerSecond(100),
                                   Microseconds(2), Seconds(), Seconds());
  EXPECT_NEAR(seconds(l.fwd), 7.5e-3 + 6e-6, 1e-12);
  EXPECT_EQ(seconds(cp_exchange(CpKind::kAllGather, 1, GB(1), GBPerSecond(100), Seconds(),
                                Seconds(), Seconds()).fwd), 0.0);
}

TEST(ContextParallel, RingExchangeIsExposedOnlyBeyondTheAttention) {
  // 3 steps of 0.25 GB at 100 GB/s = 2.5 ms each, under 1/4 of a 4 ms
  // attention = 1 ms: 1.5 ms exposed per step, 4.5 ms. Backward moves the
  // share and its gradient (5 ms a step) under 2 ms of an 8 ms backward: 9 ms.
  const CpExchange x = cp_exchange(CpKind::kRing, 4, GB(1), GBPerSecond(100), Seconds(),
                                   Milliseconds(4), Milliseconds(8));
  EXPECT_NEAR(seconds(x.fwd), 4.5e-3, 1e-12);
  EXPECT_NEAR(seconds(x.bwd), 9e-3, 1e-12);
  // Attention long enough to hide every step: nothing exposed.
  const CpExchange hidden = cp_exchange(CpKind::kRing, 4, GB(1), GBPerSecond(100), Seconds(),
                                        Milliseconds(40), Milliseconds(80));
  EXPECT_EQ(seconds(hidden.fwd), 0.0);
  EXPECT_EQ(seconds(hidden.bwd), 0.0);
}

TEST(ContextParallel, GroupsInsideANodeUseNvlink) {
  const ClusterSpec c = testing::headline().cluster;
  EXPECT_EQ(bytes_per_s(cp_link(2, 4, c).bw), bytes_per_s(c.nvlink_achievable));
  EXPECT_EQ(bytes_per_s(cp_link(1, 8, c).bw), bytes_per_s(c.nvlink_achievable));
  EXPECT_EQ(bytes_per_s(cp_link(2, 8, c).bw), bytes_per_s(c.ib_achievable));
}

// DeepSeek-V3 at 32K: CP4 takes a quarter of every sequence to each GPU, so
// its work and activations per micro-batch are exactly a quarter (attention
// too, by the load-balanced chunks), plus the K/V exchange.
TEST(ContextParallel, WorkAndActivationsPerGpuFallAsOneOverCp) {
  Scenario s = testing::headline();
  const StageCosts one = price_stages(s, 16, 32768, true);
  s.plan.cp = 4;
  s.plan.dp = 32;
  const StageCosts four = price_stages(s, 16, 32768, true);
  for (UnitCost UnitPrices::*u : {&UnitPrices::moe, &UnitPrices::dense}) {
    const UnitCost& a = one.units.*u;
    const UnitCost& b = four.units.*u;
    EXPECT_NEAR(flops(b.model_flops) / flops(a.model_flops), 0.25, 1e-12);
    EXPECT_NEAR(bytes(b.activations) / bytes(a.activations), 0.25, 1e-12);
    EXPECT_EQ(seconds(a.cp_fwd), 0.0);
    EXPECT_GT(seconds(b.cp_fwd), 0.0);
    EXPECT_NEAR(seconds(b.cp_bwd), 2 * seconds(b.cp_fwd), 1e-15);
  }
  // By hand: 128 heads x (192 + 128) x 2 B x 32,768 tokens = 2.68 GB of K/V,
  // 3/4 of it over NVLink (CP4 in one node) before each attention.
  const ClusterSpec& c = s.cluster;
  const double kv = 128.0 * 320 * 2 * 32768;
  const double expect = 0.75 * kv / bytes_per_s(c.nvlink_achievable) + 3 * seconds(c.nvlink_latency);
  EXPECT_NEAR(seconds(four.units.moe.cp_fwd), expect, 1e-9 * expect);
  s.plan.cp_kind = CpKind::kRing;
  const StageCosts ring = price_stages(s, 16, 32768, true);
  EXPECT_LE(seconds(ring.units.moe.cp_fwd), seconds(four.units.moe.cp_fwd));
}

// A phase with a plan of its own is priced exactly as a scenario whose plan
// that is; the others keep the scenario's.
TEST(PhasePlanPricing, EachPhaseRunsOnItsOwnPlan) {
  Scenario s = testing::headline();
  TrainingPhase ext;
  ext.name = "32K";
  ext.steps = 1000;
  ext.seq_len = 32768;
  ext.batch.sequences = 1920;
  ParallelPlan p = s.plan;
  p.cp = 4;
  p.dp = 32;
  ext.plan = p;
  s.training.phases.push_back(ext);
  const Estimate e = estimate(s);
  ASSERT_EQ(e.phases.size(), 2u);
  EXPECT_FALSE(e.phases[0].own_plan);
  EXPECT_TRUE(e.phases[1].own_plan);
  EXPECT_EQ(e.phases[1].plan, p);
  EXPECT_EQ(e.phases[1].micro_batches, 60);  // 1920 / 32

  Scenario alone = testing::headline();
  alone.plan = p;
  ext.plan.reset();
  alone.training.phases = {ext};
  const Estimate a = estimate(alone);
  EXPECT_EQ(seconds(e.phases[1].step_time), seconds(a.step_time));
  EXPECT_EQ(e.phases[1].gpu_hours, a.gpu_hours);
  EXPECT_EQ(bytes(e.phases[1].memory_per_gpu), bytes(a.memory_per_gpu));
  // The first phase is the headline's, and the run's memory the larger.
  const Estimate h = estimate(testing::headline());
  EXPECT_EQ(seconds(e.step_time), seconds(h.step_time));
  EXPECT_EQ(bytes(e.memory_per_gpu), std::max(bytes(h.memory_per_gpu), bytes(a.memory_per_gpu)));
  EXPECT_NEAR(e.gpu_hours, h.gpu_hours + a.gpu_hours, 1e-9 * e.gpu_hours);
}

}  // namespace
}  // namespace moesim
