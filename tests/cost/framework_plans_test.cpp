// The plans of issue 16 parts 3, 4 and 7 on DeepSeek-V3 (the headline
// scenario's model and cluster): Megatron-Core's EP all-to-all overlap and
// shared-expert overlap, ZeRO-3 / FSDP's per-unit collectives, and full
// recomputation limited to a chunk's first layers. Each against a hand
// computation or an exact relation between two plans.
#include <gtest/gtest.h>

#include "sim/cost/chunk_chains.h"
#include "sim/cost/comm_model.h"
#include "sim/cost/estimate.h"
#include "sim/cost/generation_time.h"
#include "sim/cost/stage_cost.h"
#include "sim/cost/step_boundary.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {
namespace {

// The headline on interleaved 1F1B (v 2) without a batch ramp, 128
// micro-batches per DP rank (a multiple of pp 16), no SMs held back.
Scenario interleaved() {
  Scenario s = testing::headline();
  s.plan.schedule = ScheduleKind::kInterleaved1F1B;
  s.plan.virtual_stages = 2;
  s.plan.comm_sms = 0;
  s.training.phases[0].batch = BatchSchedule{16384, 0, 0};
  return s;
}

TEST(EpA2aOverlap, HidesEpCallsBehindThePairedMicroBatch) {
  Scenario s = interleaved();
  const Estimate plain = estimate(s);
  s.plan.ep_a2a_overlap = true;
  const Estimate paired = estimate(s);
  EXPECT_LT(seconds(paired.step_time), seconds(plain.step_time));
  EXPECT_LT(seconds(paired.breakdown.exposed_comm), 0.5 * seconds(plain.breakdown.exposed_comm));
  // Same work: the compute is what the two plans share, within the pairs'
  // list-scheduling of the same op times.
  EXPECT_NEAR(seconds(paired.breakdown.compute), seconds(plain.breakdown.compute),
              0.05 * seconds(plain.breakdown.compute));
}

TEST(EpA2aOverlap, HoldsOneMoreChunkOfActivations) {
  // Interleaved 1F1B holds pp (1 + (pp-1)/(pp v)) = 16 x (1 + 15/32) = 23.5
  // micro-batches of a rank's stages on rank 0; the extra warm-up forward
  // adds one chunk, 1/v of them: 24.
  Scenario s = interleaved();
  const Estimate plain = estimate(s);
  s.plan.ep_a2a_overlap = true;
  const Estimate paired = estimate(s);
  const double a = bytes(plain.ranks[0].memory.activations);
  EXPECT_NEAR(bytes(paired.ranks[0].memory.activations), a * 24.0 / 23.5, 1e-9 * a);
}

TEST(SharedExpertOverlap, EachMoeLayerHidesTheSharedExpertsOrItsDispatch) {
  // A forward chain of MoE layers: attention, dispatch, experts, combine in
  // turn. With the shared experts beside the dispatch a layer takes
  // min(shared experts, notify + dispatch) less.
  Scenario s = testing::headline();
  s.plan.schedule = ScheduleKind::k1F1B;
  s.plan.comm_sms = 0;
  const StageCosts costs = price_stages(s, 16, 4096, false);
  const int stage = 5;
  const StageCost& st = costs.stages[stage];
  ASSERT_EQ(st.dense_layers, 0);
  ASSERT_GT(st.moe_layers, 1);
  ChainContext c = chain_context(s, costs);
  c.names = false;
  const Seconds plain = interleave(stage_chain(c, stage, ChainPass::kForward), {}).span;
  s.plan.shared_expert_overlap = true;
  ChainContext beside = chain_context(s, costs);
  beside.names = false;
  const Seconds hidden = interleave(stage_chain(beside, stage, ChainPass::kForward), {}).span;
  const UnitCost& u = costs.units.moe;
  ASSERT_GT(seconds(u.shared_fwd), 0.0);
  const double per_layer =
      std::min(seconds(u.shared_fwd), seconds(c.notify.dispatch + c.dispatch_guess));
  EXPECT_NEAR(seconds(plain - hidden), st.moe_layers * per_layer, 1e-9 * seconds(plain));
}

TEST(SharedExpertOverlap, LowersTheStepOfAPlanThatExposesItsCalls) {
  Scenario s = testing::headline();
  s.plan.schedule = ScheduleKind::k1F1B;
  s.plan.comm_sms = 0;
  const Estimate plain = estimate(s);
  s.plan.shared_expert_overlap = true;
  const Estimate beside = estimate(s);
  EXPECT_LT(seconds(beside.breakdown.exposed_comm), seconds(plain.breakdown.exposed_comm));
  EXPECT_LT(seconds(beside.step_time), seconds(plain.step_time));
}

double ring(double bytes_total, int n, const ClusterSpec& c) {
  if (n <= 1) return 0;
  return (n - 1.0) / n * bytes_total / bytes_per_s(c.ib_achievable) +
         (n - 1) * seconds(c.ib_latency);
}

TEST(Fsdp, UnitCollectivesByHand) {
  // ZeRO-3 over the headline's 128 DP ranks (one GPU per node in each DP
  // group: InfiniBand): a MoE layer gathers its BF16 dense weights over 128
  // ranks and its routed experts over their dp / ep = 2 replicas, and
  // reduce-scatters FP32 gradients over the same groups.
  Scenario s = testing::headline();
  s.plan.zero_stage = 3;
  const StageCosts c = price_stages(s, 16, 4096, true);
  const UnitCost& u = c.units.moe;
  const double gather = ring(u.params_dense * 2, 128, s.cluster) + ring(u.params_expert * 2, 2, s.cluster);
  const double scatter = ring(u.params_dense * 4, 128, s.cluster) + ring(u.params_expert * 4, 2, s.cluster);
  EXPECT_NEAR(seconds(u.fsdp_gather), gather, 1e-9 * gather);
  EXPECT_NEAR(seconds(u.fsdp_scatter), scatter, 1e-9 * scatter);
  // What the unit's own compute leaves exposed.
  EXPECT_NEAR(seconds(u.fsdp_fwd), std::max(0.0, gather - seconds(u.fwd)), 1e-12);
  EXPECT_NEAR(seconds(u.fsdp_bwd),
              std::max(0.0, gather + scatter - seconds(u.bwd_input + u.bwd_weight)), 1e-12);
  // The chunk's first gather is exposed: stage 1 starts with a MoE layer.
  EXPECT_EQ(seconds(c.stages[1].fsdp_lead_fwd), seconds(u.fsdp_gather));
  // Nothing is left for the step's end.
  EXPECT_EQ(seconds(dp_sync_time(s, {1}, c).total()), 0.0);
  // ZeRO-1: no per-unit collectives, the step-end sync instead.
  s.plan.zero_stage = 1;
  const StageCosts z1 = price_stages(s, 16, 4096, true);
  EXPECT_EQ(seconds(z1.units.moe.fsdp_gather), 0.0);
  EXPECT_GT(seconds(dp_sync_time(s, {1}, z1).total()), 0.0);
}

TEST(Fsdp, ReshardingTradesMemoryForAGatherInBackward) {
  Scenario s = testing::headline();
  s.plan.zero_stage = 3;
  const Estimate resharded = estimate(s);
  const StageCosts costs = price_stages(s, 16, 4096, true);
  const UnitCost& layer = costs.units.moe;
  s.plan.reshard_after_forward = false;
  const Estimate kept = estimate(s);
  // Resharded: the shards plus two gathered MoE layers (rank 1 holds MoE
  // layers only); kept: every parameter of the rank gathered.
  const double params = resharded.ranks[1].params;
  const double two_layers = 2 * (layer.params_dense + layer.params_expert);
  const double diff =
      bytes(kept.ranks[1].memory.weights) - bytes(resharded.ranks[1].memory.weights);
  EXPECT_NEAR(diff, (params - two_layers) * 2.0, 1e-6 * params);
  // No second gather in backward: never slower.
  EXPECT_LE(seconds(kept.step_time), seconds(resharded.step_time));
}

TEST(RecomputeLayers, OnlyTheFirstLayersOfAChunkAreRecomputed) {
  Scenario s = testing::headline();
  s.plan.recompute.full = true;
  const StageCosts all = price_stages(s, 16, 4096, true);
  s.plan.recompute.layers = 2;
  const StageCosts two = price_stages(s, 16, 4096, true);
  s.plan.recompute = testing::headline().plan.recompute;
  const StageCosts none = price_stages(s, 16, 4096, true);
  const StageCost& a = all.stages[5];
  const StageCost& t = two.stages[5];
  const StageCost& n = none.stages[5];
  ASSERT_EQ(a.moe_layers, t.moe_layers);
  const int layers = a.moe_layers;
  ASSERT_GT(layers, 2);
  // Two layers at full recomputation's cost and memory, the rest at the
  // plan's selective switches.
  const UnitCost& full = all.units.moe;
  const UnitCost& kept = none.units.moe;
  const double act = 2 * bytes(full.activations) + (layers - 2) * bytes(kept.activations);
  EXPECT_NEAR(bytes(t.total.activations), act, 1e-9 * act);
  const double bwd = 2 * seconds(full.bwd_input) + (layers - 2) * seconds(kept.bwd_input);
  EXPECT_NEAR(seconds(t.total.bwd_input), bwd, 1e-9 * bwd);
  EXPECT_LT(bytes(a.total.activations), bytes(t.total.activations));
  EXPECT_LT(bytes(t.total.activations), bytes(n.total.activations));
  // As many layers as the chunk holds: full recomputation.
  s.plan.recompute.full = true;
  s.plan.recompute.layers = 1000;
  EXPECT_EQ(bytes(price_stages(s, 16, 4096, true).stages[5].total.activations),
            bytes(a.total.activations));
}

// Llama 3.1 405B on 2,048 H100, TP8 inside the node x PP16 x DP16, 8K.
Scenario llama_tp8() {
  Scenario s = testing::headline();
  s.model = testing::llama31_405b();
  s.cluster = default_cluster(*find_gpu("H100"), 256);
  s.plan = ParallelPlan{};
  s.plan.pp = 16;
  s.plan.dp = 16;
  s.plan.tp = 8;
  s.precision = PrecisionSpec{};
  s.training.phases[0].seq_len = 8192;
  s.training.phases[0].batch = BatchSchedule{2048, 0, 0};
  return s;
}

TEST(TpCommOverlap, EachCollectiveHidesBehindItsGemmButTheFirstChunk) {
  // A TP all-gather or reduce-scatter c beside a GEMM g costs
  // max(c, g) + min(c, g)/tp: exposed, max(0, c - g) + min(c, g)/tp, at
  // least c/tp and at most c. Llama 405B's GEMMs at TP8 and 8K tokens
  // outlast every collective, so each leaves exactly c/tp: four a pass.
  Scenario s = llama_tp8();
  const ClusterSpec& c = s.cluster;
  const double act = 8192.0 * 16384 * 2;  // the TP group's tokens, BF16
  const double one = 7.0 / 8 * act / bytes_per_s(c.nvlink_achievable) + 7 * seconds(c.nvlink_latency);
  const UnitCost plain = price_stages(s, 16, 8192, false).units.dense;
  EXPECT_NEAR(seconds(plain.tp_fwd), 4 * one, 1e-9 * one);
  s.plan.tp_comm_overlap = true;
  const UnitCost hidden = price_stages(s, 16, 8192, false).units.dense;
  EXPECT_NEAR(seconds(hidden.tp_fwd), 4 * one / 8, 1e-9 * one);
  EXPECT_NEAR(seconds(hidden.tp_bwd), 4 * one / 8, 1e-9 * one);
  EXPECT_LT(seconds(estimate(s).step_time), seconds(estimate(llama_tp8()).step_time));
}

TEST(TpCommOverlap, NeverExposesLessThanAChunkNorMoreThanTheCollective) {
  // DeepSeek-V3 at TP2: MLA's small down-projections do not cover the
  // all-gather before them.
  Scenario s = testing::headline();
  s.plan.tp = 2;
  s.plan.dp = 64;
  const UnitCost plain = price_stages(s, 16, 4096, true).units.moe;
  s.plan.tp_comm_overlap = true;
  const UnitCost hidden = price_stages(s, 16, 4096, true).units.moe;
  EXPECT_LE(seconds(hidden.tp_fwd), seconds(plain.tp_fwd));
  EXPECT_GE(seconds(hidden.tp_fwd), seconds(plain.tp_fwd) / 2 - 1e-15);
  EXPECT_LT(seconds(hidden.tp_fwd), seconds(plain.tp_fwd));
}

// DeepSeek-V3's headline plan, then a generation phase on the same plan.
Scenario with_rollouts(double tokens, int seq_len, int prompt_len, int batch) {
  Scenario s = testing::headline();
  TrainingPhase g;
  g.name = "rollouts";
  g.kind = PhaseKind::kGeneration;
  g.tokens = tokens;
  g.seq_len = seq_len;
  g.prompt_len = prompt_len;
  g.batch.sequences = batch;
  s.training.phases.push_back(g);
  return s;
}

TEST(Generation, DecodeReadsTheWeightsAndKvCacheOfEachIteration) {
  // 128 replicas decode 8 sequences each: a rank reads its FP8 weights
  // (routed experts where a token lands) and 8 sequences' KV cache at the
  // mean context, which at 8 tokens a GPU is far slower than its FLOPs.
  const Scenario s = with_rollouts(1e9, 4096, 1024, 1024);
  const PhaseScenario ps(s, 1);
  const GenerationPrice g = price_generation(ps.get(), s.training.phases[1]);
  EXPECT_EQ(g.sequences_per_replica, 8.0);
  EXPECT_EQ(g.response_len, 3072);
  EXPECT_EQ(g.mean_context, 1024 + 1536.0);
  EXPECT_TRUE(g.memory_bound);
  // Lower bound: the largest rank's weights at HBM speed; the iteration
  // also reads the KV cache and makes EP calls.
  const double floor = bytes(g.weights_per_gpu) * 0.5 / bytes_per_s(s.cluster.gpu.hbm_bandwidth);
  EXPECT_GT(seconds(g.iteration), floor);
  EXPECT_LT(seconds(g.iteration), 1.0);
  // Twice the batch: the weights are read once for twice the tokens.
  const Scenario s2 = with_rollouts(1e9, 4096, 1024, 2048);
  const PhaseScenario ps2(s2, 1);
  const GenerationPrice g2 = price_generation(ps2.get(), s2.training.phases[1]);
  EXPECT_LT(seconds(g2.iteration), 2 * seconds(g.iteration));
  EXPECT_GT(seconds(g2.iteration), seconds(g.iteration));
}

TEST(Generation, APhaseAddsItsHoursButNoTrainingTokens) {
  const Scenario train = testing::headline();
  const Scenario both = with_rollouts(1e9, 4096, 1024, 1024);
  const Estimate a = estimate(train), b = estimate(both);
  ASSERT_EQ(b.phases.size(), 2u);
  const PhaseEstimate& g = b.phases[1];
  EXPECT_EQ(g.kind, PhaseKind::kGeneration);
  // Batches of 1,024 x 3,072 generated tokens, each its prefill and decode.
  EXPECT_NEAR(g.steps, 1e9 / (1024.0 * 3072), 1e-9);
  EXPECT_NEAR(g.gpu_hours, hours(g.step_time) * g.steps * 2048, 1e-6 * g.gpu_hours);
  EXPECT_NEAR(b.gpu_hours, a.gpu_hours + g.gpu_hours, 1e-9 * b.gpu_hours);
  // Per-trillion-tokens is over trained tokens only.
  EXPECT_NEAR(b.gpu_hours_per_trillion_tokens, b.gpu_hours / 14.8, 1e-6 * b.gpu_hours);
  EXPECT_EQ(b.step_time, a.step_time);
}

}  // namespace
}  // namespace moesim
