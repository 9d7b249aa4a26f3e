// The routing model in the step: balanced costs nothing, a skewed histogram
// sizes the expert block and the EP calls for the busiest EP rank.
#include "sim/cost/expert_load.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/cost/estimate.h"
#include "sim/cost/stage_cost.h"
#include "sim/scenario/scenario_json.h"

namespace moesim {
namespace {

Scenario headline() {
  return load_scenario(std::string(MOESIM_SOURCE_DIR) +
                       "/scenarios/deepseek-v3-pretrain-2048xH800.json");
}

// Weight on the experts of the first half of the EP64 group (experts 0..127,
// ranks 0..31, expert groups 0..3), none on the rest.
RoutingSpec half_the_ranks() {
  RoutingSpec r;
  r.popularity = ExpertPopularity::kHistogram;
  r.expert_weights.assign(256, 0.0);
  for (int e = 0; e < 128; ++e) r.expert_weights[e] = 1.0;
  return r;
}

double choose(int n, int k) {
  double c = 1;
  for (int i = 0; i < k; ++i) c = c * (n - i) / (i + 1);
  return c;
}

TEST(ExpertLoad, UniformIsExactlyBalancedAndSamplesNothing) {
  const Scenario s = headline();
  const ExpertLoad l = scenario_expert_load(s, 4096);
  EXPECT_EQ(l.compute, 1.0);
  EXPECT_EQ(l.receive, 1.0);
}

// By hand: the four weighted expert groups (0..3, ranks 0..31) are always the
// four a token chooses, and its 8 experts are uniform among their 128. Each of
// those ranks runs twice the mean rows (sampling noise aside). A rank receives
// a token when any of the token's 8 experts is among its 4: p = 1 - C(124,8) /
// C(128,8) here; balanced, the rank's group is chosen with probability 4/8 and
// then the same p, so the busiest rank receives 2x the mean too.
TEST(ExpertLoad, HalfTheRanksCarryTwiceTheRowsAsComputedByHand) {
  Scenario s = headline();
  s.training.routing = half_the_ranks();
  ASSERT_TRUE(validate_scenario(s, ScenarioSources{}).empty());
  const ExpertLoad l = scenario_expert_load(s, 4096);
  EXPECT_NEAR(l.compute, 2.0, 0.03);
  EXPECT_LT(l.busiest_rank, 32);
  const double p = 1 - choose(124, 8) / choose(128, 8);
  EXPECT_NEAR(l.receive, p / (0.5 * p), 0.03);
}

// The expert block is sized for the busiest rank: its routed ops (grouped
// GEMMs, their casts, SwiGLU, permutes) scale with the rows, the shared expert
// does not; the EP calls scale with the received tokens. The step is slower.
TEST(ExpertLoad, TheStepPricesTheBusiestRank) {
  const Scenario even = headline();
  Scenario skew = even;
  skew.training.routing = half_the_ranks();
  const ExpertLoad l = scenario_expert_load(skew, 4096);
  const UnitCost a = price_stages(even, 16, 4096, false).units.moe;
  const UnitCost b = price_stages(skew, 16, 4096, false).units.moe;
  // Shared-expert forward, unchanged by routing: from the op graph.
  ComputeModel cm(even.cluster.gpu, efficiency_table(even.cluster), true, 0);
  Seconds shared;
  for (const Op& op : expand_layer(even.model, LayerKind::kMoe, expand_context(even, 4096)).ops)
    if (op.name.rfind("moe.shared.", 0) == 0) shared += cm.time(op, Pass::kForward);
  const Seconds routed = a.expert_fwd - shared;
  EXPECT_NEAR(seconds(b.expert_fwd - shared) / seconds(routed), l.compute, 0.01 * l.compute);
  EXPECT_NEAR(b.ep_dispatch / a.ep_dispatch, l.receive, 1e-9);
  EXPECT_EQ(a.fwd - a.expert_fwd, b.fwd - b.expert_fwd);  // attention: no change
  EXPECT_GT(estimate(skew).step_time, estimate(even).step_time);
  // The report says what it assumed.
  bool said = false;
  for (const std::string& c : estimate(skew).caveats) said = said || c.find("histogram") != std::string::npos;
  EXPECT_TRUE(said);
}

// Redundant experts on a skewed routing: the busiest GPU runs fewer rows, so
// the step is faster, and every GPU holds the extra copies.
TEST(ExpertLoad, RedundantExpertsEvenOutAZipfLoad) {
  Scenario skew = headline();
  skew.training.routing.popularity = ExpertPopularity::kZipf;
  skew.training.routing.zipf_exponent = 0.6;
  Scenario eplb = skew;
  eplb.plan.redundant_experts = 64;
  ASSERT_TRUE(validate_scenario(eplb, ScenarioSources{}).empty());
  const ExpertLoad a = scenario_expert_load(skew, 4096), b = scenario_expert_load(eplb, 4096);
  EXPECT_GT(a.compute, 3.0);
  EXPECT_LT(b.compute, a.compute / 2);
  EXPECT_LT(estimate(eplb).step_time, estimate(skew).step_time);
  const UnitCost x = price_stages(skew, 16, 4096, false).units.moe;
  const UnitCost y = price_stages(eplb, 16, 4096, false).units.moe;
  EXPECT_NEAR(y.params_expert / x.params_expert, (256.0 + 64) / 256, 1e-12);
  // Balanced routing with copies: no sampling, EPLB on equal loads.
  Scenario flat = headline();
  flat.plan.redundant_experts = 64;
  EXPECT_NEAR(scenario_expert_load(flat, 4096).compute, 1.0, 0.3);
  Scenario bad = headline();
  bad.plan.redundant_experts = 10;
  EXPECT_FALSE(validate_scenario(bad, ScenarioSources{}).empty());
}

// Token dropping by hand on four experts over two ranks: a capacity of 1 x
// the mean expert's 5 tokens cuts expert 0 from 10 to 5, a quarter of the 20
// applications; rank 0 keeps 7 of its 12 rows, so what it receives shrinks by
// 7/12; rank 1 keeps everything; the one node keeps 15 of its 20.
TEST(ExpertLoad, CapacityDropsWhatExceedsItAsComputedByHand) {
  EpTraffic t;
  t.ep = 2;
  t.gpus_per_node = 8;
  t.nodes = 1;
  t.expert_tokens = {10, 2, 4, 4};
  t.rank_tokens = {6, 3, 6, 3};  // s -> d
  t.node_tokens = {7, 7};
  EXPECT_DOUBLE_EQ(drop_over_capacity(t, 4, 1.0), 0.25);
  EXPECT_EQ(t.expert_tokens, (std::vector<int64_t>{5, 2, 4, 4}));
  EXPECT_EQ(t.rank_tokens, (std::vector<int64_t>{4, 3, 4, 3}));  // 6 x 7/12 = 3.5, rounded
  EXPECT_EQ(t.node_tokens, (std::vector<int64_t>{5, 5}));  // the one node keeps 15 of 20: 5.25
}

// In the step: all weight on half the ranks gives each of their experts 2x
// its mean; a capacity factor of 1.25 keeps 1.25/2 of it, so about 37.5% of
// the applications are dropped and the busiest rank runs 1.25x the mean rows
// (of the mean before dropping); a factor no expert reaches drops nothing.
TEST(ExpertLoad, CapacityCapsTheBusiestRank) {
  Scenario s = headline();
  s.training.routing = half_the_ranks();
  s.training.balancing.method = BalancingMethod::kCapacity;
  s.training.balancing.capacity_factor = 1.25;
  ASSERT_TRUE(validate_scenario(s, ScenarioSources{}).empty());
  const ExpertLoad l = scenario_expert_load(s, 4096);
  EXPECT_NEAR(l.compute, 1.25, 0.01);
  EXPECT_NEAR(l.dropped, 0.375, 0.01);
  EXPECT_NEAR(l.receive, 2.0 * 1.25 / 2.0, 0.05);
  Scenario wide = s;
  wide.training.balancing.capacity_factor = 100;
  const ExpertLoad w = scenario_expert_load(wide, 4096);
  Scenario none = s;
  none.training.balancing = BalancingSpec{};
  EXPECT_EQ(w.dropped, 0.0);
  EXPECT_DOUBLE_EQ(w.compute, scenario_expert_load(none, 4096).compute);
  EXPECT_LT(estimate(s).step_time, estimate(none).step_time);
  // Uniform is exactly balanced: a factor under 1 cuts every expert alike.
  Scenario flat = headline();
  flat.training.balancing = s.training.balancing;
  flat.training.balancing.capacity_factor = 0.8;
  const ExpertLoad f = scenario_expert_load(flat, 4096);
  EXPECT_DOUBLE_EQ(f.compute, 0.8);
  EXPECT_NEAR(f.dropped, 0.2, 1e-12);
  flat.training.balancing.capacity_factor = 1.0;
  EXPECT_EQ(scenario_expert_load(flat, 4096).dropped, 0.0);
}

// Auxiliary-loss-free balancing over the run: the headline step is the
// steady one (near balance), the run's first steps price the skew, and the
// phase's time lies between the balanced run and one that stays skewed; a
// larger gamma balances sooner and costs less; gamma 0 never balances.
TEST(ExpertLoad, AuxFreeBalancingPricesTheTransient) {
  Scenario skew = headline();
  skew.training.routing.popularity = ExpertPopularity::kZipf;
  skew.training.routing.zipf_exponent = 0.3;
  Scenario slow = skew, fast = skew, frozen = skew;
  slow.training.balancing.method = fast.training.balancing.method =
      frozen.training.balancing.method = BalancingMethod::kAuxFree;
  slow.training.balancing.gamma = 0.001;
  fast.training.balancing.gamma = 0.01;
  frozen.training.balancing.gamma = 0.0;
  ASSERT_TRUE(validate_scenario(slow, ScenarioSources{}).empty());
  const Estimate balanced = estimate(headline()), skewed = estimate(skew);
  const Estimate a = estimate(slow), b = estimate(fast), z = estimate(frozen);
  ASSERT_TRUE(a.load && b.load && z.load);
  EXPECT_LT(a.load->steady.compute, 1.05);
  EXPECT_GT(a.load->start.compute, 3.0);
  EXPECT_EQ(a.load->start.compute, skewed.load->steady.compute);
  EXPECT_LT(a.step_time, balanced.step_time * 1.03);
  EXPECT_NEAR(seconds(a.load->start_step_time), seconds(skewed.step_time), 1e-9);
  EXPECT_GT(a.gpu_hours, balanced.gpu_hours);
  EXPECT_LT(a.gpu_hours, skewed.gpu_hours);
  EXPECT_GT(a.load->transient_gpu_hours, 0);
  EXPECT_NEAR(a.gpu_hours - a.load->transient_gpu_hours,
              balanced.gpu_hours * seconds(a.step_time) / seconds(balanced.step_time),
              0.01 * balanced.gpu_hours);
  // Ten times gamma: about a tenth of the steps to balance, and less extra.
  ASSERT_GT(b.load->steps_to_5pct, 0);
  EXPECT_NEAR(static_cast<double>(a.load->steps_to_5pct) / b.load->steps_to_5pct, 10.0, 3.0);
  EXPECT_LT(b.load->transient_gpu_hours, a.load->transient_gpu_hours / 3);
  // No updates: the skew stays, the run is the skewed one.
  EXPECT_EQ(z.load->steady.compute, skewed.load->steady.compute);
  EXPECT_EQ(z.step_time, skewed.step_time);
  EXPECT_NEAR(z.gpu_hours, skewed.gpu_hours, 1e-9 * skewed.gpu_hours);
}

// Measured counts by hand: 4 experts on 2 ranks, top-2. Rank 0 holds 8 of 10
// rows (x1.6 the mean 5); a token reaches it with 1 - 0.2^2 = 0.96, rank 1
// with 1 - 0.8^2 = 0.36, so it receives 0.96 / 0.66 of the mean. A capacity
// of 1 x the mean expert (2.5) keeps 2.5 of expert 0's 6: rank 0 runs 4.5
// (x0.9 of the mean before dropping), 35% is dropped, and rank 0 receives
// 0.96 x 4.5/8 against 0.66.
TEST(ExpertLoad, MeasuredCountsAreTheLoadAsComputedByHand) {
  const ExpertLoad l = measured_load({6, 2, 1, 1}, 2, 2);
  EXPECT_DOUBLE_EQ(l.compute, 1.6);
  EXPECT_NEAR(l.receive, 0.96 / 0.66, 1e-12);
  EXPECT_EQ(l.busiest_rank, 0);
  EXPECT_EQ(l.dropped, 0.0);
  const ExpertLoad c = measured_load({6, 2, 1, 1}, 2, 2, 1.0);
  EXPECT_NEAR(c.compute, 0.9, 1e-12);
  EXPECT_NEAR(c.dropped, 0.35, 1e-12);
  EXPECT_NEAR(c.receive, 0.96 * 4.5 / 8 / 0.66, 1e-12);
}

// Per-layer measured loads in the step: even counts price exactly as
// uniform; half the layers with all tokens on half the ranks (x2) and half
// even give the mean, x1.5; EPLB's copies, placed per layer, lower it.
TEST(ExpertLoad, MeasuredLayerLoadsAverageOverTheLayers) {
  const Scenario even = headline();
  Scenario flat = even;
  flat.training.routing.popularity = ExpertPopularity::kMeasured;
  flat.training.routing.layer_loads = {std::vector<double>(256, 100.0)};
  ASSERT_TRUE(validate_scenario(flat, ScenarioSources{}).empty());
  EXPECT_EQ(scenario_expert_load(flat, 4096).compute, 1.0);
  EXPECT_EQ(scenario_expert_load(flat, 4096).receive, 1.0);
  EXPECT_EQ(estimate(flat).step_time, estimate(even).step_time);

  Scenario mixed = even;
  mixed.training.routing.popularity = ExpertPopularity::kMeasured;
  std::vector<double> hot(256, 0.0);
  for (int e = 0; e < 256; ++e) hot[e] = e % 32 < 16 ? 100 : 0;  // half of each node's ranks
  for (int i = 0; i < even.model.num_moe_layers(); ++i)
    mixed.training.routing.layer_loads.push_back(i % 2 ? hot : std::vector<double>(256, 50.0));
  ASSERT_TRUE(validate_scenario(mixed, ScenarioSources{}).empty());
  const ExpertLoad m = scenario_expert_load(mixed, 4096);
  EXPECT_NEAR(m.compute, 1.5, 1e-12);
  const double reach_hot = 1 - std::pow(1 - 1.0 / 32, 8);
  EXPECT_NEAR(m.receive, 0.5 * (1 + reach_hot / (0.5 * reach_hot)), 1e-12);
  EXPECT_GT(estimate(mixed).step_time, estimate(even).step_time);
  Scenario copies = mixed;
  copies.plan.redundant_experts = 64;
  EXPECT_LT(scenario_expert_load(copies, 4096).compute, m.compute);
  // Neither one row for all layers nor one per MoE layer: named.
  Scenario wrong = mixed;
  wrong.training.routing.layer_loads.resize(3);
  EXPECT_FALSE(validate_scenario(wrong, ScenarioSources{}).empty());
}

// Long micro-batches are routed from a bounded sample (16,384 tokens per
// rank) scaled up: the same shares, so the same load, in bounded time.
TEST(ExpertLoad, LongMicroBatchesAreRoutedFromABoundedSample) {
  Scenario s = headline();
  s.training.routing.popularity = ExpertPopularity::kZipf;
  s.training.routing.zipf_exponent = 0.3;
  const ExpertLoad sampled = scenario_expert_load(s, 16384);
  const ExpertLoad scaled = scenario_expert_load(s, 1 << 22);
  EXPECT_NEAR(scaled.compute, sampled.compute, 1e-6);
  EXPECT_NEAR(scaled.receive, sampled.receive, 1e-6);
  const EpTraffic t = scenario_traffic(s, 1 << 22);
  EXPECT_EQ(t.tokens_per_rank, 1 << 22);
  int64_t applications = 0;
  for (int64_t n : t.expert_tokens) applications += n;
  EXPECT_NEAR(static_cast<double>(applications), 64.0 * (1 << 22) * 8, 64.0 * 256);
}

}  // namespace
}  // namespace moesim
